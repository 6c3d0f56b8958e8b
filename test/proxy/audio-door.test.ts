import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigStore } from "../../src/config/config-store";
import { isolateRuntime } from "../../src/index";
import { pcmToWav } from "../../src/openai/wav";
import { toBase64 } from "../../src/util/base64";
import { fakeGoogle, geminiText, reply } from "../helpers/fake-google";
import { perMinute429 } from "../helpers/google-replies";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, ledgerRows } from "./call";

// POST /v1/audio/speech and /v1/audio/transcriptions through the whole Worker: real KV and D1,
// Google faked at the fetch boundary.

const TTS = "gemini-2.5-flash-preview-tts";
const FLASH = "gemini-2.5-flash";
const MODELS = [
  { id: TTS, category: "custom" as const, dailyQuota: null, individualQuota: null },
  { id: FLASH, category: "flash" as const, dailyQuota: null, individualQuota: null },
];
const PCM_MIME = "audio/L16;codec=pcm;rate=24000";

type Json = Record<string, any>;

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
});
afterEach(() => vi.restoreAllMocks());

const seed = (extra: Partial<Parameters<typeof seedProxy>[0]> = {}) =>
  seedProxy({ geminiKeys: [{ id: "a", secret: fakeGeminiKey("A") }], models: MODELS, ...extra });

/** `samples` of a 440 Hz tone as 16-bit mono PCM at `rate`. */
function tone(samples: number, rate = 24_000): Uint8Array {
  const pcm = new Uint8Array(samples * 2);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < samples; i++) view.setInt16(i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), true);
  return pcm;
}

function ttsReply(pcm: Uint8Array, usage = { promptTokenCount: 3, candidatesTokenCount: 25, totalTokenCount: 28 }): object {
  return {
    candidates: [{ content: { role: "model", parts: [{ inlineData: { mimeType: PCM_MIME, data: toBase64(pcm) } }] }, finishReason: "STOP", index: 0 }],
    usageMetadata: usage,
    modelVersion: TTS,
  };
}

/** A call whose answer is JSON (an error). */
async function speech(key: string, body: Json): Promise<{ response: Response; json: () => Json }> {
  const { response, text } = await callWorker("/v1/audio/speech", { method: "POST", key, body: JSON.stringify(body) });
  return { response, json: () => JSON.parse(text) as Json };
}

