import type { ConfigStore } from "./config-store";
import { MAX_ALIASES, type ModelAlias } from "./model-aliases";

// What the admin does to model aliases. Storage and rules only; HTTP lives in src/admin.

/** An alias as the admin sees it: `broken` when its target model is no longer configured. */
export interface AliasItem extends ModelAlias {
  broken: boolean;
}

export type AliasRefusal = "duplicate_alias" | "alias_is_model" | "unknown_model" | "too_many_aliases" | "not_found";

export type AliasChange = { ok: true; item: AliasItem } | { ok: false; refusal: AliasRefusal };

export async function listAliasItems(store: ConfigStore): Promise<AliasItem[]> {
  const [aliases, models] = await Promise.all([store.listAliases(), store.listModels()]);
  const configured = new Set(models.map((m) => m.id));
  return aliases.map((alias) => ({ ...alias, broken: !configured.has(alias.model) }));
}

/**
 * Adds an alias. Refused when the name is taken, is itself a configured model id (the id
 * would always win, so the alias could never apply), or the target is not configured.
 */
export async function addAlias(store: ConfigStore, alias: ModelAlias): Promise<AliasChange> {
  const [aliases, models] = await Promise.all([store.listAliases(), store.listModels()]);
  if (aliases.some((a) => a.alias === alias.alias)) return { ok: false, refusal: "duplicate_alias" };
  if (models.some((m) => m.id === alias.alias)) return { ok: false, refusal: "alias_is_model" };
  if (!models.some((m) => m.id === alias.model)) return { ok: false, refusal: "unknown_model" };
  if (aliases.length >= MAX_ALIASES) return { ok: false, refusal: "too_many_aliases" };
  await store.saveAliases([...aliases, alias]);
  return { ok: true, item: { ...alias, broken: false } };
}

/** Points an existing alias at another configured model. */
export async function retargetAlias(store: ConfigStore, name: string, model: string): Promise<AliasChange> {
  const [aliases, models] = await Promise.all([store.listAliases(), store.listModels()]);
  const index = aliases.findIndex((a) => a.alias === name);
  if (index < 0) return { ok: false, refusal: "not_found" };
  if (!models.some((m) => m.id === model)) return { ok: false, refusal: "unknown_model" };
  const updated: ModelAlias = { alias: name, model };
  aliases[index] = updated;
  await store.saveAliases(aliases);
  return { ok: true, item: { ...updated, broken: false } };
}

/** Removes an alias; false when there was none. */
export async function deleteAlias(store: ConfigStore, name: string): Promise<boolean> {
  const aliases = await store.listAliases();
  const kept = aliases.filter((a) => a.alias !== name);
  if (kept.length === aliases.length) return false;
  await store.saveAliases(kept);
  return true;
}
