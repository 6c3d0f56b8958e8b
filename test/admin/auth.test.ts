import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { issueSessionToken } from "../../src/admin/session-token";
import { ORIGIN, PASSWORD, call, callWithEnv, freshIp, login, loginRequest, sessionCookie } from "./helpers";

const SECRET = "test-session-secret-0123456789abcdef0123456789";

async function authenticated(cookie: string): Promise<boolean> {
  const response = await call("/api/auth/session", { headers: { cookie } });
  return ((await response.json()) as { authenticated: boolean }).authenticated;
}

async function settingsStatus(cookie: string): Promise<number> {
  return (await call("/api/admin/settings", { headers: { cookie } })).status;
}

describe("POST /api/auth/login", () => {
  it("sets a Secure, HttpOnly, SameSite=Strict host cookie for 12 hours on the right password", async () => {
    const response = await call("/api/auth/login", loginRequest(PASSWORD));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-gpp_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=43200/);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(await authenticated(sessionCookie(response))).toBe(true);
  });

  it("answers 401 JSON and no cookie on a wrong password", async () => {
    const response = await call("/api/auth/login", loginRequest("not-the-password-at-all"));
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.json()).toEqual({ error: { message: "Wrong password.", code: "wrong_password" } });
  });

  it("throttles the sixth attempt within a minute from one IP with 429 and Retry-After: 60", async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      expect((await call("/api/auth/login", loginRequest(`wrong-password-${i}`, ip))).status).toBe(401);
    }
    const throttled = await call("/api/auth/login", loginRequest(PASSWORD, ip));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("60");
    expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe("too_many_attempts");
    // Another IP is not affected.
    expect((await call("/api/auth/login", loginRequest(PASSWORD))).status).toBe(200);
  });

  it("keys the throttle on 'local' when CF-Connecting-IP is missing", async () => {
    const withoutIp = (password: string): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body: JSON.stringify({ password }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call("/api/auth/login", withoutIp("wrong-password"))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it.each([
    [{ ADMIN_PASSWORD: undefined }, "ADMIN_PASSWORD is not set"],
    [{ ADMIN_PASSWORD: "short" }, "ADMIN_PASSWORD is too short"],
    [{ ADMIN_PASSWORD: "change-me-please" }, "ADMIN_PASSWORD is a placeholder"],
    [{ ADMIN_PASSWORD: "password123456" }, "ADMIN_PASSWORD is a placeholder"],
    [{ SESSION_SECRET_KEY: undefined }, "SESSION_SECRET_KEY is not set"],
    [{ SESSION_SECRET_KEY: "too-short-secret" }, "SESSION_SECRET_KEY is too short"],
  ] as [Partial<Env>, string][])("refuses login with 503 while the secrets are weak: %o", async (overrides, reason) => {
    const password = overrides.ADMIN_PASSWORD ?? PASSWORD;
    const response = await callWithEnv(overrides, "/api/auth/login", loginRequest(password));
    expect(response.status).toBe(503);
    expect(response.headers.get("set-cookie")).toBeNull();
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe("login_disabled");
    expect(body.error.message).toContain(reason);
  });

  it("answers 400 JSON on bad JSON and on a missing password", async () => {
    const badJson = await call("/api/auth/login", { ...loginRequest(PASSWORD), body: "{password:" });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: string } }).error.code).toBe("invalid_request");

    const missing = await call("/api/auth/login", { ...loginRequest(PASSWORD), body: JSON.stringify({ pass: "x" }) });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues.map((i) => i.path)).toContain("password");
  });

  it("refuses login without a same-origin Origin header (403)", async () => {
    expect((await call("/api/auth/login", loginRequest(PASSWORD, freshIp(), null))).status).toBe(403);
    const foreign = await call("/api/auth/login", loginRequest(PASSWORD, freshIp(), "http://evil.test"));
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("bad_origin");
  });
});

describe("sessions", () => {
  it("GET /api/auth/session says false without a cookie and with a forged one", async () => {
    expect(await authenticated("")).toBe(false);
    const cookie = await login();
    const [name, token = ""] = cookie.split("=");
    const [payload = "", signature = ""] = token.split(".");
    const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(await authenticated(`${name}=${payload}.${flipped}`)).toBe(false);
    expect(await settingsStatus(`${name}=${payload}.${flipped}`)).toBe(401);
  });

  it("logout revokes the session: the old cookie no longer works even if replayed", async () => {
    const cookie = await login();
    expect(await settingsStatus(cookie)).toBe(200);
    const logout = await call("/api/auth/logout", { method: "POST", headers: { cookie, origin: ORIGIN } });
    expect(logout.status).toBe(200);
    expect(await logout.json()).toEqual({ ok: true });
    expect(logout.headers.get("set-cookie")).toMatch(/^__Host-gpp_session=; Max-Age=0/);
    expect(await settingsStatus(cookie)).toBe(401);
    expect(await authenticated(cookie)).toBe(false);
    // Another session stays valid.
    expect(await settingsStatus(await login())).toBe(200);
  });

  it("an expired session is refused", async () => {
    const { token } = await issueSessionToken(
      { password: PASSWORD, sessionSecret: SECRET },
      Date.now() - 13 * 3600 * 1000,
    );
    expect(await settingsStatus(`__Host-gpp_session=${token}`)).toBe(401);
    const { token: fresh } = await issueSessionToken({ password: PASSWORD, sessionSecret: SECRET });
    expect(await settingsStatus(`__Host-gpp_session=${fresh}`)).toBe(200);
  });

  it("changing ADMIN_PASSWORD or SESSION_SECRET_KEY ends every session", async () => {
    const cookie = await login();
    const headers = { cookie };
    expect((await callWithEnv({}, "/api/admin/settings", { headers })).status).toBe(200);
    const newPassword = await callWithEnv({ ADMIN_PASSWORD: "another-strong-password-42" }, "/api/admin/settings", { headers });
    expect(newPassword.status).toBe(401);
    const newSecret = await callWithEnv(
      { SESSION_SECRET_KEY: "another-session-secret-abcdefghijklmnopqrstuvwxyz" },
      "/api/admin/settings",
      { headers },
    );
    expect(newSecret.status).toBe(401);
  });

  it("a valid session stops working while the secrets are weak", async () => {
    const cookie = await login();
    const weak = await callWithEnv({ ADMIN_PASSWORD: "short" }, "/api/admin/settings", { headers: { cookie } });
    expect(weak.status).toBe(401);
  });

  it("revocation is stored in WORKER_CONFIG_KV with an expiry", async () => {
    const cookie = await login();
    await call("/api/auth/logout", { method: "POST", headers: { cookie, origin: ORIGIN } });
    const listed = await env.WORKER_CONFIG_KV.list({ prefix: "revoked-session:" });
    expect(listed.keys.length).toBeGreaterThan(0);
    expect(listed.keys.every((k) => typeof k.expiration === "number")).toBe(true);
  });
});
