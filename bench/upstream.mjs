#!/usr/bin/env node
// An upstream that answers instantly, for the benchmarks (not a fake of Google's API: it
// ignores the request and always answers the same recorded reply).
//   POST …:generateContent        -> test/fixtures/gemini/google-text.json
//   POST …:streamGenerateContent  -> test/fixtures/gemini/google-text.chunks.txt as SSE
// Listens on 127.0.0.1 only. Run as its own process so its event loop does not share a
// core with the load generator: `node bench/upstream.mjs [port]` prints `listening <port>`.
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const fixtures = path.join(import.meta.dirname, "../test/fixtures/gemini");
const reply = Buffer.from(JSON.stringify(JSON.parse(readFileSync(path.join(fixtures, "google-text.json"), "utf8"))));
const chunks = readFileSync(path.join(fixtures, "google-text.chunks.txt"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "");
const sse = Buffer.from(chunks.map((line) => `data: ${line}\r\n\r\n`).join(""));

let served = 0; // generateContent and streamGenerateContent calls answered
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/__stats") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ served }));
    } else if (req.url?.includes(":streamGenerateContent")) {
      served++;
      res.writeHead(200, { "content-type": "text/event-stream", "content-length": sse.length });
      res.end(sse);
    } else if (req.url?.includes(":generateContent")) {
      served++;
      res.writeHead(200, { "content-type": "application/json; charset=UTF-8", "content-length": reply.length });
      res.end(reply);
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":{"code":404,"message":"bench upstream: unknown path","status":"NOT_FOUND"}}');
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
