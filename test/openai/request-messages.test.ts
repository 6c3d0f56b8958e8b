import { describe, expect, it } from "vitest";
import { collectRemoteMediaUrls, collectToolCallIds } from "../../src/openai/request";
import { parseChatRequest } from "../../src/openai/schemas";
import { translate, translationError } from "./request-helpers";

const weatherCalls = {
  role: "assistant",
  content: null,
  tool_calls: [
    { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    { id: "call_2", type: "function", function: { name: "get_time", arguments: "" } },
  ],
};

describe("messages -> contents", () => {
  it("system and developer messages, wherever they stand, become systemInstruction in order", () => {
    const out = translate({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "assistant", content: "Salut" },
      ],
    });
    expect(out.systemInstruction).toEqual({ parts: [{ text: "Be brief." }, { text: "Answer in French." }] });
    expect(out.contents).toEqual([
      { role: "user", parts: [{ text: "Hi" }] },
      { role: "model", parts: [{ text: "Salut" }] },
    ]);
  });

  it("systemAsUser: system text is a leading user turn, merged with the first user message", () => {
    const out = translate(
      { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }] },
      { systemAsUser: true },
    );
    expect(out.systemInstruction).toBeUndefined();
    expect(out.contents).toEqual([{ role: "user", parts: [{ text: "Be brief." }, { text: "Hi" }] }]);
  });

  it("consecutive same-role messages merge into one turn; empty ones are skipped", () => {
    const out = translate({
      messages: [
        { role: "user", content: "a" },
        { role: "user", content: "" },
        { role: "user", content: [{ type: "text", text: "b" }] },
        { role: "assistant", content: "c" },
        { role: "assistant", content: [{ type: "text", text: "d" }, { type: "refusal", refusal: "e" }] },
      ],
    });
    expect(out.contents).toEqual([
      { role: "user", parts: [{ text: "a" }, { text: "b" }] },
      { role: "model", parts: [{ text: "c" }, { text: "de" }] },
    ]);
  });

  it("assistant tool_calls -> functionCall parts with the remembered signature", () => {
    const out = translate(
      { messages: [{ role: "user", content: "Weather?" }, weatherCalls] },
      { upstreamModel: "gemini-3-pro-preview", signatures: new Map([["call_1", "SIG1"]]) },
    );
    expect(out.contents[1]).toEqual({
      role: "model",
      parts: [
        { functionCall: { id: "call_1", name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "SIG1" },
        { functionCall: { id: "call_2", name: "get_time", args: {} } },
      ],
    });
  });

  it("Gemini 3 without a remembered signature: Google's dummy signature on the first call only", () => {
    const out = translate({ messages: [{ role: "user", content: "Weather?" }, weatherCalls] }, { upstreamModel: "gemini-3-flash-preview" });
    const parts = out.contents[1]?.parts ?? [];
    expect(parts[0]?.thoughtSignature).toBe("skip_thought_signature_validator");
    expect(parts[1]?.thoughtSignature).toBeUndefined();
  });

  it("Gemini 2.5 without a remembered signature: no dummy", () => {
    const out = translate({ messages: [{ role: "user", content: "Weather?" }, weatherCalls] }, { upstreamModel: "gemini-2.5-flash" });
    expect(out.contents[1]?.parts?.some((part) => part.thoughtSignature !== undefined)).toBe(false);
  });

  it("tool results answering one turn go in ONE user turn, in call order, named from the call", () => {
    const out = translate({
      messages: [
        { role: "user", content: "Weather and time?" },
        weatherCalls,
        { role: "tool", tool_call_id: "call_2", content: "12:00" },
        { role: "tool", tool_call_id: "call_1", content: '{"temp": 21}' },
        { role: "user", content: "Thanks" },
      ],
    });
    expect(out.contents.slice(2)).toEqual([
      {
        role: "user",
        parts: [
          { functionResponse: { id: "call_1", name: "get_weather", response: { temp: 21 } } },
          { functionResponse: { id: "call_2", name: "get_time", response: { output: "12:00" } } },
          { text: "Thanks" },
        ],
      },
    ]);
  });

  it("a tool message for an unknown id: its own name is used, else 400 with the param path", () => {
    const named = translate({
      messages: [
        { role: "user", content: "x" },
        { role: "tool", tool_call_id: "zzz", name: "lookup", content: "[1,2]" },
      ],
    });
    expect(named.contents[0]?.parts?.[1]).toEqual({ functionResponse: { id: "zzz", name: "lookup", response: { output: "[1,2]" } } });

    const error = translationError(() =>
      translate({ messages: [{ role: "user", content: "x" }, { role: "tool", tool_call_id: "zzz", content: "1" }] }),
    );
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error", param: "messages[1].tool_call_id" });
  });

  it("tool call arguments that are not a JSON object -> 400 naming the arguments", () => {
    for (const args of ["{not json", "[1,2]", '"text"']) {
      const error = translationError(() =>
        translate({
          messages: [
            { role: "user", content: "x" },
            { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: args } }] },
          ],
        }),
      );
      expect(error.param).toBe("messages[1].tool_calls[0].function.arguments");
    }
  });

  it("only system messages -> 400 on messages", () => {
    const error = translationError(() => translate({ messages: [{ role: "system", content: "x" }] }));
    expect(error.param).toBe("messages");
  });
});

