/** A worker with signing keys: signed submissions from either language pass, tampered ones do not. */

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { createClient } from "redis";

import { envelope } from "../src/envelope.js";
import { IntakeClient, parseSubmission, sign } from "../src/index.js";
import { startWorld } from "./support/world.js";
import type { World } from "./support/world.js";

const SLOW = { timeout: 180_000 };
const OLD = "2026-q1:0123456789abcdef0123";
const NEW = "2026-q2:fedcba9876543210fedc";

describe("a worker that requires signatures", () => {
  let world: World;
  let signing: IntakeClient;
  before(async () => {
    world = await startWorld({ signingKeys: `${OLD},${NEW}` });
    signing = new IntakeClient({ brokerUrl: world.brokerUrl, env: { INTAKE_SIGNING_KEYS: `${OLD},${NEW}` } });
  });
  after(async () => {
    await signing?.close();
    await world?.stop();
  });

  function capture(event: string): Record<string, unknown> {
    const { tenant, author, skill } = world.ids;
    return {
      submission_id: randomUUID(), kind: "usage_capture", tenant_id: tenant, user_id: author, skill_id: skill,
      usage_event_id: event, example_input: "signed input", example_output: "o",
    };
  }

  async function outcome(id: string): Promise<[string | null, string | null]> {
    const status = await signing.wait(id, { timeoutMs: 60_000 });
    return [status.outcome, status.reason];
  }

  test("a signed submission is accepted, with the newest key or an older one still listed", SLOW, async () => {
    assert.deepEqual(await outcome(await signing.submit(capture("signed-new"))), ["accepted", null]);
    const older = new IntakeClient({ brokerUrl: world.brokerUrl, env: { INTAKE_SIGNING_KEYS: `${OLD},${NEW}`, INTAKE_SIGNING_KEY_ID: "2026-q1" } });
    const id = await older.submit(capture("signed-old"));
    await older.close();
    assert.deepEqual(await outcome(id), ["accepted", null]);
  });

  test("signed bulk captures are accepted", SLOW, async () => {
    const ids = await signing.captureUsageMany([capture("bulk-a"), capture("bulk-b")] as never);
    for (const id of ids) assert.deepEqual(await outcome(id), ["accepted", null]);
  });

  test("a tampered or unsigned submission is refused as bad_signature, claims no outcome and stores nothing", SLOW, async () => {
    const secret = Buffer.from(NEW.split(":")[1]!);
    const signed = sign(parseSubmission(capture("tampered")), { keyId: "2026-q2", secret });
    const tampered = { ...signed, example_input: "changed after signing" };
    const unsigned = new IntakeClient({ brokerUrl: world.brokerUrl, env: {} });
    const unsignedId = await unsigned.submit(capture("unsigned"));
    await unsigned.close();
    const redis = await createClient({ url: world.brokerUrl }).connect();
    await redis.lPush("intake", JSON.stringify(envelope({ task: "intake.submit", kwargs: { submission: tampered } }, "intake", tampered.submission_id)));
    await redis.close();
    // Without the key a message may not bind the id it carries (it would squat the genuine
    // submission's outcome): it is a dead letter of its own, and the id stays undecided.
    const ids = [tampered.submission_id, unsignedId].sort();
    const expected = { refusals: ids.map((id) => [id, "bad_signature"]) };
    const deadline = Date.now() + 60_000;
    let refusals = await world.ask({ op: "refusals", ids });
    while (JSON.stringify(refusals) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      refusals = await world.ask({ op: "refusals", ids });
    }
    assert.deepEqual(refusals, expected);
    for (const id of ids) assert.equal((await signing.status(id)).outcome, null);
    assert.deepEqual(await world.ask({ op: "rows", ids }), { rows: 0 });
  });

  test("a submission signed by the Python producer is accepted", SLOW, async () => {
    const submission = capture("signed-in-python");
    await world.ask({ op: "python_submit", submission });
    assert.deepEqual(await outcome(submission["submission_id"] as string), ["accepted", null]);
  });
});
