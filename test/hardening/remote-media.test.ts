// Remote media (issue 12 items 1 and 2): only public http(s) targets are fetched, in every
// spelling; every redirect hop is re-checked; bodies are read under a byte and a time budget and
// cut off at the limit; every failure is one neutral 400 that tells nothing about the target.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fetchRemoteMedia } from "../../src/proxy/remote-media";
import { fakeGoogle, geminiText, type UpstreamCall } from "../helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, ledgerRows } from "../proxy/call";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SECRET = "internal-secret-7f3a";

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
});
afterEach(() => vi.restoreAllMocks());

function imageChat(url: string): string {
  return JSON.stringify({
    model: "gemini-2.5-flash",
    messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url } }] }],
  });
}

/** Google at upstream.test; every other host is an "image server" answered by `media`. */
function fakeInternet(media: (url: URL) => Response | Promise<Response>): { google: UpstreamCall[]; fetched: URL[] } {
  const fetched: URL[] = [];
  const all = fakeGoogle((call) => {
    if (call.url.host === "upstream.test") return Response.json(geminiText("a picture"));
    fetched.push(call.url);
    return media(call.url);
  });
  return {
    get google() {
      return all.filter((call) => call.url.host === "upstream.test");
    },
    fetched,
  };
}

const internal = (url: URL) =>
  url.hostname === "127.0.0.1" || url.hostname === "localhost"
    ? new Response(`${SECRET} on port ${url.port}`, { headers: { "content-type": "image/png" } })
    : new Response(PNG, { headers: { "content-type": "image/png" } });

async function chatWithImage(url: string) {
  const client = await seedProxy({ geminiKeys: [{ id: "a", secret: fakeGeminiKey("A") }] });
  const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: imageChat(url) });
  return { status: response.status, text, body: JSON.parse(text) };
}

function expectNeutralRefusal(result: { status: number; text: string; body: { error: Record<string, unknown> } }) {
  expect(result.status).toBe(400);
  expect(result.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_image_url", param: "messages" });
  expect(result.body.error.message).toMatch(/^An image URL could not be fetched\./);
  expect(result.text).not.toContain(SECRET);
  expect(result.text).not.toMatch(/127\.0\.0\.1|localhost|port|HTTP \d|status/i);
}

describe("remote media: private and local targets are refused in every spelling", () => {
  const refused = [
    "http://localhost/x.png",
    "http://LOCALHOST./x.png",
    "http://foo.localhost/x.png",
    "http://127.0.0.1/x.png",
    "http://127.1/x.png",
    "http://2130706433/x.png",
    "http://0x7f.1/x.png",
    "http://0x7f000001/x.png",
    "http://017700000001/x.png",
    "http://0177.0.0.1/x.png",
    "http://[::1]/x.png",
    "http://[::]/x.png",
    "http://0.0.0.0/x.png",
    "http://0/x.png",
    "http://[::ffff:127.0.0.1]/x.png",
    "http://[::ffff:7f00:1]/x.png",
    "http://[0:0:0:0:0:ffff:7f00:0001]/x.png",
    "http://10.1.2.3/x.png",
    "http://172.16.0.1/x.png",
    "http://172.31.255.255/x.png",
    "http://192.168.1.1/x.png",
    "http://100.64.0.1/x.png",
    "http://169.254.169.254/latest/meta-data",
    "http://[fe80::1]/x.png",
    "http://[fc00::1]/x.png",
    "http://[fd12:3456::1]/x.png",
    "http://224.0.0.1/x.png",
    "http://255.255.255.255/x.png",
    "http://[ff02::1]/x.png",
    "http://[64:ff9b::7f00:1]/x.png",
    "http://[2002:7f00:1::]/x.png",
    "http://user:pass@example.com/x.png",
  ];

  it.each(refused)("%s -> one neutral 400, nothing fetched, nothing sent to Google", async (url) => {
    const internet = fakeInternet(internal);
    const result = await chatWithImage(url);
    expectNeutralRefusal(result);
    expect(internet.fetched).toEqual([]);
    expect(internet.google).toEqual([]);
  });

  it("a public address is fetched and inlined for Google", async () => {
    const internet = fakeInternet(internal);
    const result = await chatWithImage("http://93.184.216.34/cat.png");
    expect(result.status).toBe(200);
    expect(internet.fetched.map(String)).toEqual(["http://93.184.216.34/cat.png"]);
    expect(JSON.stringify(internet.google[0]!.body)).toContain('"mimeType":"image/png"');
  });

  it("a non-http scheme in a data-less image_url is refused", async () => {
    const internet = fakeInternet(internal);
    const result = await chatWithImage("file:///etc/passwd");
    expect(result.status).toBe(400);
    expect(internet.fetched).toEqual([]);
  });
});

describe("remote media: redirects are followed by hand and re-checked", () => {
  it("a public server redirecting to 127.0.0.1/secret: the secret is never fetched and never reaches Google", async () => {
    const internet = fakeInternet((url) =>
      url.hostname === "images.example" ? new Response(null, { status: 302, headers: { location: "http://127.0.0.1/secret" } }) : internal(url),
    );
    const result = await chatWithImage("http://images.example/cat.png");
    expectNeutralRefusal(result);
    expect(internet.fetched.map((u) => u.hostname)).toEqual(["images.example"]);
    expect(internet.google).toEqual([]);
    expect((await ledgerRows())[0]).toMatchObject({ outcome: "client_error", status: 400 });
  });

  it.each(["http://[::ffff:7f00:1]/secret", "http://2130706433/secret", "ftp://images.example/x", "/relative-is-fine-but-then-private"])(
    "redirect to %s is refused",
    async (location) => {
      const internet = fakeInternet((url) => {
        if (url.pathname === "/start") return new Response(null, { status: 301, headers: { location } });
        if (url.pathname === "/relative-is-fine-but-then-private") return new Response(null, { status: 307, headers: { location: "http://localhost/" } });
        return internal(url);
      });
      const result = await chatWithImage("http://images.example/start");
      expectNeutralRefusal(result);
      expect(internet.fetched.every((u) => u.hostname === "images.example")).toBe(true);
      expect(internet.google).toEqual([]);
    },
  );

  it("three public hops are followed, a fourth is refused", async () => {
    const hops = (limit: number) =>
      fakeInternet((url) => {
        const n = Number(url.pathname.slice(1));
        return n < limit
          ? new Response(null, { status: 302, headers: { location: `/${n + 1}` } })
          : new Response(PNG, { headers: { "content-type": "image/png" } });
      });
    const three = hops(3);
    expect((await chatWithImage("http://images.example/0")).status).toBe(200);
    expect(three.fetched).toHaveLength(4);
    vi.restoreAllMocks();
    const four = hops(4);
    expectNeutralRefusal(await chatWithImage("http://images.example/0"));
    expect(four.fetched).toHaveLength(4);
    expect(four.google).toEqual([]);
  });

  it("an error status or a non-media answer tells nothing of what answered", async () => {
    fakeInternet(() => new Response(`${SECRET}: nginx on port 8080`, { status: 500 }));
    expectNeutralRefusal(await chatWithImage("http://images.example/a.png"));
    vi.restoreAllMocks();
    fakeInternet(() => new Response(`<html>${SECRET}</html>`, { headers: { "content-type": "text/html" } }));
    expectNeutralRefusal(await chatWithImage("http://images.example/a.png"));
  });
});

/** An endless body that counts what was pulled from it. */
function endless(chunkBytes = 64 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const chunk = new Uint8Array(chunkBytes);
  return {
    stream: new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    }),
    pulled: () => pulled,
    cancelled: () => cancelled,
  };
}

