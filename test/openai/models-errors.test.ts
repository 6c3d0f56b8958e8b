import { describe, expect, it } from "vitest";
import type { GoogleErrorBody } from "../../src/gemini/types";
import { openAIError, TranslationError } from "../../src/openai/errors";
import { redactSecrets } from "../../src/util/redact";
import { toOpenAIModel, toOpenAIModelList } from "../../src/openai/models";
import { fixtureJson } from "./fixtures";

describe("models", () => {
  it("list and single model in OpenAI's shape", () => {
    expect(toOpenAIModel("gemini-2.5-flash", 1700)).toEqual({ id: "gemini-2.5-flash", object: "model", created: 1700, owned_by: "google" });
    expect(toOpenAIModelList(["a", "b"], 5)).toEqual({
      object: "list",
      data: [
        { id: "a", object: "model", created: 5, owned_by: "google" },
        { id: "b", object: "model", created: 5, owned_by: "google" },
      ],
    });
  });
});

describe("errors", () => {
  it("openAIError builds OpenAI's error body; param defaults to null", () => {
    expect(openAIError("nope", "invalid_request_error", "model_not_found")).toEqual({
      error: { message: "nope", type: "invalid_request_error", code: "model_not_found", param: null },
    });
  });

  it("TranslationError carries status, type, code and param, and renders the body", () => {
    const error = new TranslationError("bad", { param: "messages[0].role" });
    expect(error).toBeInstanceOf(Error);
    expect([error.status, error.type, error.code, error.param]).toEqual([400, "invalid_request_error", "invalid_value", "messages[0].role"]);
    expect(error.toBody()).toEqual({ error: { message: "bad", type: "invalid_request_error", code: "invalid_value", param: "messages[0].role" } });
    expect(new TranslationError("big", { status: 413, code: "request_too_large" }).status).toBe(413);
  });

  it("redactSecrets hides Google keys and key= query values", () => {
    const key = `AIza${"A".repeat(30)}b_c-9`;
    expect(redactSecrets(`key ${key} failed`)).toBe("key AIza…[redacted] failed");
    expect(redactSecrets("GET /v1beta/models?alt=sse&key=secret123&x=1")).toBe("GET /v1beta/models?alt=sse&key=[redacted]&x=1");
    expect(redactSecrets("nothing here")).toBe("nothing here");
  });

  it("the recorded 429 body matches GoogleErrorBody (RetryInfo and QuotaFailure details) and holds no secret", () => {
    const body = fixtureJson<GoogleErrorBody>("rateLimited");
    expect(body.error.code).toBe(429);
    expect(body.error.details?.find((d) => d["@type"]?.endsWith("RetryInfo"))?.retryDelay).toBe("34.4s");
    expect(body.error.details?.find((d) => d["@type"]?.endsWith("QuotaFailure"))?.violations?.[0]?.quotaId).toBe(
      "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
    );
    const text = JSON.stringify(body);
    expect(redactSecrets(text)).toBe(text);
  });
});
