// Ids, base64 and hashes with web-standard APIs only (Web Crypto, btoa), so the modules
// that use them run in Node and in workerd alike.

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A random lower-case alphanumeric id, the alphabet Google uses for file and cache ids.
 * @param {number} length
 */
export function randomId(length) {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += LOWER_ALNUM[b % LOWER_ALNUM.length];
  return out;
}

/** @param {Uint8Array} bytes */
export function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** @param {string} base64 */
export function base64ToBytes(base64) {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * A File's sha256Hash as Google writes it: the hex digest, base64-encoded.
 * @param {Uint8Array} bytes
 */
export async function sha256Hash(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  return btoa(hex);
}

/** @param {Uint8Array[]} chunks */
export function concatBytes(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
