#!/usr/bin/env node
// Benchmark (prints figures, asserts nothing) of DESIGN §8 "CPU per call well inside the
// free plan's 10 ms, for a 10 KB request": the product's own per-call work, timed in Node.
//
//   node bench/bench-cpu.mjs [--iterations 10000]
//
// esbuild bundles the real modules from src/ (the OpenAI <-> Gemini translation, the client
// key hash, the ledger's drizzle statements) into .tmp/bench-cpu/bundle.mjs, and each step
// of a non-streamed and a streamed call is timed over N iterations after a warm-up:
//   parse     JSON.parse of the 10 KB body + zod validation (parseChatRequest)
//   request   toGeminiChatRequest + JSON.stringify of the upstream body
//   response  JSON.parse of a typical Gemini reply + toChatCompletion + JSON.stringify
//   stream    ChatStreamTranslator over the recorded SSE events (google-text.chunks.txt)
//   auth      SHA-256 of the client key (crypto.subtle, as clientAuth does)
//   ledger    recordCall() building its D1 batch with drizzle, against a stub D1 that
//             answers at once (the SQLite work itself happens in D1, not in the Worker)
// Limits: V8 in Node, not workerd (same engine, other version and flags); no Hono routing,
// no Request/Response objects, no KV/D1/fetch bindings (their client-side CPU is not here).
// For the whole Worker under load see bench/bench-proxy.mjs and docs/performance.md.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { para, tenKbRequest } from "./requests.mjs";

const root = path.resolve(import.meta.dirname, "..");
const workDir = path.join(root, ".tmp/bench-cpu");
mkdirSync(workDir, { recursive: true });
const { values } = parseArgs({ options: { iterations: { type: "string", default: "10000" } } });
const N = Number(values.iterations);
const FREE_PLAN_CPU_MS = 10;

const entry = path.join(workDir, "entry.ts");
writeFileSync(
  entry,
  `export { parseChatRequest } from ${JSON.stringify(path.join(root, "src/openai/schemas.ts"))};
export { toGeminiChatRequest, resolveModelName, collectToolCallIds, collectRemoteMediaUrls } from ${JSON.stringify(path.join(root, "src/openai/request.ts"))};
export { toChatCompletion, isEmptyReply } from ${JSON.stringify(path.join(root, "src/openai/response.ts"))};
export { ChatStreamTranslator } from ${JSON.stringify(path.join(root, "src/openai/stream.ts"))};
export { sha256Hex, randomToken } from ${JSON.stringify(path.join(root, "src/util/crypto.ts"))};
export { recordCall } from ${JSON.stringify(path.join(root, "src/usage/record.ts"))};
export { pacificDay } from ${JSON.stringify(path.join(root, "src/util/pacific-day.ts"))};
`,
);
const bundle = path.join(workDir, "bundle.mjs");
await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", mainFields: ["module", "main"], outfile: bundle, logLevel: "warning" });
const m = await import(bundle);

const request = tenKbRequest();
const body = JSON.stringify(request);

const fixtures = path.join(root, "test/fixtures/gemini");
// A typical reply: the recorded text answer, its text made ~1 KB long.
const replyObject = JSON.parse(readFileSync(path.join(fixtures, "google-text.json"), "utf8"));
replyObject.candidates[0].content.parts[0].text = para(12);
const replyText = JSON.stringify(replyObject);
const sseEvents = readFileSync(path.join(fixtures, "google-text.chunks.txt"), "utf8").split("\n").filter((l) => l.trim());

const stubD1 = {
  prepare: (sql) => {
    const stmt = { sql, bind: () => stmt, run: async () => ({ success: true, results: [], meta: {} }), all: async () => ({ success: true, results: [], meta: {} }), raw: async () => [] };
    return stmt;
  },
  batch: async (stmts) => stmts.map(() => ({ success: true, results: [], meta: {} })),
};

const options = {
  upstreamModel: "gemini-2.5-flash",
  webSearch: false,
  safetyOff: false,
  systemAsUser: false,
  alwaysIncludeThoughts: false,
  signatures: new Map(),
  remoteMedia: new Map(),
};
const ctx = { id: "chatcmpl-bench", created: 1_764_000_000, model: "gemini-2.5-flash" };
const clientKey = "sk-bench-" + "a".repeat(40);
const now = Date.now();

const steps = {
  parse: () => m.parseChatRequest(JSON.parse(body)),
  request: () => {
    const req = m.parseChatRequest(JSON.parse(body)); // needed input; parse time subtracted below
    m.collectToolCallIds(req);
    m.collectRemoteMediaUrls(req);
    return JSON.stringify(m.toGeminiChatRequest(req, options));
  },
  response: () => {
    const reply = JSON.parse(replyText);
    m.isEmptyReply(reply);
    return JSON.stringify(m.toChatCompletion(reply, { ...ctx, id: `chatcmpl-${m.randomToken(18)}` }).body);
  },
  stream: () => {
    const t = new m.ChatStreamTranslator({ ...ctx, includeUsage: true });
    let out = "";
    for (const line of sseEvents) for (const chunk of t.push(JSON.parse(line))) out += `data: ${JSON.stringify(chunk)}\n\n`;
    for (const chunk of t.finish()) out += `data: ${JSON.stringify(chunk)}\n\n`;
    return out;
  },
  auth: () => m.sha256Hex(clientKey),
  ledger: () =>
    m.recordCall(stubD1, {
      ts: now, day: m.pacificDay(now), clientKeyId: "c1", geminiKeyId: "k1", model: "gemini-2.5-flash", category: "flash",
      endpoint: "chat", streamed: false, status: 200, outcome: "ok", served: true, attempts: 1,
      tokens: { promptTokens: 2500, completionTokens: 300, thoughtTokens: 0, cachedTokens: 0, totalTokens: 2800 },
      latencyMs: 900, ttfbMs: 900, errorCode: null,
    }),
};

async function time(fn, n) {
  for (let i = 0; i < Math.min(1000, n); i++) await fn(); // warm-up (JIT)
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}

console.log(`bench-cpu: Node ${process.version}, ${N} iterations per step, request body ${body.length} bytes, reply ${replyText.length} bytes, ${sseEvents.length} SSE events`);
const ms = {};
for (const [name, fn] of Object.entries(steps)) ms[name] = await time(fn, N);
ms.request -= ms.parse; // the request step re-parses its input
const nonStream = ms.parse + ms.request + ms.response + ms.auth + ms.ledger;
const streamed = ms.parse + ms.request + ms.stream + ms.auth + ms.ledger;
const f = (x) => x.toFixed(4).padStart(8);
console.log("| step | ms per call |\n|---|---|");
for (const [name, v] of Object.entries(ms)) console.log(`| ${name} | ${f(v)} |`);
console.log(`| non-streamed call (parse+request+response+auth+ledger) | ${f(nonStream)} |`);
console.log(`| streamed call (parse+request+stream+auth+ledger) | ${f(streamed)} |`);
console.log(`Free plan CPU limit ${FREE_PLAN_CPU_MS} ms: the measured steps use ${((100 * Math.max(nonStream, streamed)) / FREE_PLAN_CPU_MS).toFixed(1)}% of it.`);
