// A fake of Google's Gemini REST API (v1beta) for tests and local runs. See README.md.

import http from "node:http";
import { handleControl } from "./control-api.mjs";
import { handleGemini } from "./gemini-api.mjs";
import { parseJson, readBody, sendJson } from "./http.mjs";
import { handleResources, isResourcePath } from "./resources-api.mjs";
import { createState } from "./state.mjs";

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
  const host = options.host ?? "127.0.0.1";
  const state = createState();
  const server = http.createServer((req, res) => {
    handle(state, req, res, Boolean(options.log)).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake-gemini crashed: ${err?.stack ?? err}`);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve(undefined));
  });
  const port = /** @type {import("node:net").AddressInfo} */ (server.address()).port;
  return {
    url: `http://${host}:${port}`,
    port,
    state,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * @param {import("./state.mjs").FakeState} state
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 * @param {boolean} log
 */
async function handle(state, req, res, log) {
  // The Host header gives the origin the caller reached (upload URLs and file URIs point back at it).
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  const bytes = await readBody(req);
  const text = bytes.toString("utf8");
  const parsed = parseJson(text);
  if (url.pathname.startsWith("/__control/")) return handleControl(state, req, res, url, parsed);

  const header = req.headers["x-goog-api-key"];
  /** @type {import("./state.mjs").RecordedRequest} */
  const record = {
    seq: ++state.seq,
    time: new Date().toISOString(),
    method: req.method ?? "GET",
    path: url.pathname,
    model: null,
    action: null,
    apiKey: (Array.isArray(header) ? header[0] : header) ?? null,
    keyInQuery: url.searchParams.has("key"),
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")])),
    body: parsed.ok ? parsed.value : text,
    flags: url.searchParams.has("key") ? ["key_in_query"] : [],
    status: null,
    outcome: null,
  };
  state.requests.push(record);
  if (isResourcePath(url.pathname)) {
    const key = record.apiKey;
    const reply = await handleResources({ state, record, method: record.method, url, headers: record.headers, bytes, body: parsed, key });
    record.status = reply.status;
    record.outcome = reply.outcome;
    record.response = reply.body ?? null;
    sendJson(res, reply.status, reply.body, reply.headers);
  } else {
    await handleGemini({ state, record, req, res, url, body: parsed });
  }
  if (log) {
    const flag = record.flags.length ? ` [${record.flags.join(",")}]` : "";
    console.log(`${record.time} ${record.method} ${record.path} -> ${record.status} ${record.outcome}${flag}`);
  }
}
