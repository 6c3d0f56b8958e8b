// Brief, in-isolate benching of a key after a 5xx, a network error or a timeout. Never
// written to KV: such failures are usually Google's, not the key's, so the key is only
// skipped here for a few seconds (DESIGN §3: at most 10 s).

const sidelinedUntil = new Map<string, number>();

export const SIDELINE_MS = 10_000;

function entry(keyId: string, modelId: string): string {
  return `${keyId}\u0000${modelId}`;
}

export function sideline(keyId: string, modelId: string, until: number): void {
  sidelinedUntil.set(entry(keyId, modelId), until);
}

export function sidelineUntil(keyId: string, modelId: string, now: number): number | undefined {
  const until = sidelinedUntil.get(entry(keyId, modelId));
  if (until === undefined) return undefined;
  if (until <= now) {
    sidelinedUntil.delete(entry(keyId, modelId));
    return undefined;
  }
  return until;
}

export function clearSidelines(): void {
  sidelinedUntil.clear();
}
