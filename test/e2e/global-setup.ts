// Starts what every e2e test talks to: the fake Gemini API and `wrangler dev` (local KV
// and D1 in a fresh persist dir under .tmp/, migrations applied first), and stops both.

import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startFakeGemini } from "../fake-gemini/server.mjs";
import { freePort, REPO_ROOT, runWrangler, snapshotProject, startGroup, stopGroup, tail, WRANGLER_BIN } from "./processes";

declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
    fakeUrl: string;
    adminPassword: string;
    persistDir: string;
  }
}

const READY_TIMEOUT_MS = 90_000;
/** Persist dirs (with their wrangler-dev.log) are kept this long for debugging, then removed. */
const KEEP_RUNS_MS = 60 * 60 * 1000;

function removeOldRuns(tmpDir: string) {
  let entries: string[] = [];
  try {
    entries = readdirSync(tmpDir).filter((name) => /^e2e-\d{4}-/.test(name));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = path.join(tmpDir, name);
    if (Date.now() - statSync(dir).mtimeMs > KEEP_RUNS_MS) rmSync(dir, { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject) {
  const fake = await startFakeGemini();
  if (process.env.E2E_FAKE_ONLY === "1") {
    // For working on the fake or the harness without a Worker: only the fake runs.
    project.provide("workerUrl", "");
    project.provide("fakeUrl", fake.url);
    project.provide("adminPassword", "");
    project.provide("persistDir", "");
    return () => fake.close();
  }

  removeOldRuns(path.join(REPO_ROOT, ".tmp"));
  const persistDir = path.join(REPO_ROOT, ".tmp", `e2e-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(persistDir, { recursive: true });
  mkdirSync(path.join(REPO_ROOT, ".tmp/xdg"), { recursive: true });
  const logFile = path.join(persistDir, "wrangler-dev.log");
  let dev: ChildProcess | undefined;
  const teardown = async () => {
    if (dev) await stopGroup(dev);
    await fake.close();
  };

  try {
    const app = path.join(persistDir, "app");
    snapshotProject(app);
    const migrate = await runWrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], 120_000, app);
    if (migrate.code !== 0) {
      throw new Error(`d1 migrations apply failed (exit ${migrate.code}):\n${migrate.stdout}\n${migrate.stderr}`);
    }

    const adminPassword = randomBytes(24).toString("base64url");
    const sessionSecret = randomBytes(36).toString("base64url"); // 48 characters
    const port = await freePort();
    const inspectorPort = await freePort();
    dev = startGroup(
      WRANGLER_BIN,
      [
        "dev",
        "--ip", "127.0.0.1",
        "--port", String(port),
        "--inspector-port", String(inspectorPort),
        "--persist-to", persistDir,
        "--show-interactive-dev-session=false",
        "--test-scheduled",
        "--var", `GEMINI_API_BASE:${fake.url}`,
        "--var", `ADMIN_PASSWORD:${adminPassword}`,
        "--var", `SESSION_SECRET_KEY:${sessionSecret}`,
      ],
      logFile,
      app,
    );
    const workerUrl = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(workerUrl, dev, logFile);

    project.provide("workerUrl", workerUrl);
    project.provide("fakeUrl", fake.url);
    project.provide("adminPassword", adminPassword);
    project.provide("persistDir", persistDir);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

async function waitUntilAnswering(url: string, dev: ChildProcess, logFile: string) {
  let exited: number | null | undefined;
  dev.once("exit", (code) => (exited = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(`wrangler dev exited (code ${exited}) before answering. Log tail (${logFile}):\n${tail(logFile)}`);
    }
    // wrangler dev keeps running (watching for edits) after a failed build; don't wait for it.
    if (/Build failed/.test(tail(logFile, 400))) {
      throw new Error(`wrangler dev could not build the Worker. Log tail (${logFile}):\n${tail(logFile)}`);
    }
    try {
      await fetch(`${url}/v1/models`, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`wrangler dev did not answer within ${READY_TIMEOUT_MS} ms. Log tail (${logFile}):\n${tail(logFile)}`);
}
