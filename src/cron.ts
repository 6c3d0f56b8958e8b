import { ConfigStore } from "./config/config-store";
import type { Env } from "./env";
import { KeyStore } from "./pool/key-store";
import { pacificDay, pacificMinuteOfDay } from "./pool/pacific-day";
import { reconcileCounters } from "./pool/reconcile";
import { liftModelBlocks } from "./pool/reset";
import { pruneSignatures } from "./signatures/signature-store";
import { ledgerCountsForDay, pruneLedger } from "./usage/ledger-counts";

/** What one cron run did, for logs and tests. */
export interface CronReport {
  day: string;
  dailyReset: boolean;
  countersWritten: number;
}

/** The first minutes after Pacific midnight: the daily reset runs on any cron firing then. */
const RESET_WINDOW_MINUTES = 5;

/**
 * Decides from the scheduled time alone (never the wall clock) whether this run is the
 * Pacific midnight reset; cron runs in UTC, so "0 7" and "0 8" cover PDT and PST. Every run
 * reconciles today's counters from the ledger.
 */
export async function runScheduled(scheduledTime: number, env: Env): Promise<CronReport> {
  const day = pacificDay(scheduledTime);
  const dailyReset = pacificMinuteOfDay(scheduledTime) < RESET_WINDOW_MINUTES;
  let countersWritten = 0;
  if (dailyReset) {
    await liftModelBlocks(env.GEMINI_KEYS_KV);
    // Read directly, not through the proxy's isolate cache, whose clock scheduledTime is not.
    const { retentionDays } = await new ConfigStore(env.WORKER_CONFIG_KV).getSettings();
    await pruneLedger(env.DB, scheduledTime - retentionDays * 86_400_000);
    await pruneSignatures(env.DB, scheduledTime);
  }
  countersWritten += await reconcileDay(env, day);
  return { day, dailyReset, countersWritten };
}

async function reconcileDay(env: Env, day: string): Promise<number> {
  const since = await new KeyStore(env.GEMINI_KEYS_KV).readResetMarker(day);
  const counts = await ledgerCountsForDay(env.DB, day, since);
  return reconcileCounters(env.GEMINI_KEYS_KV, day, counts);
}

export const scheduled: ExportedHandlerScheduledHandler<Env> = async (controller, env, ctx) => {
  const report = runScheduled(controller.scheduledTime, env).then((r) => {
    console.log(`cron ${controller.cron}: day ${r.day}, reset ${r.dailyReset}, counters written ${r.countersWritten}`);
  });
  ctx.waitUntil(report);
  await report;
};
