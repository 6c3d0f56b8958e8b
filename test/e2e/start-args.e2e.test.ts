import { describe, expect, it } from "vitest";
import { startArgs } from "../../scripts/start-args.mjs";

// `npm start -- --port 19401` used to hand wrangler two --port flags, which it refuses.
describe("npm start's arguments", () => {
  it("takes --port N once and passes the rest through to wrangler dev", () => {
    expect(startArgs(["--port", "19401", "--var", "GEMINI_API_BASE:http://127.0.0.1:8788"], {})).toEqual({
      port: "19401",
      passThrough: ["--var", "GEMINI_API_BASE:http://127.0.0.1:8788"],
    });
  });

  it("takes --port=N, else $PORT, else 8787", () => {
    expect(startArgs(["--port=9000"], { PORT: "1234" }).port).toBe("9000");
    expect(startArgs([], { PORT: "1234" }).port).toBe("1234");
    expect(startArgs([], {}).port).toBe("8787");
  });

  it("refuses a port that is not one", () => {
    expect(() => startArgs(["--port", "http"], {})).toThrow(/--port must be a number/);
    expect(() => startArgs(["--port", "70000"], {})).toThrow(/--port must be a number/);
  });
});
