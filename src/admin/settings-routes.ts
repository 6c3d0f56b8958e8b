import { Hono } from "hono";
import { ConfigStore } from "../config/config-store";
import { settingsSchema } from "../config/schemas";
import type { AppEnv } from "../env";
import { readJsonBody } from "./json-body";

/** `/api/admin/settings`: read (defaults merged) and replace as a whole. */
export const settingsRoutes = new Hono<AppEnv>()
  .get("/settings", async (c) => c.json(await new ConfigStore(c.env.WORKER_CONFIG_KV).getSettings()))
  .put("/settings", async (c) => {
    const body = await readJsonBody(c, settingsSchema);
    await new ConfigStore(c.env.WORKER_CONFIG_KV).saveSettings(body);
    return c.json(body);
  });
