import { TranslationError } from "../openai/errors";
import { toBase64 } from "../util/base64";

export const MAX_REMOTE_MEDIA_BYTES = 10 * 1024 * 1024;
const MAX_REMOTE_MEDIA_COUNT = 16;
const FETCH_TIMEOUT_MS = 15_000;

/** Fetches the http(s) images a chat request points at, so they can be inlined for Gemini. */
export async function fetchRemoteMedia(urls: string[]): Promise<Map<string, { mimeType: string; data: string }>> {
  const media = new Map<string, { mimeType: string; data: string }>();
  if (urls.length > MAX_REMOTE_MEDIA_COUNT) {
    throw new TranslationError(`At most ${MAX_REMOTE_MEDIA_COUNT} image URLs per request.`, { param: "messages" });
  }
  await Promise.all(
    [...new Set(urls)].map(async (url) => {
      media.set(url, await fetchOne(url));
    }),
  );
  return media;
}

async function fetchOne(url: string): Promise<{ mimeType: string; data: string }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "follow" });
  } catch (error) {
    throw new TranslationError(`Could not fetch the image at ${url}: ${String(error)}`, { param: "messages", code: "invalid_image_url" });
  }
  if (!response.ok) {
    throw new TranslationError(`Fetching the image at ${url} answered HTTP ${response.status}.`, { param: "messages", code: "invalid_image_url" });
  }
  const mimeType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (!/^(image|audio|video)\/|^application\/pdf$/.test(mimeType)) {
    throw new TranslationError(`The URL ${url} is not an image (content-type "${mimeType}").`, { param: "messages", code: "invalid_image_url" });
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_REMOTE_MEDIA_BYTES) throw tooLarge(url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > MAX_REMOTE_MEDIA_BYTES) throw tooLarge(url);
  return { mimeType, data: toBase64(bytes) };
}

function tooLarge(url: string): TranslationError {
  return new TranslationError(`The image at ${url} is larger than ${MAX_REMOTE_MEDIA_BYTES} bytes.`, { param: "messages", code: "image_too_large", status: 413 });
}

