/**
 * Celery message protocol 2 as kombu's Redis transport stores it: a JSON envelope whose body is
 * base64 of `[args, kwargs, embed]`. The example text travels in the body only: the headers'
 * `argsrepr`/`kwargsrepr` (which Celery shows in events, logs and Flower) name ids and counts.
 */

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

import { SUBMIT_MANY_TASK, SUBMIT_TASK } from "./contract.js";
import type { Queue } from "./contract.js";

const EMBED = { callbacks: null, errbacks: null, chain: null, chord: null };
const ORIGIN = `node${process.pid}@${hostname()}`;

export type TaskCall =
  | { task: typeof SUBMIT_TASK; kwargs: { submission: object } }
  | { task: typeof SUBMIT_MANY_TASK; kwargs: { submissions: object[] } };

export interface Envelope {
  body: string;
  "content-encoding": "utf-8";
  "content-type": "application/json";
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
}

function kwargsRepr(call: TaskCall, taskId: string): string {
  if (call.task === SUBMIT_TASK) return `{'submission': <submission ${taskId}>}`;
  return `{'submissions': <${call.kwargs.submissions.length} submissions>}`;
}

/** The envelope of one task call for `queue`; `taskId` defaults to a fresh UUID. */
export function envelope(call: TaskCall, queue: Queue, taskId: string = randomUUID()): Envelope {
  const body = Buffer.from(JSON.stringify([[], call.kwargs, EMBED]), "utf8").toString("base64");
  return {
    body,
    "content-encoding": "utf-8",
    "content-type": "application/json",
    headers: {
      lang: "js",
      task: call.task,
      id: taskId,
      shadow: null,
      eta: null,
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: taskId,
      parent_id: null,
      argsrepr: "()",
      kwargsrepr: kwargsRepr(call, taskId),
      origin: ORIGIN,
      ignore_result: false,
    },
    properties: {
      correlation_id: taskId,
      reply_to: "",
      delivery_mode: 2,
      delivery_info: { exchange: "", routing_key: queue },
      priority: 0,
      body_encoding: "base64",
      // Each message its own tag: with late acknowledgement a reused tag can lose messages.
      delivery_tag: randomUUID(),
    },
  };
}
