// CPU profile of a Worker under `wrangler dev`, through the DevTools protocol on wrangler's
// --inspector-port (the same session DevTools' Profiler tab uses). Counts only the Worker's
// isolate: D1 and KV run elsewhere in workerd locally (and on other machines in production).
import { createRequire } from "node:module";

async function openSocket(url) {
  const WS = globalThis.WebSocket ?? createRequire(import.meta.url)("ws"); // ws: a dependency of miniflare
  const ws = new WS(url);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`inspector socket ${url} did not open within 10 s`)), 10_000);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
    ws.onerror = (e) => {
      clearTimeout(timer);
      reject(new Error(`inspector socket: ${e?.message ?? e}`));
    };
  });
  let next = 1;
  const pending = new Map();
  ws.onmessage = (event) => {
    const msg = JSON.parse(String(event.data));
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${msg.error.message}`));
      else resolve(msg.result);
    }
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
      setTimeout(() => {
        if (pending.delete(id)) reject(new Error(`${method} timed out`));
      }, 30_000);
    });
  return { send, close: () => ws.close() };
}

/** Starts the V8 sampling profiler of the Worker behind inspectorPort; returns stop() -> profile. */
export async function startProfile(inspectorPort, intervalUs = 100) {
  // wrangler's inspector proxy serves one target at /ws (its /json says so); /json itself
  // was seen to hang once after a long load run, so it is not asked.
  const socket = await openSocket(`ws://127.0.0.1:${inspectorPort}/ws`);
  await socket.send("Profiler.enable");
  await socket.send("Profiler.setSamplingInterval", { interval: intervalUs });
  await socket.send("Profiler.start");
  return async () => {
    const { profile } = await socket.send("Profiler.stop");
    await socket.send("Profiler.disable").catch(() => {});
    socket.close();
    return profile;
  };
}

/**
 * Busy time (all samples but "(idle)") and the functions that take it: self time, and
 * inclusive time of each named function (counted once per sample even when recursive).
 */
export function summarizeProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n) => {
    const f = n.callFrame;
    const name = f.functionName || "(anonymous)";
    if (!f.url) return name;
    return `${name} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
  };
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  let idle = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const us = timeDeltas[i + 1] ?? 0;
    const node = byId.get(samples[i]);
    total += us;
    if (node.callFrame.functionName === "(idle)") {
      idle += us;
      continue;
    }
    const l = label(node);
    self.set(l, (self.get(l) ?? 0) + us);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id);
      if (n.callFrame.functionName === "(root)") break;
      const name = label(n);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const top = (map, k) => [...map].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => ({ name, ms: us / 1000 }));
  return { totalMs: total / 1000, busyMs: (total - idle) / 1000, topSelf: top(self, 20), topInclusive: top(inclusive, 30) };
}
