import { describe, expect, it } from "vitest";
import { applyPartialArg, parseJsonPath } from "../../src/openai/partial-args";
import { TextOffsets } from "../../src/openai/text-offsets";

describe("streamed function-call arguments", () => {
  it("parseJsonPath reads dots, indexes and quoted keys", () => {
    expect(parseJsonPath("$.a.b[2]['c d'][\"e\"]")).toEqual(["a", "b", 2, "c d", "e"]);
    expect(parseJsonPath("$")).toEqual([]);
  });

  it("builds nested objects and arrays, concatenates split strings, keeps typed values", () => {
    const args: Record<string, unknown> = {};
    applyPartialArg(args, { jsonPath: "$.city", stringValue: "San ", willContinue: true });
    applyPartialArg(args, { jsonPath: "$.city", stringValue: "Francisco" });
    applyPartialArg(args, { jsonPath: "$.days[0].n", numberValue: 3 });
    applyPartialArg(args, { jsonPath: "$.days[1].n", numberValue: 4 });
    applyPartialArg(args, { jsonPath: "$.metric", boolValue: false });
    applyPartialArg(args, { jsonPath: "$.note", nullValue: "NULL_VALUE" });
    applyPartialArg(args, { jsonPath: "$.ignored" });
    expect(args).toEqual({ city: "San Francisco", days: [{ n: 3 }, { n: 4 }], metric: false, note: null });
  });
});

describe("TextOffsets", () => {
  it("maps UTF-8 byte offsets to UTF-16 offsets across ASCII and non-ASCII pieces", () => {
    const offsets = new TextOffsets();
    offsets.append("ab", 0); // bytes 0-2
    offsets.append("é😀c", 2); // é = 2 bytes/1 unit, 😀 = 4 bytes/2 units, c = 1/1
    offsets.append("d", 10); // content had 4 extra chars in between (e.g. a code block)
    expect(offsets.charOffset(0)).toBe(0);
    expect(offsets.charOffset(2)).toBe(2);
    expect(offsets.charOffset(4)).toBe(3); // after é
    expect(offsets.charOffset(8)).toBe(5); // after 😀
    // byte 9 ends "c" and starts "d": an end offset stays after "c", a start offset moves to "d"
    expect(offsets.charOffset(9, "end")).toBe(6);
    expect(offsets.charOffset(9)).toBe(10);
    expect(offsets.charOffset(10, "end")).toBe(11);
    expect(offsets.charOffset(0, "end")).toBe(0);
    expect(new TextOffsets().charOffset(5)).toBe(0);
  });
});
