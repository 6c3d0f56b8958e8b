// /v1/embeddings through the Worker: the official client asks for base64 by default;
// the vectors must be the fake's, in input order, from one batchEmbedContents call.

import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { embeddingValues } from "../fake-gemini/replies.mjs";
import { fake, openaiClient, seedPool } from "./harness";

const MODEL = "gemini-embedding-001";
let client: OpenAI;

beforeAll(async () => {
  await fake.reset();
  const pool = await seedPool({ geminiKeys: 1, models: [{ id: MODEL, category: "custom" }], clientKeyName: "embeddings-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

describe("embeddings through the Worker", () => {
  it("returns the fake's vectors for each input, in order, with the SDK's default base64 encoding", async () => {
    await fake.clearRequests();
    const inputs = ["hello", "world"];
    const result = await client.embeddings.create({ model: MODEL, input: inputs, dimensions: 16 });

    expect(result.object).toBe("list");
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    result.data.forEach((d, i) => {
      const expected = embeddingValues(inputs[i]!, 16);
      expect(d.embedding).toHaveLength(16);
      d.embedding.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 6));
    });

    const calls = await fake.requests();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: `/v1beta/models/${MODEL}:batchEmbedContents`, status: 200, keyInQuery: false });
    const body = calls[0]!.body as { requests: Array<{ model: string; content: { parts: Array<{ text: string }> }; outputDimensionality?: number }> };
    expect(body.requests.map((r) => r.content.parts[0]!.text)).toEqual(inputs);
    expect(body.requests.every((r) => r.model === `models/${MODEL}` && r.outputDimensionality === 16)).toBe(true);
  });

  it("honours encoding_format: float too", async () => {
    const result = await client.embeddings.create({ model: MODEL, input: "hello", encoding_format: "float", dimensions: 8 });
    const expected = embeddingValues("hello", 8);
    result.data[0]!.embedding.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 6));
  });
});
