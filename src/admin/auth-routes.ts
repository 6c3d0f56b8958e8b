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

/** `/api/auth/*`: login (rate-limited per client IP and overall), logout, session probe. */
export const authRoutes = new Hono<AppEnv>()
  .post("/login", async (c) => {
    const check = checkAdminSecrets(c.env);
    if (!check.ok) return adminError(c, 503, "login_disabled", check.reason);

    // Cloudflare's edge sets CF-Connecting-IP and overwrites a forged one; elsewhere (wrangler
    // dev) a client can send any value, so every attempt also counts against one shared bucket.
    const client = c.req.header("cf-connecting-ip") ?? "local";
    const [perClient, everyone] = await Promise.all([
      c.env.LOGIN_LIMITER.limit({ key: client }),
      c.env.LOGIN_LIMITER_ALL.limit({ key: "all" }),
    ]);
    if (!perClient.success || !everyone.success) {
      c.header("Retry-After", String(THROTTLE_RETRY_SECONDS));
      return adminError(c, 429, "too_many_attempts", "Too many login attempts; wait a minute and try again.");
    }

    const body = await readJsonBody(c, loginBody);
    if (!timingSafeEqualText(body.password, check.secrets.password)) {
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
