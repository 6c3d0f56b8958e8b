import { ConfigStore } from "./config-store";
import type { ModelConfig, Settings, WorkerKeyRecord } from "./schemas";

/** What the proxy path needs from WORKER_CONFIG_KV, indexed for lookups. */
export interface ConfigSnapshot {
  models: ModelConfig[];
  modelsById: Map<string, ModelConfig>;
  settings: Settings;
  workerKeysByHash: Map<string, WorkerKeyRecord>;
  loadedAt: number;
}

/** Admin changes reach other isolates within this time (plus KV's own propagation delay). */
export const CONFIG_TTL_MS = 4_000;

let cached: ConfigSnapshot | undefined;
let loading: Promise<ConfigSnapshot> | undefined;

export async function loadConfig(kv: KVNamespace, now = Date.now()): Promise<ConfigSnapshot> {
  if (cached && now - cached.loadedAt < CONFIG_TTL_MS) return cached;
  loading ??= readSnapshot(kv, now)
    .catch((error: unknown) => {
      // KV hiccup: keep serving the last config rather than failing every call.
      if (!cached) throw error;
      console.warn(`config refresh failed, keeping the previous snapshot: ${String(error)}`);
      return cached;
    })
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

/** Called after an admin write so this isolate sees the change at once. */
export function invalidateConfig(): void {
  cached = undefined;
}

async function readSnapshot(kv: KVNamespace, now: number): Promise<ConfigSnapshot> {
  const store = new ConfigStore(kv);
  const [models, settings, workerKeys] = await Promise.all([
    store.listModels(),
    store.getSettings(),
    store.listWorkerKeys(),
  ]);
  cached = {
    models,
    modelsById: new Map(models.map((m) => [m.id, m])),
    settings,
    workerKeysByHash: new Map(workerKeys.map((k) => [k.hash, k])),
    loadedAt: now,
  };
  return cached;
}
