// Quota reset against the running Worker: a per-day 429 exhausts the key until Pacific
// midnight; a cron run outside the midnight window leaves it so; the admin's "reset quotas
// now" lifts it. (A cron run *at* midnight needs a chosen scheduledTime, which wrangler dev
// cannot pass in: see runScheduled in harness.ts; that case belongs to the workerd tests.)

import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { fake, openaiClient, runScheduled, seedPool, waitFor, type SeededPool } from "./harness";

const MODEL = "gemini-2.5-flash";
const FIVE_MINUTES = 5 * 60_000;
let pool: SeededPool;
let client: OpenAI;

const pacificClock = new Intl.DateTimeFormat("en-US", { timeZone: "America/Los_Angeles", hourCycle: "h23", hour: "2-digit", minute: "2-digit" });

/** The next instant whose America/Los_Angeles wall clock reads 00:00 (DST-aware). */
function nextPacificMidnight(after: Date): Date {
  for (let t = Math.ceil(after.getTime() / FIVE_MINUTES) * FIVE_MINUTES; ; t += FIVE_MINUTES) {
    if (pacificClock.format(new Date(t)) === "00:00") return new Date(t);
  }
}

const modelState = async () => {
  const keys = await pool.admin.get<Array<{ id: string; models: Record<string, { state: string; until?: string }> }>>("/api/admin/gemini-keys");
  return keys.find((k) => k.id === pool.geminiKeys[0]!.id)!.models[MODEL]!;
};

const chat = () => client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Say hello" }] });

async function exhaustTheKey() {
  await fake.script(pool.geminiKeys[0]!.key, ["rate_limit_day"]);
  await expect(chat()).rejects.toMatchObject({ status: 429 });
  const state = await modelState();
  expect(state.state).toBe("exhausted");
  return state;
}

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [{ id: MODEL, category: "flash" }], clientKeyName: "reset-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

describe("quota reset", () => {
  it("a per-day 429 exhausts the key until the next Pacific midnight, and a cron run outside midnight keeps it so", async () => {
    const state = await exhaustTheKey();
    expect(Date.parse(state.until!)).toBe(nextPacificMidnight(new Date()).getTime());
    const minutesIntoPacificDay = (() => {
      const [h, m] = pacificClock.format(new Date()).split(":").map(Number);
      return h! * 60 + m!;
    })();
    if (minutesIntoPacificDay < 10) return; // this run is the midnight one: nothing to tell apart
    expect(await runScheduled("*/5 * * * *")).toBe("Ran scheduled event");
    expect((await modelState()).state).toBe("exhausted");
    await expect(chat()).rejects.toMatchObject({ status: 429 });
  });

  it("the admin's reset button lifts it at once", async () => {
    if ((await modelState()).state !== "exhausted") await exhaustTheKey();
    await pool.admin.post("/api/admin/pool/reset");
    await waitFor(async () => (await modelState()).state === "ok", { message: "the key is usable again after the admin reset" });
    const answer = await waitFor(() => chat().catch(() => null), { message: "chat answers again after the reset" });
    expect(answer.choices[0]!.message.content).toBe("Hello from fake Gemini");
  });
});
