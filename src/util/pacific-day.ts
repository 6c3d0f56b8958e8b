// Gemini's daily quotas reset at midnight America/Los_Angeles. Day arithmetic lives here so
// every counter, state expiry and the cron agree on what "today" is, across DST changes.

const TIME_ZONE = "America/Los_Angeles";

const dayFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

const hourFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: TIME_ZONE,
  hourCycle: "h23",
  hour: "2-digit",
  minute: "2-digit",
});

// Formatting a date in a time zone costs more than the rest of a call's bookkeeping, and
// every call asks for "today" several times: remember the current day and where it ends.
let current: { day: string; from: number; until: number } | undefined;

/** The Pacific calendar day (YYYY-MM-DD) of an instant. */
export function pacificDay(ms: number): string {
  if (current && ms >= current.from && ms < current.until) return current.day;
  const day = dayFormat.format(ms);
  current = { day, from: ms, until: nextMidnightAfter(ms, day) };
  return day;
}

/** Minutes past Pacific midnight of an instant (0..1439). */
export function pacificMinuteOfDay(ms: number): number {
  const [hour = "0", minute = "0"] = hourFormat.format(ms).split(":");
  return Number(hour) * 60 + Number(minute);
}

/** The first instant of the next Pacific day after `ms` (DST-aware). */
export function nextPacificMidnight(ms: number): number {
  return nextMidnightAfter(ms, pacificDay(ms));
}

function nextMidnightAfter(ms: number, today: string): number {
  // Midnight is 07:00 or 08:00 UTC; start from a lower bound and step an hour at a time.
  const [y, m, d] = today.split("-").map(Number) as [number, number, number];
  let candidate = Date.UTC(y, m - 1, d + 1, 6, 0, 0);
  while (dayFormat.format(candidate) === today) candidate += 3_600_000;
  // candidate is now within the first hour of the next day; back off to its exact start.
  return candidate - pacificMinuteOfDay(candidate) * 60_000 - (candidate % 60_000);
}
