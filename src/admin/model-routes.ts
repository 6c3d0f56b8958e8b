import { Hono } from "hono";
import { ConfigStore } from "../config/config-store";
import { addModel, deleteModel, updateModel } from "../config/model-admin";
import { modelConfigSchema } from "../config/schemas";
import type { AppEnv } from "../env";
import { redactSecrets } from "../util/redact";
import { KeyStore } from "../pool/key-store";
import { recordProbe } from "../pool/key-admin";
import { adminError, notFound } from "./errors";
import { listGoogleModels } from "../gemini/model-listing";
import { readJsonBody } from "./json-body";
import { readPoolView, usableKeys } from "./pool-view";

const modelChanges = modelConfigSchema.omit({ id: true });
/** A key Google calls invalid or suspended is marked and the next one tried, up to this many. */
const MAX_LISTING_KEYS = 3;

/** `/api/admin/models*`: the models the proxy serves, and what Google offers. */
export const modelRoutes = new Hono<AppEnv>()
  .get("/models", async (c) => c.json(await new ConfigStore(c.env.WORKER_CONFIG_KV).listModels()))
  .get("/models/available", async (c) => {
    const view = await readPoolView(c.env, c.get("runtime"));
    const store = new KeyStore(c.env.GEMINI_KEYS_KV);
    for (const key of usableKeys(view).slice(0, MAX_LISTING_KEYS)) {
      const listing = await listGoogleModels(c.env.GEMINI_API_BASE, key.secret);
      if (listing.ok) return c.json({ models: listing.models });
      const { failure } = listing;
      if (failure.kind === "invalid_key" || failure.kind === "suspended") {
        await recordProbe(store, key.id, "", { ok: false, failure });
        continue;
      }
      return adminError(c, 502, "upstream_error", `Google's model list failed: ${redactSecrets(failure.message).slice(0, 300)}`);
    }
    return adminError(c, 503, "no_usable_key", "No usable Gemini key to ask Google for its models; add or re-enable one.");
  })
  .post("/models", async (c) => {
    const body = await readJsonBody(c, modelConfigSchema);
    if (!(await addModel(new ConfigStore(c.env.WORKER_CONFIG_KV), body))) {
      return adminError(c, 409, "duplicate_model", `Model ${body.id} is already configured.`);
    }
    return c.json(body);
  })
  .put("/models/:id", async (c) => {
    const body = await readJsonBody(c, modelChanges);
    const updated = await updateModel(new ConfigStore(c.env.WORKER_CONFIG_KV), c.req.param("id"), body);
    return updated ? c.json(updated) : notFound(c, "Model");
  })
  .delete("/models/:id", async (c) => {
    const deleted = await deleteModel(new ConfigStore(c.env.WORKER_CONFIG_KV), c.req.param("id"));
    return deleted ? c.json({ ok: true }) : notFound(c, "Model");
  });
