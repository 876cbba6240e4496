/**
 * Per-tenant admission, as producers/admission.py does it: a tenant's submissions over its rate
 * go to the overflow queue. Counting is a one-second window per tenant in Redis shared by every
 * producer of either language (`INCRBY intake:admitted:<tenant>:<unix second> n`, `EXPIRE 2`).
 * A busy tenant takes its admissions in growing blocks (1, 2, 4, ... up to a tenth of the rate)
 * handed out locally, so it costs a round trip per block, not per submission.
 */

export const ADMITTED_KEY_PREFIX = "intake:admitted:";
// Tenants whose local blocks are remembered at most; past it, blocks of earlier seconds go.
const MAX_TRACKED = 10_000;

/** The commands admission needs: INCRBY and EXPIRE, sent as one pipeline. */
export interface CounterStore {
  /** The counts after adding `wanted` to each key (each then expiring in 2 s), or null on failure. */
  incrementAll(wanted: ReadonlyMap<string, number>): Promise<number[] | null>;
}

interface Block {
  second: number;
  left: number; // admissions taken from Redis and not handed out yet
  size: number; // how many to take at the next round trip
}

export function admittedKey(tenantId: string, second: number): string {
  return `${ADMITTED_KEY_PREFIX}${tenantId}:${second}`;
}

/** Decides how many of a tenant's submissions may take the main queue this second. */
export class Admission {
  private readonly maxBlock: number;
  private blocks = new Map<string, Block>();

  constructor(
    private readonly store: CounterStore | null,
    readonly rate: number,
    private readonly clock: () => number = () => Date.now() / 1000,
  ) {
    this.maxBlock = Math.max(1, Math.floor(rate / 10));
  }

  /** No Redis (no outcome store) or a rate of 0: everything is admitted. */
  get enabled(): boolean {
    return this.store !== null && this.rate > 0;
  }

  /** How many of `count` submissions of a tenant take the main queue; the rest overflow. */
  async admit(tenantId: string, count = 1): Promise<number> {
    if (!this.enabled || count <= 0) return Math.max(count, 0);
    const second = Math.floor(this.clock());
    let block = this.blocks.get(tenantId);
    if (block === undefined || block.second !== second) block = this.track(tenantId, { second, left: 0, size: 1 });
    if (count <= block.left) {
      block.left -= count;
      return count;
    }
    const wanted = Math.max(count - block.left, block.size);
    block.size = Math.min(block.size * 2, this.maxBlock);
    const granted = await this.take(second, new Map([[tenantId, wanted]]));
    if (granted === null) return count; // no count could be kept: never stop a submission over it
    // Read `left` again: other calls for this tenant may have used the block while we waited.
    const available = block.left + (granted.get(tenantId) ?? 0);
    const admitted = Math.min(count, available);
    block.left = available - admitted;
    return admitted;
  }

  /** `admit` for several tenants at once (a bulk send), in one round trip. */
  async admitMany(counts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
    if (!this.enabled) return new Map(counts);
    const granted = await this.take(Math.floor(this.clock()), counts);
    return granted ?? new Map(counts);
  }

  private async take(second: number, wanted: ReadonlyMap<string, number>): Promise<Map<string, number> | null> {
    const keyed = new Map([...wanted].map(([tenantId, count]) => [admittedKey(tenantId, second), count]));
    const totals = await this.store!.incrementAll(keyed);
    if (totals === null) return null;
    const granted = new Map<string, number>();
    let index = 0;
    for (const [tenantId, count] of wanted) {
      const total = totals[index++] ?? 0;
      granted.set(tenantId, Math.max(0, Math.min(count, this.rate - (total - count))));
    }
    return granted;
  }

  private track(tenantId: string, block: Block): Block {
    if (this.blocks.size >= MAX_TRACKED) {
      this.blocks = new Map([...this.blocks].filter(([, kept]) => kept.second === block.second));
    }
    this.blocks.set(tenantId, block);
    return block;
  }
}
