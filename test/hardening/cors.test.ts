// Issue 12 item 8: browser clients can call the proxy routes (/v1, /v1beta): preflights are
// answered before client auth, every actual answer (errors included) carries the CORS headers,
// the origins are a setting; the admin API and the panel pages get no CORS headers at all.
import { env } from "cloudflare:workers";
import { afterEach, expect, it, vi } from "vitest";
import { ConfigStore } from "../../src/config/config-store";
import { isolateRuntime } from "../../src/index";
import * as google from "../helpers/google-replies";
import { admin, call } from "../admin/helpers";
import { CLIENT_KEY, fakeGoogle, seed, settingsWith } from "../pool/harness";

afterEach(() => vi.restoreAllMocks());

const APP = "https://chat.example.org";
const ASKED =
  "authorization, content-type, x-stainless-os, x-stainless-retry-count, anthropic-version, anthropic-dangerous-direct-browser-access, x-goog-api-key";

function preflight(path: string, origin = APP): Promise<Response> {
  return call(path, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": ASKED },
  });
}

async function withOrigins(origins: string[] | undefined) {
  await seed([{ id: "cors-ok", behaviour: "ok" }], origins ? settingsWith({ corsOrigins: origins }) : settingsWith());
}

it("a preflight on /v1 and /v1beta is answered 204 without a key, with the methods and the headers asked for", async () => {
  await withOrigins(undefined);
  for (const path of ["/v1/chat/completions", "/v1/responses", "/v1/messages", "/v1/models", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", "/upload/v1beta/files", "/v1beta/files/abc"]) {
    const response = await preflight(path);
    expect(response.status, path).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const methods = response.headers.get("access-control-allow-methods") ?? "";
    for (const method of ["GET", "POST", "PATCH", "DELETE"]) expect(methods, path).toContain(method);
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(",");
    for (const header of ASKED.split(", ")) expect(allowed, header).toContain(header);
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  }
});

it("actual answers carry the CORS headers, errors included: 200, 401, 429 with Retry-After exposed", async () => {
  await withOrigins(undefined);
  fakeGoogle([{ id: "cors-ok", behaviour: "ok" }]);
  const body = JSON.stringify({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hi" }] });
  const ok = await call("/v1/chat/completions", {
    method: "POST",
    headers: { origin: APP, authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" },
    body,
  });
  expect(ok.status).toBe(200);
  expect(ok.headers.get("access-control-allow-origin")).toBe("*");

  const denied = await call("/v1/chat/completions", { method: "POST", headers: { origin: APP, authorization: "Bearer nope" }, body });
  expect(denied.status).toBe(401);
  expect(denied.headers.get("access-control-allow-origin")).toBe("*");
  const nativeDenied = await call("/v1beta/models", { headers: { origin: APP } });
  expect(nativeDenied.status).toBe(401);
  expect(nativeDenied.headers.get("access-control-allow-origin")).toBe("*");

  vi.restoreAllMocks();
  await seed([{ id: "cors-limited", behaviour: google.perMinute429 }]);
  fakeGoogle([{ id: "cors-limited", behaviour: google.perMinute429 }]);
  const limited = await call("/v1/chat/completions", {
    method: "POST",
    headers: { origin: APP, authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" },
    body,
  });
  expect(limited.status).toBe(429);
  expect(limited.headers.get("access-control-allow-origin")).toBe("*");
  expect(limited.headers.get("retry-after")).not.toBeNull();
  expect(limited.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("retry-after");
  // A browser's resumable upload reads the second step's URL from this header.
  expect(limited.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("x-goog-upload-url");
});

it("the admin API and the panel pages answer no CORS headers, preflight or not", async () => {
  await withOrigins(undefined);
  for (const path of ["/api/admin/settings", "/api/admin/gemini-keys", "/api/auth/login", "/login", "/"]) {
    const response = await preflight(path);
    expect(response.headers.get("access-control-allow-origin"), path).toBeNull();
    expect(response.headers.get("access-control-allow-methods"), path).toBeNull();
  }
  const session = await admin();
  const settings = await session.request("GET", "/api/admin/settings");
  expect(settings.headers.get("access-control-allow-origin")).toBeNull();
});

it("configured origins: only those are allowed, echoed with Vary: Origin", async () => {
  await withOrigins(["https://allowed.example", "http://localhost:3000"]);
  const allowed = await preflight("/v1/chat/completions", "https://allowed.example");
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get("access-control-allow-origin")).toBe("https://allowed.example");
  expect(allowed.headers.get("vary")?.toLowerCase()).toContain("origin");
  const other = await preflight("/v1/chat/completions", "https://evil.example");
  expect(other.headers.get("access-control-allow-origin")).toBeNull();
});

it("the setting: default any origin, saved through the admin API, malformed origins refused with a 400", async () => {
  await new ConfigStore(env.WORKER_CONFIG_KV).saveSettings(settingsWith());
  isolateRuntime.clear();
  const session = await admin();
  const current = await session.json<{ corsOrigins: string[] }>("GET", "/api/admin/settings");
  expect(current.corsOrigins).toEqual(["*"]);
  const bad = await session.request("PUT", "/api/admin/settings", { ...current, corsOrigins: ["https://a.example/path"] });
  expect(bad.status).toBe(400);
  const saved = await session.json<{ corsOrigins: string[] }>("PUT", "/api/admin/settings", { ...current, corsOrigins: ["https://a.example:8443"] });
  expect(saved.corsOrigins).toEqual(["https://a.example:8443"]);
});

it("an Anthropic-shaped refusal on /v1/messages carries the CORS headers too", async () => {
  await withOrigins(undefined);
  const denied = await call("/v1/messages", {
    method: "POST",
    headers: { origin: APP, "x-api-key": "nope", "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "gemini-2.5-flash", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }),
  });
  expect(denied.status).toBe(401);
  expect(denied.headers.get("access-control-allow-origin")).toBe("*");
});
