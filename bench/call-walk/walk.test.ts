import { afterEach, expect, it, vi } from "vitest";
import { callWorker, chatBody } from "../../test/proxy/call";
import { fakeGoogle, geminiText, sse } from "../../test/helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../../test/helpers/seed";

/**
 * Which source files one streamed /v1/chat/completions call runs code in, from Istanbul's
 * statement counters before and after the call: a file counts when any statement in it ran
 * during the call (module top level, run once at import, does not count). Printed, not
 * asserted against a target: a figure for docs/architecture.md and the issue notes.
 */
type Counters = Record<string, { s: Record<string, number> }>;

function counters(): Counters {
  const store = (globalThis as Record<string, unknown>).__VITEST_COVERAGE__ as Counters | undefined;
  if (!store) throw new Error("run with bench/call-walk/vitest.config.ts (coverage on)");
  return structuredClone(store);
}

function touched(before: Counters, after: Counters): string[] {
  return Object.entries(after)
    .filter(([file, { s }]) => Object.entries(s).some(([id, hits]) => hits > (before[file]?.s[id] ?? 0)))
    .map(([file]) => file.slice(file.indexOf("/src/") + 1))
    .sort();
}

async function walk(key: string): Promise<string[]> {
  const before = counters();
  const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key, body: chatBody({ stream: true }) });
  expect(response.status).toBe(200);
  expect(text).toContain("data: [DONE]");
  return touched(before, counters());
}

afterEach(() => vi.restoreAllMocks());

it("counts the files one streamed chat call runs code in, cold and warm isolate", async () => {
  const key = await seedProxy({ geminiKeys: [{ id: "k1", secret: fakeGeminiKey("walk1") }] });
  fakeGoogle(() => sse([geminiText("Hel"), geminiText("lo"), geminiText("!")]));
  const cold = await walk(key);
  const warm = await walk(key);
  console.log(`streamed chat call, cold isolate: ${cold.length} files\n  ${cold.join("\n  ")}`);
  console.log(`streamed chat call, warm isolate: ${warm.length} files\n  ${warm.join("\n  ")}`);
  expect(warm.length).toBeGreaterThan(0);
});
