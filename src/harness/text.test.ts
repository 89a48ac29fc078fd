/** Text compared as mail transport may leave it: CRLF versus LF and one final line end do not count (N3). */
import { describe, expect, it } from "vitest";
import { normalizeText, sameText, textLines } from "./text.js";

describe("e-mail Text", () => {
  it("ignores CRLF versus LF and one final line end", () => {
    expect(sameText("a\nb", "a\r\nb\r\n")).toBe(true);
    expect(sameText("a\nb", "a\nb\n")).toBe(true);
    expect(sameText("", "\r\n")).toBe(true);
    expect(normalizeText("x\r\n")).toBe("x");
  });

  it("still tells different texts apart", () => {
    expect(sameText("a\nb", "a\n\nb")).toBe(false);
    expect(sameText("a\nb", "a\nb\n\n")).toBe(false);
    expect(sameText("a", undefined)).toBe(false);
  });

  it("splits lines after normalising", () => {
    expect(textLines("> a\r\n> \r\n> b\r\n")).toEqual(["> a", "> ", "> b"]);
  });
});
