import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/config-store";
import { admin, call, type Admin } from "./helpers";

interface AliasItem {
  alias: string;
  model: string;
  broken: boolean;
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

async function freshSession(): Promise<Admin> {
  const store = new ConfigStore(env.WORKER_CONFIG_KV);
  await store.saveAliases([]);
  await store.saveModels([]);
  const session = await admin();
  await session.json("POST", "/api/admin/models", { id: "gemini-2.5-pro", category: "pro" });
  await session.json("POST", "/api/admin/models", { id: "gemini-2.5-flash", category: "flash" });
  return session;
}

describe("/api/admin/model-aliases", () => {
  let session: Admin;
  beforeEach(async () => {
    session = await freshSession();
  });

  it("adds, lists, retargets and deletes aliases, patterns with * included", async () => {
    expect(await session.json("GET", "/api/admin/model-aliases")).toEqual([]);
    expect(await session.json("POST", "/api/admin/model-aliases", { alias: "claude-*sonnet*", model: "gemini-2.5-pro" })).toEqual({
      alias: "claude-*sonnet*",
      model: "gemini-2.5-pro",
      broken: false,
    });
    await session.json("POST", "/api/admin/model-aliases", { alias: " gpt-5.1-codex ", model: "gemini-2.5-flash" });
    expect(await session.json<AliasItem[]>("GET", "/api/admin/model-aliases")).toEqual([
      { alias: "claude-*sonnet*", model: "gemini-2.5-pro", broken: false },
      { alias: "gpt-5.1-codex", model: "gemini-2.5-flash", broken: false },
    ]);
    expect(await session.json("PUT", `/api/admin/model-aliases/${encodeURIComponent("claude-*sonnet*")}`, { model: "gemini-2.5-flash" })).toEqual({
      alias: "claude-*sonnet*",
      model: "gemini-2.5-flash",
      broken: false,
    });
    // The stored entry is what the proxy reads in its config bulk get.
    expect(await env.WORKER_CONFIG_KV.get("model-aliases", "json")).toEqual([
      { alias: "claude-*sonnet*", model: "gemini-2.5-flash" },
      { alias: "gpt-5.1-codex", model: "gemini-2.5-flash" },
    ]);
    expect(await session.json("DELETE", "/api/admin/model-aliases/claude-*sonnet*")).toEqual({ ok: true });
    expect((await session.json<AliasItem[]>("GET", "/api/admin/model-aliases")).map((a) => a.alias)).toEqual(["gpt-5.1-codex"]);
  });

  it("answers 400 for bad fields and an unconfigured target, 409 for a duplicate or a configured id, 404 for an unknown alias", async () => {
    const bad = [
      {},
      { alias: "gpt-5" },
      { alias: "", model: "gemini-2.5-pro" },
      { alias: "has space", model: "gemini-2.5-pro" },
      { alias: "<img src=x>", model: "gemini-2.5-pro" },
      { alias: "a/b", model: "gemini-2.5-pro" },
      { alias: "*".repeat(9), model: "gemini-2.5-pro" },
      { alias: "x".repeat(201), model: "gemini-2.5-pro" },
      { alias: "gpt-5", model: "gemini-2.5-pro", extra: 1 },
      { alias: 5, model: "gemini-2.5-pro" },
    ];
    for (const body of bad) {
      const response = await session.request("POST", "/api/admin/model-aliases", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(response)).toBe("invalid_request");
    }
    const notJson = await session.request("POST", "/api/admin/model-aliases", "{not json");
    expect(notJson.status).toBe(400);

    const unknownTarget = await session.request("POST", "/api/admin/model-aliases", { alias: "gpt-5", model: "gemini-9" });
    expect(unknownTarget.status).toBe(400);
    expect(await errorCode(unknownTarget)).toBe("unknown_model");

    await session.json("POST", "/api/admin/model-aliases", { alias: "gpt-5", model: "gemini-2.5-pro" });
    const duplicate = await session.request("POST", "/api/admin/model-aliases", { alias: "gpt-5", model: "gemini-2.5-flash" });
    expect(duplicate.status).toBe(409);
    expect(await errorCode(duplicate)).toBe("duplicate_alias");
    const shadowed = await session.request("POST", "/api/admin/model-aliases", { alias: "gemini-2.5-flash", model: "gemini-2.5-pro" });
    expect(shadowed.status).toBe(409);
    expect(await errorCode(shadowed)).toBe("alias_is_model");

    expect((await session.request("PUT", "/api/admin/model-aliases/nope", { model: "gemini-2.5-pro" })).status).toBe(404);
    expect((await session.request("DELETE", "/api/admin/model-aliases/nope")).status).toBe(404);
    const retargetUnknown = await session.request("PUT", "/api/admin/model-aliases/gpt-5", { model: "gemini-9" });
    expect(retargetUnknown.status).toBe(400);
    expect(await errorCode(retargetUnknown)).toBe("unknown_model");
    expect((await session.request("PUT", "/api/admin/model-aliases/gpt-5", { model: "" })).status).toBe(400);
    expect((await session.request("PUT", "/api/admin/model-aliases/gpt-5", { alias: "other", model: "gemini-2.5-pro" })).status).toBe(400);
  });

  it("keeps an alias whose model was deleted, shown as broken", async () => {
    await session.json("POST", "/api/admin/model-aliases", { alias: "claude-*opus*", model: "gemini-2.5-pro" });
    await session.json("DELETE", "/api/admin/models/gemini-2.5-pro");
    expect(await session.json("GET", "/api/admin/model-aliases")).toEqual([{ alias: "claude-*opus*", model: "gemini-2.5-pro", broken: true }]);
  });

  it("needs a session", async () => {
    expect((await call("/api/admin/model-aliases")).status).toBe(401);
  });
});
