// Every front door fed hostile bodies from a seeded generator (issue 12 item 5): wrong types
// everywhere, huge and NaN-ish numbers, deep nesting, giant strings, unicode, nulls, arrays for
// objects, prototype keys, broken data URIs, private image URLs, bad JSON, empty bodies, wrong
// content types. Each answer must be a 2xx (the input happened to be valid) or a 4xx in the
// door's own error shape — never a 5xx. The seed and case count are fixed, so a failure
// reproduces: the message names door, case and body.
//
// A new door is one line in DOORS.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeGoogle, geminiText, sse } from "../helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker } from "../proxy/call";

const SEED = 0x5eed_2026;
const CASES_PER_DOOR = 300;
const MODEL = "gemini-2.5-flash";
const EMBED_MODEL = "gemini-embedding-001";

type Shape = "openai" | "google" | "anthropic";
interface Door {
  name: string;
  shape: Shape;
  method?: "GET" | "POST";
  /** fixed path, or one drawn from the generator (paths are input too) */
  path: string | ((rng: Rng) => string);
  /** a valid body the mutations start from */
  valid?: () => Record<string, unknown>;
}

const userText = () => [{ role: "user", content: "Hi" }];
const contents = () => [{ role: "user", parts: [{ text: "Hi" }] }];

