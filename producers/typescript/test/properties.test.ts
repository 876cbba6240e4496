/** Properties of the contract check, stated once and left to fast-check to probe. */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import fc from "fast-check";

import { canonical } from "../src/signing.js";
import { codePoints } from "../src/text.js";
import { normalizeTimestamp } from "../src/timestamps.js";
import { parseSubmission, submissionErrors } from "../src/validate.js";

const ID_FIELDS = ["tenant_id", "user_id", "skill_id", "usage_event_id"] as const;
const TEXT_FIELDS = ["example_input", "example_output", "expected_output"] as const;
// Printable text: no C0 control characters, no DEL, no lone surrogates.
const printable = fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).filter((s) => !/[\x00-\x1f\x7f]/.test(s));
const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 });
const timestamp = fc
  .date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
  .map((date) => date.toISOString());

const submission = fc.record(
  {
    submission_id: fc.uuid(),
    kind: fc.constant("usage_capture"),
    tenant_id: printable,
    user_id: printable,
    skill_id: printable,
    usage_event_id: printable,
    example_input: text,
    example_output: text,
    expected_output: fc.option(text),
    quality_score: fc.option(fc.integer({ min: 1, max: 10 })),
    submitted_at: fc.option(timestamp),
  },
  { requiredKeys: ["submission_id", "kind", "tenant_id", "user_id", "skill_id", "usage_event_id", "example_input", "example_output"] },
);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const control = fc.integer({ min: 0, max: 0x20 }).map((code) => String.fromCharCode(code === 0x20 ? 0x7f : code));

function insert(value: string, piece: string, at: number): string {
  // Between code points, so a pair in `value` is never split (the piece alone is the fault).
  const points = [...value];
  const index = at % (points.length + 1);
  return [...points.slice(0, index), piece, ...points.slice(index)].join("");
}

describe("the contract check", () => {
  test("accepts every submission within the contract, and its message again unchanged", () => {
    fc.assert(
      fc.property(submission, (item) => {
        const message = parseSubmission(item);
        assert.deepEqual(parseSubmission(message), message);
        assert.deepEqual(parseSubmission(JSON.parse(JSON.stringify(message))), message);
      }),
    );
  });

  test("refuses an id holding any control character, naming that id", () => {
    fc.assert(
      fc.property(submission, fc.constantFrom(...ID_FIELDS), control, fc.nat(), (item, field, bad, at) => {
        const errors = submissionErrors({ ...item, [field]: insert(item[field], bad, at) });
        assert.deepEqual(Object.keys(errors), [field]);
      }),
    );
  });

  test("refuses a lone surrogate in any text or id, naming that field", () => {
    fc.assert(
      fc.property(submission, fc.constantFrom(...ID_FIELDS, ...TEXT_FIELDS), loneSurrogate, fc.nat(), (item, field, bad, at) => {
        const value = insert((item as Record<string, unknown>)[field] as string ?? "x", bad, at);
        // A high surrogate followed by a low one is a pair, not a lone surrogate.
        fc.pre(codePoints(value) < 0);
        const errors = submissionErrors({ ...item, [field]: value });
        assert.deepEqual(Object.keys(errors), [field]);
        assert.match(errors[field]![0]!, /unable to parse raw data as a unicode string/);
      }),
    );
  });

  test("measures texts in code points, as Python and JSON Schema do", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.constantFrom("x", "é", "😀", "👩‍👩‍👧"), (limit, count, unit) => {
        const value = unit.repeat(count);
        const errors = submissionErrors(
          { submission_id: "6f1c2b8e-1d2a-4c5b-9e8f-0a1b2c3d4e5f", kind: "golden_example", tenant_id: "t", user_id: "u", skill_id: "s", example_input: value, example_output: "o" },
          { maxTextLength: limit },
        );
        assert.equal("example_input" in errors, [...value].length > limit);
      }),
    );
  });

  test("never repeats the submitted text in its errors", () => {
    fc.assert(
      fc.property(submission, fc.constantFrom(...ID_FIELDS, ...TEXT_FIELDS, "surprise"), fc.string({ minLength: 12 }), (item, field, secret) => {
        const marked = `SECRET${secret}\u0000`;
        const errors = submissionErrors({ ...item, [field]: marked.repeat(600) });
        assert.ok(!JSON.stringify(errors).includes("SECRET"));
      }),
    );
  });

  test("writes a timestamp Python reads back to the same text", () => {
    fc.assert(
      fc.property(timestamp, (value) => {
        const first = normalizeTimestamp(value);
        assert.ok("value" in first);
        assert.deepEqual(normalizeTimestamp(first.value), first);
      }),
    );
  });

  test("signs the same bytes whatever order the fields were given in", () => {
    fc.assert(
      fc.property(submission, (item) => {
        const message = parseSubmission(item) as unknown as Record<string, unknown>;
        const shuffled = Object.fromEntries(Object.entries(message).reverse());
        assert.deepEqual(canonical(shuffled), canonical(message));
      }),
    );
  });
});
