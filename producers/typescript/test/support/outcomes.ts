/** Waiting for many outcomes at once (one MGET per poll), as the worker publishes them. */

import { setTimeout as sleep } from "node:timers/promises";

import { createClient } from "redis";

/** The outcome record of each id once every one has one; throws after `timeoutMs`. */
export async function outcomesOf(url: string, ids: string[], timeoutMs = 120_000): Promise<{ outcome: string; reason: string | null }[]> {
  const client = await createClient({ url }).connect();
  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const raw = await client.mGet(ids.map((id) => `intake:outcome:${id}`));
      const missing = raw.filter((item) => item === null).length;
      if (missing === 0) return raw.map((item) => JSON.parse(item as string) as { outcome: string; reason: string | null });
      if (performance.now() > deadline) throw new Error(`${missing} of ${ids.length} submissions have no outcome`);
      await sleep(200);
    }
  } finally {
    await client.close();
  }
}
