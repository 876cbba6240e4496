/**
 * Message authentication as producers/signing.py does it: HMAC-SHA256 over the submission's
 * canonical JSON (no `signature` field, keys sorted, no whitespace, non-ASCII as itself, UTF-8),
 * base64url without padding. Several keys at once (`id:secret,...`) let keys rotate.
 */

import { createHmac, timingSafeEqual } from "node:crypto";

import { ProducerConfigurationError } from "./errors.js";
import { codePoints } from "./text.js";

export const SIGNATURE_FIELD = "signature";
export const ALGORITHM = "HMAC-SHA256";

export interface SigningKey {
  keyId: string;
  secret: Buffer;
}

/** A signing-key configuration that cannot be used. */
export class SigningKeyError extends ProducerConfigurationError {
  override name = "SigningKeyError";
}

// Python sorts keys by code point; JavaScript's default sort compares UTF-16 code units.
function byCodePoint(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const difference = (left[index] as string).codePointAt(0)! - (right[index] as string).codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

function sortedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedValue);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  entries.sort(([a], [b]) => byCodePoint(a, b));
  return Object.fromEntries(entries.map(([key, item]) => [key, sortedValue(item)]));
}

/** The bytes that are signed: what Python's `canonical()` gives for the same submission. */
export function canonical(submission: Record<string, unknown>): Buffer {
  const body = Object.fromEntries(Object.entries(submission).filter(([name]) => name !== SIGNATURE_FIELD));
  // JSON.stringify writes no whitespace and escapes exactly what json.dumps(ensure_ascii=False)
  // does (quotes, backslashes, control characters as \uXXXX in lower case).
  return Buffer.from(JSON.stringify(sortedValue(body)), "utf8");
}

export function signatureOf(
  submission: Record<string, unknown>,
  key: SigningKey,
): { key_id: string; alg: typeof ALGORITHM; value: string } {
  const value = createHmac("sha256", key.secret).update(canonical(submission)).digest("base64url");
  return { key_id: key.keyId, alg: ALGORITHM, value };
}

/** The submission with its `signature` field set. */
export function sign<T extends object>(submission: T, key: SigningKey): T & { signature: ReturnType<typeof signatureOf> } {
  return { ...submission, [SIGNATURE_FIELD]: signatureOf(submission as Record<string, unknown>, key) } as T & {
    signature: ReturnType<typeof signatureOf>;
  };
}

/** Whether `submission` carries a valid signature by one of `keys` (what the workers check). */
export function verify(submission: unknown, keys: ReadonlyMap<string, Buffer>): boolean {
  if (typeof submission !== "object" || submission === null) return false;
  const claimed = (submission as Record<string, unknown>)[SIGNATURE_FIELD];
  if (typeof claimed !== "object" || claimed === null) return false;
  const { key_id: keyId, value, alg } = claimed as Record<string, unknown>;
  if (typeof keyId !== "string" || typeof value !== "string" || (alg ?? ALGORITHM) !== ALGORITHM) return false;
  const secret = keys.get(keyId);
  if (secret === undefined || codePoints(JSON.stringify(submission)) < 0) return false;
  const expected = Buffer.from(signatureOf(submission as Record<string, unknown>, { keyId, secret }).value);
  const given = Buffer.from(value);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Keys from `"id1:secret1,id2:secret2"` (the INTAKE_SIGNING_KEYS format), in order. */
export function parseKeys(spec: string | undefined): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const raw of (spec ?? "").split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const separator = entry.indexOf(":");
    const keyId = separator < 0 ? "" : entry.slice(0, separator);
    const secret = separator < 0 ? "" : entry.slice(separator + 1);
    if (keyId === "" || codePoints(secret) < 16) {
      throw new SigningKeyError("INTAKE_SIGNING_KEYS entries are id:secret with a secret of 16+ characters");
    }
    keys.set(keyId, Buffer.from(secret, "utf8"));
  }
  return keys;
}

/** The key producers sign with: `keyId` if given, else the last key listed. */
export function signingKey(spec: string | undefined, keyId?: string): SigningKey | null {
  const keys = parseKeys(spec);
  if (keys.size === 0) return null;
  const chosen = keyId || [...keys.keys()].at(-1)!;
  const secret = keys.get(chosen);
  if (secret === undefined) throw new SigningKeyError(`INTAKE_SIGNING_KEY_ID '${chosen}' is not configured`);
  return { keyId: chosen, secret };
}
