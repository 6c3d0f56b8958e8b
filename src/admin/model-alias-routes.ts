import { Hono, type Context } from "hono";
import { ConfigStore } from "../config/config-store";
import { addAlias, deleteAlias, listAliasItems, retargetAlias, type AliasChange } from "../config/model-alias-admin";
import { MAX_ALIASES, modelAliasSchema } from "../config/model-aliases";
import type { AppEnv } from "../env";
import { adminError, notFound } from "./errors";
import { readJsonBody } from "./json-body";

const retarget = modelAliasSchema.pick({ model: true });

/** `/api/admin/model-aliases*`: names (or `*` patterns) clients may send for a configured model. */
export const modelAliasRoutes = new Hono<AppEnv>()
  .get("/model-aliases", async (c) => c.json(await listAliasItems(new ConfigStore(c.env.WORKER_CONFIG_KV))))
  .post("/model-aliases", async (c) => {
    const body = await readJsonBody(c, modelAliasSchema);
    return answer(c, await addAlias(new ConfigStore(c.env.WORKER_CONFIG_KV), body), body.alias, body.model);
  })
  .put("/model-aliases/:alias", async (c) => {
    const body = await readJsonBody(c, retarget);
    const alias = c.req.param("alias");
    return answer(c, await retargetAlias(new ConfigStore(c.env.WORKER_CONFIG_KV), alias, body.model), alias, body.model);
  })
  .delete("/model-aliases/:alias", async (c) => {
    const deleted = await deleteAlias(new ConfigStore(c.env.WORKER_CONFIG_KV), c.req.param("alias"));
    return deleted ? c.json({ ok: true }) : notFound(c, "Alias");
  });

function answer(c: Context, change: AliasChange, alias: string, model: string): Response {
  if (change.ok) return c.json(change.item);
  switch (change.refusal) {
    case "not_found":
      return notFound(c, "Alias");
    case "duplicate_alias":
      return adminError(c, 409, "duplicate_alias", `Alias ${alias} already exists.`);
    case "alias_is_model":
      return adminError(c, 409, "alias_is_model", `${alias} is a configured model id; a configured id always wins over an alias.`);
    case "unknown_model":
      return adminError(c, 400, "unknown_model", `Model ${model} is not configured; add it in Models first.`, [{ path: "model", message: "not a configured model" }]);
    case "too_many_aliases":
      return adminError(c, 400, "too_many_aliases", `At most ${MAX_ALIASES} aliases.`);
  }
}
