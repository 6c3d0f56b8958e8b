import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { ConfigStore } from "../config/config-store";
import type { AppEnv } from "../env";
import { checkAdminSecrets, type AdminSecrets } from "./admin-secrets";
import { adminError } from "./errors";
import { SESSION_TTL_MS, issueSessionToken, verifySessionToken, type Session } from "./session-token";

/** Sent as `__Host-gpp_session`: Secure, Path=/, no Domain, so no subdomain can set or read it. */
const COOKIE_NAME = "gpp_session";
const COOKIE_OPTIONS = { prefix: "host", httpOnly: true, secure: true, sameSite: "Strict", path: "/" } as const;

/** The valid session of this request: signature, expiry, password fingerprint and revocation checked. */
export async function currentSession(c: Context<AppEnv>): Promise<Session | null> {
  const token = getCookie(c, COOKIE_NAME, "host");
  if (!token) return null;
  const check = checkAdminSecrets(c.env);
  if (!check.ok) return null;
  const session = await verifySessionToken(token, check.secrets);
  if (!session) return null;
  if (await new ConfigStore(c.env.WORKER_CONFIG_KV).isSessionRevoked(session.id)) return null;
  return session;
}

export async function startSession(c: Context<AppEnv>, secrets: AdminSecrets): Promise<void> {
  const { token } = await issueSessionToken(secrets);
  setCookie(c, COOKIE_NAME, token, { ...COOKIE_OPTIONS, maxAge: Math.floor(SESSION_TTL_MS / 1000) });
}

/** Revokes the session (if any) for the rest of its lifetime and clears the cookie. */
export async function endSession(c: Context<AppEnv>): Promise<void> {
  const session = await currentSession(c);
  if (session) await new ConfigStore(c.env.WORKER_CONFIG_KV).revokeSession(session.id, session.expiresAt);
  deleteCookie(c, COOKIE_NAME, COOKIE_OPTIONS);
}

/** Admin data needs a valid session, checked here by the Worker on every request. */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  if (!(await currentSession(c))) return adminError(c, 401, "unauthorized", "Log in first: no valid admin session.");
  await next();
});
