import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env";
import { TranslationError } from "../openai/errors";
import { authRoutes } from "./auth-routes";
import { geminiKeyRoutes } from "./gemini-key-routes";
import { adminBodyRefusal, MAX_ADMIN_BODY_BYTES } from "./json-body";
import { adminError } from "./errors";
import { countAdminKv } from "./kv-counting";
import { modelAliasRoutes } from "./model-alias-routes";
import { modelRoutes } from "./model-routes";
import { requireSameOrigin } from "./origin-guard";
import { pageRoutes } from "./page-routes";
import { planRoutes } from "./plan-routes";
import { poolRoutes } from "./pool-routes";
import { requireSession } from "./session";
import { settingsRoutes } from "./settings-routes";
import { usageRoutes } from "./usage-routes";
import { workerKeyRoutes } from "./worker-key-routes";

/** The admin side: `/api/auth/*`, `/api/admin/*` (session required) and the panel pages. */
export const adminApp = new Hono<AppEnv>();

// A refused body is answered in the admin's shape; anything else goes on to the app's handler.
adminApp.onError((error, c) => {
  if (error instanceof TranslationError) return adminBodyRefusal(c, error);
  throw error;
});

adminApp.use("/api/*", async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});
adminApp.use("/api/*", requireSameOrigin);
adminApp.use(
  "/api/*",
  bodyLimit({
    maxSize: MAX_ADMIN_BODY_BYTES,
    onError: (c) => adminError(c, 413, "body_too_large", `The body may hold at most ${MAX_ADMIN_BODY_BYTES} bytes.`),
  }),
);
// KV writes, deletes and lists made while serving the admin API count against the free plan.
adminApp.use("/api/*", countAdminKv);
adminApp.route("/api/auth", authRoutes);

adminApp.use("/api/admin/*", requireSession);
adminApp.route("/api/admin", geminiKeyRoutes);
adminApp.route("/api/admin", workerKeyRoutes);
adminApp.route("/api/admin", modelRoutes);
adminApp.route("/api/admin", modelAliasRoutes);
adminApp.route("/api/admin", settingsRoutes);
adminApp.route("/api/admin", poolRoutes);
adminApp.route("/api/admin", usageRoutes);
adminApp.route("/api/admin", planRoutes);

adminApp.route("/", pageRoutes);
