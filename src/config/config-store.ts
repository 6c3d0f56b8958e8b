import { MODEL_ALIASES_ENTRY, MODELS_ENTRY, SETTINGS_ENTRY, WORKER_KEYS_ENTRY, revokedSessionEntry } from "./kv-layout";
import type { ModelAlias } from "./model-aliases";
import {
  DEFAULT_SETTINGS,
  settingsSchema,
  type ModelConfig,
  type Settings,
  type WorkerKeyRecord,
} from "./schemas";

/** Reads and writes of WORKER_CONFIG_KV. */
export class ConfigStore {
  constructor(private readonly kv: KVNamespace) {}

  async listModels(): Promise<ModelConfig[]> {
    return (await this.kv.get<ModelConfig[]>(MODELS_ENTRY, "json")) ?? [];
  }

  async saveModels(models: ModelConfig[]): Promise<void> {
    await this.kv.put(MODELS_ENTRY, JSON.stringify(models));
  }

  /** Stored settings over the defaults; a stored value that no longer validates falls back. */
  async getSettings(): Promise<Settings> {
    return settingsFrom(await this.kv.get<Partial<Settings>>(SETTINGS_ENTRY, "json"));
  }

  async listAliases(): Promise<ModelAlias[]> {
    return (await this.kv.get<ModelAlias[]>(MODEL_ALIASES_ENTRY, "json")) ?? [];
  }

  async saveAliases(aliases: ModelAlias[]): Promise<void> {
    await this.kv.put(MODEL_ALIASES_ENTRY, JSON.stringify(aliases));
  }

  /** What the proxy needs, in one bulk get (billed as four reads). */
  async readProxyConfig(): Promise<{ models: ModelConfig[]; aliases: unknown[]; settings: Settings; workerKeys: WorkerKeyRecord[] }> {
    const found = await this.kv.get<unknown>([MODELS_ENTRY, MODEL_ALIASES_ENTRY, SETTINGS_ENTRY, WORKER_KEYS_ENTRY], "json");
    const aliases = found.get(MODEL_ALIASES_ENTRY);
    return {
      models: (found.get(MODELS_ENTRY) as ModelConfig[] | null | undefined) ?? [],
      aliases: Array.isArray(aliases) ? aliases : [],
      settings: settingsFrom(found.get(SETTINGS_ENTRY) as Partial<Settings> | null | undefined),
      workerKeys: (found.get(WORKER_KEYS_ENTRY) as WorkerKeyRecord[] | null | undefined) ?? [],
    };
  }

  async saveSettings(settings: Settings): Promise<void> {
    await this.kv.put(SETTINGS_ENTRY, JSON.stringify(settings));
  }

  async listWorkerKeys(): Promise<WorkerKeyRecord[]> {
    return (await this.kv.get<WorkerKeyRecord[]>(WORKER_KEYS_ENTRY, "json")) ?? [];
  }

  async saveWorkerKeys(keys: WorkerKeyRecord[]): Promise<void> {
    await this.kv.put(WORKER_KEYS_ENTRY, JSON.stringify(keys));
  }

  async isSessionRevoked(sessionId: string): Promise<boolean> {
    return (await this.kv.get(revokedSessionEntry(sessionId))) !== null;
  }

  async revokeSession(sessionId: string, expiresAtMs: number): Promise<void> {
    // KV needs an expiration at least 60 s ahead.
    const expiration = Math.max(Math.ceil(expiresAtMs / 1000), Math.ceil(Date.now() / 1000) + 60);
    await this.kv.put(revokedSessionEntry(sessionId), "1", { expiration });
  }
}

function settingsFrom(stored: Partial<Settings> | null | undefined): Settings {
  const merged = { ...DEFAULT_SETTINGS, ...stored, quotas: { ...DEFAULT_SETTINGS.quotas, ...stored?.quotas } };
  const parsed = settingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}
