import { describe, expect, it } from "vitest";
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from "../../src/util/base64";

describe("base64, the one helper", () => {
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7 + 3) % 256);

  it("round-trips bytes past the chunk size, in both alphabets", () => {
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(toBase64Url(bytes)).not.toMatch(/[+/=]/);
  });

  it("reads the alphabet each function is for, with or without padding", () => {
    expect(fromBase64("+/8=")).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(fromBase64Url("-_8")).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(fromBase64Url("+/8=")).toBeNull();
  });

  it("answers null for text that is not base64", () => {
    expect(fromBase64("not base64!")).toBeNull();
    expect(fromBase64("abcde")).toBeNull();
  });
});
