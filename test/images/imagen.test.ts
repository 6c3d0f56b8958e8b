import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigStore } from "../../src/config/config-store";
import { classifyUpstreamError } from "../../src/gemini/classify";
import { isolateRuntime } from "../../src/index";
import { fromImagenReply, imagenAspectRatio, toImagenRequest } from "../../src/openai/imagen";
import { KeyStore } from "../../src/pool/key-store";
import { nextPacificMidnight } from "../../src/util/pacific-day";
import { fakeGoogle, geminiText, googleError, type UpstreamCall } from "../helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, ledgerRows } from "../proxy/call";

// Imagen through POST /v1/images/generations: `:predict`, only on keys the admin marked paid,
// through the whole Worker with real KV and D1 and Google faked at the fetch boundary.

const IMAGEN = "imagen-4.0-generate-001";
const MODELS = [
  { id: IMAGEN, category: "custom" as const, dailyQuota: null, individualQuota: null },
  { id: "gemini-2.5-flash", category: "flash" as const, dailyQuota: null, individualQuota: null },
];
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";
const BILLED_ONLY = "Imagen API is only accessible to billed users at this time.";
const SECRETS = { free: fakeGeminiKey("FREE"), paid: fakeGeminiKey("PAID"), paid2: fakeGeminiKey("PAID2") };

type Json = Record<string, any>;
type KeyId = keyof typeof SECRETS;

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
  await new KeyStore(env.GEMINI_KEYS_KV).writeStates(new Map());
});
afterEach(() => vi.restoreAllMocks());

/** A pool of the given keys, the paid ones marked so in their records as the admin API stores them. */
async function seed(keys: Array<{ id: KeyId; paid?: boolean }>, aliases: Array<{ alias: string; model: string }> = []): Promise<string> {
  const client = await seedProxy({ geminiKeys: keys.map(({ id }) => ({ id, secret: SECRETS[id] })), models: MODELS });
  const store = new KeyStore(env.GEMINI_KEYS_KV);
  const paid = new Set(keys.filter((k) => k.paid).map((k) => k.id));
  await store.saveKeys((await store.listKeys()).map((key) => (paid.has(key.id as KeyId) ? { ...key, paid: true } : key)));
  await new ConfigStore(env.WORKER_CONFIG_KV).saveAliases(aliases);
  isolateRuntime.clear();
  return client;
}

const keyOf = (call: UpstreamCall) => (Object.keys(SECRETS) as KeyId[]).find((id) => SECRETS[id] === call.apiKey);

function predictions(count: number, extra: Json = {}): Response {
  return Response.json({ predictions: Array.from({ length: count }, () => ({ bytesBase64Encoded: PNG, mimeType: "image/png", ...extra })) });
}

async function generate(client: string, body: Json) {
  const { response, text } = await callWorker("/v1/images/generations", { method: "POST", key: client, body: JSON.stringify(body) });
  return { response, json: JSON.parse(text) as Json };
}

