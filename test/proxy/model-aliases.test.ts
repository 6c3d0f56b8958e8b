import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configSnapshot } from "../../src/config/config-snapshot";
import { ConfigStore } from "../../src/config/config-store";
import { aliasTable, findAlias, type ModelAlias } from "../../src/config/model-aliases";
import { DEFAULT_SETTINGS, DEFAULT_WORKER_KEY_OPTIONS, type ModelConfig, type WorkerKeyOptions, type WorkerKeyRecord } from "../../src/config/schemas";
import { isolateRuntime } from "../../src/index";
import { resolveModel } from "../../src/proxy/resolve-model";
import { fakeGoogle, geminiText } from "../helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, chatBody, ledgerRows } from "./call";

const model = (id: string, category: ModelConfig["category"] = "flash"): ModelConfig => ({ id, category, dailyQuota: null, individualQuota: null });
const MODELS = [model("gemini-2.5-pro", "pro"), model("gemini-2.5-flash"), model("gemini-2.5-flash-lite")];

function clientKey(options: Partial<WorkerKeyOptions> = {}): WorkerKeyRecord {
  return { id: "c", name: "c", hash: "h", prefix: "p", enabled: true, createdAt: "", options: { ...DEFAULT_WORKER_KEY_OPTIONS, ...options } };
}

function resolve(aliases: ModelAlias[], requested: string, options: Partial<WorkerKeyOptions> = {}, models = MODELS) {
  return resolveModel(configSnapshot(models, DEFAULT_SETTINGS, [], aliases), clientKey(options), requested);
}

describe("alias resolution", () => {
  it("resolves a configured id as itself, an exact alias and a pattern to their targets", () => {
    const aliases = [
      { alias: "gpt-5.1-codex", model: "gemini-2.5-pro" },
      { alias: "claude-*haiku*", model: "gemini-2.5-flash-lite" },
    ];
    expect(resolve(aliases, "gemini-2.5-flash")).toEqual({ model: MODELS[1], targetId: "gemini-2.5-flash", requestedAs: null });
    expect(resolve(aliases, "gpt-5.1-codex")).toEqual({ model: MODELS[0], targetId: "gemini-2.5-pro", requestedAs: "gpt-5.1-codex" });
    expect(resolve(aliases, "claude-haiku-4-5")).toEqual({ model: MODELS[2], targetId: "gemini-2.5-flash-lite", requestedAs: "claude-haiku-4-5" });
    expect(resolve(aliases, "claude-3-5-haiku-20241022").targetId).toBe("gemini-2.5-flash-lite");
    // Nothing matches: not found, under its own name.
    expect(resolve(aliases, "claude-opus-4-1")).toEqual({ model: null, targetId: "claude-opus-4-1", requestedAs: null });
    expect(resolve(aliases, "gpt-5.1-codex-mini").model).toBeNull(); // an exact alias is not a prefix
  });

  it("lets a configured id win over any alias, an exact alias over patterns, the longest literal part among patterns", () => {
    const aliases = [
      { alias: "*", model: "gemini-2.5-flash-lite" },
      { alias: "gemini-2.5-*", model: "gemini-2.5-pro" },
      { alias: "claude-*", model: "gemini-2.5-flash-lite" },
      { alias: "claude-*sonnet*", model: "gemini-2.5-pro" },
      { alias: "claude-sonnet-4-5", model: "gemini-2.5-flash" },
    ];
    expect(resolve(aliases, "gemini-2.5-flash").targetId).toBe("gemini-2.5-flash"); // configured, though two patterns match
    expect(resolve(aliases, "gemini-2.5-ultra").targetId).toBe("gemini-2.5-pro");
    expect(resolve(aliases, "claude-sonnet-4-5").targetId).toBe("gemini-2.5-flash"); // exact alias
    expect(resolve(aliases, "claude-sonnet-4-5-20250929").targetId).toBe("gemini-2.5-pro"); // claude-*sonnet* (13) over claude-* (7)
    expect(resolve(aliases, "claude-opus-4-1").targetId).toBe("gemini-2.5-flash-lite"); // claude-*
    expect(resolve(aliases, "anything-else").targetId).toBe("gemini-2.5-flash-lite"); // * catches the rest
  });

  it("breaks a tie of literal length by fewer * and then by the order the admin added them", () => {
    const table = aliasTable([
      { alias: "a*b*c", model: "first" },
      { alias: "ab*c", model: "fewer-stars" },
      { alias: "*abc", model: "same-as-fewer-but-later" },
    ]);
    expect(findAlias(table, "abxc")?.model).toBe("fewer-stars");
    expect(findAlias(table, "axbxc")?.model).toBe("first");
    expect(findAlias(table, "xabc")?.model).toBe("same-as-fewer-but-later");
    expect(findAlias(table, "abc")?.model).toBe("fewer-stars");
  });

  it("matches * globs without backtracking blow-up and skips stored entries that no longer validate", () => {
    const table = aliasTable([{ alias: "a*a*a*a*a*a*a*b", model: "m" }, { alias: "<bad>", model: "x" }, { nonsense: true }, "string"]);
    expect(table.exact.size).toBe(0);
    expect(table.patterns).toHaveLength(1);
    const started = Date.now();
    expect(findAlias(table, "a".repeat(200))).toBeNull();
    expect(findAlias(table, `${"a".repeat(199)}b`)?.model).toBe("m");
    expect(Date.now() - started).toBeLessThan(50);
  });

  it("finds nothing when the alias's target is no longer configured", () => {
    const choice = resolve([{ alias: "claude-*opus*", model: "gemini-3-pro-preview" }], "claude-opus-4-1");
    expect(choice).toEqual({ model: null, targetId: "gemini-3-pro-preview", requestedAs: "claude-opus-4-1" });
  });

  it("applies the client key's allow-list to the target model, not to the alias", () => {
    const aliases = [{ alias: "claude-*sonnet*", model: "gemini-2.5-pro" }];
    expect(resolve(aliases, "claude-sonnet-4-5", { allowedModels: ["gemini-2.5-pro"] }).model?.id).toBe("gemini-2.5-pro");
    expect(resolve(aliases, "claude-sonnet-4-5", { allowedModels: ["gemini-2.5-flash"] }).model).toBeNull();
    // Naming the alias in the allow-list does not open its target.
    expect(resolve(aliases, "claude-sonnet-4-5", { allowedModels: ["claude-*sonnet*", "claude-sonnet-4-5"] }).model).toBeNull();
  });
});

