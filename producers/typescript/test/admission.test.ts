/** Per-tenant admission against a real Redis: the same counts and blocks as the Python producer. */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Admission, admittedKey } from "../src/admission.js";
import { RedisConnection } from "../src/connection.js";
import { claimRedisDb } from "./support/redis.js";
import type { ClaimedDb } from "./support/redis.js";

const SECOND = 1_800_000_000;
const fixedClock = (): number => SECOND;

describe("admission", () => {
  let db: ClaimedDb;
  let store: RedisConnection;
  before(async () => {
    db = await claimRedisDb();
    store = new RedisConnection(db.url);
  });
  after(async () => {
    await store.close();
    await db.release();
  });

  test("a tenant within its rate takes the main queue", async () => {
    const admission = new Admission(store, 10, fixedClock);
    for (let n = 0; n < 10; n += 1) assert.equal(await admission.admit("within"), 1);
  });

  test("what a tenant sends over its rate overflows", async () => {
    const admission = new Admission(store, 10, fixedClock);
    assert.deepEqual([await admission.admit("over", 7), await admission.admit("over", 7), await admission.admit("over", 7)], [7, 3, 0]);
  });

  test("one tenant over its rate leaves the others alone", async () => {
    const admission = new Admission(store, 10, fixedClock);
    assert.equal(await admission.admit("flood", 1000), 10);
    assert.equal(await admission.admit("quiet", 5), 5);
  });

  test("the count starts again each second, and the counters expire", async () => {
    let now = SECOND;
    const admission = new Admission(store, 10, () => now);
    assert.equal(await admission.admit("ticking", 15), 10);
    now += 1;
    assert.equal(await admission.admit("ticking", 15), 10);
    const ttl = await db.client.ttl(admittedKey("ticking", SECOND));
    assert.ok(ttl > 0 && ttl <= 2);
  });

  test("a busy tenant takes its admissions from Redis in growing blocks, counted for everyone", async () => {
    const producer = new Admission(store, 100, fixedClock);
    const counted = admittedKey("busy", SECOND);
    for (let n = 0; n < 4; n += 1) assert.equal(await producer.admit("busy"), 1);
    assert.equal(await db.client.get(counted), "7"); // blocks of 1, 2 and 4
    for (let n = 0; n < 3; n += 1) assert.equal(await producer.admit("busy"), 1);
    assert.equal(await db.client.get(counted), "7");
    assert.equal(await new Admission(store, 100, fixedClock).admit("busy", 100), 93);
  });

  test("concurrent admissions of one tenant never hand out more than the rate", async () => {
    const admission = new Admission(store, 100, fixedClock);
    const results = await Promise.all(Array.from({ length: 300 }, () => admission.admit("concurrent")));
    assert.equal(results.reduce((sum, n) => sum + n, 0), 100);
  });

  test("a bulk send admits each tenant up to its rate in one go", async () => {
    const admission = new Admission(store, 10, fixedClock);
    assert.equal(await admission.admit("bulk-flood", 4), 4);
    assert.deepEqual(await admission.admitMany(new Map([["bulk-flood", 10], ["bulk-quiet", 3]])), new Map([["bulk-flood", 6], ["bulk-quiet", 3]]));
    assert.deepEqual(await admission.admitMany(new Map([["bulk-flood", 1]])), new Map([["bulk-flood", 0]]));
  });

  test("a rate of zero or no Redis admits everything", async () => {
    assert.equal(await new Admission(store, 0).admit("t1", 5000), 5000);
    assert.equal(await new Admission(null, 10).admit("t1", 5000), 5000);
  });

  test("an unreachable Redis admits rather than stops a submission", async () => {
    const unreachable = new RedisConnection("redis://127.0.0.1:1/0", { connectTimeoutMs: 500 });
    assert.equal(await new Admission(unreachable, 10).admit("t1", 3), 3);
    await unreachable.close();
  });
});
