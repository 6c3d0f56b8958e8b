/** A Gemini API key as the admin configured it. `secret` never leaves the pool and the client. */
export interface GeminiKeyRecord {
  id: string;
  name: string;
  secret: string;
  enabled: boolean;
  createdAt: string;
  /**
   * The admin marked the key's project as billed: only such keys serve Imagen models. Absent in
   * records written before the flag existed, which reads as false.
   */
  paid?: boolean;
}

export type KeyStatus = "active" | "invalid" | "suspended";

/**
 * Why one model is unavailable on one key, and until when (epoch ms). `refused`: Google refuses
 * the model on the key's project (Imagen on a project that is not billed) until the next Pacific day.
 */
export interface ModelBlock {
  state: "cooling" | "exhausted" | "refused";
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
