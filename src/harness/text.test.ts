/** Text compared as mail transport may leave it (N3), quoted lines and address lists compared as the contract frees them. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { addressList, normalizeText, sameAddressList, sameLine, sameText, textLines } from "./text.js";

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

describe("quoted lines", () => {
  it("ignore trailing whitespace, nothing else", () => {
    expect(sameLine(">", "> ")).toBe(true);
    expect(sameLine("> a  ", "> a")).toBe(true);
    expect(sameLine("> a", ">a")).toBe(false);
    expect(sameLine(" > a", "> a")).toBe(false);
  });
});

describe("address lists", () => {
  it("separators , and ;, whitespace around them and order are free", () => {
    expect(sameAddressList("boss@example.org,team@example.org", "boss@example.org, team@example.org")).toBe(true);
    expect(sameAddressList("team@example.org;boss@example.org", "boss@example.org, team@example.org")).toBe(true);
    expect(sameAddressList(" a@x.org ", "a@x.org")).toBe(true);
    expect(sameAddressList("a@x.org,", "a@x.org")).toBe(true);
    expect(addressList("a@x.org ; b@y.org,,c@z.org")).toEqual(["a@x.org", "b@y.org", "c@z.org"]);
  });

  it("still tells different lists apart", () => {
    expect(sameAddressList("a@x.org", "a@x.org, b@y.org")).toBe(false);
    expect(sameAddressList("a@x.org, a@x.org", "a@x.org")).toBe(false);
    expect(sameAddressList("a@x.org", "A@x.org")).toBe(false);
    expect(sameAddressList("a@x.org", undefined)).toBe(false);
    expect(sameAddressList(undefined, undefined)).toBe(false);
    expect(sameAddressList("a@x.org b@y.org", "a@x.org, b@y.org")).toBe(false);
  });

  const address = fc
    .tuple(fc.stringMatching(/^[a-z0-9.]{1,8}$/), fc.stringMatching(/^[a-z]{1,6}\.[a-z]{2,3}$/))
    .map(([l, d]) => `${l}@${d}`);
  const separator = fc.constantFrom(",", ";", ", ", " ; ", " ,  ");

  it("any rendering of a list (separators, spacing, order) is the same list", () => {
    const listAndPermutation = fc
      .array(address, { minLength: 1, maxLength: 5 })
      .chain((list) =>
        fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })),
      );
    fc.assert(
      fc.property(listAndPermutation, fc.array(separator, { minLength: 5, maxLength: 5 }), ([list, shuffled], seps) => {
        const rendered = shuffled.map((a, i) => (i === 0 ? ` ${a}` : `${seps[i]}${a}`)).join("");
        expect(sameAddressList(rendered, list.join(", "))).toBe(true);
        expect(addressList(rendered).sort()).toEqual([...list].sort());
      }),
    );
  });

  it("a list with one address more or less is another list", () => {
    fc.assert(
      fc.property(fc.array(address, { minLength: 1, maxLength: 5 }), address, (list, extra) => {
        expect(sameAddressList([...list, extra].join(","), list.join(","))).toBe(false);
        expect(sameAddressList(list.slice(1).join(";"), list.join(";"))).toBe(false);
      }),
    );
  });
});
