import { describe, expect, it } from "vitest";
import { TranslationError } from "../../src/openai/errors";
import { GEMINI_VOICES, OPENAI_VOICES, geminiVoice, parseSpeechRequest, speechAudioOf, speechPrompt, toGeminiSpeechRequest } from "../../src/openai/speech";
import { audioMimeType, MAX_AUDIO_BYTES, parseTranscriptionForm, toGeminiTranscriptionRequest, transcriptOf } from "../../src/openai/transcription";
import { GEMINI_TTS_PCM, pcmFormatOf, pcmToWav, wavHeader } from "../../src/openai/wav";
import { toBase64 } from "../../src/util/base64";
import { rejectedTranslationError, translationError } from "../helpers/translation-error";

// The pure parts of /v1/audio/speech and /v1/audio/transcriptions: WAV header, voices, requests.

const ascii = (bytes: Uint8Array, from: number, length: number) => String.fromCharCode(...bytes.subarray(from, from + length));

const refusal = translationError;

describe("WAV header", () => {
  it("writes the canonical 44-byte RIFF/WAVE PCM header for Gemini's 24 kHz mono 16-bit audio", () => {
    const header = wavHeader(48_000);
    const view = new DataView(header.buffer);
    expect(header.byteLength).toBe(44);
    expect(ascii(header, 0, 4)).toBe("RIFF");
    expect(view.getUint32(4, true)).toBe(36 + 48_000);
    expect(ascii(header, 8, 8)).toBe("WAVEfmt ");
    expect(view.getUint32(16, true)).toBe(16);
    expect(view.getUint16(20, true)).toBe(1); // PCM
    expect(view.getUint16(22, true)).toBe(1); // mono
    expect(view.getUint32(24, true)).toBe(24_000);
    expect(view.getUint32(28, true)).toBe(48_000); // byte rate
    expect(view.getUint16(32, true)).toBe(2); // block align
    expect(view.getUint16(34, true)).toBe(16);
    expect(ascii(header, 36, 4)).toBe("data");
    expect(view.getUint32(40, true)).toBe(48_000);
  });

  it("follows another format (stereo 44.1 kHz) and puts the PCM right after the header", () => {
    const pcm = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const wav = pcmToWav(pcm, { sampleRate: 44_100, channels: 2, bitsPerSample: 16 });
    const view = new DataView(wav.buffer);
    expect(view.getUint16(22, true)).toBe(2);
    expect(view.getUint32(24, true)).toBe(44_100);
    expect(view.getUint32(28, true)).toBe(44_100 * 4);
    expect(view.getUint16(32, true)).toBe(4);
    expect([...wav.subarray(44)]).toEqual([...pcm]);
    expect(view.getUint32(40, true)).toBe(8);
  });

  it("reads the PCM format from Gemini's mime type, and refuses what is not 16-bit PCM", () => {
    expect(pcmFormatOf("audio/L16;codec=pcm;rate=24000")).toEqual(GEMINI_TTS_PCM);
    expect(pcmFormatOf("audio/l16; rate=16000")).toEqual({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
    expect(pcmFormatOf("audio/L16;codec=pcm;rate=x")).toBeNull();
    expect(pcmFormatOf("audio/mp3")).toBeNull();
  });
});

describe("voices", () => {
  it("maps every OpenAI voice to a Gemini prebuilt voice", () => {
    for (const voice of ["alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse"]) {
      expect(GEMINI_VOICES as readonly string[], voice).toContain(OPENAI_VOICES[voice]);
      expect(geminiVoice(voice)).toBe(OPENAI_VOICES[voice]);
    }
    expect(geminiVoice("alloy")).toBe("Kore");
    expect(geminiVoice("ONYX")).toBe("Orus");
  });

  it("passes a Gemini voice name through in Google's spelling, and knows nothing else", () => {
    expect(geminiVoice("Puck")).toBe("Puck");
    expect(geminiVoice("zubenelgenubi")).toBe("Zubenelgenubi");
    expect(geminiVoice("bogus")).toBeNull();
  });
});

describe("speech request", () => {
  it("builds Google's TTS request: the text, AUDIO modality and the prebuilt voice", () => {
    const request = parseSpeechRequest({ model: "gemini-2.5-flash-preview-tts", input: "Hello there", voice: "nova", response_format: "wav" });
    expect(toGeminiSpeechRequest(request)).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hello there" }] }],
      generationConfig: { responseModalities: ["AUDIO"], speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: "Zephyr" } } } },
    });
  });

  it("puts instructions and speed before the text as a style prompt", () => {
    const request = parseSpeechRequest({ model: "m", input: "Good night", voice: "Kore", instructions: "  Whisper softly.  ", speed: 1.5 });
    expect(speechPrompt(request)).toBe("Whisper softly. Speak at about 1.5 times the normal pace.\n\nGood night");
    expect(speechPrompt(parseSpeechRequest({ model: "m", input: "Hi", voice: "Kore", speed: 1 }))).toBe("Hi");
  });

  it("answers wav when no response_format is given (OpenAI's default mp3 has no encoder here)", () => {
    expect(parseSpeechRequest({ model: "m", input: "Hi", voice: "alloy" }).format).toBe("wav");
    expect(parseSpeechRequest({ model: "m", input: "Hi", voice: "alloy", response_format: "pcm" }).format).toBe("pcm");
  });

  it("refuses encoded formats, unknown and custom voices, sse streaming, empty input and speeds out of range", () => {
    for (const format of ["mp3", "opus", "aac", "flac"]) {
      const error = refusal(() => parseSpeechRequest({ model: "m", input: "Hi", voice: "alloy", response_format: format }));
      expect(error).toMatchObject({ status: 400, param: "response_format", code: "unsupported_value" });
      expect(error.message).toContain("'wav' or 'pcm'");
    }
    expect(refusal(() => parseSpeechRequest({ model: "m", input: "Hi", voice: "bogus" }))).toMatchObject({ param: "voice" });
    expect(refusal(() => parseSpeechRequest({ model: "m", input: "Hi", voice: { id: "voice_123" } }))).toMatchObject({ param: "voice" });
    expect(refusal(() => parseSpeechRequest({ model: "m", input: "Hi", voice: "alloy", stream_format: "sse" }))).toMatchObject({ param: "stream_format" });
    expect(refusal(() => parseSpeechRequest({ model: "m", input: "", voice: "alloy" }))).toMatchObject({ param: "input" });
    expect(refusal(() => parseSpeechRequest({ model: "m", input: "Hi", voice: "alloy", speed: 5 }))).toMatchObject({ param: "speed" });
    expect(refusal(() => parseSpeechRequest({ input: "Hi", voice: "alloy" }))).toMatchObject({ param: "model" });
  });

  it("takes the PCM from the reply's inlineData parts, joined, with the declared rate", () => {
    const reply = {
      candidates: [{ content: { role: "model" as const, parts: [
        { inlineData: { mimeType: "audio/L16;codec=pcm;rate=24000", data: toBase64(Uint8Array.from([1, 2])) } },
        { inlineData: { mimeType: "audio/L16;codec=pcm;rate=24000", data: toBase64(Uint8Array.from([3, 4])) } },
      ] }, finishReason: "STOP" }],
    };
    const audio = speechAudioOf(reply);
    expect([...audio.pcm]).toEqual([1, 2, 3, 4]);
    expect(audio.format.sampleRate).toBe(24_000);
  });

  it("refuses a reply without audio (a model that does not speak) as the client's mistake", () => {
    const error = refusal(() => speechAudioOf({ candidates: [{ content: { role: "model", parts: [{ text: "I cannot speak" }] }, finishReason: "STOP" }] }));
    expect(error).toMatchObject({ status: 400, code: "no_audio", param: "model" });
    expect(error.message).toContain("TTS model");
  });
});

