import { Hono } from "hono";
import { ConfigStore } from "../config/config-store";
import type { AppEnv } from "../env";
import { KeyStore } from "../pool/key-store";
import { planToday } from "../usage/plan-today";
import { utcDay } from "../usage/plan-usage";

/** `/api/admin/plan`: today's (UTC) use of each free-plan resource, the database size, limits hit. */
export const planRoutes = new Hono<AppEnv>().get("/plan", async (c) => {
  const now = Date.now();
  const [settings, notices] = await Promise.all([
    new ConfigStore(c.env.WORKER_CONFIG_KV).getSettings(),
    new KeyStore(c.env.GEMINI_KEYS_KV).readLimitNotices(utcDay(now)),
  ]);
  return c.json(await planToday(c.env.DB, { now, notices, retentionMaxMb: settings.retentionMaxMb }));
});
