import { forgetAffinity, rememberAffinity } from "../../files/affinity-store";
import { fileNameOfUri } from "../../files/names";
import { TranslationError } from "../../openai/errors";
import type { Answer, CallEnd, FrontDoor, GeminiCallSpec } from "../front-door";
import { googleFailure } from "../google-errors";
import { ownedRow, timeOf } from "./owned-resource";

/** Files live 48 hours at Google; an upload session about a week. */
const FILE_TTL_MS = 48 * 3_600_000;
const UPLOAD_SESSION_TTL_MS = 7 * 24 * 3_600_000;
const MAX_METADATA_BYTES = 64 * 1024;
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,512}$/;
/** What a client sends Google about an upload; everything else (its key above all) stays here. */
const FORWARDED_HEADERS = [
  "x-goog-upload-protocol",
  "x-goog-upload-command",
  "x-goog-upload-offset",
  "x-goog-upload-header-content-length",
  "x-goog-upload-header-content-type",
  "content-type",
];

type UploadCall =
  | { kind: "start"; headers: Record<string, string>; metadata: string | null; origin: string }
  | { kind: "data"; uploadId: string; command: string; headers: Record<string, string>; body: ReadableStream<Uint8Array> | null }
  /** One request with the metadata and the bytes (multipart/related): on any usable key, one attempt. */
  | { kind: "multipart"; headers: Record<string, string>; body: ReadableStream<Uint8Array> | null };

interface UploadReply {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * POST /upload/v1beta/files, Google's resumable upload through the pool. The start goes to a
 * usable key; D1 remembers `uploads/<upload id>` under it, and the client gets Google's answer
 * with X-Goog-Upload-URL pointing at this proxy (same path and upload_id). The bytes
 * (`upload, finalize`) then go to that key, streamed through as they arrive, and D1
 * remembers the finished `files/<id>` under it. A multipart upload (`uploadType=multipart`:
 * metadata and bytes in one request) goes to a usable key, streamed through, in one attempt.
 * Workers take request bodies up to 100 MB.
 */
export const uploadDoor: FrontDoor<UploadCall, UploadReply> = {
  endpoint: (call) => (call?.kind === "start" ? "native:files.upload.start" : "native:files.upload"),
  renderFailure: googleFailure,

  async parse(request) {
    const url = new URL(request.url);
    const headers = forwarded(request.headers);
    const uploadId = url.searchParams.get("upload_id");
    if (uploadId !== null) {
      if (!UPLOAD_ID.test(uploadId)) throw new TranslationError("upload_id is not a valid upload id.", { status: 404, code: "file_not_found" });
      const command = headers["x-goog-upload-command"] ?? "";
      return { kind: "data", uploadId, command, headers, body: request.body };
    }
    const protocol = headers["x-goog-upload-protocol"] ?? url.searchParams.get("uploadType");
    if (protocol === "multipart") {
      if (!/^multipart\/related\s*;.*boundary=/i.test(headers["content-type"] ?? "")) {
        throw new TranslationError("A multipart upload is sent as Content-Type: multipart/related; boundary=… (the metadata part, then the file).", { code: "invalid_content_type" });
      }
      return { kind: "multipart", headers: { ...headers, "x-goog-upload-protocol": "multipart" }, body: request.body };
    }
    if (protocol !== "resumable" || headers["x-goog-upload-command"] !== "start") {
      throw new TranslationError(
        "This proxy takes resumable uploads (X-Goog-Upload-Protocol: resumable, X-Goog-Upload-Command: start, then the bytes to the X-Goog-Upload-URL it answers) and multipart ones (uploadType=multipart); raw uploads are not supported.",
        { code: "unsupported_upload_protocol" },
      );
    }
    return { kind: "start", headers, metadata: await metadataOf(request), origin: url.origin };
  },
  modelId: () => null,
  streamed: () => false,
  charges: () => false,
  // Its answer carries headers (X-Goog-Upload-URL): never spaces before it.
  answersJson: () => false,

  async prepare(call, _model, deps): Promise<GeminiCallSpec> {
    if (call.kind === "start") return { path: "files", upload: true, body: undefined, headers: call.headers, rawBody: call.metadata };
    if (call.kind === "multipart") return { path: "files", upload: true, query: { uploadType: "multipart" }, body: undefined, headers: call.headers, rawBody: call.body };
    const name = `uploads/${call.uploadId}`;
    const row = await ownedRow(name, deps);
    return {
      path: "files",
      upload: true,
      query: { upload_id: call.uploadId, upload_protocol: "resumable" },
      body: undefined,
      headers: call.headers,
      rawBody: call.body,
      keyId: row.geminiKeyId,
      pinnedBy: `the upload ${call.uploadId}`,
    };
  },

  async accept(response, call) {
    const text = await response.text();
    if (call.kind === "start" && uploadIdOf(response.headers.get("x-goog-upload-url")) === null) {
      return { ok: false, failure: { kind: "server", status: 502, message: "Google's answer to the upload start has no X-Goog-Upload-URL" } };
    }
    return { ok: true, value: { status: response.status, headers: response.headers, text } };
  },

  async answer(reply, call, { deps, keyId, markFirstByte }): Promise<Answer> {
    const headers = uploadHeaders(reply.headers);
    const row = { geminiKeyId: keyId, clientKeyId: deps.clientKey.id, createdAt: deps.receivedAt };
    const end: CallEnd = { status: reply.status, outcome: "ok" };
    if (call.kind === "start") {
      const uploadId = uploadIdOf(reply.headers.get("x-goog-upload-url"))!;
      await rememberAffinity(deps.env.DB, {
        ...row,
        name: `uploads/${uploadId}`,
        kind: "upload",
        mimeType: call.headers["x-goog-upload-header-content-type"] ?? null,
        uri: null,
        sizeBytes: numberOf(call.headers["x-goog-upload-header-content-length"]),
        expiresAt: deps.receivedAt + UPLOAD_SESSION_TTL_MS,
      });
      // Where the client sends the bytes: this proxy, never Google's host (the key stays here).
      headers.set("x-goog-upload-url", `${call.origin}/upload/v1beta/files?upload_id=${encodeURIComponent(uploadId)}&upload_protocol=resumable`);
    } else {
      const file = finishedFile(reply.text);
      const name = file ? fileNameOfUri(String(file.name ?? "")) : null;
      if (file && name) {
        const sizeBytes = numberOf(file.sizeBytes);
        await rememberAffinity(deps.env.DB, {
          ...row,
          name,
          kind: "file",
          mimeType: typeof file.mimeType === "string" ? file.mimeType : null,
          uri: typeof file.uri === "string" ? file.uri : null,
          sizeBytes,
          expiresAt: timeOf(file.expirationTime, deps.receivedAt + FILE_TTL_MS),
        });
        if (call.kind === "data") await forgetAffinity(deps.env.DB, `uploads/${call.uploadId}`);
        end.media = { files: 1, fileBytes: sizeBytes ?? 0 };
      }
    }
    markFirstByte();
    return { kind: "stream", response: new Response(reply.text || null, { status: reply.status, headers }), ended: Promise.resolve(end) };
  },
};

function forwarded(from: Headers): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = from.get(name);
    if (value !== null) headers[name] = name === "x-goog-upload-command" || name === "x-goog-upload-protocol" ? value.trim().toLowerCase() : value;
  }
  return headers;
}

