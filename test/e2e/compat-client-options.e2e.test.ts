// OpenAI compatibility, per-client-key options set through the admin API
// (PATCH /api/admin/worker-keys/{id} {options}): safety off, system as user, a model
// allow-list and a daily request limit, seen through the official openai client.

import OpenAI from "openai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ask, generateCalls, MODES, sdkError } from "./compat-helpers";
import { d1, fake, openaiClient, seedPool, waitFor, type SeededPool } from "./harness";

const FLASH = "gemini-2.5-flash";
const OTHER = "gemini-2.5-flash-lite";
const ANSWER = "Hello from fake Gemini";
const ALL_OFF = [
  { category: "HARM_CATEGORY_HARASSMENT", threshold: "OFF" },
  { category: "HARM_CATEGORY_HATE_SPEECH", threshold: "OFF" },
  { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", threshold: "OFF" },
  { category: "HARM_CATEGORY_DANGEROUS_CONTENT", threshold: "OFF" },
];

let pool: SeededPool;

interface ClientKey {
  id: string;
  key: string;
  client: OpenAI;
}

/** A new client key with the given options, created then PATCHed as the panel does. */
async function clientWith(name: string, options: Record<string, unknown>): Promise<ClientKey> {
  const created = await pool.admin.post<{ id: string; key: string }>("/api/admin/worker-keys", { name });
  const patched = await pool.admin.patch<{ options: Record<string, unknown> }>(`/api/admin/worker-keys/${created.id}`, { options });
  expect(patched.options).toMatchObject(options);
  const client = openaiClient(created.key);
  // admin changes reach the proxy within 5 s in local dev
  await waitFor(async () => (await client.models.list()).data.length > 0, { timeoutMs: 10_000, message: `client key ${name} accepted` });
  return { ...created, client };
}

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [FLASH, OTHER], clientKeyName: "compat-options", replace: true });
});

beforeEach(async () => {
  await fake.clearRequests();
});

describe("safety off", () => {
  let safe: ClientKey;
  beforeAll(async () => {
    safe = await clientWith("compat-safety-off", { safetyOff: true });
  });

  it.each(MODES)("every adjustable harm category goes to Google as OFF ($name)", async ({ streamed }) => {
    await waitFor(
      async () => {
        await fake.clearRequests();
        const answer = await ask(safe.client, { model: FLASH, messages: [{ role: "user", content: "hi" }] }, streamed);
        expect(answer.choices[0]!.content).toBe(ANSWER);
        const [call] = await generateCalls();
        expect(call!.status).toBe(200);
        return JSON.stringify((call!.body as any).safetySettings) === JSON.stringify(ALL_OFF);
      },
      { timeoutMs: 10_000, message: "safetySettings all OFF" },
    );
  });

  it("extra_body.google.safety_settings overrides one category, the others stay OFF", async () => {
    await safe.client.chat.completions.create({
      model: FLASH,
      messages: [{ role: "user", content: "hi" }],
      // @ts-expect-error extra body field, as Python's extra_body would merge it
      google: { safety_settings: [{ category: "HARM_CATEGORY_HATE_SPEECH", threshold: "BLOCK_LOW_AND_ABOVE" }] },
    });
    const [call] = await generateCalls();
    expect((call!.body as any).safetySettings).toEqual(
      ALL_OFF.map((s) => (s.category === "HARM_CATEGORY_HATE_SPEECH" ? { ...s, threshold: "BLOCK_LOW_AND_ABOVE" } : s)),
    );
  });

  it("a client key without the option sends no safetySettings", async () => {
    await openaiClient(pool.clientKey.key).chat.completions.create({ model: FLASH, messages: [{ role: "user", content: "hi" }] });
    const [call] = await generateCalls();
    expect((call!.body as any).safetySettings).toBeUndefined();
  });
});

describe("system as user", () => {
  it.each(MODES)("system and developer text becomes the leading user turn, no systemInstruction ($name)", async ({ streamed }) => {
    const asUser = await clientWith(`compat-system-as-user-${streamed ? "s" : "p"}`, { systemAsUser: true });
    const answer = await ask(
      asUser.client,
      {
        model: FLASH,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: "Answer in English." },
          { role: "user", content: "hi" },
        ],
      },
      streamed,
    );
    expect(answer.choices[0]!.content).toBe(ANSWER);
    const [call] = await generateCalls();
    const body = call!.body as any;
    expect(body.systemInstruction).toBeUndefined();
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "Be brief." }, { text: "Answer in English." }, { text: "hi" }] }]);
  });
});

describe("model allow-list", () => {
  it.each(MODES)("an allowed model answers; another configured model is 404 model_not_found ($name)", async ({ streamed }) => {
    const limited = await clientWith(`compat-allow-list-${streamed ? "s" : "p"}`, { allowedModels: [FLASH] });
    const answer = await ask(limited.client, { model: FLASH, messages: [{ role: "user", content: "hi" }] }, streamed);
    expect(answer.choices[0]!.content).toBe(ANSWER);
    await fake.clearRequests();

    const error = await sdkError(limited.client.chat.completions.create({ model: OTHER, messages: [{ role: "user", content: "hi" }], stream: streamed }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.status).toBe(404);
    expect(error.code).toBe("model_not_found");
    expect(await generateCalls()).toHaveLength(0);
    // the unrestricted key still reaches the other model
    const other = await openaiClient(pool.clientKey.key).chat.completions.create({ model: OTHER, messages: [{ role: "user", content: "hi" }] });
    expect(other.choices[0]!.message.content).toBe(ANSWER);
  });
});

describe("daily request limit", () => {
  it("the N+1th call of the day is 429, and Google is not called for it", async () => {
    const limit = 2;
    const capped = await clientWith("compat-daily-limit", { dailyLimit: limit });
    await ask(capped.client, { model: FLASH, messages: [{ role: "user", content: "one" }] }, false);
    await ask(capped.client, { model: FLASH, messages: [{ role: "user", content: "two" }] }, true);
    // the limit counts the client's ledger rows (written in waitUntil after each call; read at the Worker's next sync)
    await waitFor(
      async () =>
        (await d1<{ n: number }>(`SELECT count(*) AS n FROM usage_calls WHERE client_key_id = '${capped.id}'`))[0]?.n === limit,
      { timeoutMs: 20_000, message: `${limit} ledger rows for the capped client` },
    );
    await fake.clearRequests();

    for (const streamed of [false, true]) {
      const error = await sdkError(capped.client.chat.completions.create({ model: FLASH, messages: [{ role: "user", content: "three" }], stream: streamed }));
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.status).toBe(429);
      expect(error.message).toMatch(/daily limit/i);
    }
    expect(await generateCalls()).toHaveLength(0);
  });
});