const KEY_A = fakeGeminiKey("alias");

async function seedWithAliases(aliases: ModelAlias[], clientOptions: Partial<WorkerKeyOptions> = {}): Promise<string> {
  const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }], models: MODELS, clientOptions });
  await new ConfigStore(env.WORKER_CONFIG_KV).saveAliases(aliases);
  isolateRuntime.clear();
  return client;
}

describe("a call under an alias", () => {
  beforeEach(async () => {
    await env.DB.prepare("DELETE FROM usage_calls").run();
    await env.DB.prepare("UPDATE usage_fold SET through = 0, folded_at = 0 WHERE id = 1").run();
  });
  afterEach(() => vi.restoreAllMocks());

  it("is served by the target model, answers under the requested name, and its ledger row holds both names", async () => {
    const client = await seedWithAliases([{ alias: "gpt-5*", model: "gemini-2.5-pro" }]);
    const calls = fakeGoogle(() => Response.json(geminiText("from pro")));
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody({ model: "gpt-5.1-codex" }) });
    expect(response.status).toBe(200);
    const body = JSON.parse(text);
    expect(body.model).toBe("gpt-5.1-codex");
    expect(body.choices[0].message.content).toBe("from pro");
    expect(calls.map((c) => c.url.pathname)).toEqual(["/v1beta/models/gemini-2.5-pro:generateContent"]);

    // A configured id is recorded as itself, with no requested name.
    await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody({ model: "gemini-2.5-flash" }) });
    const rows = await ledgerRows();
    expect(rows.map((r) => [r.model, r.requested_model, r.category, r.outcome])).toEqual([
      ["gemini-2.5-pro", "gpt-5.1-codex", "pro", "ok"],
      ["gemini-2.5-flash", null, "flash", "ok"],
    ]);
  });

  it("works for embeddings and the native door too, and GET /v1/models/{alias} answers under the alias", async () => {
    const client = await seedWithAliases([
      { alias: "text-embedding-3-small", model: "gemini-2.5-flash" },
      { alias: "claude-*haiku*", model: "gemini-2.5-flash-lite" },
    ]);
    const calls = fakeGoogle((call) =>
      call.url.pathname.endsWith(":batchEmbedContents") ? Response.json({ embeddings: [{ values: [0.5, 0.25] }] }) : Response.json(geminiText("native")),
    );
    const embedded = await callWorker("/v1/embeddings", { method: "POST", key: client, body: JSON.stringify({ model: "text-embedding-3-small", input: "hi", encoding_format: "float" }) });
    expect(embedded.response.status).toBe(200);
    const native = await callWorker("/v1beta/models/claude-haiku-4-5:generateContent", {
      method: "POST",
      key: client,
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(native.response.status).toBe(200);
    expect(calls.map((c) => c.url.pathname)).toEqual([
      "/v1beta/models/gemini-2.5-flash:batchEmbedContents",
      "/v1beta/models/gemini-2.5-flash-lite:generateContent",
    ]);
    const rows = await ledgerRows();
    expect(rows.map((r) => [r.endpoint, r.model, r.requested_model])).toEqual([
      ["embeddings", "gemini-2.5-flash", "text-embedding-3-small"],
      [expect.stringMatching(/^native/), "gemini-2.5-flash-lite", "claude-haiku-4-5"],
    ]);

    const got = await callWorker("/v1/models/claude-haiku-4-5", { key: client });
    expect(got.response.status).toBe(200);
    expect(JSON.parse(got.text).id).toBe("claude-haiku-4-5");
    const listed = await callWorker("/v1/models", { key: client });
    expect(JSON.parse(listed.text).data.map((m: { id: string }) => m.id)).toEqual(MODELS.map((m) => m.id));
  });

  it("answers 404 model_not_found, never a 500, when the alias's target was deleted or is outside the allow-list", async () => {
    const client = await seedWithAliases([{ alias: "claude-*opus*", model: "gemini-3-pro-preview" }, { alias: "claude-*sonnet*", model: "gemini-2.5-pro" }], {
      allowedModels: ["gemini-2.5-flash"],
    });
    const calls = fakeGoogle(() => Response.json(geminiText("never")));
    for (const name of ["claude-opus-4-1", "claude-sonnet-4-5"]) {
      const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody({ model: name }) });
      expect(response.status, name).toBe(404);
      expect(JSON.parse(text).error).toMatchObject({ code: "model_not_found", param: "model" });
      expect(JSON.parse(text).error.message).toContain(name);
      expect(JSON.parse(text).error.message).not.toContain("gemini");
    }
    expect(calls).toHaveLength(0);
    const rows = await ledgerRows();
    expect(rows.map((r) => [r.model, r.requested_model, r.status])).toEqual([
      ["gemini-3-pro-preview", "claude-opus-4-1", 404],
      ["gemini-2.5-pro", "claude-sonnet-4-5", 404],
    ]);
  });
});