/** One call through the Worker keeping the answer's bytes. */
async function speechBytes(key: string, body: Json): Promise<{ response: Response; bytes: Uint8Array }> {
  const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
  const worker = (await import("../../src/index")).default;
  const ctx = createExecutionContext();
  const request = new Request("http://proxy.test/v1/audio/speech", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const response = await worker.fetch(request, env, ctx);
  const bytes = new Uint8Array(await response.arrayBuffer());
  await waitOnExecutionContext(ctx);
  return { response, bytes };
}

async function multipart(fields: Record<string, string | File>): Promise<{ body: ArrayBuffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const request = new Request("http://form.test", { method: "POST", body: form });
  return { body: await request.arrayBuffer(), contentType: request.headers.get("content-type")! };
}

async function transcribe(key: string, fields: Record<string, string | File>): Promise<{ response: Response; text: string }> {
  const { body, contentType } = await multipart(fields);
  return callWorker("/v1/audio/transcriptions", { method: "POST", key, body, headers: { "content-type": contentType } });
}

const wavFile = (name = "hello.wav", type = "audio/wav") => new File([Uint8Array.from([82, 73, 70, 70, 9, 8, 7, 6])], name, { type });

describe("POST /v1/audio/speech", () => {
  it("answers a WAV file (RIFF header, 24 kHz mono 16-bit, Google's PCM as data) and writes one ledger row", async () => {
    const client = await seed();
    const pcm = tone(2400);
    const calls = fakeGoogle(() => Response.json(ttsReply(pcm)));
    const { response, bytes } = await speechBytes(client, { model: TTS, input: "Hello there", voice: "alloy", response_format: "wav", instructions: "Cheerfully" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("audio/wav");
    expect(bytes.byteLength).toBe(44 + pcm.byteLength);
    const view = new DataView(bytes.buffer);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe("RIFF");
    expect(String.fromCharCode(...bytes.subarray(8, 12))).toBe("WAVE");
    expect(view.getUint32(24, true)).toBe(24_000);
    expect(view.getUint32(40, true)).toBe(pcm.byteLength);
    expect([...bytes.subarray(44, 60)]).toEqual([...pcm.subarray(0, 16)]);

    expect(calls).toHaveLength(1);
    expect(calls[0]!.url.pathname).toBe(`/v1beta/models/${TTS}:generateContent`);
    expect(calls[0]!.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Cheerfully\n\nHello there" }] }],
      generationConfig: { responseModalities: ["AUDIO"], speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: "Kore" } } } },
    });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "audio.speech", model: TTS, status: 200, outcome: "ok", streamed: 0, served: 1, prompt_tokens: 3, completion_tokens: 25 });
    // 11 characters read aloud (the input, not the instructions); 2,400 samples at 24 kHz = 100 ms.
    expect(rows[0]).toMatchObject({ speech_characters: 11, audio_ms: 100, images: 0, files: 0 });
  });

  it("answers raw PCM for response_format pcm, with Google's rate in the content type", async () => {
    const client = await seed();
    const pcm = tone(480);
    fakeGoogle(() => Response.json(ttsReply(pcm)));
    const { response, bytes } = await speechBytes(client, { model: TTS, input: "Hi 👋", voice: "Puck", response_format: "pcm" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(PCM_MIME);
    expect([...bytes]).toEqual([...pcm]);
    // The emoji is one character (code points, not UTF-16 units); 480 samples at 24 kHz = 20 ms.
    expect((await ledgerRows())[0]).toMatchObject({ speech_characters: 4, audio_ms: 20 });
  });

  it("refuses mp3 with a clear 400 in OpenAI's shape, before any key is used", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(ttsReply(tone(10))));
    const { response, json } = await speech(client, { model: TTS, input: "Hi", voice: "alloy", response_format: "mp3" });
    expect(response.status).toBe(400);
    expect(json().error).toMatchObject({ type: "invalid_request_error", code: "unsupported_value", param: "response_format" });
    expect(json().error.message).toContain("'wav' or 'pcm'");
    expect(calls).toHaveLength(0);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "audio.speech", status: 400, outcome: "client_error", served: 0, attempts: 0 });
  });

  it("fails over to the next key on a per-minute 429: one answer, one ledger row with both attempts", async () => {
    const client = await seed({ geminiKeys: [{ id: "a", secret: fakeGeminiKey("A") }, { id: "b", secret: fakeGeminiKey("B") }] });
    const pcm = tone(240);
    let n = 0;
    const calls = fakeGoogle(() => (n++ === 0 ? reply(perMinute429) : Response.json(ttsReply(pcm))));
    const { response, bytes } = await speechBytes(client, { model: TTS, input: "Hi", voice: "nova" });
    expect(response.status).toBe(200);
    expect(bytes.byteLength).toBe(44 + pcm.byteLength);
    expect(new Set(calls.map((c) => c.apiKey)).size).toBe(2);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "audio.speech", outcome: "ok", attempts: 2, gemini_key_id: calls[1]!.apiKey === fakeGeminiKey("A") ? "a" : "b" });
  });

  it("says to use a TTS model when the model answers text instead of audio", async () => {
    const client = await seed();
    fakeGoogle(() => Response.json(geminiText("I can only write")));
    const { response, json } = await speech(client, { model: FLASH, input: "Hi", voice: "alloy" });
    expect(response.status).toBe(400);
    expect(json().error).toMatchObject({ code: "no_audio", param: "model" });
    expect(json().error.message).toContain("gemini-2.5-flash-preview-tts");
    expect((await ledgerRows())[0]).toMatchObject({ endpoint: "audio.speech", status: 400, outcome: "client_error" });
  });

  it("gives no whitespace head start to a keep-alive client key: a slow Google still yields a valid WAV", async () => {
    const client = await seed({ settings: { keepAliveSeconds: 1 }, clientOptions: { keepAliveWhitespace: true } });
    const pcm = tone(240);
    fakeGoogle(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return Response.json(ttsReply(pcm));
    });
    const { response, bytes } = await speechBytes(client, { model: TTS, input: "Hi", voice: "alloy" });
    expect(response.status).toBe(200);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe("RIFF");
    expect(bytes.byteLength).toBe(44 + pcm.byteLength);
  });
});

