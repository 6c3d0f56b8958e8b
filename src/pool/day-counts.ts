// A Pacific day's counts as the D1 ledger holds them: served calls per Gemini key and model
// (the key quotas) and calls per client key (a client's daily limit). Pure: no storage.

export interface DayCounts {
  day: string;
  /** Every ledger row with id <= through has been looked at. */
  through: number;
  /** When the admin reset the key quotas by hand today, they count only rows after this id. */
  resetThrough: number | null;
  /** Served calls per key id and model id. */
  keys: Record<string, Record<string, number>>;
  /** Calls that reached Google (any outcome) per client key id: what a client's daily limit counts. */
  clients: Record<string, number>;
}

/** One ledger row as the counts need it. */
export interface TailRow {
  id: number;
  day: string;
  geminiKeyId: string | null;
  model: string;
  clientKeyId: string;
  served: number | boolean;
  attempts: number;
}

/** Thresholds below which a row is already in the base (or, for keys, before a reset). */
export interface CountFrom {
  keys: number;
  clients: number;
}

/** Adds rows (in id order) to the counts. */
export function countRows(counts: DayCounts, rows: readonly TailRow[], from: CountFrom = { keys: counts.through, clients: counts.through }): void {
  for (const row of rows) {
    if (row.id > counts.through) counts.through = row.id;
    if (row.day !== counts.day) continue;
    if (row.id > from.clients && row.attempts > 0) counts.clients[row.clientKeyId] = (counts.clients[row.clientKeyId] ?? 0) + 1;
    if (row.id > from.keys && row.served && row.geminiKeyId) {
      const models = (counts.keys[row.geminiKeyId] ??= {});
      models[row.model] = (models[row.model] ?? 0) + 1;
    }
  }
}

/** Same figures (the cursor aside): nothing worth a KV write. */
export function sameCounts(a: DayCounts, b: DayCounts): boolean {
  return a.day === b.day && a.resetThrough === b.resetThrough && sameRecord(a.clients, b.clients) && sameNested(a.keys, b.keys);
}

export function emptyCounts(day: string, through: number, resetThrough: number | null): DayCounts {
  return { day, through, resetThrough, keys: {}, clients: {} };
}

export function copyCounts(counts: DayCounts): DayCounts {
  return {
    ...counts,
    keys: Object.fromEntries(Object.entries(counts.keys).map(([id, models]) => [id, { ...models }])),
    clients: { ...counts.clients },
  };
}

function sameRecord(a: Record<string, number>, b: Record<string, number>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if ((a[name] ?? 0) !== (b[name] ?? 0)) return false;
  return true;
}

function sameNested(a: Record<string, Record<string, number>>, b: Record<string, Record<string, number>>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if (!sameRecord(a[name] ?? {}, b[name] ?? {})) return false;
  return true;
}
