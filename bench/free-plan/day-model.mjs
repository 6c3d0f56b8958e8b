// The per-day model of the free plan: for each billed resource, calls a day allowed =
// floor((limit - fixed per day) / per call), where "fixed per day" is what the cron and the
// admin cost whatever the traffic. And the D1 size that raw ledger retention needs.
import { dec, int } from "./format.mjs";
import { FREE_PLAN } from "./limits.mjs";
import { RESOURCES } from "./ops.mjs";

export const STORAGE_RESOURCE = "D1 storage";

/**
 * @param perCall       billed figures per proxied call (ops.mjs figures / calls)
 * @param cronNormal    average figures of one ordinary cron run
 * @param cronReset     figures of the daily-reset run (null when not measured)
 * @param runsPerDay    cron runs a day (from the [triggers] crons of the product's wrangler.toml)
 * @param adminPerRequest  average figures of one admin request (from the seeding)
 * @param adminPerDay   admin requests assumed per day
 */
export function dayModel({ perCall, cronNormal, cronReset, runsPerDay, adminPerRequest, adminPerDay }) {
  const ordinaryRuns = cronReset ? runsPerDay - 1 : runsPerDay;
  return RESOURCES.map(([key, label]) => {
    const x = perCall[key];
    const cron = ordinaryRuns * cronNormal[key] + (cronReset ? cronReset[key] : 0);
    const admin = adminPerDay * adminPerRequest[key];
    const fixed = cron + admin;
    const limit = FREE_PLAN[key];
    const allowed = x > 0 ? Math.max(0, Math.floor((limit - fixed) / x)) : limit - fixed >= 0 ? Infinity : 0;
    return { key, label, perCall: x, fixedPerDay: fixed, fixedCron: cron, fixedAdmin: admin, limit, allowed };
  });
}

/**
 * D1 size: bytes per ledger row from the growth of the database over the run, and the days
 * of raw retention that fit 500 MB at `callsPerDay`. When the product prunes the ledger to a
 * size (settings.retentionMaxMb, MiB as the product counts it), size caps the days kept, not
 * the calls; otherwise the calls a day that fit `retentionDays` are a ceiling like the others.
 */
export function storageModel({ sizeBefore, sizeAfter, rowsBefore, rowsAfter, callsPerDay, retentionDays, retentionMaxMb }) {
  const rows = rowsAfter - rowsBefore;
  if (!(rows > 0) || !(sizeAfter > 0)) return null;
  const bytesPerRow = (sizeAfter - sizeBefore) / rows;
  const room = FREE_PLAN.d1Bytes - sizeBefore;
  const capBytes = retentionMaxMb === null ? null : retentionMaxMb * 1024 * 1024;
  return {
    rows,
    bytesPerRow,
    baseBytes: sizeBefore,
    callsPerDay,
    daysAtCallsPerDay: room / (bytesPerRow * callsPerDay),
    retentionDays,
    retentionMaxMb,
    keptDaysAtCallsPerDay: capBytes === null ? null : Math.min(retentionDays, (capBytes - sizeBefore) / (bytesPerRow * callsPerDay)),
    allowed: capBytes !== null || !(bytesPerRow > 0) ? Infinity : Math.floor(room / (bytesPerRow * retentionDays)),
  };
}


export function printDayModel(log, rows, storage) {
  for (const r of rows) {
    const formula = r.perCall > 0 ? `floor((${int(r.limit)} - ${dec(r.fixedPerDay)}) / ${dec(r.perCall)})` : "per call is 0";
    log(
      `${r.label}: per call ${dec(r.perCall)}, fixed per day ${dec(r.fixedPerDay)} (cron ${dec(r.fixedCron)}, admin ${dec(r.fixedAdmin)}), ` +
        `limit ${int(r.limit)} → calls a day it allows = ${formula} = ${int(r.allowed)}`,
    );
  }
  if (!storage) {
    log(`${STORAGE_RESOURCE}: not measured (no ledger rows or no size_after)`);
    return;
  }
  const head =
    `${STORAGE_RESOURCE}: ${storage.bytesPerRow.toFixed(0)} bytes per ledger row (database growth over ${int(storage.rows)} ledger rows, ` +
    `roll-ups, signatures and indexes included); 500 MB holds ${storage.daysAtCallsPerDay.toFixed(1)} days of raw retention at ${int(storage.callsPerDay)} calls/day`;
  if (storage.retentionMaxMb !== null) {
    log(
      `${head}; the product prunes the ledger to retentionMaxMb ${storage.retentionMaxMb} MiB (settings), so size caps the days kept, ` +
        `not the calls: at ${int(storage.callsPerDay)} calls/day it keeps min(${storage.retentionDays}, ${storage.keptDaysAtCallsPerDay.toFixed(1)}) days of raw calls`,
    );
  } else {
    log(
      `${head}; at the product's retention of ${storage.retentionDays} days it allows ` +
        `floor((${int(FREE_PLAN.d1Bytes)} - ${int(storage.baseBytes)}) / (${storage.bytesPerRow.toFixed(0)} × ${storage.retentionDays})) = ${int(storage.allowed)} calls a day`,
    );
  }
}

/** Every ceiling, lowest first (the D1 size counts only when it caps the calls). */
export function ceilings(rows, storage) {
  const all = rows.map((r) => ({ label: r.label, allowed: r.allowed }));
  if (storage && Number.isFinite(storage.allowed)) all.push({ label: `${STORAGE_RESOURCE} at ${storage.retentionDays} days retention`, allowed: storage.allowed });
  return all.sort((a, b) => a.allowed - b.allowed);
}

export function printCeilings(log, list) {
  log(`ceilings, lowest first: ${list.map((c) => `${c.label} ${int(c.allowed)}`).join("; ")}`);
}
