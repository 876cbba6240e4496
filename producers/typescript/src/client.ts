/** IntakeClient: validates submissions, signs them, admits them, and enqueues them by task name. */

import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { Admission } from "./admission.js";
import { RedisConnection } from "./connection.js";
import type { SubmissionMessage } from "./contract.generated.js";
import {
  DEFAULT_CHUNK_SIZE,
  MAX_BATCH_SIZE,
  MAX_MESSAGE_BYTES,
  OUTCOMES,
  OVERFLOW_QUEUE,
  QUEUE,
  SUBMIT_MANY_TASK,
  SUBMIT_TASK,
  outcomeKey,
} from "./contract.js";
import type { Outcome, Queue, Reason } from "./contract.js";
import { envelope } from "./envelope.js";
import type { TaskCall } from "./envelope.js";
import { OutcomeTimeout, ProducerConfigurationError, ProducerError, SubmissionInvalid } from "./errors.js";
import * as settings from "./settings.js";
import { sign } from "./signing.js";
import type { SigningKey } from "./signing.js";
import { nowTimestamp } from "./timestamps.js";
import { NOT_A_UUID, parseSubmission } from "./validate.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface IntakeClientOptions {
  /** The workers' broker (Redis); default CELERY_BROKER_URL. */
  brokerUrl?: string;
  /** Where outcomes are read and admissions counted; default INTAKE_OUTCOME_STORE_URL or the broker. */
  outcomeStoreUrl?: string;
  /** Per-text character limit; default INTAKE_MAX_TEXT_LENGTH or 5000. */
  maxTextLength?: number;
  /** Submissions per `intake.submit_many` message (1-1000, default 500). */
  chunkSize?: number;
  /** Sign with this key; default the key named by INTAKE_SIGNING_KEY_ID / INTAKE_SIGNING_KEYS. */
  signingKey?: { keyId: string; secret: string | Buffer } | null;
  /** Submissions per second a tenant may place on `intake`; default INTAKE_TENANT_RATE or 100. */
  tenantRate?: number;
  /** Milliseconds to wait for a connection to Redis (default 5000). */
  connectTimeoutMs?: number;
  /** Where settings not given here are read (default process.env). */
  env?: settings.Environment;
  /** Seconds since the epoch, for admission's one-second windows (default the system clock). */
  clock?: () => number;
}

/** The fields of a golden example; `submission_id` is made for you unless you retry with one. */
export interface GoldenExample {
  tenant_id: string;
  user_id: string;
  skill_id: string;
  example_input: string;
  example_output: string;
  expected_output?: string | null;
  quality_score?: number | null;
  submission_id?: string;
}

/** The fields of a usage capture; `submission_id` and `submitted_at` are made unless given. */
export interface UsageCapture {
  tenant_id: string;
  user_id: string;
  skill_id: string;
  usage_event_id: string;
  example_input: string;
  example_output: string;
  quality_score?: number | null;
  submission_id?: string;
  submitted_at?: string;
}

/** An item of `captureUsageMany`: a usage capture unless it names another kind. */
export type BulkCapture = UsageCapture & { kind?: "usage_capture" | "golden_example" };

/** What became of a submission; `outcome` is null while it is queued or in progress. */
export interface SubmissionStatus {
  submission_id: string;
  outcome: Outcome | null;
  reason: Reason | null;
  done: boolean;
}

function checkedId(submissionId: unknown): string {
  if (typeof submissionId !== "string" || !UUID.test(submissionId)) {
    throw new SubmissionInvalid({ submission_id: [NOT_A_UUID] });
  }
  return submissionId.toLowerCase();
}

// The protocol-2 call around the submissions: `[[], {"submissions": [...]}, {...embed...}]`.
const CALL_OVERHEAD = 256;

/**
 * Consecutive chunks of at most `size` items whose JSON body (UTF-8) stays within `maxBytes`;
 * a single submission always fits.
 */
