import { Hono, type Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env";
import { currentSession } from "./session";

/** Every page: no script, style or frame from elsewhere, no referrer, nothing sniffed (Hono's secureHeaders). */
const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    styleSrc: ["'self'"],
    scriptSrc: ["'self'"],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
  },
  referrerPolicy: "no-referrer",
});

/** Serves a built panel page from the assets, with the security headers every page gets. */
async function servePage(c: Context<AppEnv>, assetPath: string): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(new URL(assetPath, c.req.url));
  if (!asset.ok) {
    await asset.body?.cancel();
    return new Response(`The admin panel is not built (${assetPath} is missing). Run \`npm run build:web\`.\n`, {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const page = new Response(asset.body, asset);
  page.headers.set("Cache-Control", "no-store");
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
// The headers go on these routes only: a bare `use` here would run for every path of the app.
export const pageRoutes = new Hono<AppEnv>()
  .get("/", pageHeaders, async (c) => redirect((await currentSession(c)) ? "/admin" : "/login"))
  .get("/login", pageHeaders, async (c) => ((await currentSession(c)) ? redirect("/admin") : servePage(c, "/login.html")))
  .get("/login.html", pageHeaders, () => redirect("/login"))
  .get("/admin", pageHeaders, adminPage)
  .get("/admin/", pageHeaders, adminPage)
  .get("/admin.html", pageHeaders, adminPage);
