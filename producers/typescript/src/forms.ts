/** A web-form helper that mirrors the platform's server action for golden examples. */

import { randomUUID } from "node:crypto";

import type { IntakeClient } from "./client.js";
import { SubmissionInvalid } from "./errors.js";
import type { FieldErrors } from "./errors.js";
import { nowTimestamp } from "./timestamps.js";

/** The form's field names (as the platform's form posts them) and the contract's. */
export const FORM_FIELDS = {
  skillId: "skill_id",
  exampleInput: "example_input",
  exampleOutput: "example_output",
  expectedOutput: "expected_output",
  qualityScore: "quality_score",
} as const;
const CONTRACT_TO_FORM: Record<string, string> = Object.fromEntries(
  Object.entries(FORM_FIELDS).map(([form, contract]) => [contract, form]),
);

export const SIGNED_OUT = "You must be signed in to submit a training example.";
export const FIX_FIELDS = "Please fix the highlighted fields.";
export const THANKS = "Thanks! Your training example was submitted.";

export interface SignedInUser {
  id: string;
  tenantId: string;
}

/** The state the form renders: field errors, a message, and whether it worked. */
export interface FormState {
  errors: FieldErrors;
  message: string | null;
  success: boolean;
  /** The id of the enqueued example (on success): pass it back to retry a post safely. */
  submissionId?: string;
}

/** What a form posts: a FormData (server actions) or a plain object of its fields. */
export type FormInput = { get(name: string): unknown } | Readonly<Record<string, unknown>>;

type Submitter = Pick<IntakeClient, "submit">;

function field(form: FormInput, name: string): unknown {
  const value = typeof form.get === "function" ? (form as { get(name: string): unknown }).get(name) : (form as Record<string, unknown>)[name];
  return value ?? null;
}

function blankToNull(value: unknown): unknown {
  return typeof value === "string" && value.trim() === "" ? null : value;
}

// What Python's int() takes from a form: optional sign and digits (underscores between them).
const WHOLE_NUMBER = /^[+-]?\d+(?:_\d+)*$/;

function qualityScore(raw: unknown, errors: FieldErrors): unknown {
  const value = blankToNull(raw);
  if (value === null || typeof value === "number") return value;
  const text = String(value).trim();
  if (WHOLE_NUMBER.test(text)) return Number(text.replaceAll("_", ""));
  (errors["qualityScore"] ??= []).push("must be a whole number from 1 to 10");
  return null;
}

/**
 * Validate the posted form and enqueue a golden example by the signed-in user.
 *
 * Authorship is checked by the worker (it needs the database); the form reports what it can
 * know: missing, malformed or oversized fields. Pass the same `submissionId` when the browser
 * retries a post, so a double submit stores one row. Broker failures are thrown
 * (BrokerUnavailable), as in the Python helper.
 */
export async function submitTrainingExampleWith(
  client: Submitter,
  form: FormInput,
  user: SignedInUser | null | undefined,
  options: { submissionId?: string } = {},
): Promise<FormState> {
  if (!user) return { errors: {}, message: SIGNED_OUT, success: false };
  const errors: FieldErrors = {};
  for (const name of ["skillId", "exampleInput", "exampleOutput"]) {
    if (blankToNull(field(form, name)) === null) (errors[name] ??= []).push("is required");
  }
  const score = qualityScore(field(form, "qualityScore"), errors);
  if (Object.keys(errors).length > 0) return { errors, message: FIX_FIELDS, success: false };
  const submission = {
    submission_id: options.submissionId ?? randomUUID(),
    kind: "golden_example",
    tenant_id: user.tenantId,
    user_id: user.id,
    skill_id: field(form, "skillId"),
    example_input: field(form, "exampleInput"),
    example_output: field(form, "exampleOutput"),
    expected_output: blankToNull(field(form, "expectedOutput")),
    quality_score: score,
    submitted_at: nowTimestamp(),
  };
  try {
    const submissionId = await client.submit(submission);
    return { errors: {}, message: THANKS, success: true, submissionId };
  } catch (error) {
    if (!(error instanceof SubmissionInvalid)) throw error;
    const byFormField = Object.entries(error.fieldErrors).map(([name, messages]) => [
      Object.hasOwn(CONTRACT_TO_FORM, name) ? CONTRACT_TO_FORM[name] : name,
      messages,
    ]);
    return { errors: Object.fromEntries(byFormField), message: FIX_FIELDS, success: false };
  }
}
