import { Hono } from "hono";
import { z } from "zod";
import { modelConfigSchema } from "../config/schemas";
import type { AppEnv } from "../env";
import { addKeys, deleteKeys, maskSecret, parseKeyInput, recordProbe, updateKey } from "../pool/key-admin";
import { KeyStore } from "../pool/key-store";
import { notFound } from "./errors";
import { geminiKeyItem, keyStatus } from "./gemini-key-item";
import { readJsonBody } from "./json-body";
import { probeKey } from "../gemini/key-probe";
import { nameSchema } from "./names";
import { readPoolView } from "./pool-view";

const MAX_KEY_INPUT = 200_000;

const addBody = z
  .object({
    keys: z.union([z.string().max(MAX_KEY_INPUT), z.array(z.string().max(MAX_KEY_INPUT)).max(5_000)]),
    name: nameSchema.optional(),
  })
  .strict();
const patchBody = z.object({ name: nameSchema.optional(), enabled: z.boolean().optional(), paid: z.boolean().optional() }).strict();
const bulkDeleteBody = z.object({ ids: z.array(z.string().min(1).max(100)).max(10_000) }).strict();
const testBody = z.object({ model: modelConfigSchema.shape.id.optional() }).strict();

/** `/api/admin/gemini-keys*`: the pool's keys, shown masked. */
export const geminiKeyRoutes = new Hono<AppEnv>()
  .get("/gemini-keys", async (c) => {
    const view = await readPoolView(c.env, c.get("runtime"));
    return c.json(view.keys.map((key) => geminiKeyItem(view, key)));
  })
  .post("/gemini-keys", async (c) => {
    const body = await readJsonBody(c, addBody);
    const { wellFormed, malformed } = parseKeyInput(body.keys);
    const { added, duplicates } = await addKeys(new KeyStore(c.env.GEMINI_KEYS_KV), wellFormed, body.name);
    return c.json({
      added: added.map((key) => ({ id: key.id, name: key.name, masked: maskSecret(key.secret) })),
      duplicates,
      malformed,
    });
  })
  .post("/gemini-keys/bulk-delete", async (c) => {
    const body = await readJsonBody(c, bulkDeleteBody);
    return c.json({ deleted: await deleteKeys(new KeyStore(c.env.GEMINI_KEYS_KV), body.ids) });
  })
  .patch("/gemini-keys/:id", async (c) => {
    const body = await readJsonBody(c, patchBody);
    const updated = await updateKey(new KeyStore(c.env.GEMINI_KEYS_KV), c.req.param("id"), body);
    if (!updated) return notFound(c, "Gemini key");
    const view = await readPoolView(c.env, c.get("runtime"));
    return c.json(geminiKeyItem(view, view.keys.find((key) => key.id === updated.id) ?? updated));
  })
  .delete("/gemini-keys/:id", async (c) => {
    const deleted = await deleteKeys(new KeyStore(c.env.GEMINI_KEYS_KV), [c.req.param("id")]);
    return deleted === 0 ? notFound(c, "Gemini key") : c.json({ ok: true });
  })
  .post("/gemini-keys/:id/test", async (c) => {
    const body = await readJsonBody(c, testBody);
    const view = await readPoolView(c.env, c.get("runtime"));
    const key = view.keys.find((k) => k.id === c.req.param("id"));
    if (!key) return notFound(c, "Gemini key");
    const model = body.model ?? defaultProbeModel(view.models);
    const outcome = await probeKey(c.env.GEMINI_API_BASE, key.secret, model);
    const state = await recordProbe(
      new KeyStore(c.env.GEMINI_KEYS_KV),
      key.id,
      model ?? "",
      outcome.failure ? { ok: false, failure: outcome.failure } : { ok: true },
    );
    return c.json({
      ok: outcome.ok,
      status: outcome.status,
      latencyMs: outcome.latencyMs,
      ...(outcome.message !== undefined ? { message: outcome.message } : {}),
      keyStatus: keyStatus(key, state).status,
    });
  });

/** The cheapest configured model to test with: a flash one if any, else the first. */
function defaultProbeModel(models: { id: string; category: string }[]): string | null {
  return (models.find((m) => m.category === "flash") ?? models[0])?.id ?? null;
}
