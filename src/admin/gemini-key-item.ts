import { MODEL_CATEGORIES, type ModelCategory } from "../config/schemas";
import { categoryUsage, quotaReached } from "../pool/availability";
import { maskSecret } from "../pool/key-admin";
import { nextPacificMidnight } from "../util/pacific-day";
import type { GeminiKeyRecord, KeyState } from "../pool/types";
import type { PoolView } from "./pool-view";

export type AdminKeyStatus = "active" | "invalid" | "suspended" | "disabled";

export interface ModelHealth {
  /** `refused`: Google refuses the model on this key (Imagen on an unbilled project) until `until`. */
  state: "ok" | "cooling" | "exhausted" | "refused";
  until?: string;
  reason?: string;
}

/** A Gemini key as the admin API shows it. Never holds the secret, only its masked form. */
export interface GeminiKeyItem {
  id: string;
  name: string;
  masked: string;
  enabled: boolean;
  /** Marked paid by the admin: the only keys Imagen models run on. */
  paid: boolean;
  status: AdminKeyStatus;
  statusReason?: string;
  models: Record<string, ModelHealth>;
  usage: { day: string; total: number; byCategory: Record<ModelCategory, number>; byModel: Record<string, number> };
  createdAt: string;
}

/** The key-level status: the admin's switch first, then what Google said about the key. */
export function keyStatus(key: GeminiKeyRecord, state: KeyState | undefined): { status: AdminKeyStatus; reason?: string } {
  if (!key.enabled) return { status: "disabled", reason: "disabled by the admin" };
  if (state?.status === "invalid" || state?.status === "suspended") {
    return { status: state.status, reason: state.reason ?? state.status };
  }
  return { status: "active" };
}

export function geminiKeyItem(view: PoolView, key: GeminiKeyRecord): GeminiKeyItem {
  const state = view.states.get(key.id);
  const counter = view.counters.get(key.id);
  const { status, reason } = keyStatus(key, state);

  const models: Record<string, ModelHealth> = {};
  for (const model of view.models) {
    const block = state?.models[model.id];
    if (block && block.until > view.now) {
      models[model.id] = { state: block.state, until: new Date(block.until).toISOString(), reason: block.reason };
      continue;
    }
    const cooling = view.cooling(key.id, model.id);
    if (cooling) {
      models[model.id] = { state: "cooling", until: new Date(cooling.until).toISOString(), reason: cooling.reason };
      continue;
    }
    const quota = quotaReached({
      key,
      state,
      counter,
      model,
      modelsById: view.modelsById,
      settings: view.settings,
      now: view.now,
    });
    models[model.id] = quota
      ? { state: "exhausted", until: new Date(nextPacificMidnight(view.now)).toISOString(), reason: quota }
      : { state: "ok" };
  }

  const byCategory = Object.fromEntries(
    MODEL_CATEGORIES.map((category) => [category, categoryUsage(counter, category, view.modelsById)]),
  ) as Record<ModelCategory, number>;

  return {
    id: key.id,
    name: key.name,
    masked: maskSecret(key.secret),
    enabled: key.enabled,
    paid: key.paid === true,
    status,
    ...(reason !== undefined && status !== "active" ? { statusReason: reason } : {}),
    models,
    usage: { day: view.day, total: counter?.total ?? 0, byCategory, byModel: { ...counter?.models } },
    createdAt: key.createdAt,
  };
}
