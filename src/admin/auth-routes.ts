import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { timingSafeEqualText } from "../util/crypto";
import { checkAdminSecrets } from "./admin-secrets";
import { adminError } from "./errors";
import { readJsonBody } from "./json-body";
import { currentSession, endSession, startSession } from "./session";

const loginBody = z.object({ password: z.string().min(1, "password is required").max(1024) });

const THROTTLE_RETRY_SECONDS = 60;

/** `/api/auth/*`: login (rate-limited per client IP), logout, session probe. */
export const authRoutes = new Hono<AppEnv>()
  .post("/login", async (c) => {
    const check = checkAdminSecrets(c.env);
    if (!check.ok) return adminError(c, 503, "login_disabled", check.reason);

    const client = c.req.header("cf-connecting-ip") ?? "local";
    const { success } = await c.env.LOGIN_LIMITER.limit({ key: client });
    if (!success) {
      c.header("Retry-After", String(THROTTLE_RETRY_SECONDS));
      return adminError(c, 429, "too_many_attempts", "Too many login attempts; wait a minute and try again.");
    }

    const body = await readJsonBody(c, loginBody);
    if (!body.ok) return body.response;
    if (!timingSafeEqualText(body.data.password, check.secrets.password)) {
      return adminError(c, 401, "wrong_password", "Wrong password.");
    }
    await startSession(c, check.secrets);
    return c.json({ ok: true });
  })
  .post("/logout", async (c) => {
    await endSession(c);
    return c.json({ ok: true });
  })
  .get("/session", async (c) => c.json({ authenticated: (await currentSession(c)) !== null }));