describe("POST /v1/audio/transcriptions", () => {
  it("sends the audio inline with a transcription instruction and answers {text, usage}; one ledger row", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText(" Hello world. ")));
    const { response, text } = await transcribe(client, { file: wavFile(), model: FLASH, language: "en", prompt: "Greeting" });
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ text: "Hello world.", usage: { type: "tokens", input_tokens: 5, output_tokens: 7, total_tokens: 12 } });
    expect(calls[0]!.url.pathname).toBe(`/v1beta/models/${FLASH}:generateContent`);
    const parts = (calls[0]!.body as Json).contents[0].parts;
    expect(parts[0]).toEqual({ inlineData: { mimeType: "audio/wav", data: toBase64(Uint8Array.from([82, 73, 70, 70, 9, 8, 7, 6])) } });
    expect(parts[1].text).toMatch(/verbatim/);
    expect(parts[1].text).toContain("'en'");
    expect(parts[1].text).toContain("Greeting");
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "audio.transcriptions", model: FLASH, status: 200, outcome: "ok", prompt_tokens: 5, completion_tokens: 7 });
  });

  it("answers plain text for response_format text, and takes the mime type from the extension", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("Bonjour")));
    const { response, text } = await transcribe(client, { file: wavFile("talk.flac", "application/octet-stream"), model: FLASH, response_format: "text" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(text).toBe("Bonjour");
    expect((calls[0]!.body as Json).contents[0].parts[0].inlineData.mimeType).toBe("audio/flac");
  });

  it("counts the input audio's length in the ledger: a WAV from its header, another format from Google's audio tokens (32 a second)", async () => {
    const client = await seed();
    const wav = pcmToWav(tone(8_000, 16_000), { sampleRate: 16_000, channels: 1, bitsPerSample: 16 }); // 0.5 s
    fakeGoogle(() => Response.json(geminiText("Hello")));
    expect((await transcribe(client, { file: new File([wav], "half.wav", { type: "audio/wav" }), model: FLASH })).response.status).toBe(200);
    const withAudioTokens = { promptTokenCount: 110, candidatesTokenCount: 2, totalTokenCount: 112, promptTokensDetails: [{ modality: "TEXT", tokenCount: 14 }, { modality: "AUDIO", tokenCount: 96 }] };
    fakeGoogle(() => Response.json(geminiText("Hello", withAudioTokens)));
    expect((await transcribe(client, { file: wavFile("talk.mp3", "audio/mpeg"), model: FLASH, response_format: "text" })).response.status).toBe(200);
    // The 8-byte "WAV" without a WAVE header: no length to read and no audio tokens from Google.
    fakeGoogle(() => Response.json(geminiText("Hello")));
    expect((await transcribe(client, { file: wavFile(), model: FLASH })).response.status).toBe(200);
    expect((await ledgerRows()).map((row) => row.audio_ms)).toEqual([500, 3_000, 0]);
  });

  it("runs under a model alias (whisper-1 → a Gemini model); the ledger keeps both names", async () => {
    const client = await seed();
    await new ConfigStore(env.WORKER_CONFIG_KV).saveAliases([{ alias: "whisper-1", model: FLASH }]);
    isolateRuntime.clear();
    const calls = fakeGoogle(() => Response.json(geminiText("Hi")));
    const { response } = await transcribe(client, { file: wavFile(), model: "whisper-1" });
    expect(response.status).toBe(200);
    expect(calls[0]!.url.pathname).toBe(`/v1beta/models/${FLASH}:generateContent`);
    expect((await ledgerRows())[0]).toMatchObject({ model: FLASH, requested_model: "whisper-1" });
  });

  it("refuses a JSON body, verbose_json and an unknown audio type with 400s in OpenAI's shape", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("x")));
    const notForm = await callWorker("/v1/audio/transcriptions", { method: "POST", key: client, body: JSON.stringify({ model: FLASH }) });
    expect(notForm.response.status).toBe(400);
    expect(JSON.parse(notForm.text).error).toMatchObject({ type: "invalid_request_error", code: "invalid_content_type" });
    const verbose = await transcribe(client, { file: wavFile(), model: FLASH, response_format: "verbose_json" });
    expect(verbose.response.status).toBe(400);
    expect(JSON.parse(verbose.text).error).toMatchObject({ param: "response_format" });
    const webm = await transcribe(client, { file: new File([Uint8Array.from([1])], "a.webm", { type: "video/webm" }), model: FLASH });
    expect(webm.response.status).toBe(400);
    expect(JSON.parse(webm.text).error).toMatchObject({ param: "file", code: "unsupported_value" });
    expect(calls).toHaveLength(0);
    expect((await ledgerRows()).map((row) => row.endpoint)).toEqual(["audio.transcriptions", "audio.transcriptions", "audio.transcriptions"]);
  });

  it("answers 413 in OpenAI's shape for a body over 20 MB", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("x")));
    const big = new File([new Uint8Array(21 * 1024 * 1024)], "big.wav", { type: "audio/wav" });
    const { response, text } = await transcribe(client, { file: big, model: FLASH });
    expect(response.status).toBe(413);
    expect(JSON.parse(text).error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    expect(calls).toHaveLength(0);
  });
});
