/**
 * The TypeScript side of the benchmark's producer mode (bench/producer_speed.py): reads a JSON
 * request on stdin, sends its submissions with IntakeClient one at a time (`single`) or in
 * batches through captureUsageMany (`bulk`), and writes how long the timed part took.
 */

import { text } from "node:stream/consumers";

import { IntakeClient } from "../src/index.js";
import type { BulkCapture } from "../src/index.js";

interface Request {
  broker_url: string;
  path: "single" | "bulk";
  batch: number;
  warmup: Record<string, unknown>[];
  submissions: Record<string, unknown>[];
}

async function send(client: IntakeClient, request: Request, items: Record<string, unknown>[]): Promise<void> {
  if (request.path === "single") {
    for (const item of items) await client.submit(item);
    return;
  }
  for (let start = 0; start < items.length; start += request.batch) {
    await client.captureUsageMany(items.slice(start, start + request.batch) as unknown as BulkCapture[]);
  }
}

const request = JSON.parse(await text(process.stdin)) as Request;
const client = new IntakeClient({ brokerUrl: request.broker_url, chunkSize: request.batch });
try {
  await send(client, request, request.warmup);
  const started = performance.now();
  await send(client, request, request.submissions);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ seconds, count: request.submissions.length }));
} finally {
  await client.close();
}
