// Google's Files API: the resumable upload (/upload/v1beta/files) and get, list and delete
// (/v1beta/files). A file belongs to the key that started its upload; any other key gets
// Google's 403, as it does for a file that does not exist.

import { fileAccessDenied, googleError, invalidArgument, unknownRoute } from "./errors.mjs";
import { concatBytes, randomId, sha256Hash } from "./encoding.mjs";
import { pageOf } from "./paging.mjs";

/** Google keeps an uploaded file 48 hours. */
const FILE_LIFETIME_MS = 48 * 3600_000;
/** Chunk size Google announces on a resumable start (x-goog-upload-chunk-granularity). */
const CHUNK_GRANULARITY = 8 * 1024 * 1024;

/**
 * @typedef {{ name: string, displayName?: string, mimeType: string, sizeBytes: string, createTime: string,
 *   updateTime: string, expirationTime: string, sha256Hash: string, uri: string, state: "ACTIVE", source: "UPLOADED" }} FileResource
 * @typedef {{ resource: FileResource, owner: string }} StoredFile
 * @typedef {{ owner: string, displayName?: string, mimeType: string, declaredSize: number | null, chunks: Uint8Array[], received: number }} UploadSession
 * @typedef {import("./resources-api.mjs").ResourceCall} ResourceCall
 * @typedef {import("./resources-api.mjs").Reply} Reply
 */

/** @param {string} origin @param {string} id */
const uploadUrl = (origin, id) => `${origin}/upload/v1beta/files?upload_id=${id}&upload_protocol=resumable`;

/**
 * POST /upload/v1beta/files: a resumable start (with the caller's key), or bytes sent to a
 * session's upload URL (the upload_id is the credential, as with Google).
 * @param {ResourceCall} call
 * @returns {Promise<Reply>}
 */
export async function handleUpload(call) {
  const uploadId = call.url.searchParams.get("upload_id");
  if (uploadId) return uploadBytes(call, uploadId);
  call.record.action = "uploadStart";
  const protocol = call.headers["x-goog-upload-protocol"];
  const command = call.headers["x-goog-upload-command"];
  if (protocol !== "resumable" || command !== "start") {
    return { status: 400, body: invalidArgument("Only the resumable upload protocol is served by this fake: send X-Goog-Upload-Protocol: resumable and X-Goog-Upload-Command: start.").body, outcome: "validation" };
  }
  if (!call.body.ok) return { status: 400, body: invalidArgument("Invalid JSON payload received. Unexpected token.").body, outcome: "validation" };
  const meta = /** @type {any} */ (call.body.value)?.file ?? {};
  const declared = call.headers["x-goog-upload-header-content-length"];
  const id = randomId(24);
  call.state.uploads.set(id, {
    owner: call.key,
    displayName: meta.displayName ?? meta.display_name,
    mimeType: call.headers["x-goog-upload-header-content-type"] ?? meta.mimeType ?? meta.mime_type ?? "application/octet-stream",
    declaredSize: declared === undefined ? null : Number(declared),
    chunks: [],
    received: 0,
  });
  return {
    status: 200,
    headers: {
      "x-goog-upload-url": uploadUrl(call.url.origin, id),
      "x-goog-upload-status": "active",
      "x-goog-upload-chunk-granularity": String(CHUNK_GRANULARITY),
    },
    outcome: "ok",
  };
}

/**
 * @param {ResourceCall} call
 * @param {string} uploadId
 * @returns {Promise<Reply>}
 */