describe("content parts", () => {
  const png = "iVBORw0KGgo=";

  it("image data URI -> inlineData; http(s) image -> the caller's pre-fetched bytes", () => {
    const url = "https://img.example/cat.png";
    const out = translate(
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: `data:image/png;base64,${png}`, detail: "high" } },
              { type: "image_url", image_url: { url } },
            ],
          },
        ],
      },
      { remoteMedia: new Map([[url, { mimeType: "image/webp", data: "UklGRg==" }]]) },
    );
    expect(out.contents[0]?.parts).toEqual([
      { text: "What is this?" },
      { inlineData: { mimeType: "image/png", data: png } },
      { inlineData: { mimeType: "image/webp", data: "UklGRg==" } },
    ]);
  });

  it("a bare-string image_url (sent by some clients) works like the object form", () => {
    const out = translate({ messages: [{ role: "user", content: [{ type: "image_url", image_url: `data:image/png;base64,${png}` }] }] });
    expect(out.contents[0]?.parts).toEqual([{ inlineData: { mimeType: "image/png", data: png } }]);
  });

  it("an http(s) image the caller did not fetch -> 400 with the part's path", () => {
    const error = translationError(() =>
      translate({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://img.example/x.png" } }] }] }),
    );
    expect(error).toMatchObject({ status: 400, param: "messages[0].content[0].image_url.url", code: "invalid_image_url" });
  });

  it("other URL schemes -> 400", () => {
    const error = translationError(() =>
      translate({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x/y.png" } }] }] }),
    );
    expect(error.param).toBe("messages[0].content[0].image_url.url");
  });

  it("input_audio wav/mp3 -> audio/wav, audio/mp3", () => {
    const out = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
            { type: "input_audio", input_audio: { data: "SUQz", format: "mp3" } },
          ],
        },
      ],
    });
    expect(out.contents[0]?.parts).toEqual([
      { inlineData: { mimeType: "audio/wav", data: "UklGRg==" } },
      { inlineData: { mimeType: "audio/mp3", data: "SUQz" } },
    ]);
  });

  it("file with a file_data data URI (PDF) -> inlineData; raw base64 with a known filename too", () => {
    const out = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0x" } },
            { type: "file", file: { filename: "b.PDF", file_data: "JVBERi0y" } },
          ],
        },
      ],
    });
    expect(out.contents[0]?.parts).toEqual([
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0x" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0y" } },
    ]);
  });

  it("file_id (a file uploaded through the proxy, 'files/abc' or 'abc') -> fileData naming it; the door completes it from D1", () => {
    const out = translate({
      messages: [{ role: "user", content: [{ type: "file", file: { file_id: "files/abc-1" } }, { type: "file", file: { file_id: "abc-2" } }] }],
    });
    expect(out.contents[0]?.parts).toEqual([{ fileData: { fileUri: "files/abc-1" } }, { fileData: { fileUri: "files/abc-2" } }]);
    const error = translationError(() => translate({ messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file_Not/valid" } }] }] }));
    expect(error).toMatchObject({ param: "messages[0].content[0].file.file_id", code: "invalid_file_id" });
  });

  it("unknown part types and unknown roles are refused with the param path, never dropped", () => {
    const part = translationError(() =>
      parseChatRequest({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "video_url", url: "x" }] }] }),
    );
    expect(part).toMatchObject({ status: 400, param: "messages[0].content[1].type" });
    const role = translationError(() => parseChatRequest({ model: "m", messages: [{ role: "function", name: "f", content: "x" }] }));
    expect(role).toMatchObject({ status: 400, param: "messages[0].role" });
  });

  it("collectRemoteMediaUrls and collectToolCallIds list what the caller must look up", () => {
    const req = parseChatRequest({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "https://a.example/1.png" } },
            { type: "image_url", image_url: { url: "data:image/png;base64,AA==" } },
            { type: "image_url", image_url: { url: "https://a.example/1.png" } },
            { type: "image_url", image_url: { url: "http://b.example/2.jpg" } },
          ],
        },
        weatherCalls,
      ],
    });
    expect(collectRemoteMediaUrls(req)).toEqual(["https://a.example/1.png", "http://b.example/2.jpg"]);
    expect(collectToolCallIds(req)).toEqual(["call_1", "call_2"]);
  });
});
