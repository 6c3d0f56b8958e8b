// The one place that knows the GEMINI_KEYS_KV layout (documented in docs/kv-layout.md).
// What the proxy reads is packed into few entries, so a refresh costs the same few billed
// reads however many keys there are; the proxy itself writes only `states`, and only when a
// long state changes (exhausted until Pacific midnight, invalid, suspended).
//   keys            GeminiKeyRecord[]            written by the admin API only
//   states          Record<keyId, KeyState>      written when a key's long state changes
//   counts:<day>    DayCounts                    written by the cron from the D1 ledger
//   limits:<utcDay> LimitNotice[]                a platform limit refused a D1 write

export const KEYS_ENTRY = "keys";
export const STATES_ENTRY = "states";

export function countsEntry(day: string): string {
  return `counts:${day}`;
}

export function limitsEntry(utcDay: string): string {
  return `limits:${utcDay}`;
}

/** Day entries outlive their day long enough to be looked at, then expire. */
export const DAY_ENTRY_TTL_SECONDS = 3 * 24 * 3600;
