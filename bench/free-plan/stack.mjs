// The processes of one run: the fake Gemini server and `wrangler dev` on the counting Worker,
// each in its own process group (bench/lib.mjs stopAll() ends them). The product is copied
// first, so edits to the tree during a run change nothing.
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, WRANGLER_BIN, freePort, run, startGroup, waitUntilAnswering } from "../lib.mjs";

const BENCH_FILES = ["wrangler.toml", "counting-worker.ts", "counting-kv.ts", "counting-d1.ts", "counters.ts"];

/** Copies the product (from productDir) and the counting entry into workDir/app. */
function snapshotProduct(productDir, app) {
  for (const entry of ["wrangler.toml", "tsconfig.json", "src", "drizzle", "web/dist"]) {
    const from = path.join(productDir, entry);
    if (existsSync(from)) cpSync(from, path.join(app, entry), { recursive: true });
  }
  mkdirSync(path.join(app, "web/dist"), { recursive: true });
  for (const file of BENCH_FILES) {
    cpSync(path.join(REPO_ROOT, "bench/free-plan", file), path.join(app, "bench/free-plan", file));
  }
  return path.join(app, "bench/free-plan/wrangler.toml");
}

async function startFake(workDir) {
  const port = await freePort();
  const logFile = path.join(workDir, "fake-gemini.log");
  const cli = path.join(REPO_ROOT, "test/fake-gemini/cli.mjs");
  const child = startGroup(process.execPath, [cli, "--port", String(port), "--quiet"], logFile);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/__control/state`, child, logFile, 15_000);
  return url;
}

/**
 * Starts everything. Returns the Worker's URL, the fake's URL, the admin password, and the
 * path of the measured product's copy (its wrangler.toml holds the cron cadence).
 */
export async function startStack({ workDir, productDir }) {
  const app = path.join(workDir, "app");
  const config = snapshotProduct(productDir, app);
  const state = path.join(workDir, "state");
  const fakeUrl = await startFake(workDir);

  const migrate = await run(WRANGLER_BIN, ["d1", "migrations", "apply", "DB", "--local", "--config", config, "--persist-to", state], { cwd: app });
  if (migrate.code !== 0) throw new Error(`migrations failed:\n${migrate.out}`);

  const adminPassword = randomBytes(24).toString("base64url");
  const sessionSecret = randomBytes(36).toString("base64url");
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const devLog = path.join(workDir, "wrangler-dev.log");
  const dev = startGroup(WRANGLER_BIN, [
    "dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port),
    "--inspector-port", String(inspectorPort), "--persist-to", state,
    "--show-interactive-dev-session=false", "--test-scheduled",
    "--var", `GEMINI_API_BASE:${fakeUrl}`,
    "--var", `ADMIN_PASSWORD:${adminPassword}`,
    "--var", `SESSION_SECRET_KEY:${sessionSecret}`,
  ], devLog, app);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/__bench/ops`, dev, devLog);
  return { url, fakeUrl, adminPassword, app, devLog, state };
}
