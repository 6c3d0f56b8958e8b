// OpenAI compatibility, Google Search: a `-search` model suffix and the `web_search` body flag
// both add exactly one googleSearch tool, also on the retry after the first key fails.

import OpenAI from "openai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ask, generateCalls, MODES } from "./compat-helpers";
import { fake, openaiClient, seedPool, type SeededPool } from "./harness";

const FLASH = "gemini-2.5-flash";
const ANSWER = "Hello from fake Gemini";
/**
 * Keys that fail their first call with a per-minute 429, and one healthy key: with the
 * Worker's 3 attempts a call always ends on the healthy key at the latest.
 */
const FAILING_KEYS = 2;

let pool: SeededPool;
let client: OpenAI;

beforeAll(async () => {
  await fake.reset();
});

/** A fresh pool for each test: failing keys cool down after their 429, so each test needs new ones. */
beforeEach(async () => {
  pool = await seedPool({ geminiKeys: FAILING_KEYS + 1, models: [FLASH], clientKeyName: "compat-search", replace: true });
  client = openaiClient(pool.clientKey.key);
  for (const key of pool.geminiKeys.slice(0, FAILING_KEYS)) await fake.script(key.key, ["rate_limit_minute"]);
  await fake.clearRequests();
});

const VARIANTS = MODES.flatMap((mode) => [
  { ...mode, how: "model suffix", model: `${FLASH}-search`, extra: {} },
  { ...mode, how: "web_search flag", model: FLASH, extra: { web_search: true } },
]);

describe("Google Search", () => {
  it.each(VARIANTS)("$how ($name): googleSearch exactly once on every attempt, the retry included", async ({ streamed, model, extra }) => {
    // Keys are picked at random, so call until one call needed a second key (2 first picks in 3 fail).
    let retried = false;
    for (let call = 0; call < 10 && !retried; call++) {
      await fake.clearRequests();
      const answer = await ask(client, { model, messages: [{ role: "user", content: "Who won?" }], ...extra }, streamed);
      expect(answer.choices[0]!.content).toBe(ANSWER);
      const attempts = await generateCalls();
      for (const attempt of attempts) {
        expect(attempt.path).toBe(`/v1beta/models/${FLASH}:${streamed ? "streamGenerateContent" : "generateContent"}`);
        const tools = (attempt.body as { tools?: object[] }).tools ?? [];
        expect(tools).toEqual([{ googleSearch: {} }]);
      }
      expect(attempts.at(-1)!.status).toBe(200);
      if (attempts.length > 1) {
        expect(attempts[0]!.status).toBe(429);
        expect(new Set(attempts.map((a) => a.apiKey)).size).toBe(attempts.length);
        retried = true;
      }
    }
    expect(retried, "no call hit a failing key first in 10 tries").toBe(true);
  });

  it("with function tools too, googleSearch comes after the declarations", async () => {
    await ask(
      client,
      {
        model: `${FLASH}-search`,
        messages: [{ role: "user", content: "Who won?" }],
        tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }],
      },
      false,
    );
    const attempts = await generateCalls();
    const tools = (attempts.at(-1)!.body as { tools: object[] }).tools;
    expect(tools).toHaveLength(2);
    expect(tools[0]).toMatchObject({ functionDeclarations: [{ name: "lookup" }] });
    expect(tools[1]).toEqual({ googleSearch: {} });
  });
});
