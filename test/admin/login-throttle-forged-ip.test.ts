import { describe, expect, it } from "vitest";
import { call, freshIp, loginRequest } from "./helpers";

// Under wrangler dev (or any path around Cloudflare's edge) a client can send any
// CF-Connecting-IP; a new value per attempt must not buy unlimited guesses.
describe("login throttle with a forged CF-Connecting-IP on every attempt", () => {
  it("stops guessing after 30 attempts a minute in all, whatever IP each claims", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      statuses.push((await call("/api/auth/login", loginRequest(`wrong-password-${i}`, freshIp()))).status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429, 429, 429, 429]);
  });
});
