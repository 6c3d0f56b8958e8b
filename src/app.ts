import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { adminApp } from "./admin/admin-app";
import type { AppEnv } from "./env";
import type { IsolateRuntime } from "./runtime/runtime";
import { bumpConfigVersion } from "./usage/ledger-reads";
import { openAIError } from "./openai/errors";
import { proxyCors } from "./proxy/cors";
import { uploadRoutes } from "./proxy/files-routes";
import { nativeRoutes } from "./proxy/native";
import { logInternalError } from "./proxy/errors";
import { openaiRoutes } from "./proxy/routes";

/** The whole Worker: OpenAI-compatible API, admin API and panel pages, over one isolate's runtime. */
export function buildApp(runtime: IsolateRuntime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("runtime", runtime);
    try {
      await runtime.schema.ensure(c.env.DB);
    } catch (error) {
      console.error(`bringing the D1 schema up to date failed: ${String(error)}`);
      const message = "The database schema could not be brought up to date; see the Worker logs.";
      return c.json({ error: { message, type: "server_error", code: "schema_not_ready" } }, 503);
    }
    await next();
  });
  // Every admin change reaches the other isolates at their next sync (a few seconds) and this one at once.
  app.use("/api/admin/*", async (c, next) => {
    await next();
    if (c.req.method === "GET" || c.res.status >= 400) return;
    runtime.invalidate();
    c.executionCtx.waitUntil(
      bumpConfigVersion(c.env.DB).catch((error: unknown) => console.warn(`config version bump failed: ${String(error)}`)),
    );
  });
  app.use("/v1/*", proxyCors);
  app.use("/v1beta/*", proxyCors);
  app.route("/v1", openaiRoutes);
  app.route("/v1beta", nativeRoutes);
  app.use("/upload/*", proxyCors);
  app.route("/upload/v1beta/files", uploadRoutes);
  app.route("/", adminApp);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith("/api/")) return c.json({ error: { message: "Not found", code: "not_found" } }, 404);
    return Response.json(openAIError(`Unknown endpoint ${c.req.method} ${path}.`, "invalid_request_error", "unknown_url"), { status: 404 });
  });

  // The front doors answer their own bugs in their protocol's shape (src/proxy/routes.ts,
  // src/proxy/native.ts); what reaches here is the admin side's, answered in its JSON shape.
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    logInternalError(c.req.raw, error);
    return c.json({ error: { message: "Internal error; see the Worker logs.", code: "internal_error" } }, 500);
  });
  return app;
}
