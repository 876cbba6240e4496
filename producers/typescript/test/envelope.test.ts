/** Envelopes: Celery protocol 2, a tag of their own each, and example text in the body only. */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import fc from "fast-check";

import { envelope } from "../src/envelope.js";

function decodeBody(body: string): unknown {
  return JSON.parse(Buffer.from(body, "base64").toString("utf8"));
}

const submission = { submission_id: "6f1c2b8e-1d2a-4c5b-9e8f-0a1b2c3d4e5f", example_input: "SECRET INPUT" };

describe("envelopes", () => {
  test("a single send names its task and uses the submission id as the task id", () => {
    const made = envelope({ task: "intake.submit", kwargs: { submission } }, "intake", submission.submission_id);
    assert.equal(made.headers["task"], "intake.submit");
    assert.equal(made.headers["id"], submission.submission_id);
    assert.equal(made.headers["root_id"], submission.submission_id);
    assert.equal(made.headers["lang"], "js");
    assert.equal(made.properties["correlation_id"], submission.submission_id);
    assert.deepEqual(made.properties["delivery_info"], { exchange: "", routing_key: "intake" });
    assert.equal(made["content-type"], "application/json");
    assert.deepEqual(decodeBody(made.body), [
      [],
      { submission },
      { callbacks: null, errbacks: null, chain: null, chord: null },
    ]);
  });

  test("a bulk send carries its submissions as the keyword argument `submissions`", () => {
    const made = envelope({ task: "intake.submit_many", kwargs: { submissions: [submission, submission] } }, "intake.overflow");
    assert.equal(made.headers["task"], "intake.submit_many");
    assert.equal(made.headers["kwargsrepr"], "{'submissions': <2 submissions>}");
    assert.deepEqual((decodeBody(made.body) as unknown[])[1], { submissions: [submission, submission] });
  });

  test("every message has its own delivery tag", () => {
    const tags = new Set(
      Array.from({ length: 1000 }, () => envelope({ task: "intake.submit", kwargs: { submission } }, "intake").properties["delivery_tag"]),
    );
    assert.equal(tags.size, 1000);
  });

  test("no example text appears anywhere in the envelope but its body", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, unit: "grapheme" }), fc.boolean(), (text, bulk) => {
        const item = { ...submission, example_input: `«${text}»` };
        const made = bulk
          ? envelope({ task: "intake.submit_many", kwargs: { submissions: [item] } }, "intake")
          : envelope({ task: "intake.submit", kwargs: { submission: item } }, "intake", item.submission_id);
        const { body, ...outside } = made;
        assert.ok(!JSON.stringify(outside).includes(`«${text}»`));
        assert.ok(!JSON.stringify(outside).includes(JSON.stringify(`«${text}»`).slice(1, -1)));
        assert.deepEqual(decodeBody(body), [[], bulk ? { submissions: [item] } : { submission: item }, { callbacks: null, errbacks: null, chain: null, chord: null }]);
      }),
    );
  });
});
