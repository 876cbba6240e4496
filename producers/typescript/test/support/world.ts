/** A real worker with its own database and world, run by tests/support/worker_for_node.py. */

import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

import { REPO_ROOT } from "./paths.js";

export interface Ids {
  tenant: string;
  author: string;
  skill: string;
}

export interface WorldIds extends Ids {
  consenting_user: string;
  refusing_user: string;
  silent_user: string;
  capture_off: Ids;
  sampled_out: Ids;
  inactive: Ids;
  other: Ids;
}

export interface World {
  brokerUrl: string;
  scratchUrl: string;
  ids: WorldIds;
  /** Ask the Python side (see `answer` in worker_for_node.py). */
  ask(request: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The project's Python: INTAKE_PYTHON, else the repository's .venv, else python3. */
export function python(): string {
  const venv = resolve(REPO_ROOT, ".venv/bin/python");
  return process.env["INTAKE_PYTHON"] ?? (existsSync(venv) ? venv : "python3");
}

export async function startWorld(options: { signingKeys?: string; workerEnv?: Record<string, string> } = {}): Promise<World> {
  const args = ["-m", "tests.support.worker_for_node"];
  if (options.signingKeys) args.push("--signing-keys", options.signingKeys);
  for (const [name, value] of Object.entries(options.workerEnv ?? {})) args.push("--worker-env", `${name}=${value}`);
  const child: ChildProcessWithoutNullStreams = spawn(python(), args, { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`the worker helper ended early:\n${stderr}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const ready = await next();
  let queue = Promise.resolve();
  return {
    brokerUrl: ready["broker_url"] as string,
    scratchUrl: ready["scratch_url"] as string,
    ids: ready["world"] as WorldIds,
    ask(request) {
      // One request at a time: answers come back in order on one pipe.
      const answer = queue.then(async () => {
        child.stdin.write(`${JSON.stringify(request)}\n`);
        return next();
      });
      queue = answer.then(() => undefined, () => undefined);
      return answer;
    },
    async stop() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`the worker helper exited with ${code}:\n${stderr}`);
    },
  };
}
