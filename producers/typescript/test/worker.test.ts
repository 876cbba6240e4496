/** From TypeScript to a real worker: every outcome the producer can cause, and a bulk of 5,000. */

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { IntakeClient } from "../src/index.js";
import type { SubmissionStatus } from "../src/index.js";
import { outcomesOf } from "./support/outcomes.js";
import { startWorld } from "./support/world.js";
import type { World, WorldIds } from "./support/world.js";

const SLOW = { timeout: 180_000 };
// The worker takes shorter texts than this producer: the one way a producer gets `invalid`.
const WORKER_TEXT_LIMIT = 4000;

describe("a real worker", () => {
  let world: World;
  let ids: WorldIds;
  let client: IntakeClient;
  before(async () => {
    world = await startWorld({ workerEnv: { INTAKE_MAX_TEXT_LENGTH: String(WORKER_TEXT_LIMIT) } });
    ids = world.ids;
    client = new IntakeClient({ brokerUrl: world.brokerUrl, env: {} });
  });
  after(async () => {
    await client?.close();
    await world?.stop();
  });

  function golden(userId: string, overrides: Partial<Record<string, string>> = {}): Promise<string> {
    return client.submitGoldenExample({
      tenant_id: ids.tenant, user_id: userId, skill_id: ids.skill, example_input: "i", example_output: "o", ...overrides,
    });
  }

  function usage(scope: { tenant: string; skill: string }, userId: string, event: string = randomUUID()): Promise<string> {
    return client.captureUsage({
      tenant_id: scope.tenant, user_id: userId, skill_id: scope.skill, usage_event_id: event, example_input: "i", example_output: "o",
    });
  }

  async function decided(submissionId: Promise<string>): Promise<[string | null, string | null]> {
    const status: SubmissionStatus = await client.wait(await submissionId, { timeoutMs: 60_000 });
    return [status.outcome, status.reason];
  }

  test("a golden example by the skill's author is stored approved, text unchanged", SLOW, async () => {
    const id = await golden(ids.author, { example_input: "if (a < b && c > d) {}", expected_output: "ok" });
    assert.deepEqual(await decided(Promise.resolve(id)), ["accepted", null]);
    const { row } = await world.ask({ op: "row", id });
    assert.deepEqual(row, {
      tenant_id: ids.tenant, user_id: ids.author, skill_id: ids.skill, source: "web", status: "approved", usage_event_id: null,
      example_input: "if (a < b && c > d) {}", example_output: "o", expected_output: "ok", quality_score: null,
    });
  });

  test("a usage capture of a consenting user is stored pending review", SLOW, async () => {
    const id = await usage(ids, ids.consenting_user, "evt-pending");
    assert.deepEqual(await decided(Promise.resolve(id)), ["accepted", null]);
    const { row } = (await world.ask({ op: "row", id })) as { row: Record<string, unknown> };
    assert.deepEqual([row["source"], row["status"], row["usage_event_id"]], ["usage_capture", "pending", "evt-pending"]);
  });

  test("a usage event captured twice is a duplicate", SLOW, async () => {
    assert.deepEqual(await decided(usage(ids, ids.author, "evt-twice")), ["accepted", null]);
    assert.deepEqual(await decided(usage(ids, ids.author, "evt-twice")), ["duplicate", "same_usage_event"]);
  });

  test("a submission sent again keeps its first outcome and one row", SLOW, async () => {
    const first = { tenant_id: ids.tenant, user_id: ids.author, skill_id: ids.skill, usage_event_id: "evt-resent", example_input: "i", example_output: "o" };
    const [id] = await client.captureUsageMany([first]);
    assert.deepEqual(await decided(Promise.resolve(id!)), ["accepted", null]);
    // The resend rides in one chunk with a new capture: once that is decided, so is the resend.
    const [, last] = await client.captureUsageMany([{ ...first, submission_id: id! }, { ...first, usage_event_id: "evt-after" }]);
    assert.deepEqual(await decided(Promise.resolve(last!)), ["accepted", null]);
    assert.deepEqual(await decided(Promise.resolve(id!)), ["accepted", null]);
    assert.deepEqual(await world.ask({ op: "rows", ids: [id] }), { rows: 1 });
  });

  test("usage is skipped when capture is off, consent is missing or refused, or sampling leaves it out", SLOW, async () => {
    assert.deepEqual(await decided(usage(ids.capture_off, ids.capture_off.author)), ["skipped", "capture_disabled"]);
    assert.deepEqual(await decided(usage(ids, ids.refusing_user)), ["skipped", "no_consent"]);
    assert.deepEqual(await decided(usage(ids, ids.silent_user)), ["skipped", "no_consent"]);
    assert.deepEqual(await decided(usage(ids.sampled_out, ids.sampled_out.author)), ["skipped", "sampled_out"]);
  });

  test("a golden example is not gated by the capture setting", SLOW, async () => {
    const off = ids.capture_off;
    const id = client.submitGoldenExample({ tenant_id: off.tenant, user_id: off.author, skill_id: off.skill, example_input: "i", example_output: "o" });
    assert.deepEqual(await decided(id), ["accepted", null]);
  });

  test("each rejection a producer can cause comes back with its reason", SLOW, async () => {
    const rejected = async (fields: Record<string, string>): Promise<[string | null, string | null]> =>
      decided(client.submitGoldenExample({ tenant_id: ids.tenant, user_id: ids.author, skill_id: ids.skill, example_input: "i", example_output: "o", ...fields }));
    assert.deepEqual(await rejected({ example_input: "x".repeat(WORKER_TEXT_LIMIT + 500) }), ["rejected", "invalid"]);
    assert.deepEqual(await rejected({ tenant_id: `tenant-${randomUUID()}` }), ["rejected", "unknown_tenant"]);
    const inactive = ids.inactive;
    assert.deepEqual(await rejected({ tenant_id: inactive.tenant, user_id: inactive.author, skill_id: inactive.skill }), ["rejected", "inactive_tenant"]);
    assert.deepEqual(await rejected({ user_id: `user-${randomUUID()}` }), ["rejected", "unknown_user"]);
    assert.deepEqual(await rejected({ skill_id: `skill-${randomUUID()}` }), ["rejected", "unknown_skill"]);
    assert.deepEqual(await rejected({ skill_id: ids.other.skill }), ["rejected", "cross_tenant"]);
    assert.deepEqual(await rejected({ user_id: ids.consenting_user }), ["rejected", "not_author"]);
  });

  test("an envelope made by the Python producer and one made here are both accepted", SLOW, async () => {
    const submission = {
      submission_id: randomUUID(), kind: "usage_capture", tenant_id: ids.tenant, user_id: ids.author, skill_id: ids.skill,
      usage_event_id: "evt-python", example_input: "from python", example_output: "o",
    };
    const { submission_id: id } = (await world.ask({ op: "python_submit", submission })) as { submission_id: string };
    assert.equal(id, submission.submission_id);
    assert.deepEqual(await decided(Promise.resolve(id)), ["accepted", null]);
    assert.deepEqual(await decided(client.submit({ ...submission, submission_id: randomUUID(), usage_event_id: "evt-ts" })), ["accepted", null]);
  });

  test("a bulk of 5,000 captures is accepted, every one stored once", SLOW, async () => {
    const captures = Array.from({ length: 5000 }, (_, n) => ({
      tenant_id: ids.tenant, user_id: ids.author, skill_id: ids.skill, usage_event_id: `bulk-${n}`,
      example_input: `input ${n} with a < b`, example_output: `output ${n}`,
    }));
    const sent = await client.captureUsageMany(captures);
    assert.equal(new Set(sent).size, 5000);
    const outcomes = await outcomesOf(world.brokerUrl, sent);
    assert.deepEqual(new Set(outcomes.map((o) => o.outcome)), new Set(["accepted"]));
    assert.deepEqual(await world.ask({ op: "rows", ids: sent }), { rows: 5000 });
  });
});
