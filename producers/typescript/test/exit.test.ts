/** A Node.js process that used the producer exits on its own once it calls close(). */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";

import { INDEX } from "./support/paths.js";
import { claimRedisDb } from "./support/redis.js";
import type { ClaimedDb } from "./support/redis.js";

function script(close: boolean): string {
  return `
    import * as intake from ${JSON.stringify(INDEX)};
    const id = await intake.submitGoldenExample({
      tenant_id: "t", user_id: "u", skill_id: "s", example_input: "i", example_output: "o" });
    await intake.captureUsageMany([{ tenant_id: "t", user_id: "u", skill_id: "s",
      usage_event_id: "e", example_input: "i", example_output: "o" }]);
    await intake.status(id);
    console.log(id);
    ${close ? "await intake.close();" : ""}
  `;
}

/** Run the script in a child process; resolves to its exit code, or null if still running. */
function run(source: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", source], { env: { ...process.env, ...env } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: null, output });
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("closing", () => {
  let db: ClaimedDb;
  before(async () => {
    db = await claimRedisDb();
  });
  after(async () => {
    await db.release();
  });

  test("a process exits by itself after close()", async () => {
    const { code, output } = await run(script(true), { CELERY_BROKER_URL: db.url }, 15_000);
    assert.equal(code, 0, output);
    assert.match(output, /^[0-9a-f-]{36}\n$/);
  });

  test("without close() the open connection keeps it alive (what the old snippet did)", async () => {
    const { code, output } = await run(script(false), { CELERY_BROKER_URL: db.url }, 3_000);
    assert.equal(code, null, output);
  });
});
