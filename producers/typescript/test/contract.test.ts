/** The contract check: generated from the schema, and agreeing with the shared table of cases. */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import { SUBMISSION_RULES } from "../src/contract.generated.js";
import { TEXT_FIELDS, WIRE_ORDER } from "../src/contract.js";
import { SubmissionInvalid } from "../src/errors.js";
import { parseSubmission, submissionErrors } from "../src/validate.js";
import { loadTable, messageOf } from "./support/cases.js";
import { PACKAGE_ROOT } from "./support/paths.js";

// The generator is plain JavaScript (it runs before tsc); its interface, as the tests use it.
const generator = (await import(pathToFileURL(resolve(PACKAGE_ROOT, "scripts/generate-contract.mjs")).href)) as {
  OUTPUT_FILE: string;
  SCHEMA_FILE: string;
  render(schema: unknown): string;
};
const { OUTPUT_FILE, SCHEMA_FILE, render } = generator;

const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as {
  properties: Record<string, { maxLength?: number; pattern?: string; type?: string }>;
};

describe("the generated rules", () => {
  test("are what the published schema gives (run `npm run generate` after a contract change)", () => {
    assert.equal(readFileSync(OUTPUT_FILE, "utf8"), render(schema));
  });

  test("the generator refuses a keyword it does not know", () => {
    const changed = structuredClone(schema) as Record<string, any>;
    changed["properties"]["tenant_id"]["uniqueItems"] = true;
    assert.throws(() => render(changed), /unsupported keyword uniqueItems/);
  });

  test("the wire order names every field of the schema once", () => {
    assert.deepEqual([...WIRE_ORDER].sort(), Object.keys(schema.properties).sort());
  });

  test("the texts are the string fields without a pattern that share the text limit", () => {
    const texts = Object.entries(SUBMISSION_RULES.fields)
      .filter(([, field]) => field.rule.type === "string" && field.rule.pattern === undefined && field.rule.format === undefined)
      .map(([name]) => name);
    assert.deepEqual(texts.sort(), [...TEXT_FIELDS].sort());
  });
});

describe("the shared table of submissions", () => {
  const table = loadTable();
  for (const entry of table.cases) {
    test(entry.name, () => {
      const errors = submissionErrors(messageOf(table, entry), { maxTextLength: entry.max_text_length ?? 5000 });
      assert.deepEqual(Object.keys(errors).sort(), [...entry.errors].sort());
    });
  }
});

describe("parseSubmission", () => {
  const table = loadTable();
  const capture = table.bases["usage_capture"] as Record<string, unknown>;

  test("writes the message in Python's field order, without nulls, id in lower case", () => {
    const message = parseSubmission({
      ...capture,
      submission_id: "6F1C2B8E-1D2A-4C5B-9E8F-0A1B2C3D4E5F",
      expected_output: null,
      submitted_at: "2026-11-25T12:00:00.5+00:00",
    });
    assert.deepEqual(Object.keys(message), [
      "schema_version", "submission_id", "kind", "tenant_id", "user_id", "skill_id",
      "example_input", "example_output", "quality_score", "usage_event_id", "submitted_at",
    ]);
    assert.equal(message.submission_id, "6f1c2b8e-1d2a-4c5b-9e8f-0a1b2c3d4e5f");
    assert.equal(message.submitted_at, "2026-11-25T12:00:00.500000Z");
  });

  test("raises SubmissionInvalid naming each field, in Python's words", () => {
    const bad = { ...capture, tenant_id: "", example_input: "x".repeat(11), surprise: 1 };
    assert.throws(() => parseSubmission(bad, { maxTextLength: 10 }), (caught: unknown) => {
      assert.ok(caught instanceof SubmissionInvalid);
      assert.equal(caught.reason, "invalid");
      assert.equal(caught.message, "invalid submission: example_input, surprise, tenant_id");
      assert.deepEqual(caught.fieldErrors, {
        tenant_id: ["String should have at least 1 character"],
        example_input: ["must be at most 10 characters"],
        surprise: ["is not a field of the submission contract"],
      });
      return true;
    });
  });

  test("never echoes the submitted text in its errors", () => {
    const secret = `do-not-echo-${"z".repeat(5000)}`;
    const errors = submissionErrors({ ...capture, example_input: secret, tenant_id: `${secret}\u0000` });
    assert.ok(!JSON.stringify(errors).includes("do-not-echo"));
  });
});
