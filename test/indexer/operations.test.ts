import http from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { runOnce } from "graphile-worker";
import postgres from "postgres";

import { codeToId } from "../../deploy/lib/consortium.js";
import { metricsText } from "../../indexer/src/http/server.js";
import { startIndexer } from "../../indexer/src/indexer.js";
import { RATE_WINDOW_MS } from "../../indexer/src/sync/metrics.js";
import { createTaskList } from "../../indexer/src/tasks/index.js";
import {
  type Chain,
  configFor,
  type Database,
  dump,
  generateActivity,
  indexToHead,
  silentLog,
  startChain,
  startDatabase,
  waitUntil,
} from "./harness.js";

interface Delivery {
  departmentId: string;
  kind: string;
  key: string;
  data: Record<string, unknown>;
  idempotencyKey: string;
}

/** A department's webhook on 127.0.0.1 that records deliveries; `refuse` answers 503 instead. */
async function startWebhook(refuse: () => boolean = () => false) {
  const deliveries: Delivery[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      if (refuse()) return response.writeHead(503).end();
      deliveries.push({ ...JSON.parse(body), idempotencyKey: request.headers["idempotency-key"] as string });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    deliveries,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("indexer: operations", function () {
  this.timeout(180_000);
  let db: Database;
  let chain: Chain;

  before(async function () {
    db = await startDatabase();
    chain = await startChain();
  });
  after(async function () {
    await chain?.close();
    await db?.stop();
  });

  it("notifies a department's webhook when a joint-approval step opens, retrying until it accepts", async function () {
    let refusals = 0;
    // The first delivery attempt fails: the job must be retried.
    const hook = await startWebhook(() => refusals === 0 && refusals++ === 0);
    const { deliveries, url } = hook;
    const fire = codeToId("FIRE");
    const controller = new AbortController();
    const indexer = await startIndexer(
      configFor(chain, await db.create(), { GOVLEDGER_WEBHOOKS: JSON.stringify({ [fire]: url }) }),
      { log: silentLog, signal: controller.signal },
    );
    try {
      await waitUntil(async () => deliveries.some((d) => d.kind === "StepOpened"), 60_000, "a step-opened delivery");
      await waitUntil(async () => deliveries.some((d) => d.kind === "ProposalCreated"), 60_000, "a proposal delivery");
    } finally {
      controller.abort();
      await indexer.done;
      await indexer.close();
      await hook.close();
    }
    expect(refusals).to.equal(1);
    const step = deliveries.find((d) => d.kind === "StepOpened")!;
    expect(step.departmentId).to.equal(fire);
    expect(step.idempotencyKey).to.equal(step.key);
    const [applicationId, stepIndex] = [BigInt(step.data.applicationId as string), Number(step.data.step)];
    expect(await chain.contracts.jointApprovals.stepState(applicationId, stepIndex)).to.not.equal(0n);
    // Only FIRE has a webhook: nothing was sent for any other department.
    expect(deliveries.every((d) => d.departmentId === fire)).to.equal(true);
  });

  it("does not notify a department of an event a reorg removed, and does notify the canonical one", async function () {
    const hook = await startWebhook();
    const url = await db.create();
    const { registry, governor } = chain.contracts;
    const propose = async (description: string) => {
      const call = {
        target: await registry.getAddress(),
        data: registry.interface.encodeFunctionData("suspendDepartment", [codeToId("HRSS")]),
      };
      return (await governor.connect(chain.accounts.tax).propose([call], description)).hash;
    };
    const head = async () => BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
    // The worker stays off while the chain forks, so the orphaned proposal's job is still queued.
    const controller = new AbortController();
    const indexer = await startIndexer(configFor(chain, url), {
      log: silentLog,
      signal: controller.signal,
      startWorker: false,
    });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    let orphaned: string;
    let canonical: string;
    try {
      await waitUntil(async () => indexer.metrics.indexed === (await head()), 60_000, "catching up");
      const snapshot = await chain.provider.request({ method: "evm_snapshot" });
      orphaned = await propose("on a branch that will be orphaned");
      await waitUntil(async () => indexer.metrics.indexed === (await head()), 60_000, "indexing the branch");
      const queued = await sql`select count(*)::int as n from graphile_worker.jobs where key like ${`%${orphaned}`}`;
      expect(queued[0].n).to.equal(1);
      await chain.provider.request({ method: "evm_revert", params: [snapshot] });
      canonical = await propose("on the canonical chain");
      await chain.mine(2);
      await waitUntil(
        async () => indexer.metrics.reorgs > 0 && indexer.metrics.indexed === (await head()),
        60_000,
        "the reorg",
      );
    } finally {
      controller.abort();
      await indexer.done;
      await indexer.close();
    }
    try {
      // Until the queue is empty: a delivery that failed (a webhook connection reset, say) is
      // retried after graphile-worker's backoff, as in production.
      const taskList = createTaskList({ webhooks: { [codeToId("FIRE")]: hook.url } });
      await waitUntil(
        async () => {
          await runOnce({ connectionString: url, taskList, noHandleSignals: true });
          const [{ n }] = await sql`select count(*)::int as n from graphile_worker.jobs`;
          if (n > 0) await new Promise((resolve) => setTimeout(resolve, 500));
          return n === 0;
        },
        60_000,
        "the job queue to drain",
      );
    } finally {
      await sql.end();
      await hook.close();
    }
    const sent = hook.deliveries.map((delivery) => delivery.data.transactionHash);
    // The demo's earlier proposals are notified too; the orphaned one is not.
    expect(sent).to.include(canonical!);
    expect(sent).to.not.include(orphaned!);
  });

  it("lets several indexer processes share one database without writing anything twice", async function () {
    const url = await db.create();
    const controllers = [new AbortController(), new AbortController()];
    const config = configFor(chain, url, { GOVLEDGER_MAX_SPAN: "10" });
    const indexers = await Promise.all(
      controllers.map((controller) =>
        startIndexer(config, { log: silentLog, signal: controller.signal, startWorker: false }),
      ),
    );
    try {
      await generateActivity(chain, 20, 0, "shared");
      const head = async () => BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
      await waitUntil(
        async () => {
          const h = await head();
          return indexers.some((indexer) => indexer.metrics.indexed === h && indexer.metrics.events > 0);
        },
        60_000,
        "one writer reaching the head",
      );
      // Exactly one of them wrote: the other waited for the writer lock.
      expect(indexers.filter((indexer) => indexer.metrics.events > 0)).to.have.length(1);
    } finally {
      for (const controller of controllers) controller.abort();
      for (const indexer of indexers) {
        await indexer.done;
        await indexer.close();
      }
    }
    const fresh = await db.create();
    await indexToHead(configFor(chain, fresh));
    expect(await dump(url)).to.equal(await dump(fresh));
  });

  it("follows new heads over a WebSocket subscription when given one, not by polling", async function () {
    const controller = new AbortController();
    // Polling once a minute: only the subscription can bring the new blocks in within the test.
    const config = configFor(chain, await db.create(), {
      GOVLEDGER_WS_URL: `ws://127.0.0.1:${chain.port}`,
      GOVLEDGER_POLL_MS: "60000",
    });
    const indexer = await startIndexer(config, { log: silentLog, signal: controller.signal, startWorker: false });
    try {
      const head = async () => BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
      await waitUntil(async () => indexer.metrics.indexed === (await head()), 60_000, "catching up");
      for (let round = 0; round < 3; round++) {
        const before = indexer.metrics.events;
        await generateActivity(chain, 2, 0, `ws-${round}`);
        const target = await head();
        await waitUntil(async () => indexer.metrics.indexed === target, 10_000, "the new blocks, by subscription");
        expect(indexer.metrics.events).to.be.greaterThan(before);
      }
    } finally {
      controller.abort();
      await indexer.done;
      await indexer.close();
    }
  });

  it("serves health and Prometheus metrics on 127.0.0.1", async function () {
    const controller = new AbortController();
    const indexer = await startIndexer(configFor(chain, await db.create()), {
      log: silentLog,
      signal: controller.signal,
      startWorker: false,
    });
    try {
      const head = BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
      await waitUntil(async () => indexer.metrics.indexed === head, 60_000, "catching up");
      const base = `http://127.0.0.1:${indexer.opsPort}`;
      const health = await fetch(`${base}/health`);
      expect(health.status).to.equal(200);
      expect(await health.json()).to.include({ status: "ok", database: true, lag: 0, indexed: head.toString() });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).to.include(`govledger_indexer_indexed_block ${head}`);
      expect(metrics).to.include(`govledger_indexer_head_block ${head}`);
      expect(metrics).to.match(/^govledger_indexer_events_total \d+$/m);
      expect((await fetch(`${base}/nothing`)).status).to.equal(404);
    } finally {
      controller.abort();
      await indexer.done;
      await indexer.close();
    }
  });

  it("answers /ready with 503 until the backfill reaches the head, then 200; its events rate falls to 0 when idle", async function () {
    let release: () => void = () => {};
    const paused = new Promise<void>((resolve) => (release = resolve));
    let writes = 0;
    const controller = new AbortController();
    const indexer = await startIndexer(configFor(chain, await db.create(), { GOVLEDGER_MAX_SPAN: "8" }), {
      log: silentLog,
      signal: controller.signal,
      startWorker: false,
      // Held after its first batch, far from the head.
      afterWrite: () => (++writes === 1 ? paused : undefined),
    });
    try {
      const base = `http://127.0.0.1:${indexer.opsPort}`;
      await waitUntil(async () => writes === 1, 30_000, "the first batch");
      const backfilling = await fetch(`${base}/ready`);
      expect(backfilling.status).to.equal(503);
      expect(await backfilling.json()).to.include({ status: "backfilling" });
      release();
      const head = BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
      await waitUntil(async () => indexer.metrics.indexed === head, 60_000, "catching up");
      await waitUntil(async () => (await fetch(`${base}/ready`)).status === 200, 5_000, "ready");
      const rate = (text: string) => Number(/^govledger_indexer_events_per_second (\S+)$/m.exec(text)![1]);
      expect(rate(await (await fetch(`${base}/metrics`)).text())).to.be.greaterThan(0);
      // With no new block, a window later, the rate is 0 (it stayed at its last value before).
      expect(rate(metricsText(indexer.metrics, Date.now() + RATE_WINDOW_MS + 1))).to.equal(0);
    } finally {
      release();
      controller.abort();
      await indexer.done;
      await indexer.close();
    }
  });
});
