/** The contract's names and limits that the schema does not carry: queues, tasks, outcomes. */

export const SCHEMA_VERSION = 1;
export const DEFAULT_MAX_TEXT_LENGTH = 5000;
export const MAX_BATCH_SIZE = 1000;
export const DEFAULT_CHUNK_SIZE = 500;
/**
 * The largest message body a worker takes (producers/contract.py MAX_MESSAGE_BYTES): bulk sends
 * are split by this size as well as by MAX_BATCH_SIZE, or the worker refuses them unread.
 */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export const SUBMIT_TASK = "intake.submit";
export const SUBMIT_MANY_TASK = "intake.submit_many";
export const QUEUE = "intake";
/** Where a tenant's submissions over its admission rate wait; workers read both queues in turn. */
export const OVERFLOW_QUEUE = "intake.overflow";
export const QUEUES = [QUEUE, OVERFLOW_QUEUE] as const;
export type Queue = (typeof QUEUES)[number];

/** The example texts: their ceiling is the deployment's INTAKE_MAX_TEXT_LENGTH, not the schema's. */
export const TEXT_FIELDS = ["example_input", "example_output", "expected_output"] as const;

/** The field order of the Python contract's messages (the wire form both producers send). */
export const WIRE_ORDER = [
  "schema_version",
  "submission_id",
  "kind",
  "tenant_id",
  "user_id",
  "skill_id",
  "example_input",
  "example_output",
  "expected_output",
  "quality_score",
  "usage_event_id",
  "submitted_at",
  "signature",
] as const;

export const OUTCOMES = ["accepted", "duplicate", "skipped", "rejected", "failed"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const REASONS = [
  "same_submission",
  "same_usage_event",
  "capture_disabled",
  "no_consent",
  "sampled_out",
  "invalid",
  "unknown_tenant",
  "inactive_tenant",
  "unknown_user",
  "unknown_skill",
  "cross_tenant",
  "not_author",
  "bad_signature",
  "retries_exhausted",
  "undecodable",
] as const;
export type Reason = (typeof REASONS)[number];

/** Workers publish each outcome under this key for `status()` and `wait()`. */
export function outcomeKey(submissionId: string): string {
  return `intake:outcome:${submissionId}`;
}
