// Generates src/contract.generated.ts (the field rules and message types) from the published
// JSON Schema, producers/schema/submission.v1.json: `npm run generate`; `--check` fails when
// the checked-in file is not what the schema gives. A keyword the generator does not know is
// an error, so a contract change cannot be silently ignored by this producer.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const SCHEMA_FILE = resolve(HERE, "../../schema/submission.v1.json");
export const OUTPUT_FILE = resolve(HERE, "../src/contract.generated.ts");

// Keywords that describe a value without constraining it.
const ANNOTATIONS = new Set(["title", "description", "default"]);
const VALUE_KEYWORDS = {
  string: new Set(["type", "minLength", "maxLength", "pattern", "format"]),
  integer: new Set(["type", "minimum", "maximum"]),
};
const FORMATS = new Set(["uuid", "date-time"]);

function fail(where, message) {
  throw new Error(`${where}: ${message}`);
}

function checkKeys(where, node, allowed) {
  for (const key of Object.keys(node)) {
    if (!allowed.has(key) && !ANNOTATIONS.has(key)) fail(where, `unsupported keyword ${key}`);
  }
}

function resolveRef(schema, where, ref) {
  const prefix = "#/$defs/";
  if (!ref.startsWith(prefix)) fail(where, `unsupported $ref ${ref}`);
  const name = ref.slice(prefix.length);
  const target = schema.$defs?.[name];
  if (target === undefined) fail(where, `missing definition ${name}`);
  return { name, target };
}

// One value's rule: what the validator checks (src/validate.ts interprets these).
function valueRule(schema, where, node) {
  if (node.$ref !== undefined) {
    checkKeys(where, node, new Set(["$ref"]));
    const { name, target } = resolveRef(schema, where, node.$ref);
    if (target.enum !== undefined) {
      checkKeys(name, target, new Set(["enum", "type"]));
      if (target.type !== "string") fail(name, "only string enums are supported");
      return { type: "enum", values: target.enum };
    }
    if (target.type === "object") return { type: "object", ref: name };
    fail(name, "unsupported definition");
  }
  if (node.const !== undefined) {
    checkKeys(where, node, new Set(["const", "type"]));
    if (typeof node.const !== (node.type === "integer" ? "number" : node.type)) {
      fail(where, "const does not match its type");
    }
    return { type: "const", value: node.const };
  }
  if (node.enum !== undefined) {
    checkKeys(where, node, new Set(["enum", "type"]));
    return { type: "enum", values: node.enum };
  }
  const allowed = VALUE_KEYWORDS[node.type];
  if (allowed === undefined) fail(where, `unsupported type ${JSON.stringify(node.type)}`);
  checkKeys(where, node, allowed);
  if (node.format !== undefined && !FORMATS.has(node.format)) {
    fail(where, `unsupported format ${node.format}`);
  }
  if (node.pattern !== undefined) new RegExp(node.pattern, "u"); // must be an ECMA-262 pattern
  const rule = { type: node.type };
  for (const key of ["minLength", "maxLength", "pattern", "format", "minimum", "maximum"]) {
    if (node[key] !== undefined) rule[key] = node[key];
  }
  return rule;
}

// A property: its value rule, and whether null is allowed (`anyOf: [X, {type: null}]`).
function fieldRule(schema, where, node) {
  if (node.anyOf === undefined) return { nullable: false, rule: valueRule(schema, where, node) };
  checkKeys(where, node, new Set(["anyOf"]));
  const others = node.anyOf.filter((branch) => branch.type !== "null");
  if (node.anyOf.length !== 2 || others.length !== 1) fail(where, "anyOf must be [X, null]");
  return { nullable: true, rule: valueRule(schema, where, others[0]) };
}

function objectRule(schema, name, node) {
  const known = new Set(["type", "properties", "required", "additionalProperties", "$defs", "$id"]);
  checkKeys(name, node, known);
  if (node.type !== "object" || node.additionalProperties !== false) {
    fail(name, "objects must be closed (additionalProperties: false)");
  }
  const fields = {};
  for (const [field, property] of Object.entries(node.properties)) {
    fields[field] = fieldRule(schema, `${name}.${field}`, property);
  }
  return { name, required: node.required ?? [], fields };
}

function tsType(schema, { nullable, rule }) {
  const base = {
    string: "string",
    integer: "number",
    enum: rule.values?.map((value) => JSON.stringify(value)).join(" | "),
    const: JSON.stringify(rule.value),
    object: `${rule.ref}Message`,
  }[rule.type];
  return nullable ? `${base} | null` : base;
}

function tsInterface(schema, object) {
  const lines = [`export interface ${object.name}Message {`];
  for (const [field, rule] of Object.entries(object.fields)) {
    const optional = object.required.includes(field) ? "" : "?";
    lines.push(`  ${field}${optional}: ${tsType(schema, rule)};`);
  }
  lines.push("}");
  return lines.join("\n");
}

/** The generated module's text for a parsed schema. */
export function render(schema) {
  const submission = objectRule(schema, schema.title, schema);
  const objects = [submission];
  for (const [name, node] of Object.entries(schema.$defs ?? {})) {
    if (node.type === "object") objects.push(objectRule(schema, name, node));
  }
  const parts = [
    "// Generated by scripts/generate-contract.mjs from producers/schema/submission.v1.json.",
    "// Do not edit: change the contract, regenerate the schema, then `npm run generate`.",
    'import type { ObjectRule } from "./rules.js";',
    "",
    `export const SCHEMA_ID = ${JSON.stringify(schema.$id)};`,
  ];
  for (const object of objects) {
    const constant = object.name.replace(/[a-z](?=[A-Z])/g, "$&_").toUpperCase();
    parts.push("", `export const ${constant}_RULES: ObjectRule = ${JSON.stringify(object, null, 2)};`);
  }
  for (const object of objects) parts.push("", tsInterface(schema, object));
  return `${parts.join("\n")}\n`;
}

function main(argv) {
  const text = render(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")));
  if (argv.includes("--check")) {
    if (readFileSync(OUTPUT_FILE, "utf8") !== text) {
      console.error("src/contract.generated.ts is stale: run `npm run generate`");
      process.exit(1);
    }
    return;
  }
  writeFileSync(OUTPUT_FILE, text);
  console.log("wrote src/contract.generated.ts");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main(process.argv.slice(2));