const DOORS: Door[] = [
  { name: "chat", shape: "openai", path: "/v1/chat/completions", valid: () => ({ model: MODEL, messages: userText() }) },
  { name: "chat stream", shape: "openai", path: "/v1/chat/completions", valid: () => ({ model: MODEL, messages: userText(), stream: true, stream_options: { include_usage: true } }) },
  { name: "chat tools+media", shape: "openai", path: "/v1/chat/completions", valid: () => ({ model: MODEL, messages: [{ role: "user", content: [{ type: "text", text: "see" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }], tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { a: { type: "string" } } } } }], response_format: { type: "json_object" } }) },
  { name: "embeddings", shape: "openai", path: "/v1/embeddings", valid: () => ({ model: EMBED_MODEL, input: ["a", "b"], dimensions: 768 }) },
  { name: "responses", shape: "openai", path: "/v1/responses", valid: () => ({ model: MODEL, input: "Hi" }) },
  { name: "responses stream", shape: "openai", path: "/v1/responses", valid: () => ({ model: MODEL, input: [{ role: "user", content: [{ type: "input_text", text: "Hi" }] }], stream: true }) },
  { name: "messages", shape: "anthropic", path: "/v1/messages", valid: () => ({ model: MODEL, max_tokens: 64, messages: userText() }) },
  { name: "messages stream", shape: "anthropic", path: "/v1/messages", valid: () => ({ model: MODEL, max_tokens: 64, messages: userText(), stream: true, system: "be brief" }) },
  { name: "messages count_tokens", shape: "anthropic", path: "/v1/messages/count_tokens", valid: () => ({ model: MODEL, messages: userText() }) },
  { name: "native generateContent", shape: "google", path: `/v1beta/models/${MODEL}:generateContent`, valid: () => ({ contents: contents(), generationConfig: { temperature: 0.5 } }) },
  { name: "native streamGenerateContent", shape: "google", path: `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, valid: () => ({ contents: contents() }) },
  { name: "native countTokens", shape: "google", path: `/v1beta/models/${MODEL}:countTokens`, valid: () => ({ contents: contents() }) },
  { name: "native embedContent", shape: "google", path: `/v1beta/models/${EMBED_MODEL}:embedContent`, valid: () => ({ content: { parts: [{ text: "Hi" }] } }) },
  { name: "native batchEmbedContents", shape: "google", path: `/v1beta/models/${EMBED_MODEL}:batchEmbedContents`, valid: () => ({ requests: [{ model: `models/${EMBED_MODEL}`, content: { parts: [{ text: "Hi" }] } }] }) },
  { name: "native, hostile model path", shape: "google", path: (rng) => `/v1beta/models/${hostilePathSegment(rng)}:generateContent`, valid: () => ({ contents: contents() }) },
  { name: "models", shape: "openai", method: "GET", path: (rng) => `/v1/models/${hostilePathSegment(rng)}` },
  { name: "native models", shape: "google", method: "GET", path: (rng) => `/v1beta/models/${hostilePathSegment(rng)}` },
  { name: "audio speech", shape: "openai", path: "/v1/audio/speech", valid: () => ({ model: MODEL, input: "Hi", voice: "alloy", response_format: "wav", speed: 1.2, instructions: "calmly" }) },
  { name: "images generations", shape: "openai", path: "/v1/images/generations", valid: () => ({ model: MODEL, prompt: "a cat", n: 2, size: "1536x1024", response_format: "b64_json", quality: "high" }) },
  { name: "images edits (JSON)", shape: "openai", path: "/v1/images/edits", valid: () => ({ model: MODEL, prompt: "bluer", images: [{ image_url: "data:image/png;base64,iVBORw0KGgo=" }], size: "1024x1024" }) },
];

// mulberry32: small, fast, and the same sequence everywhere.
type Rng = () => number;
function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

// Placeholders swapped for deep nesting in the JSON text (the value itself could not be stringified).
const DEEP_MARK = "\u0007deep\u0007";
const DEEP_OBJECT_MARK = "\u0007deep-object\u0007";
const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "__defineGetter__"];

function hostilePathSegment(rng: Rng): string {
  return pick(rng, [
    "%25", "%", "%E0%A4%A", "%00", "%2e%2e%2f%2e%2e", "..%2F..%2Fetc", "%FF%FE", "a".repeat(5000), "%F0%9F%92%A9",
    "models%2F" + MODEL, MODEL, encodeURIComponent("\u202e\u0000x"), "%u0041", "[::1]", "__proto__", "constructor", "%3A%3A",
  ]);
}

/** A value meant to break whatever expected something else there. */
function hostileValue(rng: Rng, depth = 0): unknown {
  const kind = Math.floor(rng() * 30);
  switch (kind) {
    case 0: return null;
    case 1: return pick(rng, [true, false]);
    case 2: return pick(rng, [0, -1, -0, 1, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, 1.5, 65_537, 3073]);
    case 3: return pick(rng, ["", "NaN", "Infinity", "-Infinity", "1e999", "-0", "0x10", "null", "undefined", "true", "[object Object]"]);
    // giant strings only at the top (a body stays within the 20 MB limit)
    case 4: return "x".repeat(depth === 0 ? pick(rng, [1_000, 100_000, 1_000_000]) : 1_000);
    case 5: return pick(rng, ["\u0000", "\ud800", "\udfff\ud800", "💩".repeat(100), "\u202e\u200b", "\uffff", "𝕳𝖊𝖑𝖑𝖔", "ｈｉ", "\r\n\r\ndata: [DONE]\n\n"]);
    case 6: return [];
    case 7: return {};
    case 8: return [null];
    case 9: {
      const length = pick(rng, [2, 50, 3000]);
      return Array.from({ length }, () => (length <= 50 && depth < 2 ? hostileValue(rng, depth + 1) : pick(rng, [1, "x", null, {}])));
    }
    case 10: return pick(rng, [DEEP_MARK, DEEP_OBJECT_MARK]);
    case 11: {
      let value: unknown = "leaf";
      for (let i = 0, n = pick(rng, [10, 63, 65, 127, 129, 300]); i < n; i++) value = rng() < 0.5 ? [value] : { a: value };
      return value;
    }
    case 12: return withKey({}, pick(rng, PROTO_KEYS), depth < 2 ? hostileValue(rng, depth + 1) : { polluted: true });
    case 13: return pick(rng, ["data:image/png;base64,%%%%", "data:image/png;base64,", "data:;base64,AAAA", "data:<x>;base64,AAAA", "data:image/png;base64,A", "data:image/png,rawtext", "data:image/png;base64," + "A".repeat(5)]);
    case 14: return pick(rng, ["http://127.0.0.1/x.png", "http://[::ffff:7f00:1]/", "http://2130706433/", "http://localhost/", "file:///etc/passwd", "javascript:alert(1)", "http://169.254.169.254/", "http://images.fuzz/x.png", "gopher://x"]);
    case 15: return { type: pick(rng, ["text", "image_url", "input_audio", "file", "function", "json_schema", "tool_use", "tool_result", "image", "document", "thinking", "input_text", "message", "function_call", "function_call_output", "bogus"]) };
    case 16: return { role: pick(rng, ["user", "assistant", "system", "developer", "tool", "model", "function", "bogus", ""]), content: depth < 2 ? hostileValue(rng, depth + 1) : "x" };
    case 17: return pick(rng, ["user", "assistant", "system", "tool", "model", "auto", "none", "required", "any"]);
    case 18: return pick(rng, [MODEL, EMBED_MODEL, "models/" + MODEL, "gpt-4o", "", " ", "../../x", "a".repeat(300)]);
    case 19: return { type: "object", properties: { a: depth < 2 ? hostileValue(rng, depth + 1) : {} }, required: hostileValue(rng, 3) };
    case 20: return [{ type: "function", function: { name: pick(rng, ["f", "", "a".repeat(300), "💩"]), parameters: rng() < 0.3 ? DEEP_OBJECT_MARK : depth < 2 ? hostileValue(rng, depth + 1) : {} } }];
    case 21: return [{ parts: depth < 2 ? hostileValue(rng, depth + 1) : [] }];
    case 22: return { inlineData: { mimeType: pick(rng, ["image/png", "", "x"]), data: pick(rng, ["%%%", "", "AAAA"]) } };
    case 23: return Math.floor(rng() * 2 ** 32) - 2 ** 31;
    case 24: return rng() * 4 - 1;
    default: return depth < 2 && rng() < 0.5 ? { [pick(rng, ["a", "type", "text", "role", "content"])]: hostileValue(rng, depth + 1) } : "plain";
  }
}

/** `obj` with an own property `key` (so `__proto__` is a key in the JSON, not a prototype). */
function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
  return obj;
}

/** Every (container, key) inside `value`, for picking a place to damage. */
function places(value: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []): typeof out {
  if (Array.isArray(value)) value.forEach((item, index) => (out.push([value, index]), places(item, out)));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) out.push([value as Record<string, unknown>, key]), places(item, out);
  }
  return out;
}

function mutate(rng: Rng, body: Record<string, unknown>): void {
  const spots = places(body);
  const action = Math.floor(rng() * 4);
  if (action === 3 || spots.length === 0) {
    // a new key somewhere (an unknown field, a prototype key, a valid key in the wrong place)
    const containers = [body, ...spots.map(([c, k]) => (c as Record<string, unknown>)[k as string]).filter((v) => v !== null && typeof v === "object" && !Array.isArray(v))];
    const target = pick(rng, containers) as Record<string, unknown>;
    withKey(target, pick(rng, [...PROTO_KEYS, "stream", "model", "messages", "tools", "max_tokens", "n", "dimensions", "contents", "input", "system", "extra_body", "generationConfig", "x_unknown"]), hostileValue(rng));
    return;
  }
  const [container, key] = pick(rng, spots);
  if (action === 2) {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  } else if (Array.isArray(container)) container[key as number] = hostileValue(rng);
  else withKey(container, key as string, hostileValue(rng));
}

interface Case {
  path: string;
  method: "GET" | "POST";
  body?: BodyInit;
  contentType?: string;
  label: string;
}

function makeCase(rng: Rng, door: Door): Case {
  const path = typeof door.path === "string" ? door.path : door.path(rng);
  const method = door.method ?? "POST";
  if (method === "GET" || !door.valid) return { path, method, label: `GET ${path.slice(0, 80)}` };
  const roll = rng();
  if (roll < 0.12) {
    // the whole body is wrong
    const text = pick(rng, ["", " ", "{", "{\"model\":", "null", "[]", "[{}]", "\"text\"", "42", "true", "{\"a\":1}{\"b\":2}", "\ufeff{}", "{'model':'x'}", "{\"model\":\"x\",}", "NaN", "{\"__proto__\":{\"x\":1}}"]);
    return { path, method, body: text, label: `body ${JSON.stringify(text)}` };
  }
  if (roll < 0.15) {
    const bytes = Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]); // {"<invalid utf-8>"}
    return { path, method, body: bytes, label: "invalid utf-8" };
  }
  const body = door.valid();
  const mutations = roll < 0.2 ? 0 : 1 + Math.floor(rng() * 3);
  for (let i = 0; i < mutations; i++) mutate(rng, body);
  let text = JSON.stringify(body);
  for (const [mark, open, close] of [[DEEP_MARK, "[", "]"], [DEEP_OBJECT_MARK, '{"type":"object","properties":{"a":', "}}"]] as const) {
    const depth = pick(rng, [100, 1_000, 20_000]);
    text = text.replaceAll(JSON.stringify(mark), `${open.repeat(depth)}{}${close.repeat(depth)}`);
  }
  const contentType = rng() < 0.08 ? pick(rng, ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json; charset=utf-16"]) : undefined;
  return { path, method, body: text, contentType, label: text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text };
}

/** Google's answer to anything the proxy sends it: a valid reply for the method asked. */
function upstreamReply(url: URL, body: unknown): Response {
  const method = url.pathname.split(":").pop();
  if (method === "streamGenerateContent") {
    return sse([{ candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } }]);
  }
  if (method === "countTokens") return Response.json({ totalTokens: 3 });
  if (method === "embedContent") return Response.json({ embedding: { values: [0.1, 0.2] } });
  if (method === "batchEmbedContents") {
    const requests = (body as { requests?: unknown[] } | undefined)?.requests;
    return Response.json({ embeddings: (Array.isArray(requests) ? requests : [0]).map(() => ({ values: [0.1, 0.2] })) });
  }
  // a TTS request gets audio (24 kHz 16-bit PCM, as Google's TTS models answer)
  if (method === "generateContent" && JSON.stringify((body as { generationConfig?: unknown } | undefined)?.generationConfig ?? null).includes('"AUDIO"')) {
    return Response.json({ candidates: [{ content: { role: "model", parts: [{ inlineData: { mimeType: "audio/L16;codec=pcm;rate=24000", data: "AAABAAIA" } }] }, finishReason: "STOP", index: 0 }] });
  }
  // an image request gets an image (an answer without one is the images doors' 502)
  if (method === "generateContent" && JSON.stringify((body as { generationConfig?: unknown } | undefined)?.generationConfig ?? null).includes('"IMAGE"')) {
    return Response.json({ candidates: [{ content: { role: "model", parts: [{ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }] }, finishReason: "STOP", index: 0 }] });
  }
  if (method === "generateContent") return Response.json(geminiText("ok"));
  // an image URL the fuzzer made up
  return new Response("not here", { status: 404 });
}

function shapeProblem(shape: Shape, status: number, text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `a ${status} whose body is not JSON: ${text.slice(0, 200)}`;
  }
  const error = (body as { error?: Record<string, unknown> }).error;
  if (!error || typeof error !== "object") return `a ${status} without an error object: ${text.slice(0, 200)}`;
  if (typeof error.message !== "string" || error.message === "") return `no error.message: ${text.slice(0, 200)}`;
  if (shape === "openai") {
    if (typeof error.type !== "string" || !("code" in error) || !("param" in error)) return `not OpenAI's error shape: ${text.slice(0, 200)}`;
  } else if (shape === "google") {
    if (error.code !== status || typeof error.status !== "string") return `not Google's error shape: ${text.slice(0, 200)}`;
  } else if ((body as { type?: unknown }).type !== "error" || typeof error.type !== "string") {
    return `not Anthropic's error shape: ${text.slice(0, 200)}`;
  }
  return null;
}

