// Command-line options of run.mjs.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "3000" },
    burst: { type: "string", default: "30" },
    concurrency: { type: "string", default: "6" },
    pause: { type: "string", default: "1000-3000" },
    "tool-share": { type: "string", default: "0.10" },
    "stream-share": { type: "string", default: "0.20" },
    "fail-rate": { type: "string", default: "0.05" },
    "gemini-keys": { type: "string", default: "20" },
    clients: { type: "string", default: "5" },
    "daily-limit": { type: "string" },
    "cron-runs": { type: "string" },
    "admin-per-day": { type: "string", default: "20" },
    isolates: { type: "string", default: "3" },
    "trickle-seconds": { type: "string", default: "60" },
    "storage-calls-per-day": { type: "string", default: "50000" },
    seed: { type: "string", default: "1" },
    "product-dir": { type: "string" },
    keep: { type: "boolean", default: false },
  },
});

const calls = Number(values.calls);
const clients = Number(values.clients);
const [pauseMin, pauseMax = pauseMin] = values.pause.split("-").map(Number);

export const options = {
  calls,
  burst: Number(values.burst),
  concurrency: Number(values.concurrency),
  pauseMin,
  pauseMax,
  toolShare: Number(values["tool-share"]),
  streamShare: Number(values["stream-share"]),
  failRate: Number(values["fail-rate"]),
  geminiKeys: Number(values["gemini-keys"]),
  clients,
  // By default the limited client runs into its limit at about 80% of its share of the calls.
  dailyLimit: values["daily-limit"] === undefined ? Math.max(1, Math.round((0.8 * calls) / clients)) : Number(values["daily-limit"]),
  // Default: two hours of the product's cron cadence (run.mjs), so the sample holds the hourly work.
  cronRuns: values["cron-runs"] === undefined ? null : Number(values["cron-runs"]),
  adminPerDay: Number(values["admin-per-day"]),
  isolates: Number(values.isolates),
  trickleSeconds: Number(values["trickle-seconds"]),
  storageCallsPerDay: Number(values["storage-calls-per-day"]),
  seed: Number(values.seed),
  productDir: values["product-dir"],
  keep: values.keep,
};
