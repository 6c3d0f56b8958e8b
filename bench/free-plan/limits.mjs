// Cloudflare's free-plan limits (per account per day, D1 size per database) and the cron
// cadence read from a wrangler.toml.
import { readFileSync } from "node:fs";

export const FREE_PLAN = {
  workerRequests: 100_000,
  kvReads: 100_000, // a bulk get is billed per key
  kvWrites: 1_000,
  kvDeletes: 1_000,
  kvLists: 1_000,
  d1RowsRead: 5_000_000,
  d1RowsWritten: 100_000,
  d1Bytes: 500 * 1000 * 1000, // 500 MB, counted as 500,000,000 bytes
};

/** The `[triggers] crons` expressions of a wrangler.toml (empty when it has none). */
export function cronsOf(wranglerTomlPath) {
  const text = readFileSync(wranglerTomlPath, "utf8");
  const match = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(text);
  if (!match) return [];
  return [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

// Whether `value` matches one cron field: a star, a step (star slash n), a range a-b with or
// without a step, or a comma list of these.
function fieldMatches(field, value) {
  return field.split(",").some((part) => {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let [low, high] = [0, Infinity];
    if (range !== "*") {
      const [a, b] = range.split("-").map(Number);
      [low, high] = [a, b ?? (stepText === undefined ? a : Infinity)];
    }
    return value >= low && value <= high && (value - low) % step === 0;
  });
}

/**
 * Runs a day of one cron expression, from its minute and hour fields (the day fields are
 * taken as every day).
 */
export function runsPerDay(expression) {
  const [minute, hour] = expression.trim().split(/\s+/);
  let runs = 0;
  for (let h = 0; h < 24; h++) {
    if (!fieldMatches(hour, h)) continue;
    for (let m = 0; m < 60; m++) if (fieldMatches(minute, m)) runs++;
  }
  return runs;
}