describe("remote media: byte and time budgets", () => {
  it("a body without Content-Length is cut off at the size limit and the stream cancelled", async () => {
    const body = endless();
    fakeInternet(() => new Response(body.stream, { headers: { "content-type": "image/png" } }));
    const started = Date.now();
    await expect(fetchRemoteMedia(["http://images.example/huge.png"], { limits: { maxBytes: 1024 * 1024 } })).rejects.toMatchObject({
      status: 400,
      code: "invalid_image_url",
    });
    expect(body.cancelled()).toBe(true);
    // Read no further than the limit plus the chunks the stream queued ahead.
    expect(body.pulled()).toBeLessThan(1024 * 1024 + 4 * 64 * 1024);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a declared Content-Length over the limit is refused before reading", async () => {
    const body = endless();
    fakeInternet(() => new Response(body.stream, { headers: { "content-type": "image/png", "content-length": String(50 * 1024 * 1024) } }));
    await expect(fetchRemoteMedia(["http://images.example/huge.png"])).rejects.toMatchObject({ code: "invalid_image_url" });
    expect(body.pulled()).toBeLessThanOrEqual(2 * 64 * 1024);
  });

  it("the images of one request share one byte budget", async () => {
    fakeInternet(() => new Response(new Uint8Array(600 * 1024), { headers: { "content-type": "image/png" } }));
    const limits = { maxBytes: 1024 * 1024, maxTotalBytes: 1024 * 1024 };
    await expect(fetchRemoteMedia(["http://images.example/1.png"], { limits })).resolves.toHaveProperty("size", 1);
    await expect(fetchRemoteMedia(["http://images.example/1.png", "http://images.example/2.png"], { limits })).rejects.toMatchObject({
      code: "invalid_image_url",
    });
  });

  it("a body that trickles is stopped by the time budget", async () => {
    let cancelled = false;
    const trickle = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        controller.enqueue(new Uint8Array(1));
      },
      cancel() {
        cancelled = true;
      },
    });
    fakeInternet(() => new Response(trickle, { headers: { "content-type": "image/png" } }));
    const started = Date.now();
    await expect(fetchRemoteMedia(["http://images.example/slow.png"], { limits: { timeoutMs: 300 } })).rejects.toMatchObject({
      code: "invalid_image_url",
    });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3_000);
    expect(cancelled).toBe(true);
  });

  it("a server that never answers is stopped by the time budget", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(
      (_input, init) =>
        new Promise((_, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new Error("aborted")));
        }),
    );
    const started = Date.now();
    await expect(fetchRemoteMedia(["http://images.example/never.png"], { limits: { timeoutMs: 200 } })).rejects.toMatchObject({
      code: "invalid_image_url",
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
