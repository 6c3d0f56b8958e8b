// Shared set-up for the pool tests: config and keys written through the real stores (and this
// isolate's runtime cleared, as a fresh isolate), a fake Google answering by x-goog-api-key,
// KV bindings that count their operations.
import { env } from "cloudflare:workers";
import { ConfigStore } from "../../src/config/config-store";
import { DEFAULT_SETTINGS, DEFAULT_WORKER_KEY_OPTIONS, type ModelConfig, type Settings } from "../../src/config/schemas";
import { KeyStore } from "../../src/pool/key-store";
import { isolateRuntime } from "../../src/index";
import type { GeminiKeyRecord } from "../../src/pool/types";
import { sha256Hex } from "../../src/util/crypto";
import { addModel, configureKeys } from "../fake-gemini/state.mjs";
import { fakeGoogle as scriptGoogle, newFakeGemini, reply } from "../helpers/fake-google";
import type { GoogleReply } from "../helpers/google-replies";

export const CLIENT_KEY = "sk-pool-test-client-key-0123456789";

export const MODELS: ModelConfig[] = [
  { id: "gemini-2.5-pro", category: "pro", dailyQuota: null, individualQuota: null },
  { id: "gemini-2.5-flash", category: "flash", dailyQuota: null, individualQuota: null },
  { id: "gemini-2.5-flash-lite", category: "flash", dailyQuota: null, individualQuota: 3 },
  { id: "my-tuned", category: "custom", dailyQuota: 2, individualQuota: null },
  { id: "my-open", category: "custom", dailyQuota: null, individualQuota: null },
];

/** What the fake Google does for one key. */
export type Behaviour = "ok" | "empty" | "network" | "hang" | GoogleReply;

export interface FakeKey {
  id: string;
  behaviour: Behaviour;
  enabled?: boolean;
}

/** A secret shaped like a Gemini key, unique per id. */
export function secretOf(id: string): string {
  return `AIza${id.replace(/[^0-9A-Za-z]/g, "_").padEnd(35, "x").slice(0, 35)}`;
}

export function settingsWith(overrides: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, ...overrides };
}

/** Writes config and keys through the real stores and drops this isolate's caches. */
export async function seed(keys: FakeKey[], settings: Settings = settingsWith(), models: ModelConfig[] = MODELS): Promise<void> {
  const config = new ConfigStore(env.WORKER_CONFIG_KV);
  await config.saveModels(models);
  await config.saveSettings(settings);
  await config.saveWorkerKeys([
    {
      id: "client-1",
      name: "pool tests",
      hash: await sha256Hex(CLIENT_KEY),
      prefix: CLIENT_KEY.slice(0, 8),
      enabled: true,
      createdAt: new Date(0).toISOString(),
      options: DEFAULT_WORKER_KEY_OPTIONS,
    },
  ]);
  await new KeyStore(env.GEMINI_KEYS_KV).saveKeys(keys.map(keyRecord));
  resetIsolateCaches();
}

export function keyRecord(key: FakeKey): GeminiKeyRecord {
  return { id: key.id, name: key.id, secret: secretOf(key.id), enabled: key.enabled ?? true, createdAt: new Date(0).toISOString() };
}

/** This isolate's runtime forgets everything, as a fresh isolate would. */
export function resetIsolateCaches(): void {
  isolateRuntime.clear();
}

export interface FakeGoogle {
  /** Upstream calls per key id, in order. */
  callsByKey: Map<string, number>;
  total(): number;
}

/**
 * Fakes Google at the fetch boundary; each key answers as its behaviour says (read at each
 * call, so a test may change it). "ok" and "empty" are the shared fake Gemini's normal reply
 * and its "empty" behaviour; a GoogleReply, a network failure and a hang are scripted here.
 */
export function fakeGoogle(keys: FakeKey[]): FakeGoogle {
  const bySecret = new Map(keys.map((k) => [secretOf(k.id), k]));
  const callsByKey = new Map<string, number>();
  const google = newFakeGemini();
  scriptGoogle(
    ({ apiKey, url, signal }) => {
      const key = bySecret.get(apiKey ?? "");
      if (!key) return Response.json({ error: { code: 400, message: "no such key in the fake", status: "INVALID_ARGUMENT" } }, { status: 400 });
      callsByKey.set(key.id, (callsByKey.get(key.id) ?? 0) + 1);
      const behaviour = key.behaviour;
      if (behaviour === "network") throw new TypeError("Network connection lost.");
      if (behaviour === "hang") {
        return new Promise<Response>((_, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      }
      if (typeof behaviour === "object") return reply(behaviour);
      // The pool tests' own models (my-tuned, …) are served like any catalogue model.
      const model = /\/models\/([^/:]+):/.exec(url.pathname)?.[1];
      if (model) addModel(google.state, decodeURIComponent(model));
      configureKeys(google.state, { key: apiKey ?? "", behaviour });
      return undefined;
    },
    { fallback: google },
  );
  return { callsByKey, total: () => [...callsByKey.values()].reduce((a, b) => a + b, 0) };
}

export function chatRequest(model = "gemini-2.5-flash", body: Record<string, unknown> = {}): Request {
  return new Request("http://proxy.test/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Hi" }], ...body }),
  });
}

export type KvOperation = "get" | "bulkGet" | "put" | "delete" | "list" | "getWithMetadata";

/** A KV binding that counts what passes through it, per operation. */
export class CountingKv {
  readonly counts: Record<KvOperation, number> = { get: 0, bulkGet: 0, put: 0, delete: 0, list: 0, getWithMetadata: 0 };
  readonly puts: string[] = [];
  readonly binding: KVNamespace;

  constructor(inner: KVNamespace) {
    const counts = this.counts;
    const puts = this.puts;
    this.binding = new Proxy(inner, {
      get(target, property) {
        const real = Reflect.get(target, property, target) as unknown;
        if (typeof real !== "function") return real;
        return (...args: unknown[]) => {
          if (property === "get") counts[Array.isArray(args[0]) ? "bulkGet" : "get"] += 1;
          else if (property === "put") {
            counts.put += 1;
            puts.push(String(args[0]));
          } else if (property === "delete" || property === "list" || property === "getWithMetadata") counts[property] += 1;
          return (real as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  reset(): void {
    for (const name of Object.keys(this.counts) as KvOperation[]) this.counts[name] = 0;
    this.puts.length = 0;
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}

/** Collects waitUntil promises so a test can await them. */
export function waitUntilCollector(): { waitUntil: (p: Promise<unknown>) => void; settle: () => Promise<void> } {
  const pending: Promise<unknown>[] = [];
  return {
    waitUntil: (p) => void pending.push(p),
    settle: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}
