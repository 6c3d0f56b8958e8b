// What names a file or cache, how Google's 403 about one is told from a refused key, and what
// a client hears when the one key holding its file cannot serve.
import { describe, expect, it } from "vitest";
import { cacheNameOf, fileNameOfId, fileNameOfUri } from "../../src/files/names";
import { classifyUpstreamError } from "../../src/gemini/classify";
import { pinnedRefusal } from "../../src/proxy/pinned-refusal";
import * as google from "../helpers/google-replies";

const forbidden = (message: string) => JSON.stringify({ error: { code: 403, message, status: "PERMISSION_DENIED" } });

describe("names", () => {
  it("a Files API URI or name is a file; other URIs are not", () => {
    expect(fileNameOfUri("https://generativelanguage.googleapis.com/v1beta/files/abc-123")).toBe("files/abc-123");
    expect(fileNameOfUri("files/abc")).toBe("files/abc");
    expect(fileNameOfUri("https://www.youtube.com/watch?v=abc")).toBeNull();
    expect(fileNameOfUri("gs://bucket/files/abc")).toBeNull();
    expect(fileNameOfUri("https://x.test/v1beta/files/abc?alt=media")).toBeNull();
  });

  it("a chat file_id with or without the files/ prefix; cache names with or without theirs", () => {
    expect(fileNameOfId("files/abc")).toBe("files/abc");
    expect(fileNameOfId("abc")).toBe("files/abc");
    expect(fileNameOfId("file_Abc/x")).toBeNull();
    expect(cacheNameOf("cachedContents/xyz")).toBe("cachedContents/xyz");
    expect(cacheNameOf("xyz")).toBe("cachedContents/xyz");
    expect(cacheNameOf("cachedContents/../x")).toBeNull();
  });
});

describe("Google's 403", () => {
  it("about a File or a CachedContent is file_inaccessible (the key is fine)", () => {
    expect(classifyUpstreamError(403, forbidden("You do not have permission to access the File abc or it may not exist.")).kind).toBe("file_inaccessible");
    expect(classifyUpstreamError(403, forbidden("CachedContent not found (or permission denied)")).kind).toBe("file_inaccessible");
  });

  it("about the key or its project stays suspended", () => {
    expect(classifyUpstreamError(403, forbidden("The caller does not have permission")).kind).toBe("suspended");
    const suspended = google.consumerSuspended;
    expect(classifyUpstreamError(suspended.status, JSON.stringify(suspended.body)).kind).toBe("suspended");
  });
});

describe("the one key holding a file cannot serve", () => {
  const now = Date.parse("2031-06-01T12:00:00.000Z");

  it("rate limited or over quota: 429 with Retry-After until it frees up, naming the file", () => {
    const answer = pinnedRefusal({ ok: false, reason: "rate_limited", retryAt: now + 90_500, detail: "daily quota exhausted at Google" }, "files/abc", now);
    expect(answer).toMatchObject({ status: 429, code: "rate_limit_exceeded", outcome: "rate_limited", retryAfterSeconds: 91 });
    expect(answer.message).toContain("files/abc");
  });

  it("disabled, invalid, suspended or removed: 503 file_key_unavailable saying why", () => {
    const answer = pinnedRefusal({ ok: false, reason: "no_key", detail: "disabled by the admin" }, "cachedContents/xyz", now);
    expect(answer).toMatchObject({ status: 503, code: "file_key_unavailable", outcome: "no_key" });
    expect(answer.message).toMatch(/cachedContents\/xyz.*disabled by the admin/);
  });
});