describe("Imagen on keys marked paid", () => {
  it("goes to the paid key every time, as one :predict for n images; b64_json + revised_prompt; one ledger row", async () => {
    const client = await seed([{ id: "free" }, { id: "paid", paid: true }]);
    const calls = fakeGoogle(() => predictions(2, { prompt: "A red fox, photographic" }));
    for (let i = 0; i < 6; i++) {
      const { response, json } = await generate(client, { model: IMAGEN, prompt: "a fox", n: 2, size: "1792x1024", person_generation: "allow_adult" });
      expect(response.status).toBe(200);
      expect(json.data).toEqual([
        { b64_json: PNG, revised_prompt: "A red fox, photographic" },
        { b64_json: PNG, revised_prompt: "A red fox, photographic" },
      ]);
      expect(json.output_format).toBe("png");
    }
    expect(calls).toHaveLength(6);
    expect(calls.map(keyOf)).toEqual(Array(6).fill("paid"));
    expect(calls[0]!.url.pathname).toBe(`/v1beta/models/${IMAGEN}:predict`);
    expect(calls[0]!.body).toEqual({ instances: [{ prompt: "a fox" }], parameters: { sampleCount: 2, aspectRatio: "16:9", personGeneration: "allow_adult" } });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ endpoint: "images.generations", model: IMAGEN, status: 200, outcome: "ok", served: 1, attempts: 1, images: 2 });
  });

  it("an alias that maps to an Imagen model is held to the same rule", async () => {
    const client = await seed([{ id: "free" }, { id: "paid", paid: true }], [{ alias: "dall-e-3", model: IMAGEN }]);
    const calls = fakeGoogle(() => predictions(1));
    for (let i = 0; i < 4; i++) expect((await generate(client, { model: "dall-e-3", prompt: "a fox" })).response.status).toBe(200);
    expect(calls.map(keyOf)).toEqual(Array(4).fill("paid"));
    expect(calls[0]!.url.pathname).toBe(`/v1beta/models/${IMAGEN}:predict`);
    expect((await ledgerRows())[0]).toMatchObject({ model: IMAGEN, requested_model: "dall-e-3" });
  });

  it("with only free keys: 503 no_key_available saying Imagen needs a key marked paid, and Google is not called", async () => {
    const client = await seed([{ id: "free" }]);
    const calls = fakeGoogle(() => predictions(1));
    const { response, json } = await generate(client, { model: IMAGEN, prompt: "a fox" });
    expect(response.status).toBe(503);
    expect(json.error).toMatchObject({ code: "no_key_available" });
    expect(json.error.message).toMatch(/Imagen.*marked paid in the panel/);
    expect(calls).toHaveLength(0);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "images.generations", status: 503, outcome: "no_key", attempts: 0 });
  });

  it("free keys still serve Gemini models", async () => {
    const client = await seed([{ id: "free" }]);
    const calls = fakeGoogle(() => Response.json(geminiText("hi")));
    const { response } = await callWorker("/v1/chat/completions", {
      method: "POST",
      key: client,
      body: JSON.stringify({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    expect(calls.map(keyOf)).toEqual(["free"]);
  });

  it("Google refusing Imagen on a paid key ('billed users') fails over to the next paid key; that model is refused on the key until Pacific midnight, its other models are not", async () => {
    const client = await seed([{ id: "paid", paid: true }, { id: "paid2", paid: true }]);
    const calls = fakeGoogle((call) => {
      if (keyOf(call) === "paid" && call.url.pathname.endsWith(":predict")) return googleError(400, "INVALID_ARGUMENT", BILLED_ONLY);
      return call.url.pathname.endsWith(":predict") ? predictions(1) : Response.json(geminiText("hi"));
    });
    let refusedOnce = false;
    for (let i = 0; i < 8 && !refusedOnce; i++) {
      const { response } = await generate(client, { model: IMAGEN, prompt: "a fox" });
      expect(response.status).toBe(200);
      refusedOnce = calls.some((c) => keyOf(c) === "paid");
    }
    expect(refusedOnce).toBe(true); // the less-loaded-of-two pick tried the refusing key at some point
    const refusal = calls.findIndex((c) => keyOf(c) === "paid");
    expect(keyOf(calls[refusal + 1]!)).toBe("paid2"); // the same call, on the next paid key
    const row = (await ledgerRows()).find((r) => r.attempts === 2);
    expect(row).toMatchObject({ status: 200, outcome: "ok", served: 1 });

    const state = (await new KeyStore(env.GEMINI_KEYS_KV).readStates()).get("paid");
    expect(state?.status).toBe("active");
    expect(state?.models[IMAGEN]).toMatchObject({ state: "refused", until: nextPacificMidnight(Date.now()) });
    expect(state?.models[IMAGEN]?.reason).toContain("billed users");

    // From now on the refusing key is left out for Imagen, and still serves Gemini models.
    isolateRuntime.clear();
    const before = calls.length;
    for (let i = 0; i < 4; i++) expect((await generate(client, { model: IMAGEN, prompt: "a fox" })).response.status).toBe(200);
    expect(calls.slice(before).map(keyOf)).toEqual(Array(4).fill("paid2"));
    const chat = async () =>
      callWorker("/v1/chat/completions", { method: "POST", key: client, body: JSON.stringify({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "hi" }] }) });
    const served = new Set<string | undefined>();
    for (let i = 0; i < 12 && !served.has("paid"); i++) {
      expect((await chat()).response.status).toBe(200);
      served.add(keyOf(calls[calls.length - 1]!));
    }
    expect(served.has("paid")).toBe(true);
  });

  it("every paid key refusing: 503 no_key_available with Google's reason", async () => {
    // The free key listed last: its "not marked paid" must not hide the paid key's reason.
    const client = await seed([{ id: "paid", paid: true }, { id: "free" }]);
    const calls = fakeGoogle(() => googleError(400, "INVALID_ARGUMENT", BILLED_ONLY));
    const { response, json } = await generate(client, { model: IMAGEN, prompt: "a fox" });
    expect(response.status).toBe(503);
    expect(json.error.code).toBe("no_key_available");
    expect(json.error.message).toContain("billed users");
    expect(calls.map(keyOf)).toEqual(["paid"]);
    const again = await generate(client, { model: IMAGEN, prompt: "a fox" });
    expect(again.response.status).toBe(503);
    expect(again.json.error.message).toContain("billed users"); // the paid key's reason, not the free key's "not marked paid"
    expect(calls).toHaveLength(1); // the refused key is not asked again today
    expect((await ledgerRows()).map((r) => r.outcome)).toEqual(["no_key", "no_key"]);
  });
});

