// Child processes for the e2e run: one-shot wrangler commands, and long-running
// process groups (wrangler dev -> workerd) that must be stopped as a whole.

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, cpSync, existsSync, openSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const WRANGLER_BIN = path.join(REPO_ROOT, "node_modules/.bin/wrangler");

/** Environment that keeps wrangler quiet, offline and writing inside the repo's .tmp/. */
export function wranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(REPO_ROOT, ".tmp/xdg"),
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    // wrangler.toml is read once; a mid-run edit by someone else must not restart the Worker.
    WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true",
    CI: "1",
    FORCE_COLOR: "0",
  };
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What `wrangler dev` needs from the tree; copied so the run serves a fixed Worker. */
const PROJECT_FILES = ["wrangler.toml", "tsconfig.json", "src", "drizzle", "web/dist"];

/**
 * Copies the Worker's sources, migrations, built panel and wrangler.toml into dest. Others
 * edit the tree while a suite runs; a snapshot keeps wrangler dev from reloading (or failing
 * to build) mid-run. Packages still resolve from the repo's node_modules (a parent folder).
 */
export function snapshotProject(dest: string): void {
  for (const entry of PROJECT_FILES) {
    const from = path.join(REPO_ROOT, entry);
    if (existsSync(from)) cpSync(from, path.join(dest, entry), { recursive: true });
  }
}

/** Runs `wrangler <args>` to completion (in the repo root unless cwd says otherwise). */
export function runWrangler(args: string[], timeoutMs = 120_000, cwd = REPO_ROOT): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER_BIN, args, { cwd, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`wrangler ${args.join(" ")} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a detached process group whose stdout and stderr go to logFile. */
export function startGroup(command: string, args: string[], logFile: string, cwd = REPO_ROOT): ChildProcess {
  const log = openSync(logFile, "a");
  try {
    return spawn(command, args, { cwd, env: wranglerEnv(), detached: true, stdio: ["ignore", log, log] });
  } finally {
    closeSync(log);
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group, then SIGKILL whatever is still there after graceMs. */
export async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !groupAlive(pid)) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pid)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** The last lines of a log file, for failure messages. */
export function tail(file: string, lines = 60): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return `(no log at ${file})`;
  }
}
