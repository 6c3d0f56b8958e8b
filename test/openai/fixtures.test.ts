import { describe, expect, it } from "vitest";
import { fixtureEvents, fixtureJson } from "./fixtures";

describe("fixture loader", () => {
  it("reads json and chunk fixtures through ?raw imports", () => {
    expect(fixtureJson("text").responseId).toBe("Un6LacrVMcjUxs0PmJfWoQc");
    expect(fixtureEvents("noArgsToolCall")).toHaveLength(15);
    expect(fixtureEvents("usageOnly")).toHaveLength(1);
  });
});
