// The one place that knows the GEMINI_KEYS_KV layout (documented in docs/kv-layout.md).
//   keys                 GeminiKeyRecord[]   written by the admin API only
//   state:<keyId>        KeyState            written when a key's health changes
//   count:<day>:<keyId>  DayCounter          written after calls (debounced), by reconciliation
//   reset:<day>          epoch ms (text)     written when the admin resets quotas by hand

export const KEYS_ENTRY = "keys";

export function stateEntry(keyId: string): string {
  return `state:${keyId}`;
}

export function counterEntry(day: string, keyId: string): string {
  return `count:${day}:${keyId}`;
}

export function resetEntry(day: string): string {
  return `reset:${day}`;
}

export function limitsEntry(utcDay: string): string {
  return `limits:${utcDay}`;
}

/** Counters outlive their day long enough for yesterday's reconciliation, then expire. */
export const COUNTER_TTL_SECONDS = 3 * 24 * 3600;

/** KV's bulk get takes at most 100 keys. */
export const BULK_GET_LIMIT = 100;
