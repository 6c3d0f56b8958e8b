// /v1/audio/speech and /v1/audio/transcriptions through the Worker with the official openai
// client: the speech is a WAV file built from the fake TTS model's PCM, the transcription sends
// a WAV this test writes and gets the fake's text back; one ledger row each.

import OpenAI, { toFile } from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { d1, fake, openaiClient, seedPool, waitFor, type SeededPool } from "./harness";

const TTS = "gemini-2.5-flash-preview-tts";
const FLASH = "gemini-2.5-flash";
let client: OpenAI;
let pool: SeededPool;

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [{ id: TTS, category: "custom" }, { id: FLASH, category: "flash" }], clientKeyName: "audio-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

/** The fields of a canonical PCM WAV file, read with no help from the proxy's own code. */
function readWav(bytes: Buffer) {
  return {
    riff: bytes.toString("ascii", 0, 4),
    riffSize: bytes.readUInt32LE(4),
    wave: bytes.toString("ascii", 8, 12),
    fmt: bytes.toString("ascii", 12, 16),
    audioFormat: bytes.readUInt16LE(20),
    channels: bytes.readUInt16LE(22),
    sampleRate: bytes.readUInt32LE(24),
    byteRate: bytes.readUInt32LE(28),
    bitsPerSample: bytes.readUInt16LE(34),
    data: bytes.toString("ascii", 36, 40),
    dataBytes: bytes.readUInt32LE(40),
  };
}

/** A small 16 kHz mono WAV (a 0.2 s tone) written by hand. */
function smallWav(): Buffer {
  const samples = 3200;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write("RIFF", 0, "ascii");
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write("WAVEfmt ", 8, "ascii");
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(16_000, 24);
  wav.writeUInt32LE(32_000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36, "ascii");
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 330 * i) / 16_000)), 44 + i * 2);
  return wav;
}

const ledger = (endpoint: string) =>
  d1<{ model: string; requested_model: string | null; status: number; outcome: string; prompt_tokens: number; completion_tokens: number }>(
    `SELECT model, requested_model, status, outcome, prompt_tokens, completion_tokens FROM usage_calls WHERE endpoint = '${endpoint}' AND client_key_id = '${pool.clientKey.id}' ORDER BY id`,
  );

describe("audio through the Worker", () => {
  it("audio.speech.create answers a valid WAV: RIFF header, 24 kHz mono 16-bit, the fake's PCM as data", async () => {
    await fake.clearRequests();
    const input = "Hello from the proxy";
    const response = await client.audio.speech.create({ model: TTS, input, voice: "alloy", response_format: "wav", instructions: "Say it warmly" });
    expect(response.headers.get("content-type")).toBe("audio/wav");
    const bytes = Buffer.from(await response.arrayBuffer());
    const wav = readWav(bytes);
    expect(wav).toEqual({
      riff: "RIFF", riffSize: bytes.length - 8, wave: "WAVE", fmt: "fmt ", audioFormat: 1, channels: 1,
      sampleRate: 24_000, byteRate: 48_000, bitsPerSample: 16, data: "data", dataBytes: bytes.length - 44,
    });
    // the fake speaks 50 ms per character of what it is asked to read: the style prompt and the input, 35 characters
    const seconds = ("Say it warmly\n\n" + input).length * 0.05;
    expect(wav.dataBytes).toBe(Math.round(seconds * 24_000) * 2);

    const calls = await fake.requests();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: `/v1beta/models/${TTS}:generateContent`, status: 200, keyInQuery: false });
    const body = calls[0]!.body as { contents: Array<{ parts: Array<{ text: string }> }>; generationConfig: unknown };
    expect(body.generationConfig).toEqual({ responseModalities: ["AUDIO"], speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: "Kore" } } } });
    expect(body.contents[0]!.parts[0]!.text).toBe(`Say it warmly\n\n${input}`);
    // the PCM in the WAV is exactly what Google sent
    const sent = (calls[0]!.response as { candidates: Array<{ content: { parts: Array<{ inlineData: { data: string } }> } }> }).candidates[0]!.content.parts[0]!.inlineData.data;
    expect(bytes.subarray(44).equals(Buffer.from(sent, "base64"))).toBe(true);

    const rows = await waitFor(async () => {
      const found = await ledger("audio.speech");
      return found.length > 0 ? found : null;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: TTS, status: 200, outcome: "ok" });
    expect(rows[0]!.prompt_tokens).toBeGreaterThan(0);
    expect(rows[0]!.completion_tokens).toBe(Math.ceil(seconds * 25)); // the fake counts 25 audio tokens a second
  });

  it("answers raw PCM for response_format pcm, and refuses mp3 with a 400 the SDK raises", async () => {
    const pcm = Buffer.from(await (await client.audio.speech.create({ model: TTS, input: "Hi there", voice: "Charon", response_format: "pcm" })).arrayBuffer());
    expect(pcm.length).toBe(Math.round(8 * 0.05 * 24_000) * 2);
    const refused = await client.audio.speech.create({ model: TTS, input: "Hi", voice: "alloy", response_format: "mp3" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("'wav' or 'pcm'");
  });

  it("audio.transcriptions.create sends the WAV inline and returns the model's text (json and text)", async () => {
    await fake.clearRequests();
    await fake.reply({ text: "The quick brown fox." });
    const wav = smallWav();
    const result = await client.audio.transcriptions.create({ file: await toFile(wav, "clip.wav", { type: "audio/wav" }), model: FLASH, language: "en", prompt: "Animals" });
    expect(result.text).toBe("The quick brown fox.");
    const calls = await fake.requests();
    expect(calls).toHaveLength(1);
    const parts = (calls[0]!.body as { contents: Array<{ parts: Array<{ inlineData?: { mimeType: string; data: string }; text?: string }> }> }).contents[0]!.parts;
    expect(parts[0]!.inlineData!.mimeType).toBe("audio/wav");
    expect(Buffer.from(parts[0]!.inlineData!.data, "base64").equals(wav)).toBe(true);
    expect(parts[1]!.text).toMatch(/verbatim/);
    expect(parts[1]!.text).toContain("Animals");

    const text = await client.audio.transcriptions.create({ file: await toFile(wav, "clip.wav"), model: FLASH, response_format: "text" });
    expect(text).toBe("The quick brown fox.");
    await fake.reply({});

    const rows = await waitFor(async () => {
      const found = await ledger("audio.transcriptions");
      return found.length >= 2 ? found : null;
    });
    expect(rows.map((row) => [row.model, row.status, row.outcome])).toEqual([[FLASH, 200, "ok"], [FLASH, 200, "ok"]]);
  });
});
