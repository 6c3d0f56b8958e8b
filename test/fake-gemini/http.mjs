// Small helpers over node:http for JSON and SSE answers.

/**
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<Buffer>} the raw bytes (uploads are binary)
 */
export function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

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
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} body undefined sends no body (an upload start answers only headers)
 * @param {Record<string, string>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  if (res.destroyed || res.headersSent) return;
  const text = body === undefined ? "" : JSON.stringify(body, null, 2);
  res.writeHead(status, {
    ...(body === undefined ? {} : { "content-type": "application/json; charset=UTF-8" }),
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
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
 * @param {import("node:http").ServerResponse} res resolves early when the client goes away
 */
export function pause(ms, res) {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      res.off("close", done);
      resolve(undefined);
    }
    res.on("close", done);
  });
}
