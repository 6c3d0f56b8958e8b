// Shared helpers for the compat-*.e2e.test.ts files: one call through the official openai
// client in either mode (plain or streamed) folded into the same shape, what reached the fake,
// scripted stream replies (fixture files the fake replays) and raw calls for error shapes.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { expect } from "vitest";
import { fake, persistDir, workerUrl } from "./harness";

export type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;
export type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

export interface FoldedToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/** One choice as the client sees it, whichever mode produced it. */
export interface FoldedChoice {
  index: number;
  role: string | null;
  content: string | null;
  reasoning: string;
  refusal: string | null;
  toolCalls: FoldedToolCall[];
  annotations: unknown[];
  finishReason: string | null;
}

export interface FoldedAnswer {
  id: string;
  choices: FoldedChoice[];
  usage: OpenAI.Completions.CompletionUsage | null | undefined;
  /** streamed only: every chunk the SDK parsed, in order */
  chunks: Chunk[];
}

export const MODES = [
  { name: "non-streamed", streamed: false },
  { name: "streamed", streamed: true },
] as const;

/** Sends one chat completion and folds the answer; streams ask for the usage chunk. */
export async function ask(client: OpenAI, params: ChatParams, streamed: boolean): Promise<FoldedAnswer> {
  if (!streamed) {
    const completion = await client.chat.completions.create(params);
    return {
      id: completion.id,
      usage: completion.usage,
      chunks: [],
      choices: completion.choices.map((choice) => {
        const message = choice.message as OpenAI.Chat.Completions.ChatCompletionMessage & { reasoning_content?: string };
        return {
          index: choice.index,
          role: message.role,
          content: message.content,
          reasoning: message.reasoning_content ?? "",
          refusal: message.refusal ?? null,
          toolCalls: (message.tool_calls ?? []).map((call, index) => {
            const fn = (call as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall).function;
            return { index, id: call.id, name: fn.name, arguments: fn.arguments };
          }),
          annotations: message.annotations ?? [],
          finishReason: choice.finish_reason,
        };
      }),
    };
  }
  const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return foldChunks(chunks);
}

/** Folds stream chunks per choice index as a client would. */
export function foldChunks(chunks: Chunk[]): FoldedAnswer {
  const choices = new Map<number, FoldedChoice>();
  let usage: FoldedAnswer["usage"];
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      const folded =
        choices.get(choice.index) ??
        { index: choice.index, role: null, content: null, reasoning: "", refusal: null, toolCalls: [], annotations: [], finishReason: null };
      const delta = choice.delta as Chunk["choices"][number]["delta"] & { reasoning_content?: string; annotations?: unknown[] };
      if (delta.role) folded.role = delta.role;
      if (typeof delta.content === "string") folded.content = (folded.content ?? "") + delta.content;
      if (delta.reasoning_content) folded.reasoning += delta.reasoning_content;
      if (delta.refusal) folded.refusal = (folded.refusal ?? "") + delta.refusal;
      if (delta.annotations) folded.annotations.push(...delta.annotations);
      for (const call of delta.tool_calls ?? []) {
        let entry = folded.toolCalls.find((c) => c.index === call.index);
        if (!entry) {
          entry = { index: call.index, id: "", name: "", arguments: "" };
          folded.toolCalls.push(entry);
        }
        entry.id ||= call.id ?? "";
        entry.name += call.function?.name ?? "";
        entry.arguments += call.function?.arguments ?? "";
      }
      if (choice.finish_reason) folded.finishReason = choice.finish_reason;
      choices.set(choice.index, folded);
    }
  }
  return {
    id: chunks[0]?.id ?? "",
    usage,
    chunks,
    choices: [...choices.values()].sort((a, b) => a.index - b.index),
  };
}

/** The generate calls that reached the fake since the last clear, oldest first. */
export async function generateCalls() {
  return (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");
}

/** The body of the one generate call that reached the fake since the last clear. */
export async function upstreamBody(): Promise<any> {
  const calls = await generateCalls();
  expect(calls, "exactly one generate call reached the fake").toHaveLength(1);
  return calls[0]!.body;
}

let scriptedFiles = 0;
function scriptFile(name: string, extension: string, text: string): string {
  const dir = join(persistDir(), "compat-scripts");
  mkdirSync(dir, { recursive: true });
  scriptedFiles += 1;
  const file = join(dir, `${name}-${scriptedFiles}${extension}`);
  writeFileSync(file, text);
  return file;
}

/**
 * Writes Google response events to a `.chunks.txt` file the fake can replay (its fixture
 * loader takes absolute paths): a stream replays them event by event, a plain call gets them
 * folded into one response. Use `{ reply: { fixture } }` or `fake.reply({ fixture })`.
 */
export function scriptedStream(name: string, events: object[]): string {
  return scriptFile(name, ".chunks.txt", events.map((e) => JSON.stringify(e)).join("\n") + "\n");
}

/**
 * Writes one GenerateContentResponse to a `.json` file for the fake to replay: a plain call
 * gets it as is (the fake folds `.chunks.txt` into candidate 0 only), a stream as one event.
 */
export function scriptedResponse(name: string, body: object): string {
  return scriptFile(name, ".json", JSON.stringify(body));
}

/** The fixture a mode should replay: the events for a stream, the whole response for a plain call. */
export function scriptedReply(name: string, streamEvents: object[], plainBody: object): { streamed: string; plain: string } {
  return { streamed: scriptedStream(name, streamEvents), plain: scriptedResponse(name, plainBody) };
}

/** Posts a raw body to the Worker's chat route (for malformed requests the SDK would not send). */
export function rawChat(clientKey: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${workerUrl()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${clientKey}`, "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(60_000),
  });
}

/** Checks OpenAI's error shape `{error: {message, type, code, param}}` and returns the error. */
export async function expectOpenAIError(res: Response, status: number) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as { error: { message: string; type: string; code: string | null; param: string | null } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof body.error.message).toBe("string");
  return body.error;
}

/** The error an openai SDK call rejected with (fails if it resolved). */
export async function sdkError(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.value).slice(0, 300)}`);
  expect(outcome.error).toBeInstanceOf(OpenAI.APIError);
  return outcome.error as InstanceType<typeof OpenAI.APIError>;
}
