// The load itself: bursts of the mix, with cron runs between some of them.
import { loadAverage } from "../lib.mjs";
import { cronRun } from "./measure.mjs";
import { bursts, callsOf, runBurst } from "./traffic.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The cron runs' scheduled times: `count` runs on the product's cadence from the next slot.
 * Not the wall clock: the load lasts minutes, the handler decides from the scheduled time,
 * and work it does only some of the time (an hourly fold) must show in the sample as often
 * as it does in a day.
 */
export function cronSchedule(count, cadenceMs, now = Date.now()) {
  const first = Math.ceil(now / cadenceMs) * cadenceMs;
  return Array.from({ length: count }, (_, k) => first + k * cadenceMs);
}

/**
 * Sends the jobs in bursts (failures topped up before each, the fake's log read after),
 * with the cron runs spread evenly between bursts. Returns every call's outcome and the
 * cron runs' figures.
 */
export async function drive({ base, bench, jobs, injector, rng, options, cron, cronTimes, log }) {
  const plan = bursts(jobs, options.burst);
  const cronAfter = new Map(); // burst index -> scheduled times of the cron runs that follow it
  for (const [k, at] of cronTimes.entries()) {
    const i = Math.floor(((k + 1) * plan.length) / (cronTimes.length + 1));
    cronAfter.set(i, [...(cronAfter.get(i) ?? []), at]);
  }
  const outcomes = [];
  const cronRuns = [];
  let done = 0;
  let reported = 0;
  const started = Date.now();
  for (const [i, burst] of plan.entries()) {
    const size = burst.reduce((n, job) => n + callsOf(job), 0);
    await injector.topUp(done + size);
    outcomes.push(...(await runBurst(base, burst, options.concurrency)));
    done += size;
    await injector.collect();
    for (const at of cronAfter.get(i) ?? []) cronRuns.push(await cronRun(bench, at, cron, `run ${cronRuns.length + 1} (after ${done} calls)`));
    if (done - reported >= options.calls / 10) {
      reported = done;
      log(`  ${done}/${options.calls} calls, ${((Date.now() - started) / 1000).toFixed(0)} s, load average ${loadAverage()}`);
    }
    if (i < plan.length - 1) await sleep(options.pauseMin + rng() * (options.pauseMax - options.pauseMin));
  }
  return { outcomes, cronRuns, seconds: (Date.now() - started) / 1000 };
}
