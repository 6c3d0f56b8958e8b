import type { GenerateContentRequest, GenerateContentResponse, UsageMetadata } from "../gemini/types";
import { toBase64 } from "../util/base64";
import { TranslationError } from "./errors";
import { wavDurationMs } from "./wav";

// POST /v1/audio/transcriptions (multipart) ⇄ generateContent with the audio inline and an
// instruction to transcribe it verbatim.

/** Gemini's audio formats (ai.google.dev, "Audio understanding"): WAV, MP3, AIFF, AAC, OGG Vorbis, FLAC. */
const MIME_BY_TYPE: Readonly<Record<string, string>> = Object.freeze({
  "audio/wav": "audio/wav", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav",
  "audio/mp3": "audio/mp3", "audio/mpeg": "audio/mp3", "audio/mpeg3": "audio/mp3", "audio/x-mpeg-3": "audio/mp3",
  "audio/aiff": "audio/aiff", "audio/x-aiff": "audio/aiff",
  "audio/aac": "audio/aac", "audio/x-aac": "audio/aac",
  "audio/ogg": "audio/ogg", "application/ogg": "audio/ogg",
  "audio/flac": "audio/flac", "audio/x-flac": "audio/flac",
});
const MIME_BY_EXTENSION: Readonly<Record<string, string>> = Object.freeze({
  wav: "audio/wav", wave: "audio/wav", mp3: "audio/mp3", mpga: "audio/mp3", mpeg: "audio/mp3",
  aif: "audio/aiff", aiff: "audio/aiff", aac: "audio/aac", ogg: "audio/ogg", oga: "audio/ogg", flac: "audio/flac",
});

/** The Gemini mime type of an uploaded audio file: from its declared type, else its extension, else null. */
export function audioMimeType(type: string, filename: string): string | null {
  const declared = MIME_BY_TYPE[type.split(";")[0]!.trim().toLowerCase()];
  if (declared) return declared;
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  return extension ? (MIME_BY_EXTENSION[extension] ?? null) : null;
}

export type TranscriptionFormat = "json" | "text";

export interface TranscriptionRequest {
  model: string;
  audio: { mimeType: string; bytes: Uint8Array };
  prompt?: string;
  language?: string;
  temperature?: number;
  format: TranscriptionFormat;
}

/** The most bytes of audio that still fit, base64-encoded, in Google's 20 MB request (with room for the instruction). */
export const MAX_AUDIO_BYTES = Math.floor(((20 * 1024 * 1024 - 64 * 1024) * 3) / 4);

const REFUSED_FORMATS: Readonly<Record<string, string>> = Object.freeze({
  verbose_json: "it needs segment timestamps",
  srt: "it needs cue timestamps",
  vtt: "it needs cue timestamps",
  diarized_json: "it needs speaker segments",
});

/** The request from its multipart fields (`file`, `model`, `prompt`, `response_format`, `language`, `temperature`, `stream`). */
export async function parseTranscriptionForm(form: FormData): Promise<TranscriptionRequest> {
  const model = textField(form, "model");
  if (!model) throw new TranslationError("Missing required parameter: 'model'.", { param: "model", code: "missing_required_parameter" });
  const file = form.get("file");
  if (file === null) throw new TranslationError("Missing required parameter: 'file'.", { param: "file", code: "missing_required_parameter" });
  if (typeof file === "string") throw new TranslationError("'file' must be an uploaded audio file, not a text field.", { param: "file" });
  const mimeType = audioMimeType(file.type, file.name);
  if (!mimeType) {
    throw new TranslationError(
      `Unsupported audio file '${file.name}' (${file.type || "no type"}). Gemini reads wav, mp3, aiff, aac, ogg and flac.`,
      { param: "file", code: "unsupported_value" },
    );
  }
  if (file.size === 0) throw new TranslationError("The audio file is empty.", { param: "file" });
  if (file.size > MAX_AUDIO_BYTES) {
    throw new TranslationError(`The audio file is larger than ${MAX_AUDIO_BYTES} bytes, the most that fits base64-encoded in Google's 20 MB request.`, {
      status: 413,
      param: "file",
      code: "request_too_large",
    });
  }
  const format = textField(form, "response_format") ?? "json";
  if (format !== "json" && format !== "text") {
    const why = REFUSED_FORMATS[format];
    throw new TranslationError(
      why ? `response_format '${format}' is not available: ${why}, which Gemini does not give. Use 'json' or 'text'.` : `Invalid value for 'response_format': '${format}'. Use 'json' or 'text'.`,
      { param: "response_format", code: "unsupported_value" },
    );
  }
  if (textField(form, "stream") === "true") throw new TranslationError("Streamed transcriptions are not available; leave 'stream' unset.", { param: "stream", code: "unsupported_value" });
  const language = textField(form, "language");
  if (language !== undefined && !/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(language)) {
    throw new TranslationError(`Invalid value for 'language': '${language.slice(0, 40)}'. Use an ISO-639-1 code such as 'en'.`, { param: "language" });
  }
  const prompt = textField(form, "prompt");
  if (prompt !== undefined && prompt.length > 10_000) throw new TranslationError("'prompt' is longer than 10000 characters.", { param: "prompt" });
  const temperatureText = textField(form, "temperature");
  const temperature = temperatureText === undefined ? undefined : Number(temperatureText);
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0 && temperature <= 1)) {
    throw new TranslationError("Invalid value for 'temperature': a number from 0 to 1.", { param: "temperature" });
  }
  return {
    model,
    audio: { mimeType, bytes: new Uint8Array(await file.arrayBuffer()) },
    format,
    ...(prompt ? { prompt } : {}),
    ...(language ? { language } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
  };
}

