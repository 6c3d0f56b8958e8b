// Built once per isolate: constructing an Intl formatter costs far more than using one.
const pacificDayFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/Los_Angeles",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The day (`YYYY-MM-DD`) in America/Los_Angeles at `at`; Gemini quotas and the ledger use it. */
export function pacificDay(at: Date = new Date()): string {
  return pacificDayFormat.format(at);
}
