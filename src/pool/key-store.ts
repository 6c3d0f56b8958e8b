import { DAY_ENTRY_TTL_SECONDS, KEYS_ENTRY, STATES_ENTRY, countsEntry, limitsEntry } from "./kv-layout";
import type { DayCounts } from "./day-counts";
import type { GeminiKeyRecord, KeyState, LimitNotice } from "./types";

export type KeyStates = Map<string, KeyState>;

/** What the proxy reads from GEMINI_KEYS_KV on a refresh: three entries in one bulk get. */
export interface HotEntries {
  keys: GeminiKeyRecord[];
  states: KeyStates;
  /** The cron's counts for `day`, if it wrote them. */
  counts: DayCounts | null;
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

  async readHot(day: string): Promise<HotEntries> {
    const found = await this.kv.get<unknown>([KEYS_ENTRY, STATES_ENTRY, countsEntry(day)], "json");
    const counts = found.get(countsEntry(day)) as DayCounts | null | undefined;
    return {
      keys: (found.get(KEYS_ENTRY) as GeminiKeyRecord[] | null | undefined) ?? [],
      states: statesFrom(found.get(STATES_ENTRY) as Record<string, KeyState> | null | undefined),
      counts: counts?.day === day ? counts : null,
    };
  }

  async readStates(): Promise<KeyStates> {
    return statesFrom(await this.kv.get<Record<string, KeyState>>(STATES_ENTRY, "json"));
  }

  async writeStates(states: KeyStates): Promise<void> {
    await this.kv.put(STATES_ENTRY, JSON.stringify(Object.fromEntries(states)));
  }

  /**
   * Reads the states, lets `change` edit them, and writes them back if it says it changed
   * something. Two writers within KV's propagation delay can lose one change; the proxy
   * learns a lost state again from Google's next answer.
   */
  async updateStates(change: (states: KeyStates) => boolean): Promise<boolean> {
    const states = await this.readStates();
    if (!change(states)) return false;
    await this.writeStates(states);
    return true;
  }

  async readCounts(day: string): Promise<DayCounts | null> {
    const counts = await this.kv.get<DayCounts>(countsEntry(day), "json");
    return counts?.day === day ? counts : null;
  }

  async writeCounts(counts: DayCounts): Promise<void> {
    await this.kv.put(countsEntry(counts.day), JSON.stringify(counts), { expirationTtl: DAY_ENTRY_TTL_SECONDS });
  }

  /**
   * Limits the platform refused a write for, noted where D1 cannot hold them (a D1 write was
   * refused). One entry per UTC day, written at most once per isolate, day and resource.
   */
  async readLimitNotices(utcDay: string): Promise<LimitNotice[]> {
    return (await this.kv.get<LimitNotice[]>(limitsEntry(utcDay), "json")) ?? [];
  }

  async noteLimit(utcDay: string, notice: LimitNotice): Promise<void> {
    const notices = await this.readLimitNotices(utcDay);
    if (notices.some((n) => n.resource === notice.resource)) return;
    await this.kv.put(limitsEntry(utcDay), JSON.stringify([...notices, notice]), { expirationTtl: DAY_ENTRY_TTL_SECONDS });
  }
}

function statesFrom(entry: Record<string, KeyState> | null | undefined): KeyStates {
  return new Map(Object.entries(entry ?? {}));
}
