import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, readJsonBody } from "../../src/proxy/read-body";
import { rejectedTranslationError } from "../helpers/translation-error";

function post(body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request("http://x/v1/chat/completions", { method: "POST", body, headers });
}

/** A body sent in chunks, without a Content-Length (as a chunked upload arrives). */
function streamed(chunks: Uint8Array[], failAfter = false): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      if (failAfter) controller.error(new Error("connection reset"));
      else controller.close();
    },
  });
  return new Request("http://x/", { method: "POST", body, duplex: "half" } as RequestInit);
}

const refusal = (reading: Promise<unknown>) => rejectedTranslationError(() => reading);

function nested(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

describe("readJsonBody: the one reader of a client's JSON body", () => {
  it("reads a JSON value", async () => {
    expect(await readJsonBody(post('{"a":[1,{"b":null}]}'))).toEqual({ a: [1, { b: null }] });
  });

  it("refuses invalid JSON with 400 invalid_json", async () => {
    const error = await refusal(readJsonBody(post("{not json")));
    expect([error.status, error.code]).toEqual([400, "invalid_json"]);
    expect(error.message).toContain("not valid JSON");
  });

  it("refuses an empty body, unless the caller says what it reads as", async () => {
    expect((await refusal(readJsonBody(post("  ")))).code).toBe("invalid_json");
    expect(await readJsonBody(post(""), { emptyAs: {} })).toEqual({});
  });

  it("refuses a body nested deeper than the limit, and takes one at the limit", async () => {
    expect(await readJsonBody(post(nested(MAX_JSON_DEPTH)))).toBeInstanceOf(Array);
    const error = await refusal(readJsonBody(post(nested(MAX_JSON_DEPTH + 1))));
    expect([error.status, error.code]).toEqual([400, "invalid_json"]);
    expect(error.message).toContain(`nested deeper than ${MAX_JSON_DEPTH}`);
    const deepTool = `{"tools":[{"function":{"parameters":${nested(MAX_JSON_DEPTH)}}}]}`;
    expect((await refusal(readJsonBody(post(deepTool)))).param).toBe("tools[0].function.parameters");
  });

  it("refuses a body over the cap with 413, by its declared length or by what is sent", async () => {
    const declared = await refusal(readJsonBody(post(JSON.stringify("x".repeat(200))), { maxBytes: 100 }));
    expect([declared.status, declared.code]).toEqual([413, "request_too_large"]);
    const chunk = new TextEncoder().encode(`"${"x".repeat(60)}`);
    const sent = await refusal(readJsonBody(streamed([chunk, chunk]), { maxBytes: 100 }));
    expect([sent.status, sent.code]).toEqual([413, "request_too_large"]);
  });

  it("a body that breaks off is a client error, not a crash", async () => {
    const error = await refusal(readJsonBody(streamed([new TextEncoder().encode('{"a":')], true)));
    expect([error.status, error.code]).toEqual([400, "unreadable_body"]);
  });

  it("does not look at the content type: JSON sent as text/plain is read", async () => {
    expect(await readJsonBody(post('{"ok":true}', { "content-type": "text/plain" }))).toEqual({ ok: true });
  });
});
