import { env } from "cloudflare:workers";
import { ConfigStore } from "../../src/config/config-store";
import { DEFAULT_SETTINGS, DEFAULT_WORKER_KEY_OPTIONS, type ModelConfig, type Settings, type WorkerKeyOptions } from "../../src/config/schemas";
import { KeyStore } from "../../src/pool/key-store";
import { isolateRuntime } from "../../src/index";
import { sha256Hex } from "../../src/util/crypto";

/** A well-formed Gemini key (AIza + 35 characters) ending with `tag`. */
export function fakeGeminiKey(tag: string): string {
  if (tag.length > 35) throw new Error("tag too long");
  return `AIza${"x".repeat(35 - tag.length)}${tag}`;
}

export interface SeedOptions {
  geminiKeys: Array<{ id: string; secret: string; enabled?: boolean }>;
  models?: ModelConfig[];
  settings?: Partial<Settings>;
  clientOptions?: Partial<WorkerKeyOptions>;
}

/**
 * Writes a pool, models, settings and one client key straight through the stores (the same
 * entries the admin API writes) and returns the client key to call the proxy with.
 */
export async function seedProxy(options: SeedOptions): Promise<string> {
  const clientKey = `sk-test-${crypto.randomUUID()}`;
  const config = new ConfigStore(env.WORKER_CONFIG_KV);
  await config.saveWorkerKeys([
    {
      id: "client-1",
      name: "test client",
      hash: await sha256Hex(clientKey),
      prefix: clientKey.slice(0, 12),
      enabled: true,
      createdAt: new Date().toISOString(),
      options: { ...DEFAULT_WORKER_KEY_OPTIONS, ...options.clientOptions },
    },
  ]);
  await config.saveModels(
    options.models ?? [{ id: "gemini-2.5-flash", category: "flash", dailyQuota: null, individualQuota: null }],
  );
  await config.saveSettings({ ...DEFAULT_SETTINGS, ...options.settings });
  await new KeyStore(env.GEMINI_KEYS_KV).saveKeys(
    options.geminiKeys.map((k) => ({
      id: k.id,
      name: k.id,
      secret: k.secret,
      enabled: k.enabled ?? true,
      createdAt: new Date().toISOString(),
    })),
  );
  // A fresh isolate's view: the next call reads what was just written.
  isolateRuntime.clear();
  return clientKey;
}
