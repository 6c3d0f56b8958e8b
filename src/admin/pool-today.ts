import type { ModelCategory } from "../config/schemas";
import { perKeyAllowance, perKeyRemaining, planAllows, unavailability } from "../pool/availability";
import { usableKeys, type PoolView } from "./pool-view";

export interface ModelCapacity {
  id: string;
  category: ModelCategory;
  /** Calls per day the usable keys allow together; null when unlimited. */
  capacity: number | null;
  used: number;
  /** What the usable keys can still serve today, each within its own quotas; null when unlimited. */
  remaining: number | null;
  availableKeys: number;
}

export interface PoolToday {
  day: string;
  keys: { id: string; name: string; total: number; byModel: Record<string, number> }[];
  models: ModelCapacity[];
}

/**
 * Today's use of the pool. Capacity counts the quota that applies to a model on each usable
 * key. Remaining is summed per key, so a Pro model's figure already accounts for other Pro
 * models that drew on the same category quota (it can be less than capacity minus used).
 */
export function poolToday(view: PoolView): PoolToday {
  const usable = usableKeys(view);
  return {
    day: view.day,
    keys: view.keys.map((key) => {
      const counter = view.counters.get(key.id);
      return { id: key.id, name: key.name, total: counter?.total ?? 0, byModel: { ...counter?.models } };
    }),
    models: view.models.map((model) => {
      let capacity: number | null = 0;
      let remaining: number | null = 0;
      for (const key of usable) {
        if (!planAllows(key, model.id)) continue;
        const allowance = perKeyAllowance(model, view.settings);
        const left = perKeyRemaining(view.counters.get(key.id), model, view.modelsById, view.settings);
        capacity = capacity === null || allowance === null ? null : capacity + allowance;
        remaining = remaining === null || left === null ? null : remaining + left;
      }
      let used = 0;
      for (const counter of view.counters.values()) used += counter.models[model.id] ?? 0;
      const availableKeys = view.keys.filter(
        (key) =>
          unavailability({
            key,
            state: view.states.get(key.id),
            counter: view.counters.get(key.id),
            model,
            modelsById: view.modelsById,
            settings: view.settings,
            now: view.now,
          }) === null,
      ).length;
      return { id: model.id, category: model.category, capacity, used, remaining, availableKeys };
    }),
  };
}
