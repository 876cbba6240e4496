/** One lazily opened Redis connection whose failures surface as BrokerUnavailable, promptly. */

import { createClient } from "redis";

import type { CounterStore } from "./admission.js";
import { BrokerUnavailable } from "./errors.js";

// Reconnect a few times with backoff after the connection drops, then give up: the next call
// opens a new connection. Commands are never queued while disconnected (they fail at once), so
// a web request is never held by a dead broker.
const RECONNECT_TRIES = 3;

function newClient(url: string, connectTimeoutMs: number, everConnected: () => boolean) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      // Before the first connection, fail at once; after a drop, a few tries with backoff.
      reconnectStrategy: (retries: number, cause: Error) =>
        !everConnected() || retries >= RECONNECT_TRIES ? cause : Math.min(100 * 2 ** retries, 1000),
    },
  });
}

type Client = ReturnType<typeof newClient>;


export interface ConnectionOptions {
  connectTimeoutMs?: number;
}

/** Where a URL points, without its password (for error messages). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparsable URL>";
  }
}

export class RedisConnection implements CounterStore {
  private client: Client | null = null;
  private opening: Promise<Client> | null = null;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly options: ConnectionOptions = {},
  ) {}

  /** Run `command` on the connection; any Redis or network failure becomes BrokerUnavailable. */
  async run<T>(what: string, command: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.open();
    try {
      return await command(client);
    } catch (error) {
      throw new BrokerUnavailable(`${what} failed on ${redactUrl(this.url)}: ${String(error)}`, { cause: error });
    }
  }

  async incrementAll(wanted: ReadonlyMap<string, number>): Promise<number[] | null> {
    try {
      return await this.run("counting admissions", async (client) => {
        const pipeline = client.multi();
        for (const [key, count] of wanted) pipeline.incrBy(key, count).expire(key, 2);
        const replies = await pipeline.execAsPipeline();
        return replies.filter((_, index) => index % 2 === 0).map(Number);
      });
    } catch {
      return null; // admission is advisory: a send is never stopped over a count
    }
  }

  private async open(): Promise<Client> {
    if (this.closed) throw new BrokerUnavailable("the producer was closed");
    if (this.client?.isReady) return this.client;
    this.opening ??= this.connect().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async connect(): Promise<Client> {
    this.client?.destroy();
    this.client = null;
    let connected = false;
    const client = newClient(this.url, this.options.connectTimeoutMs ?? 5000, () => connected);
    // Without a listener an `error` event would end the process; failures surface per call.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw new BrokerUnavailable(`cannot connect to ${redactUrl(this.url)}: ${String(error)}`, { cause: error });
    }
    connected = true;
    this.client = client;
    return client;
  }

  /** Close the connection (waiting for replies in flight); later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const opening = this.opening;
    if (opening !== null) await opening.catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client?.isOpen) await client.close();
    else client?.destroy();
  }
}
