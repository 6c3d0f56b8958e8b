import { describe, expect, it } from "vitest";
import type { BatchEmbedContentsResponse } from "../../src/gemini/types";
import { float32Base64, toGeminiBatchEmbedRequest, toOpenAIEmbeddings } from "../../src/openai/embeddings";
import { parseEmbeddingsRequest } from "../../src/openai/schemas";
import { fixtureJson } from "./fixtures";
import { translationError } from "./request-helpers";

// The openai SDK's own decoder for base64 embeddings (its non-Buffer path).
function sdkDecode(base64: string): number[] {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return Array.from(new Float32Array(bytes.buffer));
}

const recorded = () => fixtureJson<BatchEmbedContentsResponse>("embeddingBatch");

describe("embeddings", () => {
  it("request: one embed request per input, model prefixed, dimensions -> outputDimensionality", () => {
    const req = parseEmbeddingsRequest({ model: "my-embed", input: ["a", "b"], dimensions: 256 });
    expect(toGeminiBatchEmbedRequest(req, "gemini-embedding-001")).toEqual({
      requests: [
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "a" }] }, outputDimensionality: 256 },
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "b" }] }, outputDimensionality: 256 },
      ],
    });
    expect(toGeminiBatchEmbedRequest(parseEmbeddingsRequest({ model: "m", input: "one" }), "e")).toEqual({
      requests: [{ model: "models/e", content: { parts: [{ text: "one" }] } }],
    });
  });

  it("empty input and more than Google's 100 inputs per batch are refused", () => {
    expect(translationError(() => toGeminiBatchEmbedRequest(parseEmbeddingsRequest({ model: "m", input: [] }), "e")).param).toBe("input");
    const hundred = Array.from({ length: 100 }, (_, i) => `t${i}`);
    expect(toGeminiBatchEmbedRequest(parseEmbeddingsRequest({ model: "m", input: hundred }), "e").requests).toHaveLength(100);
    expect(translationError(() => toGeminiBatchEmbedRequest(parseEmbeddingsRequest({ model: "m", input: [...hundred, "x"] }), "e"))).toMatchObject({
      param: "input",
      code: "too_many_inputs",
    });
  });

  it("token arrays and empty strings are refused", () => {
    expect(translationError(() => toGeminiBatchEmbedRequest(parseEmbeddingsRequest({ model: "m", input: [1, 2] }), "e"))).toMatchObject({
      param: "input",
      code: "unsupported_value",
    });
    expect(translationError(() => toGeminiBatchEmbedRequest(parseEmbeddingsRequest({ model: "m", input: ["a", ""] }), "e")).param).toBe(
      "input[1]",
    );
  });

  it("google-embedding-2-multimodal-batch.json as floats", () => {
    const req = parseEmbeddingsRequest({ model: "my-embed", input: ["x", "y"], encoding_format: "float" });
    const { body, usage } = toOpenAIEmbeddings(recorded(), req, "my-embed");
    expect(body).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.5138951, 0.857853] },
        { object: "embedding", index: 1, embedding: [-0.5045317, -0.8633931] },
      ],
      model: "my-embed",
      usage: { prompt_tokens: 12, total_tokens: 12 },
    });
    expect(usage).toEqual({ promptTokens: 12, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 12 });
  });

  it("google-embedding-2-multimodal-batch.json as base64 (the SDK default) decodes to the same vectors", () => {
    const req = parseEmbeddingsRequest({ model: "my-embed", input: ["x", "y"], encoding_format: "base64" });
    const { body } = toOpenAIEmbeddings(recorded(), req, "my-embed");
    const data = (body as { data: { embedding: string }[] }).data;
    expect(data.map((item) => typeof item.embedding)).toEqual(["string", "string"]);
    const first = sdkDecode(data[0]?.embedding ?? "");
    const second = sdkDecode(data[1]?.embedding ?? "");
    expect(first).toHaveLength(2);
    expect(first[0]).toBeCloseTo(0.5138951, 6);
    expect(first[1]).toBeCloseTo(0.857853, 6);
    expect(second[0]).toBeCloseTo(-0.5045317, 6);
    expect(second[1]).toBeCloseTo(-0.8633931, 6);
  });

  it("float32Base64 is little-endian float32: 1.0 -> 00 00 80 3f", () => {
    expect(float32Base64([1])).toBe(btoa(String.fromCharCode(0, 0, 0x80, 0x3f)));
    const many = Array.from({ length: 20_000 }, (_, i) => i / 7);
    expect(sdkDecode(float32Base64(many))).toEqual(Array.from(new Float32Array(many)));
  });

  it("a vector count that does not match the inputs is an upstream fault (plain Error)", () => {
    const req = parseEmbeddingsRequest({ model: "m", input: ["only one"] });
    expect(() => toOpenAIEmbeddings(recorded(), req, "m")).toThrow("Gemini returned 2 embeddings for 1 inputs.");
  });
});
