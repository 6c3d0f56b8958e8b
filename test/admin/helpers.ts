import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { apiKeyInvalidBody } from "../helpers/google-replies";

export const ORIGIN = "http://x";
export const PASSWORD = "test-admin-password-0123456789";

let ipCounter = 0;
/** A fresh client IP, so one test's logins never count against another's throttle. */
export function freshIp(): string {
  ipCounter += 1;
  return `198.51.100.${ipCounter % 250}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Runs the whole Worker in the test isolate (and waits for its waitUntil work). */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return callWithEnv({}, path, init);
}

/** Runs the Worker with some bindings or vars replaced (weak secrets, a fake ASSETS). */
export async function callWithEnv(overrides: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${ORIGIN}${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export function loginRequest(password: string, ip = freshIp(), origin: string | null = ORIGIN): RequestInit {
  const headers: Record<string, string> = { "content-type": "application/json", "cf-connecting-ip": ip };
  if (origin !== null) headers.origin = origin;
  return { method: "POST", headers, body: JSON.stringify({ password }) };
}

/** `name=value` of the session cookie a response set. */
export function sessionCookie(response: Response): string {
  const header = response.headers.get("set-cookie") ?? "";
  const pair = header.split(";")[0] ?? "";
  if (!pair.startsWith("__Host-gpp_session=")) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return pair;
}

export async function login(): Promise<string> {
  const response = await call("/api/auth/login", loginRequest(PASSWORD));
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  return sessionCookie(response);
}

export interface Admin {
  cookie: string;
  request(method: string, path: string, body?: unknown): Promise<Response>;
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** A logged-in admin sending same-origin requests. */
export async function admin(): Promise<Admin> {
  const cookie = await login();
  const request = (method: string, path: string, body?: unknown) =>
    call(path, {
      method,
      headers: {
        cookie,
        origin: ORIGIN,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  return {
    cookie,
    request,
    async json<T>(method: string, path: string, body?: unknown) {
      const response = await request(method, path, body);
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return JSON.parse(text) as T;
    },
  };
}

export { fakeGeminiKey } from "../helpers/seed";

/** Google's real 400 answer for an unknown key. */
export const API_KEY_INVALID_BODY = apiKeyInvalidBody;
