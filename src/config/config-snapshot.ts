import { aliasTable, type AliasTable } from "./model-aliases";
import type { ModelConfig, Settings, WorkerKeyRecord } from "./schemas";

/** What the proxy path needs from WORKER_CONFIG_KV, indexed for lookups. */
export interface ConfigSnapshot {
  models: ModelConfig[];
  modelsById: Map<string, ModelConfig>;
  /** Model aliases, indexed once per refresh (src/config/model-aliases.ts). */
  aliases: AliasTable;
  settings: Settings;
  workerKeysByHash: Map<string, WorkerKeyRecord>;
}

export function configSnapshot(models: ModelConfig[], settings: Settings, workerKeys: WorkerKeyRecord[], aliases: readonly unknown[] = []): ConfigSnapshot {
  return {
    models,
    modelsById: new Map(models.map((m) => [m.id, m])),
    aliases: aliasTable(aliases),
    settings,
    workerKeysByHash: new Map(workerKeys.map((k) => [k.hash, k])),
  };
}
