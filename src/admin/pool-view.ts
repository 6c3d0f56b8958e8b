import { ConfigStore } from "../config/config-store";
import type { ModelConfig, Settings } from "../config/schemas";
import type { Env } from "../env";
import { keyUnusable } from "../pool/availability";
import { countDay } from "../pool/count-day";
import type { Cooling } from "../runtime/benches";
import type { IsolateRuntime } from "../runtime/runtime";
import { KeyStore } from "../pool/key-store";
import { pacificDay } from "../util/pacific-day";
import type { DayCounter, GeminiKeyRecord, KeyState } from "../pool/types";

/**
 * Everything the admin answers about the pool are computed from: keys, their states, models
 * and settings read fresh from KV (not the proxy's view), and today's exact counts from the
 * D1 ledger (roll-ups plus the unfolded tail), so an admin sees the result of their own
 * change and of the last calls at once.
 */
export interface PoolView {
  day: string;
  now: number;
  keys: GeminiKeyRecord[];
  states: Map<string, KeyState>;
  counters: Map<string, DayCounter>;
  models: ModelConfig[];
  modelsById: Map<string, ModelConfig>;
  settings: Settings;
  /** Per-minute cool-downs this isolate knows of (they live in memory, not in KV). */
  cooling: (keyId: string, modelId: string) => Cooling | undefined;
}

export async function readPoolView(env: Env, runtime: IsolateRuntime, now = Date.now()): Promise<PoolView> {
  const keyStore = new KeyStore(env.GEMINI_KEYS_KV);
  const configStore = new ConfigStore(env.WORKER_CONFIG_KV);
  const day = pacificDay(now);
  const [keys, models, settings] = await Promise.all([
    keyStore.listKeys(),
    configStore.listModels(),
    configStore.getSettings(),
  ]);
  const [stored, counts] = await Promise.all([keyStore.readStates(), countDay(env.DB, day)]);
  // This isolate's state changes still on their way to KV count as made.
  const states = runtime.states.overlay(stored);
  const counters = new Map<string, DayCounter>();
  for (const [keyId, models] of Object.entries(counts.keys)) {
    counters.set(keyId, { day, total: Object.values(models).reduce((a, b) => a + b, 0), models });
  }
  return {
    day,
    now,
    keys,
    states,
    counters,
    models,
    modelsById: new Map(models.map((model) => [model.id, model])),
    settings,
    cooling: (keyId, modelId) => runtime.benches.cooling(keyId, modelId, now),
  };
}

/** Keys the pool may use at all now: enabled, not invalid, not within a suspension. */
export function usableKeys(view: PoolView): GeminiKeyRecord[] {
  return view.keys.filter((key) => keyUnusable(key, view.states.get(key.id), view.now) === null);
}