export function* chunks<T>(items: T[], size: number, maxBytes: number = MAX_MESSAGE_BYTES): Generator<T[]> {
  let chunk: T[] = [];
  let used = CALL_OVERHEAD;
  for (const item of items) {
    const cost = Buffer.byteLength(JSON.stringify(item), "utf8") + 1;
    if (chunk.length > 0 && (chunk.length >= size || used + cost > maxBytes)) {
      yield chunk;
      chunk = [];
      used = CALL_OVERHEAD;
    }
    chunk.push(item);
    used += cost;
  }
  if (chunk.length > 0) yield chunk;
}

export class IntakeClient {
  readonly brokerUrl: string;
  readonly maxTextLength: number;
  readonly chunkSize: number;
  private readonly broker: RedisConnection;
  private readonly outcomes: RedisConnection | null;
  private readonly signingKey: SigningKey | null;
  /** Per-tenant admission to `intake` (exposed for tests that fix its clock). */
  readonly admission: Admission;

  constructor(options: IntakeClientOptions = {}) {
    const env = options.env ?? process.env;
    this.brokerUrl = options.brokerUrl ?? settings.brokerUrl(env);
    if (!settings.isRedisUrl(this.brokerUrl)) {
      throw new ProducerConfigurationError("this producer sends through a Redis broker (redis://, rediss://)");
    }
    this.maxTextLength = options.maxTextLength ?? settings.maxTextLength(env);
    this.chunkSize = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK_SIZE, MAX_BATCH_SIZE));
    const given = options.signingKey;
    this.signingKey =
      given === undefined
        ? settings.signingKey(env)
        : given && { keyId: given.keyId, secret: Buffer.isBuffer(given.secret) ? given.secret : Buffer.from(given.secret, "utf8") };
    const connection = { connectTimeoutMs: options.connectTimeoutMs ?? 5000 };
    this.broker = new RedisConnection(this.brokerUrl, connection);
    const storeUrl = options.outcomeStoreUrl ?? settings.outcomeStoreUrl(this.brokerUrl, env);
    this.outcomes = storeUrl === null ? null : storeUrl === this.brokerUrl ? this.broker : new RedisConnection(storeUrl, connection);
    const rate = options.tenantRate ?? settings.tenantRate(env);
    this.admission = options.clock ? new Admission(this.outcomes, rate, options.clock) : new Admission(this.outcomes, rate);
  }

  // -- sending --------------------------------------------------------------------------------

  /** Validate and enqueue one submission (`intake.submit`); resolves to its submission id. */
  async submit(submission: unknown): Promise<string> {
    const valid = parseSubmission(submission, { maxTextLength: this.maxTextLength });
    const queue = (await this.admission.admit(valid.tenant_id)) > 0 ? QUEUE : OVERFLOW_QUEUE;
    const call: TaskCall = { task: SUBMIT_TASK, kwargs: { submission: this.wire(valid) } };
    await this.push(queue, [JSON.stringify(envelope(call, queue, valid.submission_id))]);
    return valid.submission_id;
  }

  /** A skill's author submits an input and the expected output; stored as approved. */
  async submitGoldenExample(fields: GoldenExample): Promise<string> {
    return this.submit({
      submission_id: randomUUID(),
      expected_output: null,
      quality_score: null,
      submitted_at: nowTimestamp(),
      ...fields,
      kind: "golden_example",
    });
  }

  /** A real input/output of a skill in use; stored pending when capture and consent allow. */
  async captureUsage(fields: UsageCapture): Promise<string> {
    return this.submit(usageCapture(fields));
  }

  /**
   * Validate every capture, then send them as `intake.submit_many` in chunks. Nothing is sent if
   * any capture is invalid: the error names each bad item's fields as `"<index>.<field>"`.
   */
  async captureUsageMany(captures: Iterable<BulkCapture>): Promise<string[]> {
    const validated: SubmissionMessage[] = [];
    const errors: [string, string[]][] = [];
    let index = 0;
    for (const capture of captures) {
      try {
        const item = { submission_id: randomUUID(), kind: "usage_capture", submitted_at: nowTimestamp(), ...capture };
        validated.push(parseSubmission(item, { maxTextLength: this.maxTextLength }));
      } catch (error) {
        if (!(error instanceof SubmissionInvalid)) throw error;
        for (const [field, messages] of Object.entries(error.fieldErrors)) errors.push([`${index}.${field}`, messages]);
      }
      index += 1;
    }
    if (errors.length > 0) throw new SubmissionInvalid(Object.fromEntries(errors));
    for (const [queue, lane] of await this.lanes(validated)) {
      const wired = lane.map((item) => this.wire(item));
      const messages = [...chunks(wired, this.chunkSize)].map((chunk) => {
        const call: TaskCall = { task: SUBMIT_MANY_TASK, kwargs: { submissions: chunk } };
        return JSON.stringify(envelope(call, queue));
      });
      if (messages.length > 0) await this.push(queue, messages);
    }
    return validated.map((item) => item.submission_id);
  }

  private wire(message: SubmissionMessage): SubmissionMessage {
    return this.signingKey === null ? message : sign(message, this.signingKey);
  }

  /** The submissions each queue gets: what each tenant's admission allows, in their order. */
  private async lanes(submissions: SubmissionMessage[]): Promise<Map<Queue, SubmissionMessage[]>> {
    if (!this.admission.enabled) return new Map([[QUEUE, submissions]]);
    const counts = new Map<string, number>();
    for (const { tenant_id } of submissions) counts.set(tenant_id, (counts.get(tenant_id) ?? 0) + 1);
    const allowance = await this.admission.admitMany(counts);
    const lanes = new Map<Queue, SubmissionMessage[]>([[QUEUE, []], [OVERFLOW_QUEUE, []]]);
    for (const submission of submissions) {
      const left = allowance.get(submission.tenant_id) ?? 0;
      allowance.set(submission.tenant_id, left - 1);
      lanes.get(left > 0 ? QUEUE : OVERFLOW_QUEUE)!.push(submission);
    }
    return lanes;
  }

  /** LPUSH, as kombu's Redis transport does: one command, the messages in order. */
  private async push(queue: Queue, messages: string[]): Promise<void> {
    await this.broker.run(`sending to ${queue}`, (client) => client.lPush(queue, messages));
  }

  // -- outcomes -------------------------------------------------------------------------------

  /** The submission's outcome, or an undecided status while it is queued or in progress. */
  async status(submissionId: string): Promise<SubmissionStatus> {
    const id = checkedId(submissionId);
    if (this.outcomes === null) {
      throw new ProducerConfigurationError("no outcome store: set INTAKE_OUTCOME_STORE_URL to the workers' Redis");
    }
    const raw = await this.outcomes.run("reading an outcome", (client) => client.get(outcomeKey(id)));
    if (raw === null) return { submission_id: id, outcome: null, reason: null, done: false };
    const record = JSON.parse(String(raw)) as { outcome?: unknown; reason?: unknown };
    if (!OUTCOMES.includes(record.outcome as Outcome)) {
      throw new ProducerError(`the outcome store holds no valid outcome for ${id}`);
    }
    return { submission_id: id, outcome: record.outcome as Outcome, reason: (record.reason ?? null) as Reason | null, done: true };
  }

  /** Poll until the submission has an outcome; OutcomeTimeout after `timeoutMs` (default 30 s). */
  async wait(submissionId: string, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<SubmissionStatus> {
    if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new SubmissionInvalid({ timeout: ["must be a number of milliseconds, 0 or more"] });
    }
    const deadline = performance.now() + timeoutMs;
    let delay = 20;
    for (;;) {
      const status = await this.status(submissionId);
      if (status.done) return status;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new OutcomeTimeout(`no outcome for ${status.submission_id} after ${timeoutMs} ms`);
      await sleep(Math.min(delay, remaining));
      delay = Math.min(delay * 2, 500);
    }
  }

  /** Close the connections; the process can then exit. Later calls fail with BrokerUnavailable. */
  async close(): Promise<void> {
    await this.broker.close();
    if (this.outcomes !== null && this.outcomes !== this.broker) await this.outcomes.close();
  }
}

/** The message body of one usage capture (what `captureUsageMany` sends for each item). */
export function usageCapture(fields: UsageCapture): Record<string, unknown> {
  return { submission_id: randomUUID(), submitted_at: nowTimestamp(), ...fields, kind: "usage_capture" };
}
