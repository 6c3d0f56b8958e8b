// The fake's core: Google's Gemini REST API (v1beta) and the /__control API as one
// web-standard handler, (request) => Promise<Response>, over a state object. No node:http,
// no file system: fixtures come from the FixtureSource given. server.mjs serves it over
// node:http; in workerd, test/helpers/fake-google.ts routes the Worker's fetch to it.

import { handleControl } from "./control-api.mjs";
import { handleGemini } from "./gemini-api.mjs";
import { jsonResponse, parseJson } from "./http.mjs";
import { handleResources, isResourcePath } from "./resources-api.mjs";
import { createState } from "./state.mjs";

/**
 * @typedef {object} FakeGeminiCore
 * @property {import("./state.mjs").FakeState} state what the control API changes, for in-process access
 * @property {(request: Request) => Promise<Response>} fetch answers one request as Google would
 */

/**
 * @param {{ fixtures?: import("./fixtures.mjs").FixtureSource, log?: boolean, recordRequests?: boolean }} [options]
 *   recordRequests false keeps no request log (a benchmark's upstream would grow without end)
 * @returns {FakeGeminiCore}
 */
export function createFakeGemini(options = {}) {
  const state = createState(options.fixtures);
  const opts = { log: Boolean(options.log), record: options.recordRequests ?? true };
  return { state, fetch: (request) => handleRequest(state, request, opts) };
}

/**
 * @param {import("./state.mjs").FakeState} state
 * @param {Request} request its URL's origin is the one the caller reached (upload URLs point back at it)
 * @param {{ log?: boolean, record?: boolean }} [options] log: one line per API request on the console;
 *   record (default true): keep the request in state.requests
 * @returns {Promise<Response>}
 */
export async function handleRequest(state, request, options = {}) {
  const url = new URL(request.url);
  const bytes = new Uint8Array(await request.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  const parsed = parseJson(text);
  if (url.pathname.startsWith("/__control/")) return handleControl(state, request.method, url, parsed);

  const key = request.headers.get("x-goog-api-key");
  /** @type {import("./state.mjs").RecordedRequest} */
  const record = {
    seq: ++state.seq,
    time: new Date().toISOString(),
    method: request.method,
    path: url.pathname,
    model: null,
    action: null,
    apiKey: key,
    keyInQuery: url.searchParams.has("key"),
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(request.headers),
    body: parsed.ok ? parsed.value : text,
    flags: url.searchParams.has("key") ? ["key_in_query"] : [],
    status: null,
    outcome: null,
  };
  if (options.record ?? true) state.requests.push(record);
  let response;
  if (isResourcePath(url.pathname)) {
    const reply = await handleResources({ state, record, method: request.method, url, headers: record.headers, bytes, body: parsed, key });
    record.status = reply.status;
    record.outcome = reply.outcome;
    record.response = reply.body ?? null;
    response = jsonResponse(reply.status, reply.body, reply.headers);
  } else {
    response = await handleGemini({ state, record, method: request.method, url, body: parsed, signal: request.signal });
  }
  if (options.log) {
    const flag = record.flags.length ? ` [${record.flags.join(",")}]` : "";
    console.log(`${record.time} ${record.method} ${record.path} -> ${record.status} ${record.outcome}${flag}`);
  }
  return response;
}
