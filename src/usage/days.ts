/** Calendar arithmetic on `YYYY-MM-DD` day strings, done in UTC so no zone can shift a day. */

const DAY_MS = 86_400_000;

function dayToEpoch(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

function epochToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return epochToDay(dayToEpoch(day) + days * DAY_MS);
}

/** Number of days from `from` to `to`, both included (0 when `to` is before `from`). */
export function countDays(from: string, to: string): number {
  return Math.max(0, Math.round((dayToEpoch(to) - dayToEpoch(from)) / DAY_MS) + 1);
}

/** Every day from `from` to `to`, both included, in order. */
export function listDays(from: string, to: string): string[] {
  const start = dayToEpoch(from);
  return Array.from({ length: countDays(from, to) }, (_, i) => epochToDay(start + i * DAY_MS));
}
