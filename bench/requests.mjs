// Request bodies shared by the benchmarks.

const para = (n) =>
  Array.from({ length: n }, (_, i) => `Sentence ${i} of a longer explanation about caching, queues and retries in a web service.`).join(" ");

/** A 10 KB chat request (DESIGN §8): system prompt, 8 earlier turns, a final question, two function tools. */
export function tenKbRequest(model = "gemini-2.5-flash", extra = {}) {
  const request = {
    model,
    messages: [
      { role: "system", content: `You are a careful senior engineer. ${para(8)}` },
      ...Array.from({ length: 8 }, (_, i) => [
        { role: "user", content: `Question ${i}: ${para(5)}` },
        { role: "assistant", content: `Answer ${i}: ${para(5)}` },
      ]).flat(),
      { role: "user", content: [{ type: "text", text: `Final question: ${para(3)}` }] },
    ],
    tools: ["get_weather", "search_docs"].map((name) => ({
      type: "function",
      function: {
        name,
        description: `The ${name} tool.`,
        parameters: {
          type: "object",
          properties: { query: { type: "string", description: "what to look up" }, limit: { type: "integer", minimum: 1, maximum: 50 } },
          required: ["query"],
          additionalProperties: false,
        },
      },
    })),
    temperature: 0.3,
    max_tokens: 1024,
    ...extra,
  };
  const size = JSON.stringify(request).length;
  request.messages[0].content += " " + "x".repeat(Math.max(0, 10 * 1024 - size - 1)); // pad to 10,240 bytes
  return request;
}

export { para };
