import type { ModelConfig, Settings } from "../config/schemas";
import { nextPacificMidnight } from "../util/pacific-day";
import type { DayCounter, GeminiKeyRecord, KeyState } from "./types";

/** Why a key cannot serve a model right now. */
export type Unavailability =
  | { kind: "unusable"; reason: string } // disabled, invalid, suspended: only an admin or time helps
  | { kind: "limited"; until: number; reason: string }; // cooling, exhausted, over quota, sidelined

export interface AvailabilityInput {
  key: GeminiKeyRecord;
  state: KeyState | undefined;
  counter: DayCounter | undefined;
  model: ModelConfig;
  modelsById: ReadonlyMap<string, ModelConfig>;
  settings: Settings;
  now: number;
}

/** Why the key cannot be used at all now (disabled, invalid, within a suspension), or null. */
export function keyUnusable(key: GeminiKeyRecord, state: KeyState | undefined, now: number): string | null {
  if (!key.enabled) return "disabled by the admin";
  if (state?.status === "invalid") return state.reason ?? "invalid key";
  if (state?.status === "suspended" && (state.until ?? Infinity) > now) return state.reason ?? "suspended";
  return null;
}

/** Imagen models (`imagen-*`) speak `:predict` and run only on billed projects. */
export function isImagenModel(modelId: string): boolean {
  return /^(models\/)?imagen-/i.test(modelId);
}

export const IMAGEN_NEEDS_PAID = "Imagen models run only on Gemini keys marked paid in the panel (Gemini keys tab, Paid)";

/** Whether the key's plan lets it serve the model at all (Imagen needs a key marked paid). */
export function planAllows(key: GeminiKeyRecord, modelId: string): boolean {
  return !isImagenModel(modelId) || key.paid === true;
}

/** null when the key can serve the model now. Pure: policy only, no storage. */
export function unavailability(input: AvailabilityInput): Unavailability | null {
  const { key, state, model, now } = input;
  if (!planAllows(key, model.id)) return { kind: "unusable", reason: IMAGEN_NEEDS_PAID };
  const unusable = keyUnusable(key, state, now);
  if (unusable !== null) return { kind: "unusable", reason: unusable };
  const block = state?.models[model.id];
  // A refusal is not lifted by waiting minutes: the key is left out, not a rate limit to wait for.
  if (block && block.until > now) {
    return block.state === "refused" ? { kind: "unusable", reason: block.reason } : { kind: "limited", until: block.until, reason: block.reason };
  }
  const quota = quotaReached(input);
  if (quota) return { kind: "limited", until: nextPacificMidnight(now), reason: quota };
  return null;
}

/** The local daily quota rule that stops this key for this model, if any. */
export function quotaReached(input: AvailabilityInput): string | null {
  const { counter, model, modelsById, settings } = input;
  const used = counter?.models[model.id] ?? 0;
  if (model.category === "custom") {
    if (model.dailyQuota !== null && used >= model.dailyQuota) {
      return `daily quota of ${model.dailyQuota} for ${model.id} reached`;
    }
    return null;
  }
  if (model.individualQuota !== null && used >= model.individualQuota) {
    return `individual quota of ${model.individualQuota} for ${model.id} reached`;
  }
  const categoryQuota = settings.quotas[model.category];
  if (categoryUsage(counter, model.category, modelsById) >= categoryQuota) {
    return `${model.category} quota of ${categoryQuota} reached`;
  }
  return null;
}

export function categoryUsage(
  counter: DayCounter | undefined,
  category: ModelConfig["category"],
  modelsById: ReadonlyMap<string, ModelConfig>,
): number {
  if (!counter) return 0;
  let sum = 0;
  for (const [modelId, n] of Object.entries(counter.models)) {
    if (modelsById.get(modelId)?.category === category) sum += n;
  }
  return sum;
}

/** How loaded a key is for this model: what the quota that applies to it counts. */
export function loadFor(
  counter: DayCounter | undefined,
  model: ModelConfig,
  modelsById: ReadonlyMap<string, ModelConfig>,
): number {
  if (model.category === "custom") return counter?.models[model.id] ?? 0;
  return categoryUsage(counter, model.category, modelsById);
}

/** Calls of this model one key may serve per day; null when no quota applies. */
export function perKeyAllowance(model: ModelConfig, settings: Settings): number | null {
  if (model.category === "custom") return model.dailyQuota;
  const categoryQuota = settings.quotas[model.category];
  return model.individualQuota === null ? categoryQuota : Math.min(model.individualQuota, categoryQuota);
}

/** What one key can still serve of this model today, within all its quotas; null when unlimited. */
export function perKeyRemaining(
  counter: DayCounter | undefined,
  model: ModelConfig,
  modelsById: ReadonlyMap<string, ModelConfig>,
  settings: Settings,
): number | null {
  const usedHere = counter?.models[model.id] ?? 0;
  if (model.category === "custom") {
    return model.dailyQuota === null ? null : Math.max(0, model.dailyQuota - usedHere);
  }
  const categoryLeft = settings.quotas[model.category] - categoryUsage(counter, model.category, modelsById);
  const individualLeft = model.individualQuota === null ? Infinity : model.individualQuota - usedHere;
  return Math.max(0, Math.min(categoryLeft, individualLeft));
}
