import { randomBytes } from "node:crypto";
// Helpers shared by the benchmark scripts: wrangler process groups, readiness, the load generator.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");
export const WRANGLER_BIN = path.join(REPO_ROOT, "node_modules/.bin/wrangler");

/** Keeps wrangler quiet, offline and writing inside the repo's .tmp/ (see TOOLCHAIN.md). */
export function wranglerEnv() {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(REPO_ROOT, ".tmp/xdg"),
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true",
    CI: "1",
    FORCE_COLOR: "0",
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion (bounded by timeoutMs). */
export function run(command, args, { cwd = REPO_ROOT, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const groups = new Set();

/** Starts a detached process group (stdout+stderr to logFile); stopAll() ends it. */
export function startGroup(command, args, logFile, cwd = REPO_ROOT) {
  const log = openSync(logFile, "a");
  try {
    const child = spawn(command, args, { cwd, env: wranglerEnv(), detached: true, stdio: ["ignore", log, log] });
    groups.add(child.pid);
    return child;
  } finally {
    closeSync(log);
  }
}

function alive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to each group this process started, SIGKILL after 5 s. */
export async function stopAll() {
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      groups.delete(pid);
    }
  }
  const deadline = Date.now() + 5_000;
  while ([...groups].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of groups) {
    if (alive(pid)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    groups.delete(pid);
  }
}

export function tail(file, chars = 3000) {
  return existsSync(file) ? readFileSync(file, "utf8").slice(-chars) : "";
}

/** Waits until url answers at all (any status). */
export async function waitUntilAnswering(url, child, logFile, timeoutMs = 90_000) {
  let exited;
  child.once("exit", (code) => (exited = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`process exited (${exited}) before answering:\n${tail(logFile)}`);
    if (/Build failed/.test(tail(logFile, 400))) throw new Error(`wrangler dev could not build:\n${tail(logFile)}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${tail(logFile)}`);
}

export function loadAverage() {
  return os.loadavg().map((x) => x.toFixed(2)).join(" ");
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Closed-loop load: `concurrency` workers, each sending its next request when the last one
 * ended, until `requests` have been sent or `maxMs` has passed. Keep-alive sockets.
 * `check(status, body)` returns true for a good answer; bad ones are counted, not timed out.
 */
export async function closedLoop({ url, headers, body, concurrency, requests, maxMs = 120_000, check }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const payload = Buffer.from(body);
  const latencies = [];
  const ttfbs = [];
  let sent = 0;
  let bad = 0;
  let firstBad = null;
  const started = performance.now();
  const deadline = started + maxMs;

  const one = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      let t1 = null;
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { ...headers, "content-type": "application/json", "content-length": payload.length },
          timeout: 30_000,
        },
        (res) => {
          const parts = [];
          res.on("data", (c) => {
            t1 ??= performance.now();
            parts.push(c);
          });
          res.on("end", () => {
            const t2 = performance.now();
            const text = Buffer.concat(parts).toString("utf8");
            if (check(res.statusCode, text)) {
              latencies.push(t2 - t0);
              ttfbs.push((t1 ?? t2) - t0);
            } else {
              bad++;
              firstBad ??= `${res.statusCode} ${text.slice(0, 300)}`;
            }
            resolve();
          });
          res.on("error", () => {
            bad++;
            resolve();
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => {
        bad++;
        firstBad ??= String(e);
        resolve();
      });
      req.end(payload);
    });

  const worker = async () => {
    while (sent < requests && performance.now() < deadline) {
      sent++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  ttfbs.sort((a, b) => a - b);
  return {
    sent,
    ok: latencies.length,
    bad,
    firstBad,
    elapsedMs,
    rps: latencies.length / (elapsedMs / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    ttfbP50: percentile(ttfbs, 50),
  };
}

export function median(values) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user+system, ms) used so far by every live process in process group pgid (Linux /proc). */
export function groupCpuMs(pgid) {
  let ticks = 0;
  let entries = [];
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return NaN;
  }
  for (const pid of entries) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the ")" that ends the command name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

const KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";

/** A well-formed (fake) Gemini key: AIza + 35 characters of [0-9A-Za-z_-]. */
export const geminiKey = () => "AIza" + Array.from(randomBytes(35), (b) => KEY_ALPHABET[b % 64]).join("");

/**
 * The product's admin API as the panel uses it: the session cookie from login, and an Origin
 * header equal to the server's origin on every call. Counts the requests it made.
 */
export function adminClient(base) {
  let cookie = "";
  const client = {
    requests: 0,
    async call(method, route, body) {
      client.requests++;
      const res = await fetch(base + route, {
        method,
        headers: { "content-type": "application/json", origin: base, cookie },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${text}`);
      const setCookie = res.headers.getSetCookie?.() ?? [];
      if (setCookie.length > 0) cookie = setCookie.map((line) => line.split(";")[0]).join("; ");
      return text ? JSON.parse(text) : null;
    },
  };
  return client;
}
