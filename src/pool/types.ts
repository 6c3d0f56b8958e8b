/** A Gemini API key as the admin configured it. `secret` never leaves the pool and the client. */
export interface GeminiKeyRecord {
  id: string;
  name: string;
  secret: string;
  enabled: boolean;
  createdAt: string;
}

export type KeyStatus = "active" | "invalid" | "suspended";

/** Why one model is unavailable on one key, and until when (epoch ms). */
export interface ModelBlock {
  state: "cooling" | "exhausted";
  until: number;
  reason: string;
}

/**
 * Health of one key, written only when it changes. Every block carries its own expiry, so a
 * missed cron run never leaves a key stuck. `invalid` lasts until the admin tests or
 * re-enables the key; `suspended` is re-checked after `until`.
 */
export interface KeyState {
  status: KeyStatus;
  reason?: string;
  since: number;
  until?: number;
  models: Record<string, ModelBlock>;
}

/** Calls counted against one key on one Pacific day, per model. */
export interface DayCounter {
  day: string;
  total: number;
  models: Record<string, number>;
}

/** A platform limit that refused a write (e.g. "d1_rows_written"), noted for the admin. */
export interface LimitNotice {
  resource: string;
  at: number;
  detail: string;
}
