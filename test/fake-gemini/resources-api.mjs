// The routes for resources a key owns: the Files API (/upload/v1beta/files, /v1beta/files)
// and cachedContents. Auth is checked as on the model routes (header present, key usable),
// except for bytes sent to an upload URL, whose upload_id is the credential.

import { behaviourError, isAuthFailure } from "./behaviours.mjs";
import { handleCachedContents } from "./cached-contents.mjs";
import { unknownRoute, unregisteredCaller } from "./errors.mjs";
import { handleFiles, handleUpload } from "./files-api.mjs";
import { behaviourOf } from "./state.mjs";

/**
 * @typedef {object} ResourceCall
 * @property {import("./state.mjs").FakeState} state
 * @property {import("./state.mjs").RecordedRequest} record
 * @property {string} method
 * @property {URL} url its origin is the fake's own, as the caller reached it
 * @property {Record<string, string>} headers lower-cased names
 * @property {Uint8Array} bytes the raw body
 * @property {{ ok: true, value: unknown } | { ok: false }} body the body parsed as JSON
 * @property {string | null} key the x-goog-api-key header
 */

/**
 * @typedef {{ status: number, body?: unknown, headers?: Record<string, string>, outcome: string }} Reply
 */

/** @param {string} pathname */
export function isResourcePath(pathname) {
  return /^\/(upload\/)?v1beta\/(files|cachedContents)(\/|$)/.test(pathname);
}

/**
 * @param {ResourceCall} call
 * @returns {Promise<Reply>}
 */
export async function handleResources(call) {
  const path = call.url.pathname;
  if (path === "/upload/v1beta/files" && call.method === "POST" && call.url.searchParams.has("upload_id")) {
    call.record.body = `[${call.bytes.length} bytes]`;
    return handleUpload(call);
  }
  const denied = authError(call);
  if (denied) return denied;
  if (path === "/upload/v1beta/files" && call.method === "POST") return handleUpload(call);
  const files = /^\/v1beta\/files(?:\/([a-z0-9-]+))?$/.exec(path);
  if (files) return handleFiles(call, files[1] ?? null);
  const caches = /^\/v1beta\/cachedContents(?:\/([a-z0-9-]+))?$/.exec(path);
  if (caches) return handleCachedContents(call, caches[1] ?? null);
  const error = unknownRoute();
  return { status: error.status, body: error.body, outcome: "unknown_route" };
}

/**
 * @param {ResourceCall} call
 * @returns {Reply | null}
 */
function authError(call) {
  if (!call.key) return { status: 403, body: unregisteredCaller().body, outcome: "no_key" };
  const standing = behaviourOf(call.state, call.key);
  if (!isAuthFailure(standing)) return null;
  const error = /** @type {import("./errors.mjs").GoogleError} */ (behaviourError(standing, call.key, "", ""));
  return { status: error.status, body: error.body, outcome: standing.kind };
}
