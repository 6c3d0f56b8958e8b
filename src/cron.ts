import { ConfigStore } from "./config/config-store";
import type { Env } from "./env";
import { countDay } from "./pool/count-day";
import { sameCounts } from "./pool/day-counts";
import { KeyStore } from "./pool/key-store";
import { liftModelBlocks } from "./pool/reset";
import type { IsolateRuntime } from "./runtime/runtime";
import { pruneAffinities } from "./files/affinity-store";
import { pruneSignatures } from "./signatures/signature-store";
import { foldLedger, foldPosition } from "./usage/fold";
import { addPlanUsage, noteLimitHit } from "./usage/plan-usage";
import { dropPartitions, ROTATE_AFTER_MS, rotateLedger } from "./usage/ledger-partitions";
import { pruneLedger } from "./usage/retention";
import { pacificDay, pacificMinuteOfDay } from "./util/pacific-day";

/** What one cron run did, for logs and tests. */
export interface CronReport {
  day: string;
  dailyReset: boolean;
  /** Ledger rows folded into the roll-ups by this run. */
  folded: number;
  /** Whether the day's counts in KV were rewritten (only when they changed). */
  countsWritten: boolean;
  kvWrites: number;
  /** The partition the ledger was rotated to by this run (the daily reset run, about weekly). */
  rotated: string | null;
}

/** The cron fires every 10 minutes (wrangler.toml); the run in the first 10 after Pacific midnight is the daily reset. */
const RESET_WINDOW_MINUTES = 10;
/** The roll-ups are folded about hourly, or sooner when the tail grows long. */
export const FOLD_EVERY_MS = 3_600_000;
export const FOLD_AT_ROWS = 5_000;
const MB = 1024 * 1024;
const DAY_MS = 86_400_000;

/**
 * Decides from the scheduled time alone (never the wall clock), so a test can fire it for
 * any moment. Every run writes today's counts to KV when they changed; the KV writes a day
 * stay bounded (144 runs) whatever the traffic.
 */
export async function runScheduled(scheduledTime: number, env: Env): Promise<CronReport> {
  const day = pacificDay(scheduledTime);
  const dailyReset = pacificMinuteOfDay(scheduledTime) < RESET_WINDOW_MINUTES;
  const report: CronReport = { day, dailyReset, folded: 0, countsWritten: false, kvWrites: 0, rotated: null };
  let rowsWritten = 0;
  if (dailyReset) {
    report.kvWrites += await kvWrite(env, scheduledTime, () => liftModelBlocks(env.GEMINI_KEYS_KV));
  }
  const position = await foldPosition(env.DB);
  if (scheduledTime - position.foldedAt >= FOLD_EVERY_MS || position.newest - position.through >= FOLD_AT_ROWS) {
    const fold = await foldLedger(env.DB, scheduledTime);
    report.folded = fold.rows;
    rowsWritten += fold.rowsWritten;
  }
  if (dailyReset) {
    // Read directly, not through an isolate's view, whose clock scheduledTime is not.
    const { retentionDays, retentionMaxMb } = await new ConfigStore(env.WORKER_CONFIG_KV).getSettings();
    const retentionMs = retentionDays * DAY_MS;
    report.rotated = await rotateLedger(env.DB, scheduledTime, Math.min(ROTATE_AFTER_MS, retentionMs));
    const { bytes } = await dropPartitions(env.DB, { beforeTs: scheduledTime - retentionMs, maxBytes: retentionMaxMb * MB });
    // Only when dropping whole partitions was not enough: old rows one by one (each a row written).
    if (bytes > retentionMaxMb * MB) {
      const pruned = await pruneLedger(env.DB, { beforeTs: 0, maxBytes: retentionMaxMb * MB });
      rowsWritten += pruned.rowsWritten;
    }
    await pruneSignatures(env.DB, scheduledTime);
    await pruneAffinities(env.DB, scheduledTime);
  }
  report.kvWrites += await kvWrite(env, scheduledTime, async () => {
    const store = new KeyStore(env.GEMINI_KEYS_KV);
    const known = await store.readCounts(day);
    const counts = await countDay(env.DB, day, known);
    if (known && sameCounts(known, counts)) return 0;
    await store.writeCounts(counts);
    report.countsWritten = true;
    return 1;
  });
  await addPlanUsage(env.DB, scheduledTime, { kv_writes: report.kvWrites, d1_rows_written: rowsWritten });
  return report;
}

/** A refused KV write (over the free plan's 1,000 a day) is noted and retried by the next run. */
async function kvWrite(env: Env, at: number, write: () => Promise<number>): Promise<number> {
  try {
    return await write();
  } catch (error) {
    console.warn(`cron: a KV write was refused, the next run retries it: ${String(error)}`);
    await noteLimitHit(env.DB, at, "kv_writes", String(error));
    return 0;
  }
}

export async function scheduled(
  controller: ScheduledController,
  env: Env,
  ctx: ExecutionContext,
  runtime: IsolateRuntime,
): Promise<void> {
  const report = runtime.schema.ensure(env.DB).then(() => runScheduled(controller.scheduledTime, env)).then((r) => {
    if (r.dailyReset) runtime.liftHolds();
    console.log(
      `cron ${controller.cron}: day ${r.day}, reset ${r.dailyReset}, folded ${r.folded}, counts written ${r.countsWritten}`,
    );
  });
  ctx.waitUntil(report);
  await report;
}
