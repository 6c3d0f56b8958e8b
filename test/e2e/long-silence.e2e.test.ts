// Issue 12 item 9 end to end: the openai SDK streams through a long upstream silence. The fake
// Gemini holds its headers for 4.5 s; the SDK's timeout (which runs until the response headers)
// is 3 s, like a client or proxy that drops an idle connection. With keepAliveSeconds 1 the
// Worker sends its SSE headers and ': keep-alive' comments after 1 s, so the SDK keeps waiting
// and gets the content; the same call with keep-alives off times out.
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fake, seedPool, workerUrl, type SeededPool } from "./harness";

const MODEL = "gemini-2.5-flash";
let pool: SeededPool;
let before: Record<string, unknown>;

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [{ id: MODEL, category: "flash" }], clientKeyName: "long-silence-e2e", replace: true });
  before = await pool.admin.get<Record<string, unknown>>("/api/admin/settings");
});
afterAll(async () => {
  await fake.setKey(pool.geminiKeys[0]!.key, "ok");
  await pool.admin.put("/api/admin/settings", before);
});

const impatient = () => new OpenAI({ apiKey: pool.clientKey.key, baseURL: `${workerUrl()}/v1`, maxRetries: 0, timeout: 3_000 });

async function streamText(client: OpenAI): Promise<string> {
  const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Think for a while" }], stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  return text;
}

it("the SDK streams through a 4.5 s silence before Google's headers: the Worker's keep-alives hold the connection", async () => {
  await pool.admin.put("/api/admin/settings", { ...before, keepAliveSeconds: 1 });
  await fake.setKey(pool.geminiKeys[0]!.key, "slow:4500");
  const started = Date.now();
  const text = await streamText(impatient());
  expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
  expect(text.length).toBeGreaterThan(0);

  // The raw stream: comments first, then the content, then [DONE].
  const res = await fetch(`${workerUrl()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${pool.clientKey.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Again" }], stream: true }),
  });
  const raw = await res.text();
  expect(raw.startsWith(": keep-alive\n\n")).toBe(true);
  expect(raw.trimEnd().endsWith("data: [DONE]")).toBe(true);
});

it("with keep-alives off the same silence makes the impatient SDK time out (what the head start prevents)", async () => {
  await pool.admin.put("/api/admin/settings", { ...before, keepAliveSeconds: 0 });
  await fake.setKey(pool.geminiKeys[0]!.key, "slow:4500");
  await expect(streamText(impatient())).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
});
