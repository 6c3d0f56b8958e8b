import { configSnapshot, type ConfigSnapshot } from "../config/config-snapshot";
import { ConfigStore } from "../config/config-store";
import type { Env } from "../env";
import { countDay, catchUp } from "../pool/count-day";
import { countRows, emptyCounts, type DayCounts } from "../pool/day-counts";
import { KeyStore, type KeyStates } from "../pool/key-store";
import type { GeminiKeyRecord } from "../pool/types";
import { readConfigVersion, readSync, TAIL_PAGE } from "../usage/ledger-reads";
import { pacificDay } from "../util/pacific-day";

/** What one isolate knows of the shared state: config and keys from KV, today's counts from D1. */
export interface SharedView {
  day: string;
  config: ConfigSnapshot;
  keys: GeminiKeyRecord[];
  states: KeyStates;
  counts: DayCounts;
  /** config_version when KV was last read. */
  version: number;
  syncedAt: number;
  kvReadAt: number;
}

/** Every this often a call brings the counts up to date (one D1 round trip, a few rows read). */
export const SYNC_MS = 5_000;
/** KV is re-read when the config version moved, and at least this often (KV reads: a few per refresh). */
export const KV_MAX_AGE_MS = 60_000;
/** How a cold isolate's concurrent requests wait for the first one's load before loading themselves. */
const COLD_POLL_MS = 5;
const COLD_WAIT_MS = 5_000;

/**
 * The isolate's view, refreshed by the calls that need it: at most one refresh at a time, and
 * a failed refresh keeps the last view of the same day (a KV or D1 hiccup must not fail calls).
 */
export class IsolateView {
  private view: SharedView | undefined;
  private refreshing = false;
  private kvStale = false;

  constructor(
    private readonly hooks: {
      /** This isolate's state changes not yet in KV, laid over what KV answered. */
      overlayStates: (states: KeyStates) => KeyStates;
      /** The counts moved on: own calls they now hold can be forgotten. */
      synced: (view: SharedView) => void;
    },
  ) {}

  /**
   * The view, refreshed first when it is due. One request refreshes at a time; the others
   * never await its promise — workerd runs what follows a promise in the request that settled
   * it, and a request that then touches its own body fails ("Cannot perform I/O on behalf of a
   * different request"). They serve the current view meanwhile, or, in a cold isolate, wait
   * for it on their own timer.
   */
  async get(env: Env, now = Date.now()): Promise<SharedView> {
    const day = pacificDay(now);
    const view = this.view;
    if (view && view.day === day && now - view.syncedAt < SYNC_MS && !this.kvStale) return view;
    if (this.refreshing) {
      if (view && view.day === day) return view;
      const loaded = await this.waitForView(day);
      if (loaded) return loaded;
    }
    this.refreshing = true;
    try {
      return await this.refresh(env, now);
    } finally {
      this.refreshing = false;
    }
  }

  /** A cold isolate's other requests wait for the first one's load, polling on their own timer. */
  private async waitForView(day: string): Promise<SharedView | undefined> {
    for (let waited = 0; waited < COLD_WAIT_MS && this.refreshing; waited += COLD_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, COLD_POLL_MS));
      if (this.view?.day === day) return this.view;
    }
    return this.view?.day === day ? this.view : undefined;
  }

  /** The view as it is now, for a call that outlives a refresh. */
  peek(): SharedView | undefined {
    return this.view;
  }

  /** KV is re-read by the next call (this isolate changed something there). */
  invalidate(): void {
    this.kvStale = true;
  }

  clear(): void {
    this.view = undefined;
    this.kvStale = false;
  }

  private async refresh(env: Env, now: number): Promise<SharedView> {
    const previous = this.view;
    const day = pacificDay(now);
    try {
      const next = previous?.day === day ? await this.sync(env, previous, now) : await this.load(env, day, now);
      this.view = next;
      this.hooks.synced(next);
      return next;
    } catch (error) {
      if (!previous || previous.day !== day) throw error;
      console.warn(`refreshing the pool view failed, serving the previous one: ${String(error)}`);
      previous.syncedAt = now;
      return previous;
    }
  }

  /** A cold isolate or a new day: KV's packed entries, then the exact counts from D1. */
  private async load(env: Env, day: string, now: number): Promise<SharedView> {
    const [hot, config, version] = await Promise.all([
      new KeyStore(env.GEMINI_KEYS_KV).readHot(day),
      new ConfigStore(env.WORKER_CONFIG_KV).readProxyConfig(),
      readConfigVersion(env.DB).catch(() => 0), // D1 down: the next sync that reaches it re-reads KV
    ]);
    this.kvStale = false;
    return {
      day,
      config: configSnapshot(config.models, config.settings, config.workerKeys, config.aliases),
      keys: hot.keys,
      states: this.hooks.overlayStates(hot.states),
      counts: await countDayOrFallBack(env.DB, day, hot.counts),
      version,
      syncedAt: now,
      kvReadAt: now,
    };
  }

  /** A warm isolate: new ledger rows (and today's reset, the config version) in one round trip. */
  private async sync(env: Env, previous: SharedView, now: number): Promise<SharedView> {
    const read = await readSync(env.DB, previous.day, previous.counts.through);
    let counts = previous.counts;
    if ((read.reset?.through ?? null) !== counts.resetThrough) {
      counts = await countDay(env.DB, previous.day);
    } else {
      countRows(counts, read.rows);
      if (read.rows.length === TAIL_PAGE) await catchUp(env.DB, counts);
    }
    const next: SharedView = { ...previous, counts, syncedAt: now };
    if (this.kvStale || read.version !== previous.version || now - previous.kvReadAt >= KV_MAX_AGE_MS) {
      this.kvStale = false;
      const [hot, config] = await Promise.all([
        new KeyStore(env.GEMINI_KEYS_KV).readHot(previous.day),
        new ConfigStore(env.WORKER_CONFIG_KV).readProxyConfig(),
      ]);
      next.keys = hot.keys;
      next.states = this.hooks.overlayStates(hot.states);
      next.config = configSnapshot(config.models, config.settings, config.workerKeys, config.aliases);
      next.version = read.version;
      next.kvReadAt = now;
    }
    return next;
  }
}

/**
 * D1 refusing reads (over the free plan's 5,000,000 a day, or down) must not stop a cold
 * isolate from serving: it starts from the cron's counts in KV, or from nothing.
 */
async function countDayOrFallBack(database: D1Database, day: string, fromKv: DayCounts | null): Promise<DayCounts> {
  try {
    return await countDay(database, day, fromKv);
  } catch (error) {
    console.warn(`counting ${day} from D1 failed, starting from the cron's counts: ${String(error)}`);
    return fromKv ?? emptyCounts(day, 0, null);
  }
}
