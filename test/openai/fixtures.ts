import type { GenerateContentResponse } from "../../src/gemini/types";
// Vite inlines these at transform time, so the tests never read the file system inside workerd.
import codeExecution from "../fixtures/gemini/google-code-execution-multiple-results.json?raw";
import embeddingBatch from "../fixtures/gemini/google-embedding-2-multimodal-batch.json?raw";
import liveErrors from "../fixtures/gemini/issue-22372-live-errors.json?raw";
import rateLimited from "../fixtures/gemini/google-429-retry-info.json?raw";
import imageOutput from "../fixtures/gemini/google-image-gemini-3.1-flash-image.json?raw";
import reasoningChunks from "../fixtures/gemini/google-reasoning.chunks.txt?raw";
import reasoning from "../fixtures/gemini/google-reasoning.json?raw";
import noArgsToolCallChunks from "../fixtures/gemini/google-stream-no-args-tool-call.chunks.txt?raw";
import streamedArgumentsChunks from "../fixtures/gemini/google-stream-tool-call-arguments.chunks.txt?raw";
import textChunks from "../fixtures/gemini/google-text.chunks.txt?raw";
import text from "../fixtures/gemini/google-text.json?raw";
import toolCallChunks from "../fixtures/gemini/google-tool-call.chunks.txt?raw";
import toolCall from "../fixtures/gemini/google-tool-call.json?raw";
import usageOnlyChunks from "../fixtures/gemini/google-usage-raw-live.chunks.txt?raw";
import usageOnly from "../fixtures/gemini/google-usage-raw-live.json?raw";
import textThenCallChunks from "../fixtures/gemini/issue-10781.1.chunks.txt?raw";
import emptyTextSignatureChunks from "../fixtures/gemini/issue-18073-empty-text-thought-signature.chunks.txt?raw";
import promptBlockChunks from "../fixtures/gemini/issue-19758-prompt-block.chunks.txt?raw";
import promptBlock from "../fixtures/gemini/issue-19758-prompt-block.json?raw";
import googleSearchChunks from "../fixtures/gemini/issue-19822-google-search-live.chunks.txt?raw";

const json = {
  codeExecution,
  embeddingBatch,
  imageOutput,
  reasoning,
  text,
  toolCall,
  usageOnly,
  promptBlock,
  rateLimited,
  liveErrors,
} as const;

const chunks = {
  reasoning: reasoningChunks,
  noArgsToolCall: noArgsToolCallChunks,
  streamedArguments: streamedArgumentsChunks,
  text: textChunks,
  toolCall: toolCallChunks,
  usageOnly: usageOnlyChunks,
  textThenCall: textThenCallChunks,
  emptyTextSignature: emptyTextSignatureChunks,
  promptBlock: promptBlockChunks,
  googleSearch: googleSearchChunks,
} as const;

export type JsonFixture = keyof typeof json;
export type ChunksFixture = keyof typeof chunks;

export function fixtureJson<T = GenerateContentResponse>(name: JsonFixture): T {
  return JSON.parse(json[name]) as T;
}

/** One event per non-empty line; an optional `data: ` prefix (raw SSE framing) is stripped. */
export function fixtureEvents(name: ChunksFixture): GenerateContentResponse[] {
  return chunks[name]
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line.startsWith("data: ") ? line.slice("data: ".length) : line) as GenerateContentResponse);
}
