/** A Redis db index of this test process's own, claimed as the Python test runs claim theirs. */

import { createClient } from "redis";
import type { RedisClientType } from "redis";

const LOCK = (index: number): string => `training-intake:test-db-lock:${index}`;

export const SERVER_URL = process.env["INTAKE_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379/0";

export interface ClaimedDb {
  url: string;
  client: RedisClientType;
  release(): Promise<void>;
}

function withIndex(url: string, index: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${index}`;
  return parsed.toString();
}

/** Claim a free db index (1-15) on the test Redis, flush it, and flush and free it on release. */
export async function claimRedisDb(): Promise<ClaimedDb> {
  const base = await createClient({ url: SERVER_URL }).connect();
  for (let index = 1; index < 16; index += 1) {
    const taken = await base.set(LOCK(index), String(process.pid), { NX: true, EX: 6 * 3600 });
    if (taken !== "OK") continue;
    const url = withIndex(SERVER_URL, index);
    const client: RedisClientType = await createClient({ url }).connect();
    await client.flushDb();
    return {
      url,
      client,
      async release() {
        await client.flushDb();
        await client.close();
        await base.del(LOCK(index));
        await base.close();
      },
    };
  }
  await base.close();
  throw new Error("no free Redis db index for this test run");
}
