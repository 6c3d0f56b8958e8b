import type { Env } from "../env";
import { TranslationError } from "../openai/errors";
import { findAffinities, type AffinityRow } from "./affinity-store";
import { cacheNameOf, fileNameOfUri } from "./names";

/** The one key a call must run on, and the names that pin it there: GeminiCallSpec's fields. */
export interface Pin {
  keyId: string;
  pinnedBy: string;
}

interface FileRef {
  name: string;
  /** The fileData object, completed from the row (URI, MIME type) once found. */
  fileData: Record<string, unknown>;
}

/**
 * Finds the files (`fileData.fileUri` naming a Files API URI or "files/…") and the cached
 * content (`cachedContent`) a Gemini request names (countTokens may nest the request), and
 * the one key that holds them all. Each must be this client's and known to the
 * proxy (404 otherwise, no Google call); all under one key (400 otherwise). File parts are
 * completed from D1: the full URI, and the MIME type when the part lacks one (chat `file_id`).
 * null when the request names none: any key may serve it.
 */
export async function pinToOwner(body: unknown, env: Env, clientKeyId: string, now = Date.now()): Promise<Pin | null> {
  const files: FileRef[] = [];
  const caches = new Set<string>();
  collect(body, files, caches);
  const names = [...new Set([...files.map((f) => f.name), ...caches])];
  if (names.length === 0) return null;
  const rows = await findAffinities(env.DB, names, now);
  const owned = names.map((name) => ownedBy(rows.get(name), name, clientKeyId));
  const keys = new Set(owned.map((row) => row.geminiKeyId));
  if (keys.size > 1) {
    throw new TranslationError(
      `${names.join(", ")} were made under different Gemini keys, and a file or cached content exists only under the key that made it: one call can use those of one key only.`,
      { code: "files_on_different_keys" },
    );
  }
  for (const file of files) {
    const row = rows.get(file.name)!;
    if (row.uri) setField(file.fileData, "fileUri", "file_uri", row.uri);
    if (row.mimeType && !file.fileData.mimeType && !file.fileData.mime_type) file.fileData.mimeType = row.mimeType;
  }
  return { keyId: owned[0]!.geminiKeyId, pinnedBy: names.join(", ") };
}

/**
 * The row when `clientKeyId` made it: another client's file, cache or upload is as unknown to
 * this client as one that never existed or has expired (404, no Google call).
 */
export function ownedBy(row: AffinityRow | null | undefined, name: string, clientKeyId: string): AffinityRow {
  if (!row || row.clientKeyId !== clientKeyId) {
    throw new TranslationError(`${name} is not found: it was not made through this proxy with this client key, or it has expired.`, {
      status: 404,
      code: "file_not_found",
      type: "not_found_error",
    });
  }
  return row;
}

/**
 * Looks where Google reads them, not anywhere (a tool's result may well hold a "cachedContent"
 * key of its own): `cachedContent`, and `fileData` in the parts of `contents` and
 * `systemInstruction`, at the top or in countTokens' `generateContentRequest`; camelCase or snake_case.
 */
function collect(body: unknown, files: FileRef[], caches: Set<string>): void {
  const request = objectOr(body);
  if (!request) return;
  collectRequest(request, files, caches);
  const nested = objectOr(field(request, "generateContentRequest", "generate_content_request"));
  if (nested) collectRequest(nested, files, caches);
}

function collectRequest(request: Record<string, unknown>, files: FileRef[], caches: Set<string>): void {
  const cache = field(request, "cachedContent", "cached_content");
  if (typeof cache === "string") {
    const name = cacheNameOf(cache);
    if (!name) throw new TranslationError(`'${cache.slice(0, 100)}' is not a cached content name (cachedContents/…).`, { param: "cachedContent" });
    caches.add(name);
  }
  const contents = field(request, "contents");
  const turns = [...(Array.isArray(contents) ? contents : []), field(request, "systemInstruction", "system_instruction")];
  for (const turn of turns) {
    const parts = objectOr(turn)?.parts;
    if (!Array.isArray(parts)) continue;
    for (const part of parts) {
      const fileData = objectOr(field(objectOr(part) ?? {}, "fileData", "file_data"));
      const uri = fileData ? field(fileData, "fileUri", "file_uri") : undefined;
      const name = typeof uri === "string" ? fileNameOfUri(uri) : null;
      if (fileData && name) files.push({ name, fileData });
    }
  }
}

function field(object: Record<string, unknown>, camel: string, snake?: string): unknown {
  return object[camel] ?? (snake === undefined ? undefined : object[snake]);
}

function objectOr(value: unknown): Record<string, unknown> | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function setField(object: Record<string, unknown>, camel: string, snake: string, value: string): void {
  if (snake in object && !(camel in object)) object[snake] = value;
  else object[camel] = value;
}
