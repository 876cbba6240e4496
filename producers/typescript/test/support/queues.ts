/** What the producer left on a Redis queue, read back as the worker would. */

import type { RedisClientType } from "redis";

export interface Queued {
  envelope: { headers: Record<string, unknown>; properties: Record<string, unknown>; body: string };
  body: [unknown[], { submission?: Record<string, unknown>; submissions?: Record<string, unknown>[] }, unknown];
}

/** The queue's messages in the order a worker takes them (LPUSH in, taken from the right). */
export async function queued(client: RedisClientType, queue: string): Promise<Queued[]> {
  const items = await client.lRange(queue, 0, -1);
  return items.reverse().map((raw) => {
    const envelope = JSON.parse(raw) as Queued["envelope"];
    return { envelope, body: JSON.parse(Buffer.from(envelope.body, "base64").toString("utf8")) as Queued["body"] };
  });
}

/** The submission ids on a queue, in order. */
export async function queuedIds(client: RedisClientType, queue: string): Promise<string[]> {
  return (await queued(client, queue)).flatMap(({ body: [, kwargs] }) =>
    (kwargs.submissions ?? [kwargs.submission!]).map((item) => item["submission_id"] as string),
  );
}
