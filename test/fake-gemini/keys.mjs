// Gemini API key format: "AIza" followed by 35 characters of [0-9A-Za-z_-].

export const GEMINI_KEY_PATTERN = /^AIza[0-9A-Za-z_-]{35}$/;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";

/** A fresh, well-formed (fake) Gemini API key. */
export function fakeGeminiKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(35));
  let out = "AIza";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}
