import http from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import postgres from "postgres";

import { connectDatabase } from "../../indexer/src/db/client.js";
import { createRpc, eth_blockNumber } from "../../indexer/src/rpc/client.js";
import { fetchRange } from "../../indexer/src/sync/fetch.js";
import { startIndexer } from "../../indexer/src/indexer.js";
import {
  type Chain,
  checkpointOf,
  configFor,
  type Database,
  dump,
  generateActivity,
  indexToHead,
  killMidBackfill,
  silentLog,
  startChain,
  startDatabase,
  waitUntil,
} from "./harness.js";

describe("indexer: resilience", function () {
  this.timeout(300_000);
  let db: Database;
  let chain: Chain;
  let reference: string;

  before(async function () {
    db = await startDatabase();
    chain = await startChain();
    await generateActivity(chain, 150, 20);
    const url = await db.create();
    await indexToHead(configFor(chain, url));
    reference = await dump(url);
  });
  after(async function () {
    await chain?.close();
    await db?.stop();
  });

  it("gives the same database after a SIGKILL in the middle of a backfill and a restart", async function () {
    const url = await db.create();
    const head = await killMidBackfill(chain, url, 3n, "a third of the backfill");
    const killedAt = await checkpointOf(url);
    expect(killedAt).to.be.lessThan(head);
    await indexToHead(configFor(chain, url, { GOVLEDGER_MAX_SPAN: "7" }));
    expect(await dump(url)).to.equal(reference);
  });

  it("rolls back an orphaned branch and keeps nothing from it", async function () {
    const url = await db.create();
    const controller = new AbortController();
    const indexer = await startIndexer(configFor(chain, url), {
      log: silentLog,
      signal: controller.signal,
      startWorker: false,
    });
    try {
      const snapshot = await chain.provider.request({ method: "evm_snapshot" });
      const head = async () => BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
      await waitUntil(async () => indexer.metrics.indexed === (await head()), 60_000, "catching up");
      const orphaned = await generateActivity(chain, 5, 0, "orphan");
      await waitUntil(async () => indexer.metrics.indexed === (await head()), 60_000, "indexing the branch");
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      const count = async (hashes: string[]) => {
        const [row] = await sql`select count(*)::int as n from raw.events
          where encode(tx_hash, 'hex') = any(${hashes.map((h) => h.slice(2))}::text[])`;
        return row.n as number;
      };
      try {
        expect(await count(orphaned)).to.equal(5);
        await chain.provider.request({ method: "evm_revert", params: [snapshot] });
        const canonical = await generateActivity(chain, 8, 0, "canonical");
        await waitUntil(
          async () => indexer.metrics.indexed === (await head()) && indexer.metrics.reorgs > 0,
          60_000,
          "the reorg",
        );
        expect(await count(orphaned)).to.equal(0);
        expect(await count(canonical)).to.equal(8);
        const [participants] = await sql`select count(*)::int as n from gov.participant_registered`;
        expect(participants.n).to.equal(6 + 150 + 8);
      } finally {
        await sql.end();
      }
    } finally {
      controller.abort();
      await indexer.done;
      await indexer.close();
    }
    // The rolled-back database equals a fresh index of the chain as it is now.
    const fresh = await db.create();
    await indexToHead(configFor(chain, fresh));
    expect(await dump(url)).to.equal(await dump(fresh));
    reference = await dump(fresh);
  });

  it("reads the head again when the chain shortens under it, rolling back within 2 s with no new block", async function () {
    // The race made certain: the proxy answers one eth_blockNumber with the head it read, then
    // shortens the chain before the indexer asks for that head block, which is then gone.
    let shortenOnNextHead: unknown;
    const proxy = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", async () => {
        const forward = async (payload: string) =>
          (
            await fetch(chain.url, { method: "POST", headers: { "content-type": "application/json" }, body: payload })
          ).text();
        const text = await forward(body);
        const parsed = JSON.parse(body);
        const calls: { method: string }[] = Array.isArray(parsed) ? parsed : [parsed];
        if (shortenOnNextHead !== undefined && calls.some((call) => call.method === "eth_blockNumber")) {
          const snapshot = shortenOnNextHead;
          shortenOnNextHead = undefined;
          await chain.provider.request({ method: "evm_revert", params: [snapshot] });
        }
        response.writeHead(200, { "content-type": "application/json" }).end(text);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const url = await db.create();
    const controller = new AbortController();
    const indexer = await startIndexer(
      { ...configFor(chain, url), rpcUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
      { log: silentLog, signal: controller.signal, startWorker: false },
    );
    try {
      const head = async () => BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
      const short = await head();
      const snapshot = await chain.provider.request({ method: "evm_snapshot" });
      await generateActivity(chain, 3, 0, "shortened");
      const long = await head();
      await waitUntil(async () => indexer.metrics.indexed === long, 60_000, "the longer chain");
      shortenOnNextHead = snapshot;
      await waitUntil(async () => shortenOnNextHead === undefined, 5_000, "the chain to shorten");
      const shortenedAt = Date.now();
      await waitUntil(async () => (await checkpointOf(url)) === short, 2_000, "the rollback to the shorter chain");
      expect(Date.now() - shortenedAt).to.be.lessThan(2_000);
      expect(await head()).to.equal(short); // no new block helped
      expect(indexer.metrics.reorgs).to.equal(1);
    } finally {
      controller.abort();
      await indexer.done;
      await indexer.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
    expect(await dump(url)).to.equal(reference);
  });

  it("finishes with the right database through an RPC node that drops, delays, fails and garbles answers", async function () {
    let requests = 0;
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const proxy = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", async () => {
        requests++;
        const roll = random();
        if (roll < 0.05) return request.socket.destroy();
        if (roll < 0.1) return response.writeHead(500).end("internal error");
        if (roll < 0.15) return response.writeHead(200, { "content-type": "application/json" }).end("{ not json");
        if (roll < 0.25) await new Promise((resolve) => setTimeout(resolve, 50 + random() * 150));
        const upstream = await fetch(chain.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        let text = await upstream.text();
        if (roll > 0.95) {
          // A well-formed JSON-RPC answer with a malformed result.
          const parsed = JSON.parse(text);
          const garble = (entry: { result?: unknown }) => ({
            ...entry,
            result: Array.isArray(entry.result) ? [{ bogus: true }] : "0xzz",
          });
          text = JSON.stringify(Array.isArray(parsed) ? parsed.map(garble) : garble(parsed));
        }
        response.writeHead(upstream.status, { "content-type": "application/json" }).end(text);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const url = await db.create();
      const config = configFor(chain, url, { GOVLEDGER_MAX_SPAN: "25" });
      const metrics = await indexToHead({ ...config, rpcUrl: proxyUrl });
      expect(metrics.retries).to.be.greaterThan(0);
      expect(requests).to.be.greaterThan(20);
      expect(await dump(url)).to.equal(reference);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("ends a range where its blocks' gas passes the budget, and asks for those blocks' logs only", async function () {
    const config = configFor(chain, await db.create());
    const rpc = createRpc(config.rpcUrl);
    const addresses = config.contracts.map((contract) => contract.address);
    const head = await eth_blockNumber(rpc);
    const whole = await fetchRange(rpc, addresses, 1n, head);
    expect(whole.to).to.equal(head);
    expect(whole.logs.length).to.be.greaterThan(100);
    // For each budget: the blocks whose gas, added up from the first, stays within it (empty
    // blocks too), and always the first.
    const gas = whole.blocks.map((block) => block.gasUsed);
    const sums = gas.map((_, i) => gas.slice(0, i + 1).reduce((a, b) => a + b, 0n));
    const within = (budget: bigint) => Math.max(1, sums.filter((sum) => sum <= budget).length);
    const used = gas.findIndex((g, i) => i >= 40 && g > 0n); // a block that used gas, past the 40th
    for (const budget of [sums[9], sums[used] - 1n, sums[used], sums[sums.length - 2], 1n]) {
      const cut = await fetchRange(rpc, addresses, 1n, head, budget);
      const blocks = within(budget);
      const last = whole.blocks[blocks - 1].number;
      expect(cut.to, `budget ${budget}`).to.equal(last);
      expect(cut.blocks).to.deep.equal(whole.blocks.slice(0, blocks));
      expect(cut.logs).to.deep.equal(whole.logs.filter((log) => log.blockNumber <= last));
      expect(cut.split).to.equal(false);
    }
    expect(within(1n)).to.equal(1);
    expect(within(sums[used] - 1n)).to.equal(used); // one gas short of a block: the blocks before it
  });

  it("narrows its log ranges when the node refuses them as too large, and ends with the same database", async function () {
    // A node that refuses eth_getLogs over more than 3 blocks, as geth and Besu refuse too many results.
    let refused = 0;
    let widest = 0n;
    const proxy = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", async () => {
        const parsed = JSON.parse(body);
        if (!Array.isArray(parsed) && parsed.method === "eth_getLogs") {
          const width = BigInt(parsed.params[0].toBlock) - BigInt(parsed.params[0].fromBlock) + 1n;
          if (width > 3n) {
            refused++;
            const error = { code: -32005, message: "query returned more than 10000 results" };
            return response
              .writeHead(200, { "content-type": "application/json" })
              .end(JSON.stringify({ jsonrpc: "2.0", id: parsed.id, error }));
          }
          if (width > widest) widest = width;
        }
        const upstream = await fetch(chain.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        response.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const url = await db.create();
      const config = configFor(chain, url, { GOVLEDGER_MAX_SPAN: "64" });
      const metrics = await indexToHead({
        ...config,
        rpcUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      });
      expect(refused).to.be.greaterThan(0);
      expect(Number(widest)).to.be.within(2, 3);
      // The refused width caps later ranges for a while: a few refusals, not one per range (~150).
      expect(refused).to.be.lessThan(20);
      expect(metrics.rangesNarrowed).to.be.greaterThan(0);
      expect(metrics.retries).to.equal(0); // narrowing is not a failure
      expect(await dump(url)).to.equal(reference);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("narrows its log ranges when an answer is over its size limit, and ends with the same database", async function () {
    const url = await db.create();
    // 20 kB: a few dozen logs. Refused answers are not retries: the range is narrowed at once.
    const metrics = await indexToHead(
      configFor(chain, url, { GOVLEDGER_LOGS_RESPONSE_LIMIT: "20000", GOVLEDGER_MAX_SPAN: "64" }),
    );
    expect(metrics.rangesNarrowed).to.be.greaterThan(0);
    expect(metrics.retries).to.equal(0);
    expect(await dump(url)).to.equal(reference);
  });

  it("rejects a transaction whose server connection died, instead of crashing the process", async function () {
    // postgres.js 3.4.9 sends begin()'s ROLLBACK on the dead connection and throws from a
    // setImmediate (porsager/postgres#1208): patches/postgres+3.4.9.patch makes it a rejection.
    const url = await db.create();
    const sql = connectDatabase(url, { max: 2 });
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      // begin() itself rejects as soon as the connection closes; the body goes on and its next
      // query (then begin's ROLLBACK) meets the dead connection: that is where 3.4.9 crashed.
      let body: Promise<void> | undefined;
      const attempt = sql.begin((tx) => {
        body = (async () => {
          await tx`create table t (x int)`;
          const [{ pid }] = await tx`select pg_backend_pid() as pid`;
          await admin`select pg_terminate_backend(${pid})`;
          await waitUntil(
            async () => (await admin`select count(*)::int as n from pg_stat_activity where pid = ${pid}`)[0].n === 0,
            10_000,
            "the backend to exit",
          );
          await new Promise((resolve) => setTimeout(resolve, 200)); // and the client to see the close
          await tx`insert into t values (1)`;
        })();
        return body;
      });
      const failure = await attempt.then(
        () => null,
        (error: Error) => error,
      );
      expect(failure?.message).to.match(/CONNECTION_CLOSED/);
      const bodyFailure = await body!.then(
        () => null,
        (error: Error) => error,
      );
      expect(bodyFailure?.message).to.match(/CONNECTION_CLOSED/);
      // Nothing of the transaction stayed, and the pool (both connections) works again.
      const [{ exists }] = await admin`select to_regclass('public.t') is not null as exists`;
      expect(exists).to.equal(false);
      const pids = await Promise.all([1, 2, 3, 4].map(async () => (await sql`select pg_backend_pid() as pid`)[0].pid));
      expect(pids).to.have.lengthOf(4);
    } finally {
      await sql.end({ timeout: 5 });
      await admin.end();
    }
  });

  it("recovers when PostgreSQL restarts again and again in the middle of a run", async function () {
    // Restarts at random points of the writes (some in a COPY, some between transactions): a
    // failed transaction must never leak into the retry's (see createWriter).
    const url = await db.create();
    const controller = new AbortController();
    const indexer = await startIndexer(configFor(chain, url, { GOVLEDGER_MAX_SPAN: "3" }), {
      log: silentLog,
      signal: controller.signal,
      startWorker: false,
      untilHead: true,
    });
    let finished = false;
    indexer.done.then(
      () => (finished = true),
      () => (finished = true),
    );
    let restarts = 0;
    try {
      await waitUntil(async () => indexer.metrics.indexed > 20n, 60_000, "some progress");
      while (!finished && restarts < 4) {
        await db.restart();
        restarts++;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 500));
      }
      await indexer.done;
    } finally {
      controller.abort();
      await indexer.close();
    }
    expect(restarts).to.be.greaterThan(1);
    expect(indexer.metrics.retries).to.be.greaterThan(0);
    expect(await dump(url)).to.equal(reference);
  });
});
