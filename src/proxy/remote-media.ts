import { TranslationError } from "../openai/errors";
import { toBase64 } from "../util/base64";
import { publicHttpUrl } from "../util/public-address";
import { readBounded, type ByteBudget } from "../util/read-bounded";
import { MAX_REQUEST_BYTES } from "./read-body";

export interface RemoteMediaLimits {
  /** bytes of one file */
  maxBytes: number;
  /** bytes of all files of one request: Gemini takes 20 MB per request, and base64 adds a third */
  maxTotalBytes: number;
  maxCount: number;
  /** for all the request's files together, headers, redirects and bodies */
  timeoutMs: number;
  maxRedirects: number;
}

export const REMOTE_MEDIA_LIMITS: RemoteMediaLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxTotalBytes: Math.floor((MAX_REQUEST_BYTES * 3) / 4),
  maxCount: 16,
  timeoutMs: 15_000,
  maxRedirects: 3,
};
export const MAX_REMOTE_MEDIA_BYTES = REMOTE_MEDIA_LIMITS.maxBytes;

export type FetchedMedia = { mimeType: string; data: string };

const MEDIA_TYPE = /^(image|audio|video)\/|^application\/pdf$/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches the http(s) media a request points at, so they can be inlined for Gemini. The target
 * is a stranger's server: only public addresses are fetched (every redirect hop re-checked),
 * bodies are read as streams under a byte and a time budget and cut off at the limit, and every
 * failure is the same neutral error, which tells nothing about what answered (or did not).
 */
export async function fetchRemoteMedia(
  urls: string[],
  options: { param?: string; signal?: AbortSignal; limits?: Partial<RemoteMediaLimits> } = {},
): Promise<Map<string, FetchedMedia>> {
  const limits = { ...REMOTE_MEDIA_LIMITS, ...options.limits };
  const param = options.param ?? "messages";
  const media = new Map<string, FetchedMedia>();
  const unique = [...new Set(urls)];
  if (unique.length === 0) return media;
  if (unique.length > limits.maxCount) {
    throw new TranslationError(`At most ${limits.maxCount} media URLs per request.`, { param });
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  const onClientAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onClientAbort, { once: true });
  const budget: ByteBudget = { remaining: limits.maxTotalBytes };
  try {
    await Promise.all(
      unique.map(async (url) => {
        try {
          media.set(url, await fetchOne(url, limits, budget, controller.signal));
        } catch (error) {
          controller.abort(); // one failure fails the request: stop the others now
          throw error;
        }
      }),
    );
    return media;
  } catch (error) {
    console.warn(`remote media refused: ${error instanceof Error ? error.message : String(error)}`);
    throw new TranslationError(
      `An image URL could not be fetched. It must be a public http(s) URL that answers an image (or audio, video, PDF) of at most ${limits.maxBytes} bytes within ${limits.timeoutMs / 1000} s.`,
      { param, code: "invalid_image_url" },
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onClientAbort);
  }
}

async function fetchOne(url: string, limits: RemoteMediaLimits, budget: ByteBudget, signal: AbortSignal): Promise<FetchedMedia> {
  let target = publicHttpUrl(url);
  for (let hop = 0; ; hop++) {
    if (!target) throw new Error("not a public http(s) URL");
    const response = await fetch(target, { signal, redirect: "manual", headers: { accept: "image/*, audio/*, video/*, application/pdf" } });
    if (REDIRECTS.has(response.status)) {
      await response.body?.cancel();
      if (hop >= limits.maxRedirects) throw new Error("too many redirects");
      const location = response.headers.get("location");
      target = location === null ? null : publicHttpUrl(location, target.href);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`status ${response.status}`);
    }
    const mimeType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!MEDIA_TYPE.test(mimeType)) {
      await response.body?.cancel();
      throw new Error("not a media type");
    }
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > limits.maxBytes || declared > budget.remaining) {
      await response.body?.cancel();
      throw new Error("declared too large");
    }
    const bytes = await readBounded(response.body, { maxBytes: limits.maxBytes, budget, signal });
    return { mimeType, data: toBase64(bytes) };
  }
}
