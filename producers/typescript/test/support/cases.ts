/** The contract table both languages' tests read (tests/producers/contract_cases.json). */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { REPO_ROOT } from "./paths.js";

export const CASES_FILE = resolve(REPO_ROOT, "tests/producers/contract_cases.json");

export interface ContractCase {
  name: string;
  base?: string;
  set?: Record<string, unknown>;
  unset?: string[];
  message?: unknown;
  max_text_length?: number;
  errors: string[];
  python_accepts?: string;
}

interface Table {
  bases: Record<string, Record<string, unknown>>;
  cases: ContractCase[];
}

function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (typeof value !== "object" || value === null) return value;
  const repeat = (value as Record<string, unknown>)["$repeat"];
  if (Array.isArray(repeat)) return (repeat[0] as string).repeat(repeat[1] as number);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expand(item)]));
}

export function loadTable(): Table {
  return JSON.parse(readFileSync(CASES_FILE, "utf8")) as Table;
}

/** The submission a case describes. */
export function messageOf(table: Table, entry: ContractCase): unknown {
  if ("message" in entry) return expand(entry.message);
  const message: Record<string, unknown> = { ...table.bases[entry.base ?? ""], ...(expand(entry.set ?? {}) as object) };
  for (const field of entry.unset ?? []) delete message[field];
  return message;
}
