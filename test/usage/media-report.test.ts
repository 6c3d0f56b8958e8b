import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { foldLedger } from "../../src/usage/fold";
import { recordCall } from "../../src/usage/record";
import { usageTotals, usageTotalsCsv } from "../../src/usage/report";
import { ledgerCall } from "../helpers/ledger";

// Media figures ride on the ledger row and fold into usage_daily; the report adds the tail, so
// the answer is the same before and after a fold.

const at = (day: string) => Date.parse(`${day}T18:00:00Z`);

async function seed(): Promise<void> {
  const day1 = "2037-02-01";
  const day2 = "2037-02-02";
  await recordCall(env.DB, ledgerCall({ ts: at(day1), day: day1, geminiKeyId: "key-a", model: "gemini-2.5-flash-image", endpoint: "images.generations", media: { images: 2 } }));
  await recordCall(env.DB, ledgerCall({ ts: at(day1), day: day1, geminiKeyId: "key-b", model: "gemini-2.5-flash-preview-tts", endpoint: "audio.speech", media: { audioMs: 3000, speechCharacters: 120 } }));
  await recordCall(env.DB, ledgerCall({ ts: at(day2), day: day2, geminiKeyId: "key-a", model: "gemini-2.5-flash-image", endpoint: "chat", media: { images: 1 } }));
  await recordCall(env.DB, ledgerCall({ ts: at(day2), day: day2, geminiKeyId: "key-b", model: "gemini-2.5-flash", endpoint: "files.upload", media: { files: 1, fileBytes: 4096 } }));
  await recordCall(env.DB, ledgerCall({ ts: at(day2), day: day2, geminiKeyId: "key-b", model: "gemini-2.5-flash", endpoint: "chat" }));
}

const range = { from: "2037-02-01", to: "2037-02-02" };
const pick = (rows: object[]) =>
  rows.map((row) => {
    const { group, requests, images, audioMs, speechCharacters, files, fileBytes } = row as Record<string, unknown>;
    return { group, requests, images, audioMs, speechCharacters, files, fileBytes };
  });

describe("media in the usage report", () => {
  it("sums images, audio, speech characters and files per key, model and day, the same before and after the fold", async () => {
    await seed();
    const expected = {
      key: [
        { group: "key-b", requests: 3, images: 0, audioMs: 3000, speechCharacters: 120, files: 1, fileBytes: 4096 },
        { group: "key-a", requests: 2, images: 3, audioMs: 0, speechCharacters: 0, files: 0, fileBytes: 0 },
      ],
      model: [
        { group: "gemini-2.5-flash", requests: 2, images: 0, audioMs: 0, speechCharacters: 0, files: 1, fileBytes: 4096 },
        { group: "gemini-2.5-flash-image", requests: 2, images: 3, audioMs: 0, speechCharacters: 0, files: 0, fileBytes: 0 },
        { group: "gemini-2.5-flash-preview-tts", requests: 1, images: 0, audioMs: 3000, speechCharacters: 120, files: 0, fileBytes: 0 },
      ],
      day: [
        { group: "2037-02-01", requests: 2, images: 2, audioMs: 3000, speechCharacters: 120, files: 0, fileBytes: 0 },
        { group: "2037-02-02", requests: 3, images: 1, audioMs: 0, speechCharacters: 0, files: 1, fileBytes: 4096 },
      ],
    } as const;
    for (const by of ["key", "model", "day"] as const) expect(pick(await usageTotals(env.DB, range, by)), `${by}, tail`).toEqual(expected[by]);
    expect((await foldLedger(env.DB)).rows).toBeGreaterThanOrEqual(5);
    for (const by of ["key", "model", "day"] as const) expect(pick(await usageTotals(env.DB, range, by)), `${by}, folded`).toEqual(expected[by]);

    // One more call after the fold: roll-up and tail add up.
    await recordCall(env.DB, ledgerCall({ ts: at("2037-02-02"), day: "2037-02-02", geminiKeyId: "key-a", model: "gemini-2.5-flash-image", media: { images: 4 } }));
    expect(pick(await usageTotals(env.DB, range, "key"))).toContainEqual({ group: "key-a", requests: 3, images: 7, audioMs: 0, speechCharacters: 0, files: 0, fileBytes: 0 });
  });

  it("by day, idle days show zero media; by client and by outcome the rows carry no media figures", async () => {
    const days = await usageTotals(env.DB, { from: "2037-03-01", to: "2037-03-02" }, "day");
    expect(pick(days)).toEqual([
      { group: "2037-03-01", requests: 0, images: 0, audioMs: 0, speechCharacters: 0, files: 0, fileBytes: 0 },
      { group: "2037-03-02", requests: 0, images: 0, audioMs: 0, speechCharacters: 0, files: 0, fileBytes: 0 },
    ]);
    await recordCall(env.DB, ledgerCall({ ts: at("2037-03-01"), day: "2037-03-01", clientKeyId: "client-m", media: { images: 1 } }));
    for (const by of ["client", "outcome"] as const) {
      const [row] = await usageTotals(env.DB, { from: "2037-03-01", to: "2037-03-01" }, by);
      expect(row).toMatchObject({ requests: 1 });
      expect(row).not.toHaveProperty("images");
    }
  });

  it("the CSV gains the media columns by day, key and model only", async () => {
    await recordCall(env.DB, ledgerCall({ ts: at("2037-04-01"), day: "2037-04-01", geminiKeyId: "key-c", media: { speechCharacters: 9, audioMs: 250 } }));
    const r = { from: "2037-04-01", to: "2037-04-01" };
    const byKey = usageTotalsCsv("key", await usageTotals(env.DB, r, "key")).trim().split(/\r?\n/);
    expect(byKey[0]).toBe("key,requests,errors,promptTokens,completionTokens,thoughtTokens,cachedTokens,totalTokens,avgLatencyMs,images,audioMs,speechCharacters,files,fileBytes");
    expect(byKey[1]).toMatch(/^key-c,1,.*,0,250,9,0,0$/);
    const byClient = usageTotalsCsv("client", await usageTotals(env.DB, r, "client")).trim().split(/\r?\n/);
    expect(byClient[0]).toBe("client,requests,errors,promptTokens,completionTokens,thoughtTokens,cachedTokens,totalTokens,avgLatencyMs");
  });
});
