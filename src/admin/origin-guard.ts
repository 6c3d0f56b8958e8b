import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { adminError } from "./errors";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Cross-site request forgery guard: a state-changing call must come from a page of this
 * origin, which browsers prove with the Origin header. SameSite=Strict is the second line.
 */
export const requireSameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (STATE_CHANGING.has(c.req.method)) {
    const origin = c.req.header("origin");
    if (origin !== new URL(c.req.url).origin) {
      return adminError(c, 403, "bad_origin", "State-changing calls must carry an Origin header of this site.");
    }
  }
  await next();
});
