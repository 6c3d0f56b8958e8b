import { describe, expect, it } from "vitest";
import { nextPacificMidnight, pacificDay, pacificMinuteOfDay } from "../../src/util/pacific-day";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

// 2026: clocks spring forward on Sun Mar 8 (02:00 PST -> 03:00 PDT) and fall back on
// Sun Nov 1 (02:00 PDT -> 01:00 PST). Pacific midnight is 08:00 UTC in PST, 07:00 UTC in PDT.
describe("pacificDay", () => {
  it.each([
    ["2026-03-08T07:59:59.999Z", "2026-03-07"],
    ["2026-03-08T08:00:00.000Z", "2026-03-08"], // PST midnight
    ["2026-03-09T06:59:59.999Z", "2026-03-08"], // the 23-hour day ends an hour early in UTC
    ["2026-03-09T07:00:00.000Z", "2026-03-09"], // PDT midnight
    ["2026-11-01T06:59:59.999Z", "2026-10-31"],
    ["2026-11-01T07:00:00.000Z", "2026-11-01"], // PDT midnight
    ["2026-11-01T08:30:00.000Z", "2026-11-01"], // 01:30 PDT
    ["2026-11-01T09:30:00.000Z", "2026-11-01"], // 01:30 PST, the repeated hour
    ["2026-11-02T07:59:59.999Z", "2026-11-01"], // the 25-hour day
    ["2026-11-02T08:00:00.000Z", "2026-11-02"], // PST midnight
  ])("%s is Pacific day %s", (instant, day) => {
    expect(pacificDay(at(instant))).toBe(day);
  });
});

describe("nextPacificMidnight", () => {
  it.each([
    ["2026-03-07T20:00:00.000Z", "2026-03-08T08:00:00.000Z"], // noon PST, the day before the change
    ["2026-03-08T08:00:00.000Z", "2026-03-09T07:00:00.000Z"], // at midnight: the next one, 23 h later
    ["2026-03-08T09:30:00.000Z", "2026-03-09T07:00:00.000Z"], // 01:30 PST, before the jump
    ["2026-03-08T12:00:00.000Z", "2026-03-09T07:00:00.000Z"], // 05:00 PDT, after it
    ["2026-03-09T06:59:59.999Z", "2026-03-09T07:00:00.000Z"],
    ["2026-10-31T19:00:00.000Z", "2026-11-01T07:00:00.000Z"], // noon PDT, the day before
    ["2026-11-01T06:59:59.999Z", "2026-11-01T07:00:00.000Z"],
    ["2026-11-01T07:00:00.000Z", "2026-11-02T08:00:00.000Z"], // the 25-hour day
    ["2026-11-01T08:30:00.000Z", "2026-11-02T08:00:00.000Z"], // 01:30 PDT
    ["2026-11-01T09:30:00.000Z", "2026-11-02T08:00:00.000Z"], // 01:30 PST
    ["2026-07-15T18:00:00.000Z", "2026-07-16T07:00:00.000Z"], // summer
    ["2026-01-15T18:00:00.000Z", "2026-01-16T08:00:00.000Z"], // winter
    ["2026-12-31T23:00:00.000Z", "2027-01-01T08:00:00.000Z"], // year end
  ])("after %s comes %s", (instant, midnight) => {
    expect(iso(nextPacificMidnight(at(instant)))).toBe(midnight);
  });

  it("lands on a minute-of-day of 0 and changes the day, every hour of 2026", () => {
    const start = at("2026-01-01T00:00:00.000Z");
    for (let t = start; t < at("2027-01-01T00:00:00.000Z"); t += 3_600_000 + 61_000) {
      const midnight = nextPacificMidnight(t);
      expect(midnight).toBeGreaterThan(t);
      expect(pacificMinuteOfDay(midnight)).toBe(0);
      expect(pacificDay(midnight)).not.toBe(pacificDay(t));
      expect(pacificDay(midnight - 1)).toBe(pacificDay(t));
    }
  });
});
