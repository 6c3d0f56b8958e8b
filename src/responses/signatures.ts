import { fromBase64Url, toBase64Url } from "../util/base64";

// Gemini 3 thought signatures travel in the `reasoning` item's `encrypted_content`, so a client
// that keeps no server state (store: false) and resends its history gives them back with it.
// The content is ours, not OpenAI's: a version prefix and base64url JSON mapping each function
// call id to the signature Google put on it. Anything else found there (e.g. a real OpenAI
// blob from another provider's history) is ignored, never refused.

const PREFIX = "gpp1.";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSignatures(byCallId: Readonly<Record<string, string>>): string {
  return PREFIX + toBase64Url(encoder.encode(JSON.stringify(byCallId)));
}

export function decodeSignatures(content: string | null | undefined): Record<string, string> {
  if (!content?.startsWith(PREFIX)) return {};
  const bytes = fromBase64Url(content.slice(PREFIX.length));
  if (!bytes) return {};
  try {
    const parsed: unknown = JSON.parse(decoder.decode(bytes));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  } catch {
    return {};
  }
}
