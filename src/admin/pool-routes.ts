import { Hono } from "hono";
import type { AppEnv } from "../env";
import { resetQuotasNow } from "../pool/reset";
import { poolToday } from "./pool-today";
import { readPoolView } from "./pool-view";

/** `/api/admin/pool/*`: today's figures and the "reset quotas now" button. */
export const poolRoutes = new Hono<AppEnv>()
  .get("/pool/today", async (c) => c.json(poolToday(await readPoolView(c.env, c.get("runtime")))))
  .post("/pool/reset", async (c) => {
    await resetQuotasNow(c.env.GEMINI_KEYS_KV, c.env.DB);
    c.get("runtime").liftHolds();
    return c.json({ ok: true });
  });