function form(fields: Record<string, string | File>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describe("transcription request", () => {
  it("finds the audio's mime type from its type, else its extension", () => {
    expect(audioMimeType("audio/x-wav", "a.bin")).toBe("audio/wav");
    expect(audioMimeType("audio/mpeg", "")).toBe("audio/mp3");
    expect(audioMimeType("application/octet-stream", "talk.FLAC")).toBe("audio/flac");
    expect(audioMimeType("", "voice.ogg")).toBe("audio/ogg");
    expect(audioMimeType("", "clip.aiff")).toBe("audio/aiff");
    expect(audioMimeType("", "clip.aac")).toBe("audio/aac");
    expect(audioMimeType("video/webm", "clip.webm")).toBeNull();
  });

  it("sends the audio inline with a verbatim-transcription instruction, the language and the prompt", async () => {
    const bytes = Uint8Array.from([82, 73, 70, 70, 0, 1, 2, 3]);
    const request = await parseTranscriptionForm(form({ file: new File([bytes], "hello.wav", { type: "audio/wav" }), model: "whisper-1", language: "de", prompt: "Names: Zoë", temperature: "0.2" }));
    expect(request).toMatchObject({ model: "whisper-1", format: "json", language: "de", prompt: "Names: Zoë", temperature: 0.2 });
    const google = toGeminiTranscriptionRequest(request);
    expect(google.generationConfig).toEqual({ temperature: 0.2 });
    const parts = google.contents[0]!.parts ?? [];
    expect(parts[0]).toEqual({ inlineData: { mimeType: "audio/wav", data: toBase64(bytes) } });
    expect(parts[1]!.text).toContain("verbatim");
    expect(parts[1]!.text).toContain("'de'");
    expect(parts[1]!.text).toContain("Names: Zoë");
  });

  it("refuses what it cannot do, with the parameter named", async () => {
    const wav = () => new File([Uint8Array.from([1, 2])], "a.wav", { type: "audio/wav" });
    const refused = (fields: Record<string, string | File>) => rejectedTranslationError(() => parseTranscriptionForm(form(fields)));
    expect(await refused({ file: wav() })).toMatchObject({ param: "model", code: "missing_required_parameter" });
    expect(await refused({ model: "m" })).toMatchObject({ param: "file", code: "missing_required_parameter" });
    expect(await refused({ model: "m", file: "just text" })).toMatchObject({ param: "file" });
    expect(await refused({ model: "m", file: new File([Uint8Array.from([1])], "a.webm", { type: "video/webm" }) })).toMatchObject({ param: "file", code: "unsupported_value" });
    expect(await refused({ model: "m", file: new File([], "a.wav", { type: "audio/wav" }) })).toMatchObject({ param: "file" });
    for (const format of ["verbose_json", "srt", "vtt", "xml"]) expect(await refused({ model: "m", file: wav(), response_format: format })).toMatchObject({ param: "response_format" });
    expect(await refused({ model: "m", file: wav(), stream: "true" })).toMatchObject({ param: "stream" });
    expect(await refused({ model: "m", file: wav(), language: "not a language!" })).toMatchObject({ param: "language" });
    expect(await refused({ model: "m", file: wav(), temperature: "3" })).toMatchObject({ param: "temperature" });
    const big = new File([new Uint8Array(MAX_AUDIO_BYTES + 1)], "big.wav", { type: "audio/wav" });
    expect(await refused({ model: "m", file: big })).toMatchObject({ status: 413, param: "file", code: "request_too_large" });
  });

  it("reads the transcript from the text parts, without thoughts", () => {
    expect(transcriptOf({ candidates: [{ content: { role: "model", parts: [{ text: "thinking", thought: true }, { text: " Hello " }, { text: "world." }] }, finishReason: "STOP" }] })).toBe("Hello world.");
    expect(() => transcriptOf({ promptFeedback: { blockReason: "SAFETY" } })).toThrow(TranslationError);
  });
});