let clientKey = "";

beforeAll(async () => {
  clientKey = await seedProxy({
    geminiKeys: [{ id: "fuzz", secret: fakeGeminiKey("FZ") }],
    // custom models without a quota: hundreds of valid calls never run a key out
    models: [
      { id: MODEL, category: "custom", dailyQuota: null, individualQuota: null },
      { id: EMBED_MODEL, category: "custom", dailyQuota: null, individualQuota: null },
    ],
  });
});
afterEach(() => vi.restoreAllMocks());

describe(`fuzz: hostile input on every front door (seed ${SEED}, ${CASES_PER_DOOR} cases each)`, () => {
  it.each(DOORS.map((door, index) => [door.name, door, index] as const))("%s: never a 5xx, every 4xx in the door's shape", async (_name, door, index) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
    fakeGoogle((call) => upstreamReply(call.url, call.body));
    const rng = prng(SEED + index * 7919);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const cases = Array.from({ length: CASES_PER_DOOR }, () => makeCase(rng, door));
    // a few at a time: the calls share one isolate, as real clients do
    for (let start = 0; start < cases.length; start += 6) {
      await Promise.all(
        cases.slice(start, start + 6).map(async (testCase, offset) => {
          const headers: Record<string, string> = {};
          if (testCase.contentType !== undefined) headers["content-type"] = testCase.contentType;
          else if (testCase.body !== undefined) headers["content-type"] = "application/json";
          const { response, text } = await callWorker(testCase.path, { method: testCase.method, key: clientKey, body: testCase.body, headers });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const where = `${door.name} case ${start + offset} (${testCase.label})`;
          if (response.status >= 500) failures.push(`${where}: ${response.status} ${text.slice(0, 300)}`);
          else if (response.status >= 400) {
            const problem = shapeProblem(door.shape, response.status, text);
            if (problem) failures.push(`${where}: ${problem}`);
          } else if (response.status < 200 || response.status >= 300) failures.push(`${where}: status ${response.status}`);
        }),
      );
    }
    expect(failures, failures.slice(0, 10).join("\n")).toEqual([]);
    // the generator must reach both sides: some inputs refused, some (still valid) served
    const refused = [...statuses].filter(([status]) => status >= 400).reduce((sum, [, n]) => sum + n, 0);
    expect(refused, JSON.stringify([...statuses])).toBeGreaterThan(CASES_PER_DOOR / 10);
    if (door.valid) expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(0);
  }, 60_000);

  it("no call of the run was written to the ledger as an internal error", async () => {
    const { results } = await env.DB.prepare("SELECT outcome, COUNT(*) AS n FROM usage_calls GROUP BY outcome").all<{ outcome: string; n: number }>();
    expect(results.find((row) => row.outcome === "internal_error")).toBeUndefined();
  });
});