async function uploadBytes(call, uploadId) {
  const session = call.state.uploads.get(uploadId);
  const commands = (call.headers["x-goog-upload-command"] ?? "").split(",").map((c) => c.trim());
  call.record.action = commands.includes("finalize") ? "uploadFinalize" : commands.includes("query") ? "uploadQuery" : "uploadChunk";
  if (!session) return { status: 404, body: googleError(404, "NOT_FOUND", "No upload session with this id.").body, outcome: "not_found" };
  call.record.resourceOwner = session.owner;
  if (commands.includes("query")) {
    return { status: 200, headers: { "x-goog-upload-status": "active", "x-goog-upload-size-received": String(session.received) }, outcome: "ok" };
  }
  if (!commands.includes("upload")) return { status: 400, body: invalidArgument("X-Goog-Upload-Command must be upload, upload, finalize or query.").body, outcome: "validation" };
  const offset = Number(call.headers["x-goog-upload-offset"] ?? "NaN");
  if (offset !== session.received) {
    return { status: 400, body: invalidArgument(`X-Goog-Upload-Offset ${call.headers["x-goog-upload-offset"]} does not match the ${session.received} bytes received.`).body, outcome: "validation" };
  }
  session.chunks.push(call.bytes);
  session.received += call.bytes.length;
  if (!commands.includes("finalize")) return { status: 200, headers: { "x-goog-upload-status": "active" }, outcome: "ok" };

  call.state.uploads.delete(uploadId);
  const bytes = concatBytes(session.chunks);
  const id = randomId(12);
  const now = new Date();
  /** @type {FileResource} */
  const resource = {
    name: `files/${id}`,
    ...(session.displayName ? { displayName: session.displayName } : {}),
    mimeType: session.mimeType,
    sizeBytes: String(bytes.length),
    createTime: now.toISOString(),
    updateTime: now.toISOString(),
    expirationTime: new Date(now.getTime() + FILE_LIFETIME_MS).toISOString(),
    sha256Hash: await sha256Hash(bytes),
    uri: `${call.url.origin}/v1beta/files/${id}`,
    state: "ACTIVE",
    source: "UPLOADED",
  };
  call.state.files.set(id, { resource, owner: session.owner });
  return { status: 200, body: { file: resource }, headers: { "x-goog-upload-status": "final" }, outcome: "ok" };
}

/**
 * GET /v1beta/files, GET and DELETE /v1beta/files/{id}.
 * @param {ResourceCall} call
 * @param {string | null} id
 * @returns {Reply}
 */
export function handleFiles(call, id) {
  const { state, key, method } = call;
  if (id === null) {
    call.record.action = "listFiles";
    if (method !== "GET") return notARoute();
    const mine = [...state.files.values()].filter((f) => f.owner === key && !expired(f.resource)).map((f) => f.resource);
    const page = pageOf(mine, call.url.searchParams, { defaultSize: 10, maxSize: 100 });
    if (!page) return { status: 400, body: invalidArgument("Invalid page token.").body, outcome: "validation" };
    return { status: 200, body: page.items.length ? { files: page.items, ...page.next } : { ...page.next }, outcome: "ok" };
  }
  call.record.action = method === "DELETE" ? "deleteFile" : "getFile";
  if (method !== "GET" && method !== "DELETE") return notARoute();
  const stored = state.files.get(id);
  if (!stored || stored.owner !== key || expired(stored.resource)) {
    return { status: 403, body: fileAccessDenied(id).body, outcome: stored ? "not_owner" : "not_found" };
  }
  if (method === "GET") return { status: 200, body: stored.resource, outcome: "ok" };
  state.files.delete(id);
  state.gone.add(`files/${id}`);
  return { status: 200, body: {}, outcome: "ok" };
}

/** @returns {Reply} */
const notARoute = () => ({ status: 404, body: unknownRoute().body, outcome: "unknown_route" });

/** @param {FileResource} resource */
const expired = (resource) => Date.parse(resource.expirationTime) <= Date.now();

/**
 * The files a generateContent body names through fileData.fileUri, as ids. Only URIs in
 * Google's form (…/v1beta/files/{id} or files/{id}) count; other URIs (gs://, YouTube) are
 * not files of the Files API.
 * @param {any} body
 * @returns {string[]}
 */
export function namedFileIds(body) {
  const ids = [];
  const contents = Array.isArray(body?.contents) ? body.contents : [];
  for (const content of contents) {
    for (const part of Array.isArray(content?.parts) ? content.parts : []) {
      const uri = (part?.fileData ?? part?.file_data)?.fileUri ?? (part?.fileData ?? part?.file_data)?.file_uri;
      const m = typeof uri === "string" ? /(?:^|\/v1beta\/)files\/([a-z0-9-]+)$/.exec(uri) : null;
      if (m) ids.push(/** @type {string} */ (m[1]));
    }
  }
  return ids;
}

/**
 * Google's 403 when a generateContent body names a file of another key, or one deleted or
 * expired. A file id the fake never issued passes, so tests may name made-up files.
 * @param {import("./state.mjs").FakeState} state
 * @param {string} key
 * @param {any} body
 * @returns {import("./errors.mjs").GoogleError | null}
 */
export function fileAccessError(state, key, body) {
  for (const id of namedFileIds(body)) {
    const stored = state.files.get(id);
    if (stored ? stored.owner !== key || expired(stored.resource) : state.gone.has(`files/${id}`)) return fileAccessDenied(id);
  }
  return null;
}
