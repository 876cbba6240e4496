/**
 * What a Next.js server action or a Node.js pipeline imports: the IntakeClient, and the same
 * calls on a default client configured from the environment (CELERY_BROKER_URL, ...).
 */

import { IntakeClient } from "./client.js";
import type { BulkCapture, GoldenExample, SubmissionStatus, UsageCapture } from "./client.js";
import { submitTrainingExampleWith } from "./forms.js";
import type { FormInput, FormState, SignedInUser } from "./forms.js";

export { IntakeClient, usageCapture } from "./client.js";
export type { BulkCapture, GoldenExample, IntakeClientOptions, SubmissionStatus, UsageCapture } from "./client.js";
export { SCHEMA_ID } from "./contract.generated.js";
export type { SignatureMessage, SubmissionMessage } from "./contract.generated.js";
export {
  MAX_BATCH_SIZE,
  MAX_MESSAGE_BYTES,
  OUTCOMES,
  OVERFLOW_QUEUE,
  QUEUE,
  QUEUES,
  REASONS,
  SCHEMA_VERSION,
  SUBMIT_MANY_TASK,
  SUBMIT_TASK,
} from "./contract.js";
export type { Outcome, Reason } from "./contract.js";
export { BrokerUnavailable, OutcomeTimeout, ProducerConfigurationError, ProducerError, SubmissionInvalid } from "./errors.js";
export type { FieldErrors } from "./errors.js";
export { submitTrainingExampleWith } from "./forms.js";
export type { FormInput, FormState, SignedInUser } from "./forms.js";
export { SigningKeyError, canonical, sign, verify } from "./signing.js";
export { parseSubmission, submissionErrors } from "./validate.js";

let shared: IntakeClient | null = null;

/** The default client, made from the environment on first use and kept until `close()`. */
export function defaultClient(): IntakeClient {
  shared ??= new IntakeClient();
  return shared;
}

export async function submitGoldenExample(fields: GoldenExample): Promise<string> {
  return defaultClient().submitGoldenExample(fields);
}

export async function captureUsage(fields: UsageCapture): Promise<string> {
  return defaultClient().captureUsage(fields);
}

export async function captureUsageMany(captures: Iterable<BulkCapture>): Promise<string[]> {
  return defaultClient().captureUsageMany(captures);
}

export async function status(submissionId: string): Promise<SubmissionStatus> {
  return defaultClient().status(submissionId);
}

export async function wait(submissionId: string, options?: { timeoutMs?: number }): Promise<SubmissionStatus> {
  return defaultClient().wait(submissionId, options);
}

/** The platform's server action: validate the posted form and enqueue a golden example. */
export async function submitTrainingExample(
  form: FormInput,
  user: SignedInUser | null | undefined,
  options?: { submissionId?: string },
): Promise<FormState> {
  return submitTrainingExampleWith(defaultClient(), form, user, options);
}

/** Close the default client's connections, so the process can exit; the next call opens anew. */
export async function close(): Promise<void> {
  const client = shared;
  shared = null;
  await client?.close();
}
