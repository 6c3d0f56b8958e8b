import type { ConfigStore } from "./config-store";
import type { ModelConfig } from "./schemas";

// What the admin does to the configured models. Storage and rules only; HTTP lives in src/admin.

/** Adds a model; false when one with that id is already configured. */
export async function addModel(store: ConfigStore, model: ModelConfig): Promise<boolean> {
  const models = await store.listModels();
  if (models.some((m) => m.id === model.id)) return false;
  await store.saveModels([...models, model]);
  return true;
}

/** Replaces a model's category and quotas; null when there is no such model. */
export async function updateModel(store: ConfigStore, id: string, changes: Omit<ModelConfig, "id">): Promise<ModelConfig | null> {
  const models = await store.listModels();
  const index = models.findIndex((m) => m.id === id);
  if (index < 0) return null;
  const updated: ModelConfig = { id, ...changes };
  models[index] = updated;
  await store.saveModels(models);
  return updated;
}

/** Removes a model; false when there was none. */
export async function deleteModel(store: ConfigStore, id: string): Promise<boolean> {
  const models = await store.listModels();
  const kept = models.filter((m) => m.id !== id);
  if (kept.length === models.length) return false;
  await store.saveModels(kept);
  return true;
}
