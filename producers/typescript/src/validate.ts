/** The contract check: the schema's rules (generated) plus what a schema cannot say. */

import { SIGNATURE_RULES, SUBMISSION_RULES } from "./contract.generated.js";
import type { SubmissionMessage } from "./contract.generated.js";
import { DEFAULT_MAX_TEXT_LENGTH, SCHEMA_VERSION, TEXT_FIELDS, WIRE_ORDER } from "./contract.js";
import { SubmissionInvalid } from "./errors.js";
import type { FieldErrors } from "./errors.js";
import type { ObjectRule, ValueRule } from "./rules.js";
import { characters, codePoints } from "./text.js";
import { normalizeTimestamp } from "./timestamps.js";

// The schema's pattern for ids; the Python contract says what is wrong with them in words.
const ID_PATTERN = "^[^\\x00-\\x1f\\x7f]+$";
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const OBJECTS: Record<string, ObjectRule> = { Signature: SIGNATURE_RULES };
const TEXTS: ReadonlySet<string> = new Set(TEXT_FIELDS);
const PATTERNS = new Map<string, RegExp>();

export const NOT_A_FIELD = "is not a field of the submission contract";
export const NOT_AN_OBJECT = "must be a JSON object";
export const NOT_A_UUID = "Input should be a valid UUID";

export interface ParseOptions {
  /** The per-text character limit the workers enforce (INTAKE_MAX_TEXT_LENGTH). */
  maxTextLength?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function literal(value: string | number): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}

function pattern(source: string): RegExp {
  let compiled = PATTERNS.get(source);
  if (compiled === undefined) {
    compiled = new RegExp(source, "u");
    PATTERNS.set(source, compiled);
  }
  return compiled;
}

function stringError(field: string, rule: ValueRule & { type: "string" }, value: unknown, limit: number): string | null {
  if (typeof value !== "string") {
    if (rule.format === "uuid") return "UUID input should be a string, bytes or UUID object";
    return rule.format === "date-time" ? "Input should be a valid datetime" : "Input should be a valid string";
  }
  const length = codePoints(value);
  if (length < 0) return "Input should be a valid string, unable to parse raw data as a unicode string";
  if (rule.minLength !== undefined && length < rule.minLength) {
    return `String should have at least ${characters(rule.minLength)}`;
  }
  if (TEXTS.has(field)) {
    if (length > limit) return `must be at most ${limit} characters`;
  } else if (rule.maxLength !== undefined && length > rule.maxLength) {
    return `String should have at most ${characters(rule.maxLength)}`;
  }
  if (rule.pattern !== undefined && !pattern(rule.pattern).test(value)) {
    return rule.pattern === ID_PATTERN
      ? "must not contain control characters"
      : `String should match pattern '${rule.pattern}'`;
  }
  if (rule.format === "uuid" && !UUID.test(value)) return NOT_A_UUID;
  if (rule.format === "date-time") {
    const parsed = normalizeTimestamp(value);
    if ("error" in parsed) return parsed.error;
  }
  return null;
}

function valueErrors(field: string, rule: ValueRule, value: unknown, limit: number): string[] {
  switch (rule.type) {
    case "string": {
      const error = stringError(field, rule, value, limit);
      return error === null ? [] : [error];
    }
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return ["Input should be a valid integer"];
      if (rule.minimum !== undefined && value < rule.minimum) {
        return [`Input should be greater than or equal to ${rule.minimum}`];
      }
      if (rule.maximum !== undefined && value > rule.maximum) {
        return [`Input should be less than or equal to ${rule.maximum}`];
      }
      return [];
    case "enum": {
      if (typeof value === "string" && rule.values.includes(value)) return [];
      const names = rule.values.map(literal);
      return [`Input should be ${names.slice(0, -1).join(", ")} or ${names.at(-1)}`];
    }
    case "const":
      return value === rule.value ? [] : [`Input should be ${literal(rule.value)}`];
    case "object": {
      const nested = OBJECTS[rule.ref];
      if (nested === undefined) throw new Error(`no rules for ${rule.ref}`);
      if (!isObject(value)) return [`Input should be a valid dictionary or instance of ${rule.ref}`];
      return Object.values(objectErrors(nested, value, limit)).flat();
    }
  }
}

function objectErrors(rules: ObjectRule, data: Record<string, unknown>, limit: number): FieldErrors {
  // A Map, then own properties: field names such as `__proto__` or `constructor` are data here.
  const errors = new Map<string, string[]>();
  const add = (field: string, messages: string[]): void => {
    if (messages.length > 0) errors.set(field, [...(errors.get(field) ?? []), ...messages]);
  };
  for (const [field, rule] of Object.entries(rules.fields)) {
    const value = Object.hasOwn(data, field) ? data[field] : undefined;
    if (value === undefined) {
      if (rules.required.includes(field)) add(field, ["Field required"]);
    } else if (!(value === null && rule.nullable)) {
      add(field, valueErrors(field, rule.rule, value, limit));
    }
  }
  for (const field of Object.keys(data)) {
    if (!Object.hasOwn(rules.fields, field)) add(field, [NOT_A_FIELD]);
  }
  return Object.fromEntries(errors);
}

/** What is wrong with `data` as a submission, keyed by field ({} when nothing is). */
export function submissionErrors(data: unknown, options: ParseOptions = {}): FieldErrors {
  if (!isObject(data)) return { submission: [NOT_AN_OBJECT] };
  const errors = objectErrors(SUBMISSION_RULES, data, options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH);
  // A rule across fields, checked (as in Python) once every field is valid on its own.
  const event = data["usage_event_id"];
  if (Object.keys(errors).length === 0 && data["kind"] === "usage_capture" && (event === undefined || event === null)) {
    errors["usage_event_id"] = ["is required for usage_capture"];
  }
  return errors;
}

/**
 * Validate a submission and return the message that crosses the queue: the fields in the
 * Python contract's order, nulls left out, the id in lower case and the timestamp written as
 * Python writes it, so both producers send (and sign) the same message for the same input.
 */
export function parseSubmission(data: unknown, options: ParseOptions = {}): SubmissionMessage {
  const errors = submissionErrors(data, options);
  if (Object.keys(errors).length > 0) throw new SubmissionInvalid(errors);
  const input = data as Record<string, unknown>;
  const message: Record<string, unknown> = { schema_version: SCHEMA_VERSION };
  for (const field of WIRE_ORDER) {
    const value = input[field];
    if (value !== undefined && value !== null) message[field] = value;
  }
  message["submission_id"] = (input["submission_id"] as string).toLowerCase();
  if (typeof input["submitted_at"] === "string") {
    message["submitted_at"] = (normalizeTimestamp(input["submitted_at"]) as { value: string }).value;
  }
  if (isObject(input["signature"])) {
    const { key_id, alg, value } = input["signature"];
    message["signature"] = { key_id, alg: alg ?? "HMAC-SHA256", value };
  }
  return message as unknown as SubmissionMessage;
}
