import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/proxy/read-body";
import type { Env } from "../../src/env";
import { admin, call, callWithEnv, ORIGIN } from "./helpers";

type AdminErrorBody = { error: { message: string; code: string; issues?: { path: string; message: string }[] } };

// The admin reads bodies with the proxy's reader (src/proxy/read-body.ts) and answers its
// refusals in the admin's own shape: {error: {message, code, issues?}}.
describe("admin JSON bodies", () => {
  it("a body nested too deep is a 400 invalid_request in the admin shape", async () => {
    const session = await admin();
    const deep = `{"ids":${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}}`;
    const response = await session.request("POST", "/api/admin/gemini-keys/bulk-delete", deep);
    expect(response.status).toBe(400);
    const body = (await response.json()) as AdminErrorBody;
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toContain(`nested deeper than ${MAX_JSON_DEPTH}`);
  });

  it("fields the schema refuses come back as issues, one per field", async () => {
    const session = await admin();
    const response = await session.request("POST", "/api/admin/worker-keys", { name: "", options: { dailyLimit: -1 } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as AdminErrorBody;
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues?.map((issue) => issue.path).sort()).toEqual(["name", "options.dailyLimit"]);
  });

  it("a chunked body past 1,000,000 bytes is a 413 body_too_large in the admin shape", async () => {
    const session = await admin();
    const piece = new TextEncoder().encode("x".repeat(100_000));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"keys":"'));
        if (sent >= 11) return controller.close();
        sent += 1;
        controller.enqueue(piece);
      },
    });
    const response = await call("/api/admin/gemini-keys", {
      method: "POST",
      headers: { cookie: session.cookie, origin: ORIGIN, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as AdminErrorBody).error.code).toBe("body_too_large");
  });

  it("an empty body reads as {}, and the fields it misses are named", async () => {
    const session = await admin();
    const response = await session.request("PUT", "/api/admin/settings", "");
    // Settings are replaced as a whole: {} misses required fields, and says which.
    expect(response.status).toBe(400);
    const body = (await response.json()) as AdminErrorBody;
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues?.length).toBeGreaterThan(0);
  });

  it("what is not a client mistake still reaches the app's handler: 500 internal_error", async () => {
    const session = await admin();
    const response = await callWithEnv({ GEMINI_KEYS_KV: undefined } as unknown as Partial<Env>, "/api/admin/gemini-keys/bulk-delete", {
      method: "POST",
      headers: { cookie: session.cookie, origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ ids: ["k1"] }),
    });
    expect(response.status).toBe(500);
    expect(((await response.json()) as AdminErrorBody).error.code).toBe("internal_error");
  });
});
