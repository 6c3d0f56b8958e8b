// Failover and key state through the real Worker, driven by the fake's key behaviours.
// Every test starts from its own pool (seedPool replace), because the Worker remembers
// key states between calls.

import OpenAI from "openai";
import { beforeEach, describe, expect, it } from "vitest";
import { d1, fake, openaiClient, seedPool, waitFor, workerUrl, type AdminSession, type SeededPool } from "./harness";

const MODEL = "gemini-2.5-flash";
const MESSAGES = [{ role: "user" as const, content: "Say hello" }];

let pool: SeededPool;
let client: OpenAI;

async function seed(keys: number) {
  await fake.reset();
  pool = await seedPool({ geminiKeys: keys, models: [{ id: MODEL, category: "flash" }], clientKeyName: "failover-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
  await fake.clearRequests();
}

interface KeyItem {
  id: string;
  status: "active" | "invalid" | "suspended" | "disabled";
  models: Record<string, { state: "ok" | "cooling" | "exhausted"; until?: string; reason?: string }>;
}
const keyItems = (admin: AdminSession) => admin.get<KeyItem[]>("/api/admin/gemini-keys");
const keyItem = async (admin: AdminSession, id: string) => (await keyItems(admin)).find((k) => k.id === id)!;

const generateCalls = async () =>
  (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");

const chat = () => client.chat.completions.create({ model: MODEL, messages: MESSAGES });

/** The error a call fails with (an OpenAI.APIError for HTTP errors). */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
  );

async function lastLedgerRow() {
  return waitFor(
    async () => {
      const [row] = await d1<{ status: number; outcome: string; attempts: number }>(
        `SELECT status, outcome, attempts FROM usage_calls WHERE client_key_id = '${pool.clientKey.id}' AND endpoint = 'chat' ORDER BY id DESC LIMIT 1`,
      );
      return row;
    },
    { timeoutMs: 15_000, message: "a ledger row for the call" },
  );
}

describe("failover through the Worker", () => {
  beforeEach(async () => {
    await seed(2);
  });

  it("tries the other key after a per-minute 429, and answers 429 rate_limit_exceeded with Retry-After when both are limited", async () => {
    await fake.setKey(pool.geminiKeys.map((k) => k.key), "rate_limit_minute");
    const started = Date.now();
    const error = await failure(chat());
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.code).toBe("rate_limit_exceeded");
    const retryAfter = Number(error.headers?.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(30);
    expect(retryAfter).toBeLessThanOrEqual(40);

    const calls = await generateCalls();
    expect(new Set(calls.map((c) => c.apiKey))).toEqual(new Set(pool.geminiKeys.map((k) => k.key)));
    expect(calls).toHaveLength(2);

    for (const key of pool.geminiKeys) {
      const health = (await keyItem(pool.admin, key.id)).models[MODEL]!;
      expect(health.state).toBe("cooling");
      const until = Date.parse(health.until!);
      expect(until - started).toBeGreaterThan(30_000);
      expect(until - started).toBeLessThan(45_000);
    }
    expect(await lastLedgerRow()).toMatchObject({ status: 429, outcome: "rate_limited", attempts: 2 });

    // Both keys cooling: the next call is refused without asking Google.
    await fake.clearRequests();
    expect((await failure(chat())).status).toBe(429);
    expect(await generateCalls()).toHaveLength(0);
  });

  it("marks a per-day 429 exhausted until the next Pacific midnight and answers from the other key", async () => {
    const [limited, healthy] = pool.geminiKeys as [SeededPool["geminiKeys"][0], SeededPool["geminiKeys"][0]];
    await fake.setKey(limited.key, "rate_limit_day");
    // The Worker picks keys at random (less loaded of two): call until it has tried the limited one.
    for (let i = 0; i < 8 && !(await generateCalls()).some((c) => c.apiKey === limited.key); i++) {
      expect((await chat()).choices[0]!.message.content).toBe("Hello from fake Gemini");
    }
    expect((await chat()).choices[0]!.message.content).toBe("Hello from fake Gemini");
    const calls = await generateCalls();
    expect(calls.filter((c) => c.apiKey === limited.key)).toHaveLength(1);
    expect(calls.filter((c) => c.status === 200).every((c) => c.apiKey === healthy.key)).toBe(true);

    const health = (await keyItem(pool.admin, limited.id)).models[MODEL]!;
    expect(health.state).toBe("exhausted");
    const until = Date.parse(health.until!);
    expect(until).toBeGreaterThan(Date.now());
    expect(until - Date.now()).toBeLessThanOrEqual(25 * 3600_000);
  });

  it("tries the other key after an empty candidate", async () => {
    await fake.setKey(pool.geminiKeys.map((k) => k.key), "empty");
    const error = await failure(chat());
    expect(error.status).toBeGreaterThanOrEqual(500);
    const calls = await generateCalls();
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.apiKey)).size).toBe(2);
  });

  it("passes a 400 caused by the request straight back, without trying another key", async () => {
    const googleBadRequest = {
      status: 400,
      body: { error: { code: 400, message: "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"", status: "INVALID_ARGUMENT" } },
    };
    for (const key of pool.geminiKeys) await fake.script(key.key, [googleBadRequest]);
    const error = await failure(chat());
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(await generateCalls()).toHaveLength(1);
    for (const key of pool.geminiKeys) expect((await keyItem(pool.admin, key.id)).status).toBe("active");
  });
});

describe("key status after Google refuses the key", () => {
  beforeEach(async () => {
    await seed(1);
  });

  it.each([
    ["invalid", "invalid"],
    ["suspended", "suspended"],
  ] as const)("%s: the key becomes %s and the next call gets 503 without asking Google", async (behaviour, status) => {
    const [only] = pool.geminiKeys;
    await fake.setKey(only!.key, behaviour);
    expect((await failure(chat())).status).toBeGreaterThanOrEqual(500);
    expect((await keyItem(pool.admin, only!.id)).status).toBe(status);

    await fake.clearRequests();
    const error = await failure(chat());
    expect(error.status).toBe(503);
    expect(await generateCalls()).toHaveLength(0);
  });

  it("region: FAILED_PRECONDITION is not a bad key", async () => {
    const [only] = pool.geminiKeys;
    await fake.setKey(only!.key, "region");
    await failure(chat());
    expect((await keyItem(pool.admin, only!.id)).status).toBe("active");
  });
});

describe("streams", () => {
  beforeEach(async () => {
    await seed(2);
  });

  it("an upstream error after the first byte becomes an error event and [DONE], with no retry", async () => {
    await fake.setKey(pool.geminiKeys.map((k) => k.key), "stream_error_after_first_chunk");
    const res = await fetch(`${workerUrl()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${pool.clientKey.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, messages: MESSAGES, stream: true }),
    });
    expect(res.status).toBe(200);
    const data = (await res.text())
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data: "))
      .map((line) => line.slice("data: ".length));
    expect(data.at(-1)).toBe("[DONE]");
    const error = JSON.parse(data.at(-2)!);
    expect(Object.keys(error)).toEqual(["error"]);
    expect(error.error).toEqual(expect.objectContaining({ message: expect.any(String), type: expect.any(String) }));
    const text = data
      .slice(0, -2)
      .map((d) => JSON.parse(d).choices?.[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe("Hello from ");
    expect(await generateCalls()).toHaveLength(1);
  });

  it("the official client surfaces that error event as an APIError after the first delta", async () => {
    await fake.setKey(pool.geminiKeys.map((k) => k.key), "stream_error_after_first_chunk");
    const stream = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true });
    let text = "";
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(text).toBe("Hello from ");
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });
});
