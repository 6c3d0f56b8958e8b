// Remote media against a real image server (issue 12 items 1 and 2), through wrangler dev:
// an image URL streaming 200 MB without Content-Length is cut off at the size limit while other
// calls keep answering, and a redirect to a loopback "secret" is never followed — nothing of it
// reaches the fake Gemini. The image server listens on 127.0.0.1 only; the Worker reaches it by
// this machine's own host name (which resolves to loopback here): a name is not checked, since a
// Worker cannot resolve names (docs/security.md), while every literal local address is refused.

import { lookup } from "node:dns/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fake, openaiClient, seedPool } from "./harness";

const MODEL = "gemini-2.5-flash";
const SECRET = "loopback-secret-51c9";
const HUGE_BYTES = 200 * 1024 * 1024;
const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c50000000049454e44ae426082", "hex");

let server: Server;
let port = 0;
let host = "";
let client: OpenAI;
const hits = new Map<string, number>();
const huge = { written: 0, closedEarly: false };

function startImageServer(): Promise<void> {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === "/cat.png") return void res.writeHead(200, { "content-type": "image/png", "content-length": PNG.length }).end(PNG);
    if (path === "/secret") return void res.writeHead(200, { "content-type": "image/png" }).end(`${SECRET} on port ${port}`);
    if (path === "/redirect-secret") return void res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
    if (path === "/huge") {
      // chunked, no Content-Length: the size is known only by reading
      res.writeHead(200, { "content-type": "image/png" });
      const chunk = Buffer.alloc(256 * 1024, 0x41);
      let stopped = false;
      res.on("close", () => {
        stopped = true;
        if (huge.written < HUGE_BYTES) huge.closedEarly = true;
      });
      const pump = () => {
        while (!stopped && huge.written < HUGE_BYTES) {
          huge.written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        if (!stopped) res.end();
      };
      return pump();
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
}

const imageChat = (url: string) =>
  client.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url } }] }],
  });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
  );

function expectNeutral(error: InstanceType<typeof OpenAI.APIError>) {
  expect(error.status).toBe(400);
  expect(error.code).toBe("invalid_image_url");
  const text = JSON.stringify(error.error);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(String(port));
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|HTTP \d{3}|status/i);
}

beforeAll(async () => {
  const addresses = await lookup(hostname(), { all: true });
  // The test needs a name for loopback that is not a literal address or `localhost`.
  if (!addresses.some((a) => a.address === "127.0.0.1")) throw new Error(`${hostname()} does not resolve to 127.0.0.1 on this machine (${JSON.stringify(addresses)})`);
  host = hostname();
  await startImageServer();
  port = (server.address() as AddressInfo).port;
  await fake.reset();
  const pool = await seedPool({ geminiKeys: 1, models: [{ id: MODEL, category: "custom" }], clientKeyName: "hardening-media-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe("remote media through wrangler dev", () => {
  it("an image on a named host is fetched and inlined for Gemini (the route works)", async () => {
    await fake.clearRequests();
    const answer = await imageChat(`http://${host}:${port}/cat.png`);
    expect(answer.choices[0]?.message.content).toBeTruthy();
    const sent = JSON.stringify((await fake.requests()).map((r) => r.body));
    expect(sent).toContain(PNG.toString("base64"));
  });

  it("200 MB without Content-Length: refused at the size limit and cut off, while other calls keep answering", async () => {
    await fake.clearRequests();
    const started = Date.now();
    const hugeCall = failure(imageChat(`http://${host}:${port}/huge`));
    // plain chats in a row while the huge one is in flight: each must answer promptly
    const latencies: number[] = [];
    let done = false;
    hugeCall.finally(() => (done = true));
    while (!done || latencies.length < 5) {
      const t0 = Date.now();
      const answer = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "ping" }] });
      expect(answer.choices[0]?.message.content).toBeTruthy();
      latencies.push(Date.now() - t0);
      if (Date.now() - started > 45_000) break;
    }
    const error = await hugeCall;
    expectNeutral(error);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(Math.max(...latencies), JSON.stringify(latencies)).toBeLessThan(5_000);
    // The Worker stopped reading at 10 MB and closed the connection: far less than 200 MB went out.
    expect(huge.closedEarly).toBe(true);
    expect(huge.written).toBeLessThan(64 * 1024 * 1024);
    // and nothing of it went to Google
    const sent = (await fake.requests()).filter((r) => r.action === "generateContent");
    expect(sent.every((r) => !JSON.stringify(r.body).includes("QUFBQUFB"))).toBe(true);
  });

  it("a redirect to 127.0.0.1/secret is not followed: the secret is never fetched and never reaches Gemini", async () => {
    await fake.clearRequests();
    const error = await failure(imageChat(`http://${host}:${port}/redirect-secret`));
    expectNeutral(error);
    expect(hits.get("/redirect-secret")).toBe(1);
    expect(hits.get("/secret") ?? 0).toBe(0);
    const sent = JSON.stringify(await fake.requests());
    expect(sent).not.toContain(SECRET);
    expect(sent).not.toContain(Buffer.from(SECRET).toString("base64").slice(0, 12));
  });

  it.each(["127.0.0.1", "2130706433", "0x7f.1", "127.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]", "localhost", "img.localhost"])(
    "http://%s:<port>/secret is refused before any fetch, with the same neutral error",
    async (literal) => {
      const before = hits.get("/secret") ?? 0;
      const error = await failure(imageChat(`http://${literal}:${port}/secret`));
      expectNeutral(error);
      expect(hits.get("/secret") ?? 0).toBe(before);
    },
  );
});
