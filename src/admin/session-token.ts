import { fromBase64Url, toBase64Url } from "../util/base64";
import { randomToken, timingSafeEqualText } from "../util/crypto";
import type { AdminSecrets } from "./admin-secrets";

// A stateless session: `<payload>.<signature>`, both base64url, the signature an HMAC-SHA256
// of the payload under SESSION_SECRET_KEY. The payload carries a fingerprint of
// ADMIN_PASSWORD, so changing the password (or the secret) ends every session at once.
// Logout adds the session id to a revocation list in KV (checked by the caller).

export const SESSION_TTL_MS = 12 * 3600 * 1000;

export interface Session {
  id: string;
  expiresAt: number;
}

interface Payload {
  sid: string;
  exp: number;
  fp: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let cachedKey: { secret: string; key: Promise<CryptoKey> } | undefined;

function signingKey(secret: string): Promise<CryptoKey> {
  if (cachedKey?.secret !== secret) {
    const key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    cachedKey = { secret, key };
  }
  return cachedKey.key;
}

async function hmac(secret: string, data: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await signingKey(secret), encoder.encode(data)));
}

/** Identifies the password without revealing it: an HMAC under the session secret, shortened. */
async function passwordFingerprint(secrets: AdminSecrets): Promise<string> {
  const mac = await hmac(secrets.sessionSecret, `admin-password\u0000${secrets.password}`);
  return toBase64Url(mac.slice(0, 16));
}

export async function issueSessionToken(
  secrets: AdminSecrets,
  now = Date.now(),
): Promise<{ token: string; session: Session }> {
  const session: Session = { id: randomToken(16), expiresAt: now + SESSION_TTL_MS };
  const payload: Payload = { sid: session.id, exp: session.expiresAt, fp: await passwordFingerprint(secrets) };
  const encoded = toBase64Url(encoder.encode(JSON.stringify(payload)));
  const signature = toBase64Url(await hmac(secrets.sessionSecret, encoded));
  return { token: `${encoded}.${signature}`, session };
}

/** The session a token stands for, if its signature, expiry and password fingerprint hold. */
export async function verifySessionToken(
  token: string,
  secrets: AdminSecrets,
  now = Date.now(),
): Promise<Session | null> {
  const [encoded, signature, extra] = token.split(".");
  if (!encoded || !signature || extra !== undefined || token.length > 1024) return null;
  const signatureBytes = fromBase64Url(signature);
  if (!signatureBytes) return null;
  // WebCrypto's verify compares in constant time.
  const valid = await crypto.subtle.verify(
    "HMAC",
    await signingKey(secrets.sessionSecret),
    signatureBytes,
    encoder.encode(encoded),
  );
  if (!valid) return null;
  const payload = parsePayload(encoded);
  if (!payload || payload.exp <= now) return null;
  if (!timingSafeEqualText(payload.fp, await passwordFingerprint(secrets))) return null;
  return { id: payload.sid, expiresAt: payload.exp };
}

function parsePayload(encoded: string): Payload | null {
  const bytes = fromBase64Url(encoded);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    if (typeof value !== "object" || value === null) return null;
    const { sid, exp, fp } = value as Record<string, unknown>;
    if (typeof sid !== "string" || typeof exp !== "number" || typeof fp !== "string") return null;
    return { sid, exp, fp };
  } catch {
    return null;
  }
}
