// Short, in-isolate holds on a key for one model. Never written to KV: KV needs up to 60 s to
// reach other locations, longer than these holds last.
//   cooling    a per-minute 429: the key is not used for the model until Google's retry delay
//              has passed (it counts as rate-limited, with that time as Retry-After);
//   sidelined  a 5xx, network error or timeout, usually Google's and not the key's: the key is
//              skipped for a few seconds (at most 10 s); a last resort when nothing else is left,
//              once per call and never after Google already failed that call (src/proxy/failover.ts).

export interface Cooling {
  until: number;
  reason: string;
}

export const SIDELINE_MS = 10_000;
export const NETWORK_SIDELINE_MS = 5_000;

export class Benches {
  private readonly coolings = new Map<string, Cooling>();
  private readonly sidelines = new Map<string, number>();

  cool(keyId: string, modelId: string, cooling: Cooling): void {
    const current = this.coolings.get(entry(keyId, modelId));
    if (!current || current.until < cooling.until) this.coolings.set(entry(keyId, modelId), cooling);
  }

  cooling(keyId: string, modelId: string, now: number): Cooling | undefined {
    return live(this.coolings, entry(keyId, modelId), now, (c) => c.until);
  }

  sideline(keyId: string, modelId: string, until: number): void {
    this.sidelines.set(entry(keyId, modelId), until);
  }

  sidelinedUntil(keyId: string, modelId: string, now: number): number | undefined {
    return live(this.sidelines, entry(keyId, modelId), now, (until) => until);
  }

  clear(): void {
    this.coolings.clear();
    this.sidelines.clear();
  }
}

function entry(keyId: string, modelId: string): string {
  return `${keyId}\u0000${modelId}`;
}

function live<T>(map: Map<string, T>, key: string, now: number, until: (value: T) => number): T | undefined {
  const value = map.get(key);
  if (value === undefined) return undefined;
  if (until(value) > now) return value;
  map.delete(key);
  return undefined;
}
