// Small web-standard helpers for the fake's answers: JSON and SSE bodies, and pauses that end
// early when the caller goes away.

/**
 * @param {string} text
 * @returns {{ ok: true, value: unknown } | { ok: false }}
 */
export function parseJson(text) {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * @param {number} status
 * @param {unknown} body undefined sends no body (an upload start answers only headers)
 * @param {Record<string, string>} [headers]
 */
export function jsonResponse(status, body, headers = {}) {
  if (body === undefined) return new Response(null, { status, headers });
  const bytes = new TextEncoder().encode(JSON.stringify(body, null, 2));
  return new Response(bytes, {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", "content-length": String(bytes.length), ...headers },
  });
}

/**
 * Google frames alt=sse events as `data: <json>` followed by CRLF CRLF.
 * @param {unknown} event
 */
export function sseFrame(event) {
  return `data: ${JSON.stringify(event)}\r\n\r\n`;
}

/**
 * @param {number} ms
 * @param {AbortSignal} [signal] resolves early when the caller goes away
 */
export function pause(ms, signal) {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve(undefined);
    }
    signal?.addEventListener("abort", done);
  });
}
