import type { IsolateRuntime } from "./runtime/runtime";

/** Bindings and vars of the Worker (wrangler.toml, secrets from `.dev.vars` / `wrangler secret`). */
export interface Env {
  GEMINI_KEYS_KV: KVNamespace;
  WORKER_CONFIG_KV: KVNamespace;
  DB: D1Database;
  ASSETS: Fetcher;
  LOGIN_LIMITER: RateLimit;
  LOGIN_LIMITER_ALL: RateLimit;
  GEMINI_API_BASE?: string;
  ADMIN_PASSWORD?: string;
  SESSION_SECRET_KEY?: string;
}

export type AppEnv = { Bindings: Env; Variables: { runtime: IsolateRuntime } };
