import { describe, expect, it } from "vitest";
import { transcribedAudioMs, type TranscriptionRequest } from "../../src/openai/transcription";
import { GEMINI_TTS_PCM, pcmDurationMs, pcmToWav, wavDurationMs } from "../../src/openai/wav";

// The pure figures the audio doors put on their ledger rows (src/usage/media-units.ts).

/** A RIFF/WAVE file with `chunks` ([id, body]) in order, each padded to an even size. */
function riff(chunks: [string, Uint8Array, number?][]): Uint8Array {
  const parts: number[] = [..."WAVE"].map((c) => c.charCodeAt(0));
  for (const [id, body, declared] of chunks) {
    const size = declared ?? body.byteLength;
    parts.push(...[...id].map((c) => c.charCodeAt(0)), size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, (size >>> 24) & 0xff, ...body);
    if (body.byteLength % 2 === 1) parts.push(0);
  }
  const total = parts.length;
  return Uint8Array.from([..."RIFF"].map((c) => c.charCodeAt(0)).concat([total & 0xff, (total >>> 8) & 0xff, (total >>> 16) & 0xff, total >>> 24], parts));
}

function fmt(sampleRate: number, channels: number): Uint8Array {
  const body = new Uint8Array(16);
  const view = new DataView(body.buffer);
  view.setUint16(0, 1, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, sampleRate, true);
  view.setUint32(8, sampleRate * channels * 2, true);
  view.setUint16(12, channels * 2, true);
  view.setUint16(14, 16, true);
  return body;
}

describe("audio lengths", () => {
  it("PCM: bytes over Gemini's 48,000 bytes a second; other layouts by their own rate", () => {
    expect(pcmDurationMs(48_000)).toBe(1000);
    expect(pcmDurationMs(4_800, GEMINI_TTS_PCM)).toBe(100);
    expect(pcmDurationMs(44_100 * 2 * 2, { sampleRate: 44_100, channels: 2, bitsPerSample: 16 })).toBe(1000);
  });

  it("WAV: the data chunk over the fmt chunk's byte rate, walking past other (odd-sized) chunks", () => {
    expect(wavDurationMs(pcmToWav(new Uint8Array(24_000)))).toBe(500);
    expect(wavDurationMs(riff([["fmt ", fmt(8_000, 1)], ["LIST", new Uint8Array(5)], ["data", new Uint8Array(4_000)]]))).toBe(250);
    // A streamed WAV leaves the data size unknown (0 or 0xFFFFFFFF): the bytes present count.
    expect(wavDurationMs(riff([["fmt ", fmt(8_000, 1)], ["data", new Uint8Array(1_600), 0xffffffff]]))).toBe(100);
    expect(wavDurationMs(riff([["fmt ", fmt(8_000, 1)], ["data", new Uint8Array(1_600), 0]]))).toBe(100);
  });

  it("WAV: null for what is not RIFF/WAVE or lacks fmt before data", () => {
    expect(wavDurationMs(Uint8Array.from([82, 73, 70, 70, 9, 8, 7, 6]))).toBeNull();
    expect(wavDurationMs(new Uint8Array(0))).toBeNull();
    expect(wavDurationMs(riff([["data", new Uint8Array(100)]]))).toBeNull();
    expect(wavDurationMs(riff([["fmt ", fmt(8_000, 1)]]))).toBeNull();
  });

  it("transcription: the WAV header first, else Google's AUDIO prompt tokens at 32 a second, else 0", () => {
    const request = (mimeType: string, bytes: Uint8Array): TranscriptionRequest => ({ model: "m", audio: { mimeType, bytes }, format: "json" });
    const usage = { promptTokensDetails: [{ modality: "TEXT", tokenCount: 20 }, { modality: "AUDIO", tokenCount: 64 }] };
    expect(transcribedAudioMs(request("audio/wav", pcmToWav(new Uint8Array(48_000))), usage)).toBe(1000);
    expect(transcribedAudioMs(request("audio/mp3", new Uint8Array(10)), usage)).toBe(2000);
    expect(transcribedAudioMs(request("audio/wav", new Uint8Array(10)), usage)).toBe(2000);
    expect(transcribedAudioMs(request("audio/ogg", new Uint8Array(10)), undefined)).toBe(0);
  });
});
