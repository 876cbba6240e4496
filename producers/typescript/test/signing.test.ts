/** Signing: the pinned vector of tests/producers/test_signing.py, keys and their rotation. */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { signingKey } from "../src/settings.js";
import { SigningKeyError, canonical, parseKeys, sign, verify } from "../src/signing.js";

const VECTOR = {
  submission_id: "6f1c2b8e-1d2a-4c5b-9e8f-0a1b2c3d4e5f",
  kind: "golden_example",
  tenant_id: "t1",
  user_id: "u1",
  skill_id: "s1",
  example_input: 'if (a < b) { return "ü"; }',
  example_output: "ok",
  schema_version: 1,
};
const SECRET = Buffer.from("0123456789abcdef0123456789abcdef");

describe("signing", () => {
  test("the canonical form sorts keys and keeps unicode, as Python writes it", () => {
    assert.equal(
      canonical(VECTOR).toString("utf8"),
      '{"example_input":"if (a < b) { return \\"ü\\"; }","example_output":"ok",' +
        '"kind":"golden_example","schema_version":1,"skill_id":"s1",' +
        '"submission_id":"6f1c2b8e-1d2a-4c5b-9e8f-0a1b2c3d4e5f","tenant_id":"t1","user_id":"u1"}',
    );
  });

  test("the signature of the documented vector is the pinned one", () => {
    const signed = sign(VECTOR, { keyId: "k1", secret: SECRET });
    assert.deepEqual(signed.signature, {
      key_id: "k1",
      alg: "HMAC-SHA256",
      value: "umyo9lxlFbmuqo-OivCc9-7scbPlhHQ-RHRys3ROs7E",
    });
    assert.ok(verify(signed, new Map([["k1", SECRET]])));
  });

  test("the signature ignores key order and an existing signature field", () => {
    const reversed = Object.fromEntries(Object.entries(VECTOR).reverse());
    const key = { keyId: "k1", secret: SECRET };
    assert.deepEqual(sign(reversed, key).signature, sign({ ...VECTOR, signature: { x: 1 } }, key).signature);
  });

  test("a tampered submission does not verify", () => {
    const signed = sign(VECTOR, { keyId: "k1", secret: SECRET });
    assert.equal(verify({ ...signed, example_output: "ok!" }, new Map([["k1", SECRET]])), false);
    assert.equal(verify(signed, new Map([["k2", SECRET]])), false);
    assert.equal(verify({ ...signed, tenant_id: "\ud800" }, new Map([["k1", SECRET]])), false);
  });

  test("keys are parsed from the environment format, in order", () => {
    const keys = parseKeys("a:0123456789abcdef, b:fedcba9876543210");
    assert.deepEqual([...keys.keys()], ["a", "b"]);
    assert.equal(keys.get("b")?.toString(), "fedcba9876543210");
    assert.throws(() => parseKeys("a:short"), SigningKeyError);
    assert.throws(() => parseKeys("no-separator-0123456789"), SigningKeyError);
    assert.equal(parseKeys("").size, 0);
  });

  test("producers sign with the last key unless INTAKE_SIGNING_KEY_ID names another", () => {
    const spec = "old:0123456789abcdef,new:fedcba9876543210";
    assert.equal(signingKey({ INTAKE_SIGNING_KEYS: spec })?.keyId, "new");
    assert.equal(signingKey({ INTAKE_SIGNING_KEYS: spec, INTAKE_SIGNING_KEY_ID: "old" })?.keyId, "old");
    assert.throws(() => signingKey({ INTAKE_SIGNING_KEYS: spec, INTAKE_SIGNING_KEY_ID: "gone" }), /not configured/);
    assert.equal(signingKey({}), null);
  });
});