/** The start's JSON metadata ({"file": {"display_name": …}}), bounded; null when there is none. */
async function metadataOf(request: Request): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_METADATA_BYTES) throw new TranslationError("The upload start's metadata is too large.", { status: 413, code: "request_too_large" });
  const text = await request.text();
  if (text.length > MAX_METADATA_BYTES) throw new TranslationError("The upload start's metadata is too large.", { status: 413, code: "request_too_large" });
  if (text.trim() === "") return null;
  try {
    JSON.parse(text);
  } catch {
    throw new TranslationError("The upload start's metadata is not valid JSON.", { code: "invalid_json" });
  }
  return text;
}

function uploadIdOf(uploadUrl: string | null): string | null {
  if (!uploadUrl) return null;
  try {
    const id = new URL(uploadUrl).searchParams.get("upload_id");
    return id !== null && UPLOAD_ID.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** Google's upload headers (status, granularity, size received) and its content type. */
function uploadHeaders(from: Headers): Headers {
  const headers = new Headers();
  for (const [name, value] of from) {
    if (name.startsWith("x-goog-upload-") || name === "content-type") headers.set(name, value);
  }
  return headers;
}

function finishedFile(text: string): Record<string, unknown> | null {
  try {
    const reply = JSON.parse(text) as { file?: unknown };
    return reply.file && typeof reply.file === "object" ? (reply.file as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function numberOf(value: unknown): number | null {
  const n = typeof value === "string" || typeof value === "number" ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}
