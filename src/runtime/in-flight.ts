// Attempts under way in this isolate, per key and model. Quotas and the load that spreads
// calls count them, so a burst of concurrent calls cannot all take a key's last unit of
// quota, and a burst is spread over the keys instead of landing on whichever looked idlest.

export class InFlight {
  private readonly byKey = new Map<string, Map<string, number>>();

  /** Marks one attempt under way on the key for the model; the returned release ends it (once). */
  reserve(keyId: string, modelId: string): () => void {
    const models = this.byKey.get(keyId) ?? new Map<string, number>();
    this.byKey.set(keyId, models);
    models.set(modelId, (models.get(modelId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (models.get(modelId) ?? 1) - 1;
      if (left > 0) models.set(modelId, left);
      else models.delete(modelId);
      if (models.size === 0) this.byKey.delete(keyId);
    };
  }

  /** Adds the key's attempts under way to `models` (calls per model). */
  addTo(keyId: string, models: Record<string, number>): void {
    for (const [modelId, n] of this.byKey.get(keyId) ?? []) models[modelId] = (models[modelId] ?? 0) + n;
  }
}
