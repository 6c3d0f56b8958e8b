import { Hono } from "hono";
import { z } from "zod";
import { ConfigStore } from "../config/config-store";
import { workerKeyOptionsSchema, type WorkerKeyRecord } from "../config/schemas";
import type { AppEnv } from "../env";
import { newId, randomToken, sha256Hex } from "../util/crypto";
import { notFound } from "./errors";
import { readJsonBody } from "./json-body";
import { lastUsedByClient } from "./last-used";
import { nameSchema } from "./names";

const KEY_PREFIX = "sk-gpp-";
const SHOWN_PREFIX_LENGTH = 12;

const optionFields = workerKeyOptionsSchema.shape;
/** Options in a PATCH: only the fields given change. */
const optionChanges = z
  .object({
    safetyOff: optionFields.safetyOff.unwrap().optional(),
    systemAsUser: optionFields.systemAsUser.unwrap().optional(),
    allowedModels: optionFields.allowedModels.unwrap().optional(),
    dailyLimit: optionFields.dailyLimit.unwrap().optional(),
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
    if (!body.ok) return body.response;
    const store = new ConfigStore(c.env.WORKER_CONFIG_KV);
    const key = KEY_PREFIX + randomToken(32);
    const record: WorkerKeyRecord = {
      id: newId(),
      name: body.data.name,
      hash: await sha256Hex(key),
      prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
      enabled: true,
      createdAt: new Date().toISOString(),
      options: body.data.options ?? workerKeyOptionsSchema.parse({}),
    };
    await store.saveWorkerKeys([...(await store.listWorkerKeys()), record]);
    return c.json({ id: record.id, name: record.name, key });
  })
  .patch("/worker-keys/:id", async (c) => {
    const body = await readJsonBody(c, patchBody);
    if (!body.ok) return body.response;
    const store = new ConfigStore(c.env.WORKER_CONFIG_KV);
    const records = await store.listWorkerKeys();
    const index = records.findIndex((r) => r.id === c.req.param("id"));
    const current = records[index];
    if (!current) return notFound(c, "Client key");
    const { name, enabled, options } = body.data;
    const updated: WorkerKeyRecord = {
      ...current,
      ...(name !== undefined ? { name } : {}),
      ...(enabled !== undefined ? { enabled } : {}),
      options: workerKeyOptionsSchema.parse({ ...current.options, ...stripUndefined(options ?? {}) }),
    };
    records[index] = updated;
    await store.saveWorkerKeys(records);
    const lastUsed = await lastUsedByClient(c.env.DB, [updated.id]);
    return c.json(workerKeyItem(updated, lastUsed.get(updated.id)));
  })
  .delete("/worker-keys/:id", async (c) => {
    const store = new ConfigStore(c.env.WORKER_CONFIG_KV);
    const records = await store.listWorkerKeys();
    const kept = records.filter((r) => r.id !== c.req.param("id"));
    if (kept.length === records.length) return notFound(c, "Client key");
    await store.saveWorkerKeys(kept);
    return c.json({ ok: true });
  });

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
