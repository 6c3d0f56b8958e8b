import { createMiddleware } from "hono/factory";
import type { ConfigSnapshot } from "../config/config-snapshot";
import type { WorkerKeyRecord } from "../config/schemas";
import type { AppEnv } from "../env";
import { sha256Hex } from "../util/crypto";
import { invalidApiKey } from "./errors";

export type ProxyEnv = {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & {
    clientKey: WorkerKeyRecord;
    config: ConfigSnapshot;
    receivedAt: number;
  };
};

/** Client key from `Authorization: Bearer`, `x-api-key`, or (native Gemini routes) `x-goog-api-key` / `?key=`. */
export function presentedKey(request: Request, allowGoogleStyle: boolean): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization?.toLowerCase().startsWith("bearer ")) return authorization.slice(7).trim() || null;
  const apiKey = request.headers.get("x-api-key");
  if (apiKey) return apiKey.trim();
  if (!allowGoogleStyle) return null;
  const googKey = request.headers.get("x-goog-api-key");
  if (googKey) return googKey.trim();
  return new URL(request.url).searchParams.get("key");
}

/**
 * Checks the client key against the stored SHA-256 hashes. Comparing hashes found by map
 * lookup leaks nothing useful about the key: an attacker would need a SHA-256 preimage.
 */
export function clientAuth(options: { allowGoogleStyle: boolean; onDenied?: () => Response }) {
  return createMiddleware<ProxyEnv>(async (c, next) => {
    const receivedAt = Date.now();
    const denied = options.onDenied ?? invalidApiKey;
    const key = presentedKey(c.req.raw, options.allowGoogleStyle);
    if (!key || key.length > 512) return denied();
    const { config } = await c.get("runtime").view.get(c.env, receivedAt);
    const record = config.workerKeysByHash.get(await sha256Hex(key));
    if (!record || !record.enabled) return denied();
    c.set("clientKey", record);
    c.set("config", config);
    c.set("receivedAt", receivedAt);
    await next();
  });
}
