import { z } from "zod";
import type { GenerateContentRequest, GenerateContentResponse } from "../gemini/types";
import { fromBase64 } from "../util/base64";
import { TranslationError } from "./errors";
import { parseWith } from "./schemas";
import { pcmFormatOf, type PcmFormat } from "./wav";

// POST /v1/audio/speech ⇄ a Gemini TTS model's generateContent (responseModalities AUDIO).

/** Google's 30 prebuilt TTS voices (ai.google.dev, "Speech generation", voice options). */
export const GEMINI_VOICES = [
  "Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede", "Callirrhoe", "Autonoe",
  "Enceladus", "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome", "Algenib", "Rasalgethi", "Laomedeia", "Achernar",
  "Alnilam", "Schedar", "Gacrux", "Pulcherrima", "Achird", "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
] as const;

/** OpenAI's voices, each on the Gemini voice Google describes closest to it (docs/compatibility.md, "Audio"). */
export const OPENAI_VOICES: Readonly<Record<string, string>> = Object.freeze({
  alloy: "Kore", // neutral, firm
  ash: "Charon", // informative
  ballad: "Algieba", // smooth
  coral: "Aoede", // breezy
  echo: "Puck", // upbeat
  fable: "Sadaltager", // knowledgeable narrator
  onyx: "Orus", // firm, deep
  nova: "Zephyr", // bright
  sage: "Schedar", // even
  shimmer: "Achernar", // soft
  verse: "Iapetus", // clear
  marin: "Sulafat", // warm
  cedar: "Gacrux", // mature
});

const GEMINI_BY_LOWER = new Map(GEMINI_VOICES.map((name) => [name.toLowerCase(), name]));

/** An OpenAI voice name or a Gemini one (any case) → Gemini's voice name, or null. */
export function geminiVoice(voice: string): string | null {
  const lower = voice.trim().toLowerCase();
  return OPENAI_VOICES[lower] ?? GEMINI_BY_LOWER.get(lower) ?? null;
}

const AUDIO_FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"] as const;
export type SpeechFormat = "wav" | "pcm";

const speechRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.string().min(1).max(4096),
  voice: z.union([z.string().min(1).max(64), z.looseObject({ id: z.string() })]),
  instructions: z.string().max(4096).optional(),
  response_format: z.enum(AUDIO_FORMATS).optional(),
  speed: z.number().min(0.25).max(4).optional(),
  stream_format: z.enum(["sse", "audio"]).optional(),
});

export interface SpeechRequest {
  model: string;
  input: string;
  /** Gemini's voice name. */
  voice: string;
  instructions?: string;
  format: SpeechFormat;
  speed?: number;
}

export function parseSpeechRequest(json: unknown): SpeechRequest {
  const raw = parseWith(speechRequestSchema, json);
  if (typeof raw.voice !== "string") {
    throw new TranslationError("Custom voices are not available on Gemini; name an OpenAI voice or a Gemini prebuilt voice.", { param: "voice", code: "unsupported_value" });
  }
  const voice = geminiVoice(raw.voice);
  if (!voice) {
    throw new TranslationError(
      `Unknown voice '${raw.voice}'. Use an OpenAI voice (${Object.keys(OPENAI_VOICES).join(", ")}) or a Gemini voice (${GEMINI_VOICES.join(", ")}).`,
      { param: "voice", code: "unsupported_value" },
    );
  }
  const format = raw.response_format ?? "wav";
  if (format !== "wav" && format !== "pcm") {
    throw new TranslationError(
      `response_format '${format}' is not available: Gemini returns raw PCM and the proxy has no ${format} encoder (a Worker runs no native encoders). Use 'wav' or 'pcm'.`,
      { param: "response_format", code: "unsupported_value" },
    );
  }
  if (raw.stream_format === "sse") {
    throw new TranslationError("stream_format 'sse' is not available; the audio comes whole ('audio').", { param: "stream_format", code: "unsupported_value" });
  }
  return { model: raw.model, input: raw.input, voice, format, ...(raw.instructions?.trim() ? { instructions: raw.instructions.trim() } : {}), ...(raw.speed !== undefined ? { speed: raw.speed } : {}) };
}

/** The text a TTS model reads: style directions (instructions, speed) before the words, as Google's docs prompt it. */
export function speechPrompt(request: SpeechRequest): string {
  const directions: string[] = [];
  if (request.instructions) directions.push(request.instructions);
  if (request.speed !== undefined && request.speed !== 1) directions.push(`Speak at about ${request.speed} times the normal pace.`);
  return directions.length === 0 ? request.input : `${directions.join(" ")}\n\n${request.input}`;
}

export function toGeminiSpeechRequest(request: SpeechRequest): GenerateContentRequest {
  return {
    contents: [{ role: "user", parts: [{ text: speechPrompt(request) }] }],
    generationConfig: {
      responseModalities: ["AUDIO"],
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: request.voice } } },
    },
  };
}

export interface SpeechAudio {
  pcm: Uint8Array;
  format: PcmFormat;
}

/**
 * The PCM audio of a TTS reply (its inlineData parts, concatenated), or a TranslationError
 * when the model answered without audio (a model that does not speak, or a refused prompt).
 */
export function speechAudioOf(reply: GenerateContentResponse): SpeechAudio {
  const parts = reply.candidates?.[0]?.content?.parts ?? [];
  const chunks: Uint8Array[] = [];
  let format: PcmFormat | null = null;
  for (const part of parts) {
    const data = part.inlineData;
    if (!data) continue;
    const partFormat = pcmFormatOf(data.mimeType);
    if (!partFormat) throw new TranslationError(`The model answered audio as '${data.mimeType}', not raw PCM.`, { code: "unsupported_audio" });
    format ??= partFormat;
    chunks.push(decodeBase64(data.data));
  }
  if (!format) {
    const blocked = reply.promptFeedback?.blockReason ?? reply.candidates?.[0]?.finishReason;
    throw new TranslationError(
      `The model answered without audio${blocked && blocked !== "STOP" ? ` (${blocked})` : ""}; use a Gemini TTS model such as gemini-2.5-flash-preview-tts.`,
      { param: "model", code: "no_audio" },
    );
  }
  const pcm = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    pcm.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { pcm, format };
}

function decodeBase64(text: string): Uint8Array {
  const bytes = fromBase64(text);
  if (!bytes) throw new TranslationError("The model's audio is not valid base64.", { code: "unsupported_audio" });
  return bytes;
}
