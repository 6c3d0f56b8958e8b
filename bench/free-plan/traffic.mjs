// The realistic mix: plain and streamed chat calls and Gemini 3 tool-call round trips
// (the call, then the follow-up turn with the assistant's tool_calls and the tool result),
// over several client keys, sent in bursts like agent sessions.
import { MODELS } from "./seed.mjs";

export const TOOL_MODEL = "gemini-3-flash-preview";
const TOOLS = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];
/** Plain and streamed calls spread over the models: mostly flash, some pro, some Gemini 3. */
const MODEL_WEIGHTS = [["gemini-2.5-flash", 0.5], ["gemini-2.5-pro", 0.2], ["gemini-3-flash-preview", 0.3]];

/** A small seeded PRNG (mulberry32), so a run's mix can be repeated. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(rng, pairs) {
  let x = rng();
  for (const [value, weight] of pairs) if ((x -= weight) < 0) return value;
  return pairs[pairs.length - 1][0];
}

/**
 * The jobs for `calls` calls: tool round trips make `toolShare` of the calls (two calls
 * each), streamed calls `streamShare`, the rest plain. Shuffled; each job has a client.
 */
export function planJobs({ calls, toolShare, streamShare, clients, rng }) {
  const toolPairs = Math.round((calls * toolShare) / 2);
  const streams = Math.round(calls * streamShare);
  const plain = Math.max(0, calls - 2 * toolPairs - streams);
  const jobs = [
    ...Array.from({ length: toolPairs }, () => ({ kind: "tool", model: TOOL_MODEL })),
    ...Array.from({ length: streams }, () => ({ kind: "stream", model: weighted(rng, MODEL_WEIGHTS) })),
    ...Array.from({ length: plain }, () => ({ kind: "plain", model: weighted(rng, MODEL_WEIGHTS) })),
  ];
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
  }
  for (const job of jobs) job.client = clients[Math.floor(rng() * clients.length)];
  return jobs;
}

export const callsOf = (job) => (job.kind === "tool" ? 2 : 1);

/** Splits jobs into bursts of about `size` calls. */
export function bursts(jobs, size) {
  const out = [];
  let current = [];
  let n = 0;
  for (const job of jobs) {
    current.push(job);
    n += callsOf(job);
    if (n >= size) {
      out.push(current);
      current = [];
      n = 0;
    }
  }
  if (current.length) out.push(current);
  return out;
}

let turn = 0;
const userTurn = () => `Step ${++turn}: summarise what we have so far in one sentence, then suggest the next step.`;

async function post(base, clientKey, body) {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${clientKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  return { status: res.status, text };
}

/** What one call came to: ok, or the status and error code. */
function outcome(kind, { status, text }, ok) {
  if (ok) return { kind, ok: true, status };
  let code = null;
  try {
    code = JSON.parse(text)?.error?.code ?? null;
  } catch {
    // a stream that failed midway, or not JSON
  }
  return { kind, ok: false, status, code, sample: text.slice(0, 200) };
}

const system = { role: "system", content: "You are a coding agent. Be brief." };

async function plainCall(base, job, stream) {
  const body = {
    model: job.model,
    messages: [system, { role: "user", content: userTurn() }],
    max_tokens: 256,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
  const r = await post(base, job.client.key, body);
  const ok = r.status === 200 && (stream ? r.text.trimEnd().endsWith("data: [DONE]") : r.text.includes('"chat.completion"'));
  return [outcome(stream ? "stream" : "plain", r, ok)];
}

/** The tool call, then (if it came back with tool_calls) the follow-up with the result. */
async function toolRoundTrip(base, job) {
  const messages = [system, { role: "user", content: "What is the weather in Paris right now?" }];
  const first = await post(base, job.client.key, { model: job.model, messages, tools: TOOLS });
  let toolCalls = null;
  if (first.status === 200) toolCalls = JSON.parse(first.text).choices?.[0]?.message?.tool_calls ?? null;
  const results = [outcome("tool", first, Boolean(toolCalls?.length))];
  if (!toolCalls?.length) return results;
  const followUp = [
    ...messages,
    { role: "assistant", content: null, tool_calls: toolCalls },
    ...toolCalls.map((call) => ({ role: "tool", tool_call_id: call.id, content: '{"celsius": 21, "sky": "clear"}' })),
  ];
  const second = await post(base, job.client.key, { model: job.model, messages: followUp, tools: TOOLS });
  results.push(outcome("tool-follow-up", second, second.status === 200 && second.text.includes('"chat.completion"')));
  return results;
}

export function runJob(base, job) {
  if (job.kind === "tool") return toolRoundTrip(base, job);
  return plainCall(base, job, job.kind === "stream");
}

/** Runs a burst's jobs at `concurrency`; returns every call's outcome. */
export async function runBurst(base, jobs, concurrency) {
  const outcomes = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      for (const o of await runJob(base, job)) outcomes.push({ ...o, client: job.client.name });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return outcomes;
}

export { MODELS };
