import { describe, expect, it } from "vitest";
import { callWithEnv, login } from "./helpers";

const served: string[] = [];

/** Stands in for the built panel: answers the two pages, 404 for anything else. */
const builtAssets = {
  async fetch(input: RequestInfo | URL): Promise<Response> {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    served.push(path);
    if (path === "/login.html" || path === "/admin.html") {
      return new Response(`<!doctype html><title>${path}</title>`, {
        headers: { "content-type": "text/html; charset=utf-8", etag: '"abc"' },
      });
    }
    return new Response("Not found", { status: 404 });
  },
} as unknown as Fetcher;

const missingAssets = { fetch: async () => new Response("Not found", { status: 404 }) } as unknown as Fetcher;

function page(path: string, cookie?: string, assets: Fetcher = builtAssets): Promise<Response> {
  return callWithEnv({ ASSETS: assets }, path, { headers: cookie ? { cookie } : {}, redirect: "manual" });
}

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get("content-security-policy")).toBe(
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  expect(response.headers.get("cache-control")).toBe("no-store");
}

describe("panel pages", () => {
  it("without a session: / and the admin paths redirect to /login, which serves login.html", async () => {
    for (const path of ["/", "/admin", "/admin/", "/admin.html"]) {
      const response = await page(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe("/login");
    }
    const loginPage = await page("/login");
    expect(loginPage.status).toBe(200);
    expect(await loginPage.text()).toContain("<title>/login.html</title>");
    expectSecurityHeaders(loginPage);
    expect(loginPage.headers.get("content-type")).toMatch(/text\/html/);
    expect(loginPage.headers.get("etag")).toBeNull();

    const direct = await page("/login.html");
    expect(direct.status).toBe(302);
    expect(direct.headers.get("location")).toBe("/login");
  });

  it("the page headers stay on the pages: the API answers carry no page policy", async () => {
    const api = await page("/api/auth/session");
    expect(api.headers.get("content-security-policy")).toBeNull();
    const proxy = await page("/v1/models");
    expect(proxy.status).toBe(401);
    expect(proxy.headers.get("content-security-policy")).toBeNull();
  });

  it("with a session: / and /login redirect to /admin, which serves admin.html", async () => {
    const cookie = await login();
    for (const path of ["/", "/login"]) {
      const response = await page(path, cookie);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe("/admin");
    }
    for (const path of ["/admin", "/admin/", "/admin.html"]) {
      served.length = 0;
      const response = await page(path, cookie);
      expect(response.status, path).toBe(200);
      expect(served).toEqual(["/admin.html"]);
      expect(await response.text()).toContain("<title>/admin.html</title>");
      expectSecurityHeaders(response);
    }
  });

  it("a forged session cookie does not open the admin page", async () => {
    const cookie = await login();
    const response = await page("/admin", `${cookie}x`);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login");
  });

  it("answers 503 text saying to build the panel when the page asset is missing", async () => {
    const response = await page("/login", undefined, missingAssets);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toMatch(/text\/plain/);
    expect(await response.text()).toContain("npm run build:web");
    const cookie = await login();
    expect((await page("/admin", cookie, missingAssets)).status).toBe(503);
  });
});
