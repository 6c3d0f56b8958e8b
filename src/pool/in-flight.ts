import type { DayCounter } from "./types";

// Calls under way in this isolate, per key and model. Quotas and the load that spreads calls
// count them, so a burst of concurrent calls cannot all take a key's last unit of quota, and
// a burst is spread over the keys instead of landing on whichever looked idlest.

const underWay = new Map<string, Map<string, number>>();

/** Marks one call under way on the key for the model; the answer releases it (once). */
export function reserve(keyId: string, modelId: string): () => void {
  const models = underWay.get(keyId) ?? new Map<string, number>();
  underWay.set(keyId, models);
  models.set(modelId, (models.get(modelId) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (models.get(modelId) ?? 1) - 1;
    if (left > 0) models.set(modelId, left);
    else models.delete(modelId);
    if (models.size === 0) underWay.delete(keyId);
  };
}

/** The key's day counter with its calls under way added, as quotas must see it. */
export function withCallsUnderWay(keyId: string, day: string, counter: DayCounter | undefined): DayCounter | undefined {
  const models = underWay.get(keyId);
  if (!models) return counter;
  const merged: DayCounter = { day, total: counter?.total ?? 0, models: { ...counter?.models } };
  for (const [modelId, n] of models) {
    merged.models[modelId] = (merged.models[modelId] ?? 0) + n;
    merged.total += n;
  }
  return merged;
}
