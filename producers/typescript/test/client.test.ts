/** The client against a real Redis with no worker: what it sends, refuses, reads and reports. */

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";

import { MAX_MESSAGE_BYTES } from "../src/contract.js";
import { BrokerUnavailable, IntakeClient, OutcomeTimeout, ProducerConfigurationError, SubmissionInvalid, verify } from "../src/index.js";
import type { UsageCapture } from "../src/index.js";
import { queued, queuedIds } from "./support/queues.js";
import { claimRedisDb } from "./support/redis.js";
import type { ClaimedDb } from "./support/redis.js";

const SECOND = 1_800_000_000;
const golden = { tenant_id: "t", user_id: "u", skill_id: "s", example_input: "SECRET INPUT", example_output: "out" };

function capture(tenant: string, n: number): UsageCapture {
  return { tenant_id: tenant, user_id: "u", skill_id: "s", usage_event_id: `${tenant}-${n}`, example_input: "i", example_output: "o" };
}

describe("the client", () => {
  let db: ClaimedDb;
  let client: IntakeClient;
  before(async () => {
    db = await claimRedisDb();
    client = new IntakeClient({ brokerUrl: db.url, tenantRate: 0, env: {} });
  });
  beforeEach(async () => {
    await db.client.flushDb();
  });
  after(async () => {
    await client.close();
    await db.release();
  });

  test("a golden example is one intake.submit message whose task id is the submission id", async () => {
    const id = await client.submitGoldenExample({ ...golden, quality_score: 8 });
    const [message, ...rest] = await queued(db.client, "intake");
    assert.equal(rest.length, 0);
    assert.equal(message!.envelope.headers["task"], "intake.submit");
    assert.equal(message!.envelope.headers["id"], id);
    const sent = message!.body[1].submission!;
    assert.equal(sent["kind"], "golden_example");
    assert.equal(sent["quality_score"], 8);
    assert.match(sent["submitted_at"] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    assert.ok(!JSON.stringify({ ...message!.envelope, body: null }).includes("SECRET"));
  });

  test("a retry with the same submission id sends the same id", async () => {
    const id = randomUUID();
    assert.equal(await client.submitGoldenExample({ ...golden, submission_id: id }), id);
    assert.equal(await client.captureUsage({ ...capture("t", 1), submission_id: id.toUpperCase() }), id);
  });

  test("an invalid submission is refused by field and nothing is sent", async () => {
    await assert.rejects(client.submitGoldenExample({ ...golden, example_input: "x".repeat(5001), quality_score: 12 }), (error: unknown) => {
      assert.ok(error instanceof SubmissionInvalid);
      assert.deepEqual(Object.keys(error.fieldErrors).sort(), ["example_input", "quality_score"]);
      return true;
    });
    await assert.rejects(client.submitGoldenExample({ ...golden, surprise: 1 } as never), SubmissionInvalid);
    assert.equal(await db.client.lLen("intake"), 0);
  });

  test("bulk captures go in chunks of 500, in order, with the ids returned in order", async () => {
    const captures = Array.from({ length: 1200 }, (_, n) => capture("bulk", n));
    const ids = await client.captureUsageMany(captures);
    const messages = await queued(db.client, "intake");
    assert.deepEqual(messages.map((m) => m.body[1].submissions!.length), [500, 500, 200]);
    assert.ok(messages.every((m) => m.envelope.headers["task"] === "intake.submit_many"));
    assert.equal(new Set(messages.map((m) => m.envelope.headers["id"])).size, 3);
    assert.deepEqual(await queuedIds(db.client, "intake"), ids);
  });

  test("a chunk never holds more than 1,000 submissions", async () => {
    const big = new IntakeClient({ brokerUrl: db.url, tenantRate: 0, chunkSize: 5000, env: {} });
    await big.captureUsageMany(Array.from({ length: 2500 }, (_, n) => capture("big", n)));
    await big.close();
    assert.deepEqual((await queued(db.client, "intake")).map((m) => m.body[1].submissions!.length), [1000, 1000, 500]);
  });

  test("a bulk of long texts becomes several messages, each within the workers' limit", async () => {
    const long = "é".repeat(5000);
    const ids = await client.captureUsageMany(
      Array.from({ length: 800 }, (_, n) => ({ ...capture("long", n), example_input: long, example_output: long })),
    );
    const messages = await queued(db.client, "intake");
    assert.ok(messages.length > 1);
    for (const message of messages) {
      assert.ok(Buffer.byteLength(Buffer.from(message.envelope.body, "base64")) <= MAX_MESSAGE_BYTES);
    }
    assert.deepEqual(await queuedIds(db.client, "intake"), ids);
  });

  test("a bulk send with any invalid capture sends nothing and names each as <index>.<field>", async () => {
    const captures = [capture("t", 0), { ...capture("t", 1), tenant_id: "" }, capture("t", 2), { ...capture("t", 3), usage_event_id: "a\u0000b" }];
    await assert.rejects(client.captureUsageMany(captures), (error: unknown) => {
      assert.ok(error instanceof SubmissionInvalid);
      assert.deepEqual(error.fieldErrors, {
        "1.tenant_id": ["String should have at least 1 character"],
        "3.usage_event_id": ["must not contain control characters"],
      });
      return true;
    });
    assert.equal(await db.client.lLen("intake"), 0);
  });

  test("a signing key signs what is sent", async () => {
    const secret = "fedcba9876543210";
    const signing = new IntakeClient({ brokerUrl: db.url, env: { INTAKE_SIGNING_KEYS: `old:0123456789abcdef,new:${secret}`, INTAKE_TENANT_RATE: "0" } });
    await signing.captureUsage(capture("t", 1));
    await signing.captureUsageMany([capture("t", 2)]);
    await signing.close();
    const sent = (await queued(db.client, "intake")).flatMap(({ body: [, kwargs] }) => kwargs.submissions ?? [kwargs.submission!]);
    assert.equal(sent.length, 2);
    for (const item of sent) {
      assert.equal((item["signature"] as Record<string, unknown>)["key_id"], "new");
      assert.ok(verify(item, new Map([["new", Buffer.from(secret)]])));
    }
  });

  test("a tenant's submissions over its rate go to the overflow queue, singly and in bulk", async () => {
    const admitted = new IntakeClient({ brokerUrl: db.url, tenantRate: 5, clock: () => SECOND, env: {} });
    const flood = [];
    for (let n = 0; n < 8; n += 1) flood.push(await admitted.captureUsage(capture("flood", n)));
    const quiet = await admitted.captureUsage(capture("quiet", 0));
    assert.deepEqual(await queuedIds(db.client, "intake"), [...flood.slice(0, 5), quiet]);
    assert.deepEqual(await queuedIds(db.client, "intake.overflow"), flood.slice(5));
    await db.client.flushDb();
    const captures = Array.from({ length: 12 }, (_, n) => capture("bulk-flood", n));
    captures.splice(3, 0, capture("bulk-quiet", 0));
    const ids = await admitted.captureUsageMany(captures);
    await admitted.close();
    assert.deepEqual(await queuedIds(db.client, "intake"), ids.slice(0, 6));
    assert.deepEqual(await queuedIds(db.client, "intake.overflow"), ids.slice(6));
  });

  test("status is undecided while queued, then reads the outcome the worker published", async () => {
    const id = await client.submitGoldenExample(golden);
    assert.deepEqual(await client.status(id), { submission_id: id, outcome: null, reason: null, done: false });
    await db.client.set(`intake:outcome:${id}`, JSON.stringify({ submission_id: id, outcome: "rejected", reason: "not_author" }));
    assert.deepEqual(await client.wait(id.toUpperCase()), { submission_id: id, outcome: "rejected", reason: "not_author", done: true });
  });

  test("a malformed id fails at once instead of waiting", async () => {
    const started = performance.now();
    for (const bad of ["not-a-uuid", "", "6f1c2b8e1d2a4c5b9e8f0a1b2c3d4e5f", "6f1c2b8e-1d2a-4c5b-9e8f-0a1b2c3d4e5f\n"]) {
      await assert.rejects(client.wait(bad, { timeoutMs: 60_000 }), SubmissionInvalid);
      await assert.rejects(client.status(bad), SubmissionInvalid);
    }
    assert.ok(performance.now() - started < 5000);
  });

  test("a timeout that is not milliseconds fails at once instead of waiting", async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, "5"]) {
      await assert.rejects(client.wait(randomUUID(), { timeoutMs: bad as number }), SubmissionInvalid);
    }
  });

  test("wait gives up with OutcomeTimeout", async () => {
    await assert.rejects(client.wait(randomUUID(), { timeoutMs: 200 }), OutcomeTimeout);
  });

  test("an unreachable broker is a BrokerUnavailable, not a hang", async () => {
    const dead = new IntakeClient({ brokerUrl: "redis://127.0.0.1:1/0", env: {} });
    await assert.rejects(dead.submitGoldenExample(golden), BrokerUnavailable);
    await assert.rejects(dead.status(randomUUID()), BrokerUnavailable);
    await dead.close();
  });

  test("a missing or non-Redis broker URL is a configuration error", () => {
    assert.throws(() => new IntakeClient({ env: {} }), ProducerConfigurationError);
    assert.throws(() => new IntakeClient({ brokerUrl: "amqp://guest:guest@127.0.0.1:5672//", env: {} }), ProducerConfigurationError);
    assert.throws(() => new IntakeClient({ env: { CELERY_BROKER_URL: db.url, INTAKE_TENANT_RATE: "lots" } }), /INTAKE_TENANT_RATE must be an integer/);
    assert.throws(() => new IntakeClient({ env: { CELERY_BROKER_URL: db.url, INTAKE_MAX_TEXT_LENGTH: "0" } }), /at least 1/);
  });

  test("a closed client refuses to send", async () => {
    const closing = new IntakeClient({ brokerUrl: db.url, env: {} });
    await closing.submitGoldenExample(golden);
    await closing.close();
    await assert.rejects(closing.submitGoldenExample(golden), BrokerUnavailable);
  });
});
