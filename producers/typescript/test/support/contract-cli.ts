/**
 * The TypeScript side of the cross-language tests in tests/producers/: reads one JSON request on
 * stdin and writes one JSON answer. `validate`: the field errors of each message; `wire`: the
 * message each submission becomes on the queue, signed with the given key.
 */

import { text } from "node:stream/consumers";

import { SubmissionInvalid } from "../../src/errors.js";
import { sign } from "../../src/signing.js";
import { parseSubmission, submissionErrors } from "../../src/validate.js";

interface Item {
  message: unknown;
  max_text_length?: number;
}

interface Request {
  op: "validate" | "wire";
  items: Item[];
  key?: { key_id: string; secret: string };
}

function wire(item: Item, key: Request["key"]): unknown {
  try {
    const message = parseSubmission(item.message, { maxTextLength: item.max_text_length ?? 5000 });
    return { message: key ? sign(message, { keyId: key.key_id, secret: Buffer.from(key.secret, "utf8") }) : message };
  } catch (error) {
    if (error instanceof SubmissionInvalid) return { errors: error.fieldErrors };
    throw error;
  }
}

const request = JSON.parse(await text(process.stdin)) as Request;
const answers = request.items.map((item) =>
  request.op === "validate" ? { errors: submissionErrors(item.message, { maxTextLength: item.max_text_length ?? 5000 }) } : wire(item, request.key),
);
process.stdout.write(JSON.stringify(answers));
