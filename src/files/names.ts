/** Google's file ids: lowercase letters, digits and dashes, at most 40 characters. */
const FILE_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const CACHE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const FILES_URI = /^https?:\/\/[^/?#]+\/v1beta\/files\/([^/?#]+)$/;

/** "files/abc" for a Files API URI (…/v1beta/files/abc) or name; null for any other URI (YouTube, gs://…). */
export function fileNameOfUri(uri: string): string | null {
  const id = FILES_URI.exec(uri)?.[1] ?? (uri.startsWith("files/") ? uri.slice("files/".length) : null);
  return id !== null && FILE_ID.test(id) ? `files/${id}` : null;
}

/** A chat part's `file_id`, "files/abc" or "abc", as the name "files/abc"; null when it is no file id. */
export function fileNameOfId(fileId: string): string | null {
  const id = fileId.startsWith("files/") ? fileId.slice("files/".length) : fileId;
  return FILE_ID.test(id) ? `files/${id}` : null;
}

/** "cachedContents/xyz" for "cachedContents/xyz" or "xyz"; null when it cannot be one. */
export function cacheNameOf(reference: string): string | null {
  const id = reference.startsWith("cachedContents/") ? reference.slice("cachedContents/".length) : reference;
  return CACHE_ID.test(id) ? `cachedContents/${id}` : null;
}
