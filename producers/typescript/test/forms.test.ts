/** The server-action helper: the Python form helper's field names, messages and states. */

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

import { IntakeClient, submitTrainingExampleWith } from "../src/index.js";
import { queued } from "./support/queues.js";
import { claimRedisDb } from "./support/redis.js";
import type { ClaimedDb } from "./support/redis.js";

const USER = { id: "user-1", tenantId: "tenant-1" };

function formData(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

describe("submitTrainingExample", () => {
  let db: ClaimedDb;
  let client: IntakeClient;
  before(async () => {
    db = await claimRedisDb();
    client = new IntakeClient({ brokerUrl: db.url, env: {} });
  });
  beforeEach(async () => {
    await db.client.flushDb();
  });
  after(async () => {
    await client.close();
    await db.release();
  });

  test("a complete form is enqueued and reports success", async () => {
    const form = formData({ skillId: "skill-1", exampleInput: "in", exampleOutput: "out", qualityScore: "7", expectedOutput: " " });
    const state = await submitTrainingExampleWith(client, form, USER);
    assert.deepEqual(state, { errors: {}, message: "Thanks! Your training example was submitted.", success: true, submissionId: state.submissionId });
    const [message] = await queued(db.client, "intake");
    assert.equal(message!.envelope.headers["task"], "intake.submit");
    assert.equal(message!.envelope.headers["id"], state.submissionId);
    const sent = message!.body[1].submission!;
    assert.deepEqual([sent["tenant_id"], sent["user_id"], sent["quality_score"], sent["expected_output"]], ["tenant-1", "user-1", 7, undefined]);
  });

  test("missing fields are reported by form field name", async () => {
    const state = await submitTrainingExampleWith(client, { exampleInput: "  ", qualityScore: "x" }, USER);
    assert.deepEqual(state, {
      errors: {
        skillId: ["is required"],
        exampleInput: ["is required"],
        exampleOutput: ["is required"],
        qualityScore: ["must be a whole number from 1 to 10"],
      },
      message: "Please fix the highlighted fields.",
      success: false,
    });
    assert.equal(await db.client.lLen("intake"), 0);
  });

  test("contract violations come back as form field errors", async () => {
    const form = formData({ skillId: "s", exampleInput: "x".repeat(5001), exampleOutput: "o", qualityScore: "12" });
    const state = await submitTrainingExampleWith(client, form, USER);
    assert.deepEqual(state.errors, {
      exampleInput: ["must be at most 5000 characters"],
      qualityScore: ["Input should be less than or equal to 10"],
    });
    assert.equal(state.success, false);
    assert.equal(await db.client.lLen("intake"), 0);
  });

  test("a quality score is read as Python's int() reads it", async () => {
    for (const [raw, sent] of [[" 7 ", 7], ["+3", 3], ["1_0", 10]] as const) {
      const state = await submitTrainingExampleWith(client, { skillId: "s", exampleInput: "i", exampleOutput: "o", qualityScore: raw }, USER);
      assert.equal(state.success, true, raw);
      const messages = await queued(db.client, "intake");
      assert.equal(messages.at(-1)!.body[1].submission!["quality_score"], sent);
    }
    for (const raw of ["7.5", "seven", "1__0"]) {
      const state = await submitTrainingExampleWith(client, { skillId: "s", exampleInput: "i", exampleOutput: "o", qualityScore: raw }, USER);
      assert.deepEqual(state.errors, { qualityScore: ["must be a whole number from 1 to 10"] }, raw);
    }
  });

  test("a signed-out visitor cannot submit", async () => {
    const state = await submitTrainingExampleWith(client, {}, null);
    assert.deepEqual(state, { errors: {}, message: "You must be signed in to submit a training example.", success: false });
  });

  test("a retried post keeps its submission id", async () => {
    const fields = { skillId: "s", exampleInput: "i", exampleOutput: "o" };
    const first = await submitTrainingExampleWith(client, fields, USER);
    const again = await submitTrainingExampleWith(client, fields, USER, { submissionId: first.submissionId! });
    assert.equal(again.submissionId, first.submissionId);
  });
});
