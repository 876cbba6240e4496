/** The producer's configuration from the environment: the same variables as the Python producer. */

import { DEFAULT_MAX_TEXT_LENGTH } from "./contract.js";
import { ProducerConfigurationError } from "./errors.js";
import { signingKey as keyFrom } from "./signing.js";
import type { SigningKey } from "./signing.js";

export type Environment = Readonly<Record<string, string | undefined>>;

const REDIS_SCHEMES = ["redis://", "rediss://", "redis+socket://"];

export function isRedisUrl(url: string): boolean {
  return REDIS_SCHEMES.some((scheme) => url.startsWith(scheme));
}

export function brokerUrl(env: Environment = process.env): string {
  const url = env["CELERY_BROKER_URL"] || env["BROKER_URL"];
  if (!url) {
    throw new ProducerConfigurationError(
      "CELERY_BROKER_URL is not set: pass brokerUrl or export the worker's broker URL",
    );
  }
  return url;
}

/** Where outcomes are read (and admissions counted): INTAKE_OUTCOME_STORE_URL, else the broker. */
export function outcomeStoreUrl(broker: string, env: Environment = process.env): string | null {
  const url = env["INTAKE_OUTCOME_STORE_URL"];
  if (url) return url;
  return isRedisUrl(broker) ? broker : null;
}

function integer(env: Environment, name: string, fallback: number, minimum: number, rule: string): number {
  const raw = env[name];
  if (!raw) return fallback;
  // Python's int(): optional sign, digits, surrounding whitespace.
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw new ProducerConfigurationError(`${name} must be an integer`);
  const value = Number(raw);
  if (value < minimum) throw new ProducerConfigurationError(`${name} ${rule}`);
  return value;
}

/** The per-text character limit the workers enforce (INTAKE_MAX_TEXT_LENGTH, default 5000). */
export function maxTextLength(env: Environment = process.env): number {
  return integer(env, "INTAKE_MAX_TEXT_LENGTH", DEFAULT_MAX_TEXT_LENGTH, 1, "must be at least 1");
}

/** Submissions per second a tenant may place on the main queue (INTAKE_TENANT_RATE; 0: off). */
export function tenantRate(env: Environment = process.env): number {
  return integer(env, "INTAKE_TENANT_RATE", 100, 0, "must be 0 (off) or more");
}

/** The key producers sign with: INTAKE_SIGNING_KEY_ID, else the last of INTAKE_SIGNING_KEYS. */
export function signingKey(env: Environment = process.env): SigningKey | null {
  return keyFrom(env["INTAKE_SIGNING_KEYS"], env["INTAKE_SIGNING_KEY_ID"]);
}
