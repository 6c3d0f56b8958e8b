import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { foldLedger } from "../../src/usage/fold";
import { pacificDay } from "../../src/util/pacific-day";
import { admin, call } from "./helpers";

interface Created {
  id: string;
  name: string;
  key: string;
}

interface WorkerKeyItem {
  id: string;
  name: string;
  prefix: string;
  enabled: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  options: { safetyOff: boolean; systemAsUser: boolean; allowedModels: string[] | null; dailyLimit: number | null };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function insertCall(clientKeyId: string, ts: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO usage_calls (ts, day, client_key_id, gemini_key_id, model, category, endpoint, streamed, status, outcome, served, attempts, latency_ms, latency_bucket)
     VALUES (?, ?, ?, NULL, 'gemini-2.5-flash', 'flash', 'chat', 0, 200, 'ok', 1, 1, 10, 0)`,
  )
    .bind(ts, pacificDay(ts), clientKeyId)
    .run();
}

describe("worker (client) keys", () => {
  it("creates a key shown once; lists show only its prefix, never the key or its hash", async () => {
    const session = await admin();
    const created = await session.json<Created>("POST", "/api/admin/worker-keys", { name: "  CLI <script>  " });
    expect(created.name).toBe("CLI <script>");
    expect(created.key).toMatch(/^sk-gpp-[A-Za-z0-9_-]{43}$/);

    const response = await session.request("GET", "/api/admin/worker-keys");
    const text = await response.text();
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(await sha256Hex(created.key));
    const listed = (JSON.parse(text) as WorkerKeyItem[]).find((k) => k.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      name: "CLI <script>",
      prefix: created.key.slice(0, 12),
      enabled: true,
      createdAt: expect.any(String),
      lastUsedAt: null,
      options: { safetyOff: false, systemAsUser: false, allowedModels: null, dailyLimit: null, keepAliveWhitespace: false },
    });

    const stored = await env.WORKER_CONFIG_KV.get("worker-keys");
    expect(stored).not.toContain(created.key);
    expect(stored).toContain(await sha256Hex(created.key));
  });

  it("the new key authenticates on /v1 at once, and stops when disabled", async () => {
    const session = await admin();
    const created = await session.json<Created>("POST", "/api/admin/worker-keys", { name: "proxy user" });
    const models = await call("/v1/models", { headers: { authorization: `Bearer ${created.key}` } });
    expect(models.status).toBe(200);
    await session.json("PATCH", `/api/admin/worker-keys/${created.id}`, { enabled: false });
    expect((await call("/v1/models", { headers: { authorization: `Bearer ${created.key}` } })).status).toBe(401);
  });

  it("creates with options and patches only the option fields given", async () => {
    const session = await admin();
    const created = await session.json<Created>("POST", "/api/admin/worker-keys", {
      name: "limited",
      options: { allowedModels: ["gemini-2.5-flash"], dailyLimit: 100 },
    });
    const patched = await session.json<WorkerKeyItem>("PATCH", `/api/admin/worker-keys/${created.id}`, {
      name: "renamed",
      options: { safetyOff: true },
    });
    expect(patched).toMatchObject({
      id: created.id,
      name: "renamed",
      enabled: true,
      options: { safetyOff: true, systemAsUser: false, allowedModels: ["gemini-2.5-flash"], dailyLimit: 100 },
    });
    const cleared = await session.json<WorkerKeyItem>("PATCH", `/api/admin/worker-keys/${created.id}`, {
      options: { allowedModels: null, dailyLimit: null },
    });
    expect(cleared.options).toEqual({ safetyOff: true, systemAsUser: false, allowedModels: null, dailyLimit: null, keepAliveWhitespace: false });
    expect(cleared).not.toHaveProperty("key");
    expect(cleared).not.toHaveProperty("hash");
    expect((await session.request("PATCH", `/api/admin/worker-keys/${created.id}`, { options: { bogus: 1 } })).status).toBe(400);
    expect((await session.request("PATCH", `/api/admin/worker-keys/${created.id}`, { hash: "x" })).status).toBe(400);
  });

  it("lastUsedAt is the newest ledger row of that client, folded into the roll-ups or not", async () => {
    const session = await admin();
    const created = await session.json<Created>("POST", "/api/admin/worker-keys", { name: "used" });
    const other = await session.json<Created>("POST", "/api/admin/worker-keys", { name: "other" });
    const newest = Date.now() - 3_600_000;
    await insertCall(created.id, newest - 60_000);
    await insertCall(created.id, newest);
    await insertCall(other.id, newest + 5_000);
    const lastUsed = async () => {
      const listed = await session.json<WorkerKeyItem[]>("GET", "/api/admin/worker-keys");
      return [listed.find((k) => k.id === created.id)?.lastUsedAt, listed.find((k) => k.id === other.id)?.lastUsedAt];
    };
    // In the ledger's unfolded tail.
    expect(await lastUsed()).toEqual([new Date(newest).toISOString(), new Date(newest + 5_000).toISOString()]);
    // Folded by the cron: the roll-up's last_ts says the same.
    await foldLedger(env.DB);
    expect(await lastUsed()).toEqual([new Date(newest).toISOString(), new Date(newest + 5_000).toISOString()]);
    // A newer call in the tail wins over the folded one.
    await insertCall(created.id, newest + 10_000);
    expect((await lastUsed())[0]).toBe(new Date(newest + 10_000).toISOString());
  });

  it("deletes a key (404 afterwards), and the deleted key no longer authenticates", async () => {
    const session = await admin();
    const created = await session.json<Created>("POST", "/api/admin/worker-keys", { name: "doomed" });
    expect(await session.json("DELETE", `/api/admin/worker-keys/${created.id}`)).toEqual({ ok: true });
    expect((await session.request("DELETE", `/api/admin/worker-keys/${created.id}`)).status).toBe(404);
    expect((await session.request("PATCH", `/api/admin/worker-keys/${created.id}`, { name: "x" })).status).toBe(404);
    expect((await call("/v1/models", { headers: { authorization: `Bearer ${created.key}` } })).status).toBe(401);
  });
});