describe("Imagen requests and answers", () => {
  it("edits with an Imagen model (named or through an alias) are a 400 before any key is used", async () => {
    const client = await seed([{ id: "paid", paid: true }], [{ alias: "gpt-image-1", model: IMAGEN }]);
    const calls = fakeGoogle(() => predictions(1));
    for (const model of [IMAGEN, "gpt-image-1"]) {
      const { response, text } = await callWorker("/v1/images/edits", {
        method: "POST",
        key: client,
        body: JSON.stringify({ model, prompt: "add a hat", images: [{ image_url: `data:image/png;base64,${PNG}` }] }),
      });
      expect(response.status).toBe(400);
      expect(JSON.parse(text).error).toMatchObject({ type: "invalid_request_error", param: "model", code: "unsupported_model" });
    }
    expect(calls).toHaveLength(0);
    expect((await ledgerRows()).map((r) => r.outcome)).toEqual(["client_error", "client_error"]);
  });

  it("refuses a person_generation Imagen does not know and n over 4 with a 400", async () => {
    const client = await seed([{ id: "paid", paid: true }]);
    const calls = fakeGoogle(() => predictions(1));
    const bad = await generate(client, { model: IMAGEN, prompt: "x", person_generation: "everyone" });
    expect(bad.response.status).toBe(400);
    expect(bad.json.error.param).toBe("person_generation");
    expect((await generate(client, { model: IMAGEN, prompt: "x", n: 5 })).response.status).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it("images Imagen filtered out: 400 content_policy_violation (ledger: blocked); no predictions at all: 502 no_image", async () => {
    const client = await seed([{ id: "paid", paid: true }]);
    let answer: Response = Response.json({ predictions: [{ raiFilteredReason: "The prompt may violate our policies." }] });
    fakeGoogle(() => answer);
    const blocked = await generate(client, { model: IMAGEN, prompt: "x" });
    expect(blocked.response.status).toBe(400);
    expect(blocked.json.error).toMatchObject({ code: "content_policy_violation" });
    expect(blocked.json.error.message).toContain("may violate");
    answer = Response.json({});
    const empty = await generate(client, { model: IMAGEN, prompt: "x" });
    expect(empty.response.status).toBe(502);
    expect(empty.json.error.code).toBe("no_image");
    expect((await ledgerRows()).map((r) => r.outcome)).toEqual(["blocked", "upstream_error"]);
  });

  it("Google's 'billed users' 400 is classified as the key's refusal of the model, not the client's mistake", () => {
    const body = JSON.stringify({ error: { code: 400, message: BILLED_ONLY, status: "INVALID_ARGUMENT" } });
    expect(classifyUpstreamError(400, body)).toEqual({ kind: "model_refused", message: BILLED_ONLY });
    expect(classifyUpstreamError(400, JSON.stringify({ error: { code: 400, message: "bad prompt", status: "INVALID_ARGUMENT" } })).kind).toBe("client");
  });

  it("size maps to the nearest aspect ratio Imagen takes; the answer's images and revised prompts", () => {
    expect(imagenAspectRatio("3:2")).toBe("4:3");
    expect(imagenAspectRatio("21:9")).toBe("16:9");
    expect(imagenAspectRatio("2:3")).toBe("3:4");
    expect(imagenAspectRatio(undefined)).toBeUndefined();
    expect(toImagenRequest({ model: IMAGEN, prompt: "p", n: 3, images: [] })).toEqual({ instances: [{ prompt: "p" }], parameters: { sampleCount: 3 } });
    const answer = fromImagenReply({ predictions: [{ bytesBase64Encoded: "AAAA", mimeType: "image/jpeg" }, { raiFilteredReason: "filtered" }] }, 7);
    expect(answer).toMatchObject({ ok: true, images: 1, body: { created: 7, data: [{ b64_json: "AAAA" }], output_format: "jpeg" } });
  });
});
