#!/usr/bin/env node
// The benchmarks' upstream: the fake Gemini's core (test/fake-gemini/handler.mjs, the one the
// tests use), answering every generate call with the recorded reply at once:
//   POST …:generateContent        -> test/fixtures/gemini/google-text.json
//   POST …:streamGenerateContent  -> test/fixtures/gemini/google-text.chunks.txt as SSE
// Fixtures are read once, no request log is kept. GET /__stats -> {served}. Listens on
// 127.0.0.1 only. Run as its own process so its event loop does not share a core with the
// load generator: `node bench/upstream.mjs [port]` prints `listening <port>`.
import { nodeFixtures } from "../test/fake-gemini/fixtures-node.mjs";
import { createFakeGemini } from "../test/fake-gemini/handler.mjs";
import { listen } from "../test/fake-gemini/server.mjs";
import { configureKeys } from "../test/fake-gemini/state.mjs";

/** @type {Map<string, string | null>} */
const read = new Map();
const fixtures = { read: (/** @type {string} */ name) => (read.has(name) ? read.get(name) ?? null : (read.set(name, nodeFixtures.read(name)), read.get(name) ?? null)) };
const core = createFakeGemini({ fixtures, recordRequests: false });
core.state.reply = { fixture: "google-text" };
// The comparison Worker's key (bench/minimal-worker/wrangler.toml) is not shaped like Google's:
// registered, it is served like any pool key.
configureKeys(core.state, { key: "bench-minimal-worker-key", behaviour: "ok" });

let served = 0; // generateContent and streamGenerateContent calls answered
const upstream = await listen(
  async (request) => {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/__stats") return Response.json({ served });
    const response = await core.fetch(request);
    if (/:(generateContent|streamGenerateContent)$/.test(url.pathname) && response.ok) served++;
    return response;
  },
  { port: Number(process.argv[2] ?? 0), keepAliveTimeout: 30_000 },
);
console.log(`listening ${upstream.port}`);
process.on("SIGTERM", async () => {
  await upstream.close();
  process.exit(0);
});
