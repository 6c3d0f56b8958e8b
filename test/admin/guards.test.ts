import { describe, expect, it } from "vitest";
import { ORIGIN, admin, call } from "./helpers";

const ADMIN_ROUTES: [method: string, path: string][] = [
  ["GET", "/api/admin/gemini-keys"],
  ["POST", "/api/admin/gemini-keys"],
  ["POST", "/api/admin/gemini-keys/bulk-delete"],
  ["PATCH", "/api/admin/gemini-keys/abc"],
  ["DELETE", "/api/admin/gemini-keys/abc"],
  ["POST", "/api/admin/gemini-keys/abc/test"],
  ["GET", "/api/admin/worker-keys"],
  ["POST", "/api/admin/worker-keys"],
  ["PATCH", "/api/admin/worker-keys/abc"],
  ["DELETE", "/api/admin/worker-keys/abc"],
  ["GET", "/api/admin/models"],
  ["GET", "/api/admin/models/available"],
  ["POST", "/api/admin/models"],
  ["PUT", "/api/admin/models/gemini-2.5-flash"],
  ["DELETE", "/api/admin/models/gemini-2.5-flash"],
  ["GET", "/api/admin/settings"],
  ["PUT", "/api/admin/settings"],
  ["POST", "/api/admin/pool/reset"],
  ["GET", "/api/admin/pool/today"],
  ["GET", "/api/admin/usage"],
  ["GET", "/api/admin/usage/series"],
  ["GET", "/api/admin/nonexistent"],
];

const STATE_CHANGING = ADMIN_ROUTES.filter(([method]) => method !== "GET");

describe("guards", () => {
  it.each(ADMIN_ROUTES)("%s %s without a session answers 401 JSON", async (method, path) => {
    const response = await call(path, {
      method,
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: method === "GET" ? undefined : "{}",
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ error: { message: expect.any(String), code: "unauthorized" } });
  });

  it.each(STATE_CHANGING)("%s %s with a session but without Origin answers 403", async (method, path) => {
    const { cookie } = await admin();
    const missing = await call(path, { method, headers: { cookie, "content-type": "application/json" }, body: "{}" });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("bad_origin");
    const foreign = await call(path, {
      method,
      headers: { cookie, origin: "https://x.evil.test", "content-type": "application/json" },
      body: "{}",
    });
    expect(foreign.status).toBe(403);
  });

  it("logout also needs the Origin header", async () => {
    const { cookie } = await admin();
    expect((await call("/api/auth/logout", { method: "POST", headers: { cookie } })).status).toBe(403);
    expect((await call("/api/admin/settings", { headers: { cookie } })).status).toBe(200);
  });

  it("admin answers are not cached", async () => {
    const session = await admin();
    const response = await session.request("GET", "/api/admin/settings");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("an unknown admin route with a session is a JSON 404", async () => {
    const session = await admin();
    const response = await session.request("GET", "/api/admin/nonexistent");
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it.each([
    ["POST", "/api/admin/gemini-keys", "{not json"],
    ["POST", "/api/admin/gemini-keys", JSON.stringify({ keys: 42 })],
    ["POST", "/api/admin/gemini-keys", JSON.stringify([1, 2])],
    ["POST", "/api/admin/worker-keys", JSON.stringify({ name: "" })],
    ["POST", "/api/admin/worker-keys", JSON.stringify({ name: "x", options: { dailyLimit: -1 } })],
    ["POST", "/api/admin/models", JSON.stringify({ id: "has space", category: "pro" })],
    ["POST", "/api/admin/models", JSON.stringify({ id: "m", category: "ultra" })],
    ["PUT", "/api/admin/settings", JSON.stringify({ quotas: { pro: 1 } })],
    ["PUT", "/api/admin/settings", "null"],
    ["POST", "/api/admin/gemini-keys/bulk-delete", JSON.stringify({ ids: "abc" })],
  ])("%s %s with body %s answers 400 invalid_request", async (method, path, body) => {
    const session = await admin();
    const response = await session.request(method, path, body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { message: string; code: string } };
    expect(answer.error.code).toBe("invalid_request");
    expect(answer.error.message.length).toBeGreaterThan(0);
  });
});

describe("body size", () => {
  it("a body over 1,000,000 bytes gets 413 body_too_large in the admin shape, and nothing is stored", async () => {
    const session = await admin();
    const response = await session.request("POST", "/api/admin/gemini-keys", { keys: "x".repeat(1_000_001) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { message: expect.stringContaining("1000000"), code: "body_too_large" } });
    const keys = await session.json<unknown[]>("GET", "/api/admin/gemini-keys");
    expect(JSON.stringify(keys)).not.toContain("xxxxxxxxxx");
  });
});
