// The minimal Worker DESIGN §8 compares the product with: parse the OpenAI request,
// translate it inline, make one upstream fetch, translate the answer back, and write one
// D1 row in ctx.waitUntil. No auth, no key pool, no KV, no validation beyond JSON.parse.

let tableReady; // once per isolate

function ensureTable(db) {
  tableReady ??= db
    .prepare("CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, model TEXT NOT NULL, status INTEGER NOT NULL, prompt_tokens INTEGER, completion_tokens INTEGER, latency_ms INTEGER)")
    .run()
    .catch((error) => {
      tableReady = undefined;
      throw error;
    });
  return tableReady;
}

function textOf(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.filter((p) => p?.type === "text").map((p) => p.text).join("");
  return "";
}

function toGemini(body) {
  const system = [];
  const contents = [];
  for (const m of body.messages ?? []) {
    if (m.role === "system" || m.role === "developer") system.push({ text: textOf(m.content) });
    else contents.push({ role: m.role === "assistant" ? "model" : "user", parts: [{ text: textOf(m.content) }] });
  }
  const request = { contents };
  if (system.length > 0) request.systemInstruction = { parts: system };
  const generationConfig = {};
  if (typeof body.temperature === "number") generationConfig.temperature = body.temperature;
  if (typeof body.max_tokens === "number") generationConfig.maxOutputTokens = body.max_tokens;
  if (Object.keys(generationConfig).length > 0) request.generationConfig = generationConfig;
  return request;
}

const FINISH = { STOP: "stop", MAX_TOKENS: "length", SAFETY: "content_filter" };

function toOpenAI(reply, model) {
  const candidate = reply.candidates?.[0];
  const text = (candidate?.content?.parts ?? []).filter((p) => !p.thought && typeof p.text === "string").map((p) => p.text).join("");
  const usage = reply.usageMetadata ?? {};
  return {
    id: `chatcmpl-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: FINISH[candidate?.finishReason] ?? "stop" }],
    usage: {
      prompt_tokens: usage.promptTokenCount ?? 0,
      completion_tokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
      total_tokens: usage.totalTokenCount ?? 0,
    },
  };
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      return Response.json({ error: { message: "not found", type: "invalid_request_error", code: null, param: null } }, { status: 404 });
    }
    const started = Date.now();
    let body;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return Response.json({ error: { message: "bad JSON", type: "invalid_request_error", code: null, param: null } }, { status: 400 });
    }
    const model = String(body.model ?? "gemini-2.5-flash");
    const upstream = await fetch(`${env.GEMINI_API_BASE}/v1beta/models/${model}:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": env.GEMINI_API_KEY },
      body: JSON.stringify(toGemini(body)),
    });
    const reply = await upstream.json();
    const answer = toOpenAI(reply, model);
    ctx.waitUntil(
      ensureTable(env.DB)
        .then(() =>
          env.DB.prepare("INSERT INTO calls (ts, model, status, prompt_tokens, completion_tokens, latency_ms) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(started, model, upstream.status, answer.usage.prompt_tokens, answer.usage.completion_tokens, Date.now() - started)
            .run(),
        )
        .catch((error) => console.error(`D1 write failed: ${String(error)}`)),
    );
    return Response.json(answer, { status: upstream.ok ? 200 : 502 });
  },
};