function textField(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  if (typeof value !== "string") throw new TranslationError(`'${name}' must be a text field.`, { param: name });
  return value.trim() === "" ? undefined : value.trim();
}

/** What the model is told to do with the audio. */
export function transcriptionInstruction(request: Pick<TranscriptionRequest, "language" | "prompt">): string {
  const lines = [
    "Transcribe the speech in this audio verbatim, in the language spoken.",
    "Answer with the transcript only: no commentary, no timestamps, no speaker labels, no quotation marks around it.",
    "If there is no speech, answer with nothing.",
  ];
  if (request.language) lines.push(`The speech is in the language with code '${request.language}'.`);
  if (request.prompt) lines.push(`Context from the caller (spelling of names, vocabulary, or the text before this audio):\n${request.prompt}`);
  return lines.join("\n");
}

export function toGeminiTranscriptionRequest(request: TranscriptionRequest): GenerateContentRequest {
  return {
    contents: [
      {
        role: "user",
        parts: [{ inlineData: { mimeType: request.audio.mimeType, data: toBase64(request.audio.bytes) } }, { text: transcriptionInstruction(request) }],
      },
    ],
    ...(request.temperature !== undefined ? { generationConfig: { temperature: request.temperature } } : {}),
  };
}

/** The transcript in a reply: its text parts without thoughts; a refused prompt is a client error. */
export function transcriptOf(reply: GenerateContentResponse): string {
  const blocked = reply.promptFeedback?.blockReason;
  if (blocked) throw new TranslationError(`Google refused to transcribe this audio (${blocked}).`, { code: "content_filter" });
  const parts = reply.candidates?.[0]?.content?.parts ?? [];
  return parts
    .filter((part) => typeof part.text === "string" && !part.thought)
    .map((part) => part.text)
    .join("")
    .trim();
}

/** Google counts 32 tokens per second of audio input (ai.google.dev, "Audio understanding", technical details). */
export const AUDIO_TOKENS_PER_SECOND = 32;

/**
 * How long the transcribed audio plays, in milliseconds: from the WAV header when it is WAV;
 * otherwise (mp3, aac, ogg, flac, aiff have no cheap exact length) from the AUDIO tokens Google
 * counted in the prompt at 32 a second; 0 when Google gave no such count.
 */
export function transcribedAudioMs(request: TranscriptionRequest, usage: UsageMetadata | undefined): number {
  if (request.audio.mimeType === "audio/wav") {
    const fromHeader = wavDurationMs(request.audio.bytes);
    if (fromHeader !== null) return fromHeader;
  }
  const audioTokens = usage?.promptTokensDetails?.find((detail) => detail.modality === "AUDIO")?.tokenCount ?? 0;
  return Math.round((audioTokens * 1000) / AUDIO_TOKENS_PER_SECOND);
}
