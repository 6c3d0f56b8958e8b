// Helpers for e2e tests: the admin API with a session, seeding a key pool, the
// official OpenAI client, the fake's control API, D1 queries and polling.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { inject } from "vitest";
import { fakeGeminiControl } from "../fake-gemini/control-client.mjs";
import { fakeGeminiKey } from "../fake-gemini/keys.mjs";
import { runWrangler } from "./processes";

export { fakeGeminiKey };

export const workerUrl = (): string => inject("workerUrl");
export const fakeUrl = (): string => inject("fakeUrl");
export const persistDir = (): string => inject("persistDir");

/** Control of the fake Gemini API (behaviours, scripts, replies, recorded requests). */
export const fake = fakeGeminiControl(inject("fakeUrl"));

export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path} -> ${status}: ${body.slice(0, 500)}`);
  }
}

export interface AdminSession {
  /** The Cookie header value sent with every call. */
  cookie: string;
  /** Any call, answer unchecked. State-changing methods carry the Worker's Origin. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  put<T = unknown>(path: string, body?: unknown): Promise<T>;
  patch<T = unknown>(path: string, body?: unknown): Promise<T>;
  del<T = unknown>(path: string): Promise<T>;
}

/** Cookie pairs (name=value) from a response's Set-Cookie headers. */
export function cookiesFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((line) => line.split(";", 1)[0]!.trim())
    .filter((pair) => pair.includes("="))
    .join("; ");
}

/** No single call to the Worker may take longer than this in a test. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Names the call in the error when a request fails or times out. */
async function timed(what: string, request: Promise<Response>): Promise<Response> {
  try {
    return await request;
  } catch (err) {
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new Error(`${what} to the Worker failed: ${reason}`);
  }
}

const sessionFile = () => join(persistDir(), "admin-session.cookie");

/**
 * Logs in with the admin password and returns helpers that carry the session cookie.
 * Login is rate-limited by the Worker, so the cookie is shared between test files (kept
 * in the persist dir) and reused while GET /api/auth/session accepts it; `fresh: true`
 * or another password always logs in anew.
 */
export async function adminSession(options: { password?: string; fresh?: boolean } = {}): Promise<AdminSession> {
  const base = workerUrl();
  const defaultPassword = inject("adminPassword");
  const password = options.password ?? defaultPassword;
  const reusable = !options.fresh && password === defaultPassword;

  let cookie = reusable && existsSync(sessionFile()) ? readFileSync(sessionFile(), "utf8") : "";
  if (cookie) {
    const check = await timed("GET /api/auth/session", fetch(`${base}/api/auth/session`, { headers: { cookie }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }));
    const state = check.ok ? ((await check.json()) as { authenticated?: boolean }) : {};
    if (state.authenticated !== true) cookie = "";
  }
  if (!cookie) {
    const login = await timed(
      "POST /api/auth/login",
      fetch(`${base}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ password }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }),
    );
    const loginBody = await login.text();
    if (login.status !== 200) throw new HttpError("POST", "/api/auth/login", login.status, loginBody);
    cookie = cookiesFrom(login);
    if (!cookie) throw new Error(`login answered 200 without a Set-Cookie header: ${loginBody}`);
    if (reusable) writeFileSync(sessionFile(), cookie);
  }

  const request: AdminSession["request"] = (method, path, body, headers = {}) => {
    const stateChanging = method !== "GET" && method !== "HEAD";
    return timed(
      `${method} ${path}`,
      fetch(`${base}${path}`, {
        method,
        headers: {
          cookie,
          ...(stateChanging ? { origin: base } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }),
    );
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await request(method, path, body);
    const text = await res.text();
    if (!res.ok) throw new HttpError(method, path, res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    cookie,
    request,
    get: (path) => json("GET", path),
    post: (path, body) => json("POST", path, body ?? {}),
    put: (path, body) => json("PUT", path, body ?? {}),
    patch: (path, body) => json("PATCH", path, body ?? {}),
    del: (path) => json("DELETE", path),
  };
}

export type ModelCategory = "pro" | "flash" | "custom";
export interface ModelSpec {
  id: string;
  category: ModelCategory;
  dailyQuota?: number;
  individualQuota?: number;
}
export interface AddedGeminiKey {
  id: string;
  name: string;
  masked: string;
  /** The full key, as the fake sees it in x-goog-api-key. */
  key: string;
}
export interface SeededPool {
  admin: AdminSession;
  geminiKeys: AddedGeminiKey[];
  clientKey: { id: string; name: string; key: string };
  models: ModelSpec[];
}

function categoryOf(id: string): ModelCategory {
  if (/pro/.test(id)) return "pro";
  if (/flash/.test(id)) return "flash";
  return "custom";
}

/**
 * Deletes every Gemini key, model and client key through the admin API. Test files share
 * one Worker, so a file that needs to know exactly which keys and models exist starts here.
 */
export async function clearPool(admin: AdminSession): Promise<void> {
  const remove = async (path: string) => {
    const res = await admin.request("DELETE", path);
    if (!res.ok && res.status !== 404) throw new HttpError("DELETE", path, res.status, await res.text());
  };
  for (const key of await admin.get<Array<{ id: string }>>("/api/admin/gemini-keys")) {
    await remove(`/api/admin/gemini-keys/${encodeURIComponent(key.id)}`);
  }
  for (const alias of await admin.get<Array<{ alias: string }>>("/api/admin/model-aliases")) {
    await remove(`/api/admin/model-aliases/${encodeURIComponent(alias.alias)}`);
  }
  for (const model of await admin.get<Array<{ id: string }>>("/api/admin/models")) {
    await remove(`/api/admin/models/${encodeURIComponent(model.id)}`);
  }
  for (const client of await admin.get<Array<{ id: string }>>("/api/admin/worker-keys")) {
    await remove(`/api/admin/worker-keys/${encodeURIComponent(client.id)}`);
  }
}

/**
 * Adds Gemini keys (one at a time, so each added id maps to its key), models and one
 * client key through the admin API, then waits until /v1/models shows the models to
 * that client (admin changes take up to 5 s to reach the proxy in local dev).
 * `replace: true` first clears what other test files left (clearPool) and then waits
 * until /v1/models lists exactly the seeded models.
 */
export async function seedPool(
  options: {
    geminiKeys?: string[] | number;
    clientKeyName?: string;
    models?: Array<string | ModelSpec>;
    admin?: AdminSession;
    replace?: boolean;
  } = {},
): Promise<SeededPool> {
  const admin = options.admin ?? (await adminSession());
  if (options.replace) await clearPool(admin);
  const keys =
    typeof options.geminiKeys === "number"
      ? Array.from({ length: options.geminiKeys }, () => fakeGeminiKey())
      : (options.geminiKeys ?? [fakeGeminiKey()]);
  const models = (options.models ?? ["gemini-2.5-flash"]).map((m) =>
    typeof m === "string" ? { id: m, category: categoryOf(m) } : m,
  );

  const geminiKeys: AddedGeminiKey[] = [];
  for (const [i, key] of keys.entries()) {
    const answer = await admin.post<{ added: Array<{ id: string; name: string; masked: string }>; duplicates: number; malformed: number }>(
      "/api/admin/gemini-keys",
      { keys: key, name: `e2e-key-${i + 1}` },
    );
    const added = answer.added[0];
    if (answer.added.length !== 1 || !added) {
      throw new Error(`adding Gemini key ${i + 1} answered ${JSON.stringify(answer)}`);
    }
    geminiKeys.push({ ...added, key });
  }
  for (const model of models) await admin.post("/api/admin/models", model);
  const clientKey = await admin.post<{ id: string; name: string; key: string }>("/api/admin/worker-keys", {
    name: options.clientKeyName ?? "e2e-client",
  });

  const client = openaiClient(clientKey.key);
  await waitFor(
    async () => {
      const listed = new Set((await client.models.list()).data.map((m) => m.id));
      return models.every((m) => listed.has(m.id)) && (!options.replace || listed.size === models.length);
    },
    { timeoutMs: 10_000, message: "seeded models never appeared in /v1/models" },
  );
  return { admin, geminiKeys, clientKey, models };
}

/** The official OpenAI client pointed at the Worker, without retries. */
export function openaiClient(apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${workerUrl()}/v1`, maxRetries: 0, timeout: 30_000 });
}

/**
 * Runs one SQL statement against the local D1 database the Worker uses and returns
 * its rows (`wrangler d1 execute DB --local --persist-to <dir> --json --command <sql>`).
 * Each call starts wrangler, so it takes a few seconds.
 */
export async function d1<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const args = ["d1", "execute", "DB", "--local", "--persist-to", persistDir(), "--json", "--command", sql];
  const out = await runWrangler(args, 60_000, join(persistDir(), "app")); // the Worker's copy of the project
  if (out.code !== 0) throw new Error(`d1 execute failed (exit ${out.code}) for ${sql}\n${out.stdout}\n${out.stderr}`);
  const parsed = JSON.parse(out.stdout) as Array<{ results?: T[]; success?: boolean }>;
  return parsed.flatMap((statement) => statement.results ?? []);
}

/**
 * Calls fn until it returns a truthy value (which is returned) without throwing; fails
 * with the last error or falsy value after timeoutMs.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 200, message = "condition not met" }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${message} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Fires the Worker's scheduled() handler through wrangler dev's --test-scheduled hook
 * (`/__scheduled?cron=...`). controller.scheduledTime is always "now" this way: wrangler's
 * hook ignores a `time` parameter, and miniflare's `/cdn-cgi/handler/scheduled?time=` (and the
 * older `/cdn-cgi/mf/scheduled`) answer 500 "exception" for this Worker, whose entry is the
 * assets router. Test other scheduled times inside workerd (createScheduledController).
 */
export async function runScheduled(cron: string): Promise<string> {
  const params = new URLSearchParams({ cron });
  const res = await fetch(`${workerUrl()}/__scheduled?${params}`);
  const text = await res.text();
  if (!res.ok) throw new HttpError("GET", `/__scheduled?${params}`, res.status, text);
  return text;
}
