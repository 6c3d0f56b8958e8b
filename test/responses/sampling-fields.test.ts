import { describe, expect, it } from "vitest";
import { MAX_OUTPUT_TOKENS, parseChatRequest } from "../../src/openai/schemas";
import { parseResponsesRequest } from "../../src/responses/schemas";
import { translationError } from "../helpers/translation-error";

// The chat and Responses bodies share their sampling fields and the output-token clamp.
const chat = (fields: object) => parseChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }], ...fields });
const responses = (fields: object) => parseResponsesRequest({ model: "m", input: "hi", ...fields });

const refusedParam = (parse: () => unknown) => translationError(parse).param;

describe("sampling fields shared by chat and Responses", () => {
  it("refuse the same out-of-bounds values, naming the field", () => {
    for (const parse of [chat, responses]) {
      expect(refusedParam(() => parse({ temperature: 2.5 }))).toBe("temperature");
      expect(refusedParam(() => parse({ top_p: -0.1 }))).toBe("top_p");
      expect(parse({ temperature: 0.7, top_p: 0.9 })).toMatchObject({ temperature: 0.7, top_p: 0.9 });
    }
  });

  it("clamp the output-token budget to what a model can write, in both doors", () => {
    expect(chat({ max_completion_tokens: 10_000_000 }).max_completion_tokens).toBe(MAX_OUTPUT_TOKENS);
    expect(responses({ max_output_tokens: 10_000_000 }).max_output_tokens).toBe(MAX_OUTPUT_TOKENS);
    expect(responses({ max_output_tokens: 100 }).max_output_tokens).toBe(100);
    expect(refusedParam(() => responses({ max_output_tokens: 0 }))).toBe("max_output_tokens");
  });
});
