// Printing of the measured figures (the per-day model prints itself: day-model.mjs).
import { dec } from "./format.mjs";
import { kvBreakdown } from "./ops.mjs";

const count = (list, pred) => list.filter(pred).length;

export function printTraffic(log, outcomes, tally, limitedClient) {
  const kinds = ["plain", "stream", "tool", "tool-follow-up"].map((k) => `${k} ${count(outcomes, (o) => o.kind === k)}`);
  const ok = count(outcomes, (o) => o.ok);
  const limited = outcomes.filter((o) => o.code === "client_daily_limit");
  const errors = outcomes.filter((o) => !o.ok && o.code !== "client_daily_limit");
  const byError = {};
  for (const e of errors) byError[`${e.kind} ${e.status} ${e.code ?? ""}`.trim()] = (byError[`${e.kind} ${e.status} ${e.code ?? ""}`.trim()] ?? 0) + 1;
  log(`proxied calls: ${outcomes.length} (${kinds.join(", ")}); answered as expected ${ok}`);
  log(
    `  client "${limitedClient.name}" (daily limit ${limitedClient.dailyLimit}): ${count(outcomes, (o) => o.client === limitedClient.name)} calls, ` +
      `${limited.length} refused with 429 client_daily_limit`,
  );
  log(`  other failed calls: ${errors.length}${errors.length ? ` ${JSON.stringify(byError)}; first: ${errors[0].sample}` : ""}`);
  const failedShare = outcomes.length ? (100 * tally.failed) / outcomes.length : 0;
  log(
    `  upstream (fake Gemini): ${tally.attempts} attempts, ${tally.failed} failed (${failedShare.toFixed(1)}% of calls met a failure): ` +
      `${JSON.stringify(tally.byOutcome)}; follow-up turns' signatures: ${JSON.stringify(tally.followUpSignatures)}`,
  );
}

export function printPerCall(log, title, per, bucket, calls) {
  log(title);
  log(`  Worker requests ${dec(per.workerRequests)}`);
  log(`  KV reads (billed keys) ${dec(per.kvReads)} (read calls ${dec(per.kvReadCalls)})`);
  log(`  KV writes ${dec(per.kvWrites)}, KV deletes ${dec(per.kvDeletes)}, KV lists ${dec(per.kvLists)}`);
  log(`  D1 rows read ${dec(per.d1RowsRead)}, D1 rows written ${dec(per.d1RowsWritten)}, D1 queries ${dec(per.d1Queries)} (batches ${dec(per.d1Batches)})`);
  for (const line of kvBreakdown(bucket, calls)) log(`  ${line}`);
  if (per.d1Uncounted > 0) log(`  WARNING: ${dec(per.d1Uncounted)} D1 statements per call without counted rows (exec, no meta, or real raw())`);
}

export function printCronRuns(log, runs, avg, max) {
  log(`cron runs (each: reset ops, run the product's scheduled handler, read ops):`);
  for (const r of runs) {
    const f = r.figures;
    log(
      `  ${r.label} at ${r.at}: ${r.ok ? `${r.ms} ms` : `FAILED ${r.error?.split("\n")[0]}`}; KV reads ${f.kvReads}, writes ${f.kvWrites}, ` +
        `deletes ${f.kvDeletes}, lists ${f.kvLists}; D1 rows read ${f.d1RowsRead}, written ${f.d1RowsWritten}, queries ${f.d1Queries}`,
    );
  }
  for (const [name, f] of [["average per run", avg], ["max per run", max]]) {
    log(
      `  ${name}: KV reads ${dec(f.kvReads)}, writes ${dec(f.kvWrites)}, deletes ${dec(f.kvDeletes)}, lists ${dec(f.kvLists)}; ` +
        `D1 rows read ${dec(f.d1RowsRead)}, written ${dec(f.d1RowsWritten)}, queries ${dec(f.d1Queries)}`,
    );
  }
}

export function printTrickle(log, t, isolates, cronReadsPerDay) {
  if (!t) return;
  log(
    `  by time, trickle probe (1 plain call a second for ${t.calls} s after the load, one isolate): KV reads ${t.figures.kvReads} = ` +
      `${t.readsPerSecond.toFixed(3)} per second${t.failed ? `; ${t.failed} calls failed` : ""}`,
  );
  for (const [name, ns] of Object.entries(t.namespaces)) {
    const every = ns.refreshes === t.calls ? " (every call read it: per call, not by time)" : "";
    log(`    ${name}: ${ns.refreshes} of ${t.calls} calls read it, ${ns.readsPerRefresh.toFixed(1)} reads each: a refresh every ${ns.cadenceS.toFixed(1)} s${every}`);
  }
  const perDay = t.readsPerSecond * 86_400 * isolates;
  log(
    `    ${isolates} isolates (--isolates) each seeing a call at least every second all day × ` +
      `${t.readsPerSecond.toFixed(3)} reads/s × 86,400 s = ${Math.round(perDay).toLocaleString("en-US")} reads/day, + cron ` +
      `${Math.round(cronReadsPerDay).toLocaleString("en-US")} = ${Math.round(perDay + cronReadsPerDay).toLocaleString("en-US")} (limit 100,000)`,
  );
}

/** KV reads by time, from the load: an isolate kept busy reads at the load's rate all day. */
export function printTimeDriven(log, { reads, seconds, isolates, cronReadsPerDay }) {
  const rate = reads / seconds;
  const perDay = rate * 86_400 * isolates;
  log(
    `  by time, from the load: ${reads} KV reads in ${seconds.toFixed(0)} s of bursts = ${rate.toFixed(3)} reads/s; ${isolates} isolates (--isolates) ` +
      `kept that busy all day: ${rate.toFixed(3)} × 86,400 × ${isolates} = ${Math.round(perDay).toLocaleString("en-US")} reads/day, + cron ` +
      `${Math.round(cronReadsPerDay).toLocaleString("en-US")} = ${Math.round(perDay + cronReadsPerDay).toLocaleString("en-US")} (limit 100,000)`,
  );
}
