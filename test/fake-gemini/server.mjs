// A fake of Google's Gemini REST API (v1beta) for tests and local runs, served over
// node:http on 127.0.0.1. The behaviour is handler.mjs; this file only carries requests
// and responses between node:http and it. See README.md.

import http from "node:http";
import { Readable } from "node:stream";
import { nodeFixtures } from "./fixtures-node.mjs";
import { createFakeGemini } from "./handler.mjs";

/**
 * @typedef {object} FakeGemini
 * @property {string} url base URL, e.g. http://127.0.0.1:40123 (use as GEMINI_API_BASE)
 * @property {number} port
 * @property {import("./state.mjs").FakeState} state in-process access to what the control API changes
 * @property {() => Promise<void>} close
 */

/**
 * @param {{ port?: number, host?: string, log?: boolean }} [options] port 0 (default) picks a free one
 * @returns {Promise<FakeGemini>}
 */
export async function startFakeGemini(options = {}) {
  const core = createFakeGemini({ fixtures: nodeFixtures, log: options.log });
  const served = await listen(core.fetch, options);
  return { ...served, state: core.state };
}

/**
 * Serves a web-standard handler over node:http (the fake's core here, the bench upstream too).
 * @param {(request: Request) => Promise<Response>} handle
 * @param {{ port?: number, host?: string, keepAliveTimeout?: number }} [options]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export async function listen(handle, options = {}) {
  const host = options.host ?? "127.0.0.1";
  const server = http.createServer((req, res) => {
    serve(handle, req, res).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake-gemini crashed: ${err?.stack ?? err}`);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeout ?? 5_000;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve(undefined));
  });
  const port = /** @type {import("node:net").AddressInfo} */ (server.address()).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * node:http -> Request -> the core -> Response -> node:http. The Request's signal aborts
 * when the caller goes away before the answer is complete; a body stream that errors (the
 * stream_abort behaviour) cuts the connection.
 * @param {(request: Request) => Promise<Response>} handle
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 */
async function serve(handle, req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const gone = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = req.method ?? "GET";
  const request = new Request(new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`), {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
    signal: gone.signal,
  });
  const response = await handle(request);
  if (res.destroyed) return;
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return void res.end();
  const body = Readable.fromWeb(/** @type {any} */ (response.body));
  body.on("error", () => res.destroy());
  gone.signal.addEventListener("abort", () => body.destroy());
  body.pipe(res);
}
