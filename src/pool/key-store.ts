import {
  BULK_GET_LIMIT,
  COUNTER_TTL_SECONDS,
  KEYS_ENTRY,
  counterEntry,
  limitsEntry,
  resetEntry,
  stateEntry,
} from "./kv-layout";
import type { DayCounter, GeminiKeyRecord, KeyState, LimitNotice } from "./types";

/** A day as the proxy sees it: key states, day counters, and the admin's reset marker. */
export interface DayView {
  states: Map<string, KeyState>;
  counters: Map<string, DayCounter>;
  resetAt: number | null;
}

/** Reads and writes of GEMINI_KEYS_KV. Knows storage, not HTTP and not policy. */
export class KeyStore {
  constructor(private readonly kv: KVNamespace) {}

  async listKeys(): Promise<GeminiKeyRecord[]> {
    return (await this.kv.get<GeminiKeyRecord[]>(KEYS_ENTRY, "json")) ?? [];
  }

  async saveKeys(keys: GeminiKeyRecord[]): Promise<void> {
    await this.kv.put(KEYS_ENTRY, JSON.stringify(keys));
  }

  async readStates(keyIds: string[]): Promise<Map<string, KeyState>> {
    const found = await this.bulkGet<KeyState>(keyIds.map(stateEntry));
    const states = new Map<string, KeyState>();
    for (const id of keyIds) {
      const state = found.get(stateEntry(id));
      if (state) states.set(id, state);
    }
    return states;
  }

  async writeState(keyId: string, state: KeyState): Promise<void> {
    await this.kv.put(stateEntry(keyId), JSON.stringify(state));
  }

  async deleteState(keyId: string): Promise<void> {
    await this.kv.delete(stateEntry(keyId));
  }

  /**
   * Everything the proxy needs about today in ONE bulk get (for up to 49 keys): each key's
   * state and day counter, and the day's reset marker.
   */
  async readDay(day: string, keyIds: string[]): Promise<DayView> {
    const entries = [resetEntry(day), ...keyIds.flatMap((id) => [stateEntry(id), counterEntry(day, id)])];
    const found = await this.bulkGet<unknown>(entries);
    const states = new Map<string, KeyState>();
    const counters = new Map<string, DayCounter>();
    for (const id of keyIds) {
      const state = found.get(stateEntry(id));
      const counter = found.get(counterEntry(day, id));
      if (state) states.set(id, state as KeyState);
      if (counter) counters.set(id, counter as DayCounter);
    }
    const marker = found.get(resetEntry(day));
    return { states, counters, resetAt: typeof marker === "number" ? marker : null };
  }

  async readCounters(day: string, keyIds: string[]): Promise<Map<string, DayCounter>> {
    const found = await this.bulkGet<DayCounter>(keyIds.map((id) => counterEntry(day, id)));
    const counters = new Map<string, DayCounter>();
    for (const id of keyIds) {
      const counter = found.get(counterEntry(day, id));
      if (counter) counters.set(id, counter);
    }
    return counters;
  }

  async writeCounter(keyId: string, counter: DayCounter): Promise<void> {
    await this.kv.put(counterEntry(counter.day, keyId), JSON.stringify(counter), {
      expirationTtl: COUNTER_TTL_SECONDS,
    });
  }

  async deleteCounter(day: string, keyId: string): Promise<void> {
    await this.kv.delete(counterEntry(day, keyId));
  }

  /** When the admin last reset quotas by hand on this day, if they did. */
  async readResetMarker(day: string): Promise<number | null> {
    const value = await this.kv.get(resetEntry(day));
    return value === null ? null : Number(value);
  }

  async writeResetMarker(day: string, at: number): Promise<void> {
    await this.kv.put(resetEntry(day), String(at), { expirationTtl: COUNTER_TTL_SECONDS });
  }

  /**
   * Limits the platform refused a write for, noted where D1 cannot hold them (a D1 write was
   * refused). One entry per UTC day, written at most once per isolate and day.
   */
  async readLimitNotices(utcDay: string): Promise<LimitNotice[]> {
    return (await this.kv.get<LimitNotice[]>(limitsEntry(utcDay), "json")) ?? [];
  }

  async noteLimit(utcDay: string, notice: LimitNotice): Promise<void> {
    const notices = await this.readLimitNotices(utcDay);
    if (notices.some((n) => n.resource === notice.resource)) return;
    await this.kv.put(limitsEntry(utcDay), JSON.stringify([...notices, notice]), { expirationTtl: COUNTER_TTL_SECONDS });
  }

  private async bulkGet<T>(entries: string[]): Promise<Map<string, T | null>> {
    const result = new Map<string, T | null>();
    for (let i = 0; i < entries.length; i += BULK_GET_LIMIT) {
      const page = await this.kv.get<T>(entries.slice(i, i + BULK_GET_LIMIT), "json");
      for (const [entry, value] of page) result.set(entry, value);
    }
    return result;
  }
}
