import { newId, randomToken, sha256Hex } from "../util/crypto";
import type { ConfigStore } from "./config-store";
import { workerKeyOptionsSchema, type WorkerKeyOptions, type WorkerKeyRecord } from "./schemas";

// What the admin does to client keys. The key itself exists only in the answer to its creation:
// the store keeps its SHA-256 and a prefix to recognise it.

const KEY_PREFIX = "sk-gpp-";
const SHOWN_PREFIX_LENGTH = 12;

export async function createWorkerKey(
  store: ConfigStore,
  name: string,
  options: WorkerKeyOptions | undefined,
  now = Date.now(),
): Promise<{ record: WorkerKeyRecord; key: string }> {
  const key = KEY_PREFIX + randomToken(32);
  const record: WorkerKeyRecord = {
    id: newId(),
    name,
    hash: await sha256Hex(key),
    prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
    enabled: true,
    createdAt: new Date(now).toISOString(),
    options: options ?? workerKeyOptionsSchema.parse({}),
  };
  await store.saveWorkerKeys([...(await store.listWorkerKeys()), record]);
  return { record, key };
}

export interface WorkerKeyChanges {
  name?: string | undefined;
  enabled?: boolean | undefined;
  /** Only the options given change. */
  options?: Partial<Record<keyof WorkerKeyOptions, unknown>> | undefined;
}

/** Renames, enables or disables a client key and changes some of its options; null when there is no such key. */
export async function updateWorkerKey(store: ConfigStore, id: string, changes: WorkerKeyChanges): Promise<WorkerKeyRecord | null> {
  const records = await store.listWorkerKeys();
  const index = records.findIndex((r) => r.id === id);
  const current = records[index];
  if (!current) return null;
  const { name, enabled, options } = changes;
  const updated: WorkerKeyRecord = {
    ...current,
    ...(name !== undefined ? { name } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
    options: workerKeyOptionsSchema.parse({ ...current.options, ...stripUndefined(options ?? {}) }),
  };
  records[index] = updated;
  await store.saveWorkerKeys(records);
  return updated;
}

/** Deletes a client key; false when there was none. */
export async function deleteWorkerKey(store: ConfigStore, id: string): Promise<boolean> {
  const records = await store.listWorkerKeys();
  const kept = records.filter((r) => r.id !== id);
  if (kept.length === records.length) return false;
  await store.saveWorkerKeys(kept);
  return true;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
