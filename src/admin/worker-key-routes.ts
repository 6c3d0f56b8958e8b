import { Hono } from "hono";
import { z } from "zod";
import { ConfigStore } from "../config/config-store";
import { workerKeyOptionsSchema, type WorkerKeyRecord } from "../config/schemas";
import { createWorkerKey, deleteWorkerKey, updateWorkerKey } from "../config/worker-key-admin";
import type { AppEnv } from "../env";
import { notFound } from "./errors";
import { readJsonBody } from "./json-body";
import { lastUsedByClient } from "./last-used";
import { nameSchema } from "./names";

const optionFields = workerKeyOptionsSchema.shape;
/** Options in a PATCH: only the fields given change. */
const optionChanges = z
  .object({
    safetyOff: optionFields.safetyOff.unwrap().optional(),
    systemAsUser: optionFields.systemAsUser.unwrap().optional(),
    allowedModels: optionFields.allowedModels.unwrap().optional(),
    dailyLimit: optionFields.dailyLimit.unwrap().optional(),
    keepAliveWhitespace: optionFields.keepAliveWhitespace.unwrap().optional(),
  })
  .strict();

const createBody = z.object({ name: nameSchema, options: workerKeyOptionsSchema.optional() }).strict();
const patchBody = z
  .object({ name: nameSchema.optional(), enabled: z.boolean().optional(), options: optionChanges.optional() })
  .strict();

/** A client key as listed: its prefix to recognise it, never the key or its hash. */
function workerKeyItem(record: WorkerKeyRecord, lastUsedAt: number | undefined) {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    enabled: record.enabled,
    createdAt: record.createdAt,
    lastUsedAt: lastUsedAt === undefined ? null : new Date(lastUsedAt).toISOString(),
    options: record.options,
  };
}

/** `/api/admin/worker-keys*`: the client keys callers of /v1 present. */
export const workerKeyRoutes = new Hono<AppEnv>()
  .get("/worker-keys", async (c) => {
    const records = await new ConfigStore(c.env.WORKER_CONFIG_KV).listWorkerKeys();
    const lastUsed = await lastUsedByClient(c.env.DB, records.map((r) => r.id));
    return c.json(records.map((record) => workerKeyItem(record, lastUsed.get(record.id))));
  })
  .post("/worker-keys", async (c) => {
    const body = await readJsonBody(c, createBody);
    const { record, key } = await createWorkerKey(new ConfigStore(c.env.WORKER_CONFIG_KV), body.name, body.options);
    return c.json({ id: record.id, name: record.name, key });
  })
  .patch("/worker-keys/:id", async (c) => {
    const body = await readJsonBody(c, patchBody);
    const updated = await updateWorkerKey(new ConfigStore(c.env.WORKER_CONFIG_KV), c.req.param("id"), body);
    if (!updated) return notFound(c, "Client key");
    const lastUsed = await lastUsedByClient(c.env.DB, [updated.id]);
    return c.json(workerKeyItem(updated, lastUsed.get(updated.id)));
  })
  .delete("/worker-keys/:id", async (c) => {
    const deleted = await deleteWorkerKey(new ConfigStore(c.env.WORKER_CONFIG_KV), c.req.param("id"));
    return deleted ? c.json({ ok: true }) : notFound(c, "Client key");
  });
