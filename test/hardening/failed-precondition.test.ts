// Issue 12 item 4: Google's refusals of a key's PROJECT (free tier unavailable in its country,
// billing, API disabled on the project) are the key's doing: the call fails over to another
// key and the key is suspended with a reason the panel shows. A refusal of the Worker's own
// location ("User location is not supported", no billing in it) stays a region failure.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { classifyUpstreamError } from "../../src/gemini/classify";
import { KeyStore } from "../../src/pool/key-store";
import refusalsText from "../fixtures/google-errors/key-refusals.json?raw";
import { admin } from "../admin/helpers";
import { chatRequest, fakeGoogle, seed, type Behaviour } from "../pool/harness";
import type { GoogleReply } from "../helpers/google-replies";

const refusals = JSON.parse(refusalsText) as Record<"freeTierCountry" | "locationWithoutBilling" | "serviceDisabled" | "userLocation", GoogleReply>;

afterEach(() => vi.restoreAllMocks());

async function chat(): Promise<{ status: number; body: { error?: { code?: string; message?: string } } }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(chatRequest(), env, ctx);
  const body = (await response.json()) as { error?: { code?: string } };
  await waitOnExecutionContext(ctx);
  return { status: response.status, body };
}

async function keysRefusedThenGood(refusal: GoogleReply, prefix: string) {
  const keys: Array<{ id: string; behaviour: Behaviour }> = [
    { id: `${prefix}-refused`, behaviour: refusal },
    { id: `${prefix}-good`, behaviour: "ok" },
  ];
  await seed(keys);
  vi.spyOn(Math, "random").mockReturnValue(0); // the refused key is tried first
  return fakeGoogle(keys);
}

it.each([
  ["freeTierCountry", "billing/region: Gemini API free tier is not available in your country"],
  ["locationWithoutBilling", "billing/region: User location is not supported for the API use without a billing account"],
  ["serviceDisabled", "API disabled on the key's project: Generative Language API has not been used in project"],
] as const)("%s: fails over to another key and suspends the refused key with a reason the panel shows", async (name, reason) => {
  const upstream = await keysRefusedThenGood(refusals[name], `fp-${name}`);
  const { status } = await chat();
  expect(status).toBe(200);
  expect(upstream.callsByKey.get(`fp-${name}-refused`)).toBe(1);
  expect(upstream.callsByKey.get(`fp-${name}-good`)).toBe(1);

  const state = (await new KeyStore(env.GEMINI_KEYS_KV).readStates()).get(`fp-${name}-refused`);
  expect(state?.status).toBe("suspended");
  expect(state?.reason).toContain(reason);
  expect(state!.until! - state!.since).toBeGreaterThan(0); // re-checked later, not dead forever

  const items = await (await admin()).json<Array<{ id: string; status: string; statusReason?: string }>>("GET", "/api/admin/gemini-keys");
  expect(items.find((k) => k.id === `fp-${name}-refused`)).toMatchObject({ status: "suspended", statusReason: expect.stringContaining(reason) });
  expect(items.find((k) => k.id === `fp-${name}-good`)?.status).toBe("active");

  // The next call goes straight to the good key.
  await chat();
  expect(upstream.callsByKey.get(`fp-${name}-refused`)).toBe(1);
});

it("a key's project refused on every key: 503 no usable key, not a 400 blamed on the client", async () => {
  const keys: Array<{ id: string; behaviour: Behaviour }> = [
    { id: "fp-all-1", behaviour: refusals.freeTierCountry },
    { id: "fp-all-2", behaviour: refusals.serviceDisabled },
  ];
  await seed(keys);
  fakeGoogle(keys);
  const { status, body } = await chat();
  expect(status).toBe(503);
  expect(body.error?.code).toBe("no_key_available");
});

it("the Worker's own location refused (no billing in the text) stays a region failure: no failover, key untouched", async () => {
  const upstream = await keysRefusedThenGood(refusals.userLocation, "fp-region");
  const { status, body } = await chat();
  expect(status).toBe(502);
  expect(body.error?.code).toBe("region_not_supported");
  expect(upstream.total()).toBe(1);
  expect((await new KeyStore(env.GEMINI_KEYS_KV).readStates()).get("fp-region-refused")).toBeUndefined();
});

it("structured details decide before the text", () => {
  const billing = { error: { code: 400, status: "FAILED_PRECONDITION", message: "Precondition check failed.", details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "BILLING_DISABLED", domain: "googleapis.com" }] } };
  expect(classifyUpstreamError(400, JSON.stringify(billing))).toEqual({ kind: "suspended", message: "billing/region: Precondition check failed." });
  const region = { error: { code: 400, status: "FAILED_PRECONDITION", message: "User location is not supported for the API use." } };
  expect(classifyUpstreamError(400, JSON.stringify(region)).kind).toBe("region");
  const other = { error: { code: 400, status: "FAILED_PRECONDITION", message: "Precondition check failed." } };
  expect(classifyUpstreamError(400, JSON.stringify(other)).kind).toBe("client");
});
