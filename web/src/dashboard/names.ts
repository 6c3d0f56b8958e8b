/** Turns the ids the usage API returns into the names an admin recognises. */
import { t } from "../lib/i18n";
import type { MessageKey } from "../lib/messages-en";
import type { ClientKey, GeminiKey } from "../lib/types";

export interface NameBook {
  geminiKey(id: string): string;
  clientKey(id: string): string;
  outcome(outcome: string): string;
}

const KNOWN_OUTCOMES = new Set(["ok", "blocked", "client_error", "rate_limited", "no_key", "upstream_error", "timeout", "aborted"]);

export function nameBook(geminiKeys: GeminiKey[], clientKeys: ClientKey[]): NameBook {
  const gemini = new Map(geminiKeys.map((key) => [key.id, key.name ? `${key.name} (${key.masked})` : key.masked]));
  const clients = new Map(clientKeys.map((key) => [key.id, key.name]));
  return {
    geminiKey: (id) => (id === "" ? t("dash.noKeyReached") : gemini.get(id) ?? t("dash.deletedKey", { id: id.slice(0, 8) })),
    clientKey: (id) => clients.get(id) ?? t("dash.deletedKey", { id: id.slice(0, 8) }),
    outcome: (outcome) => (KNOWN_OUTCOMES.has(outcome) ? t(`outcome.${outcome}` as MessageKey) : outcome),
  };
}
