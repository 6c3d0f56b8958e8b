import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { currentSession } from "./session";

const PAGE_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

/** Serves a built panel page from the assets, with the security headers every page gets. */
async function servePage(c: Context<AppEnv>, assetPath: string): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(new URL(assetPath, c.req.url));
  if (!asset.ok) {
    await asset.body?.cancel();
    return new Response(`The admin panel is not built (${assetPath} is missing). Run \`npm run build:web\`.\n`, {
      status: 503,
      headers: { ...PAGE_HEADERS, "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const page = new Response(asset.body, asset);
  for (const [name, value] of Object.entries(PAGE_HEADERS)) page.headers.set(name, value);
  page.headers.delete("ETag");
  return page;
}

function redirect(to: string): Response {
  return new Response(null, { status: 302, headers: { Location: to, "Cache-Control": "no-store" } });
}

async function adminPage(c: Context<AppEnv>): Promise<Response> {
  return (await currentSession(c)) ? servePage(c, "/admin.html") : redirect("/login");
}

/** The panel's two pages; the admin page only with a valid session (checked here, not by the page). */
export const pageRoutes = new Hono<AppEnv>()
  .get("/", async (c) => redirect((await currentSession(c)) ? "/admin" : "/login"))
  .get("/login", async (c) => ((await currentSession(c)) ? redirect("/admin") : servePage(c, "/login.html")))
  .get("/login.html", () => redirect("/login"))
  .get("/admin", adminPage)
  .get("/admin/", adminPage)
  .get("/admin.html", adminPage);
