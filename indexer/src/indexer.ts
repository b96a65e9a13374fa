/**
 * One indexer process: checks its configuration against the node and the database, migrates,
 * then runs the sync loop (as the single writer, under an advisory lock), the graphile-worker
 * job runner and the operations endpoint, until its signal aborts. Used by the CLI, the tests
 * and the benchmark.
 */
import pg from "pg";
import type { Sql } from "postgres";
import { decodeFunctionResult, encodeFunctionData } from "viem";
import {
  Logger as GraphileLogger,
  run as runWorker,
  runMigrations as migrateWorker,
  type Runner,
  type RunnerOptions,
} from "graphile-worker";

import type { IndexerConfig } from "./cli/config.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded.js";
import { connectDatabase, createWriter } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { BaseError, ConfigError, sleep, withRetry } from "./errors.js";
import { startOpsServer, type OpsServer } from "./http/server.js";
import { abis, enums, roles } from "@govledger/contracts";
import { createRpc, eth_call, eth_chainId, eth_getCode, type Rpc } from "./rpc/client.js";
import { createDecoder } from "./sync/batch.js";
import { runSync, type Logger, type SyncOptions } from "./sync/engine.js";
import { createMetrics, type Metrics } from "./sync/metrics.js";
import { readDecimals } from "./sync/tokens.js";
import { createTaskList } from "./tasks/index.js";
import { watchHeads } from "./rpc/heads.js";

export interface IndexerHandle {
  metrics: Metrics;
  sql: Sql;
  databaseUrl: string;
  opsPort: number;
  /** Resolves when the sync loop ends (abort, or head reached with untilHead). */
  done: Promise<void>;
  /** Stops everything this process started. */
  close(): Promise<void>;
}

const WRITER_LOCK = 0x60_76_1e_d7; // "govledger writer"

export async function startIndexer(
  config: IndexerConfig,
  options: {
    log: Logger;
    signal: AbortSignal;
    untilHead?: boolean;
    startWorker?: boolean;
    afterWrite?: SyncOptions["afterWrite"];
    onProgress?: (metrics: Metrics) => void;
  },
): Promise<IndexerHandle> {
  const { log, signal } = options;
  const rpc = createRpc(config.rpcUrl, { logsResponseLimit: config.logsResponseLimit });

  // Configuration first: nothing is written before the node, the chain and the deployment check out.
  // A node that is briefly flaky gets a few tries; one that never answers is a configuration error.
  const startupCall = async <T>(attempt: () => Promise<T>): Promise<T> => {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (tries === 5) {
          const reason = error instanceof BaseError ? error.shortMessage : (error as Error).message;
          throw new ConfigError(`cannot reach the RPC node at ${config.rpcUrl}: ${reason}`, { cause: error });
        }
        await sleep(100 * 2 ** tries, signal);
      }
    }
  };
  const chainId = await startupCall(() => eth_chainId(rpc));
  if (chainId !== config.chainId) {
    throw new ConfigError(`the RPC node at ${config.rpcUrl} serves chain ${chainId}, expected ${config.chainId}`);
  }
  for (const contract of config.contracts) {
    if ((await startupCall(() => eth_getCode(rpc, contract.address))) === "0x") {
      throw new ConfigError(
        `no contract ${contract.contractName} at ${contract.address} on chain ${chainId}: wrong deployment file?`,
      );
    }
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPort,
      log: (m) => log.warn(m),
    });
    databaseUrl = embedded.url;
    log.info("embedded PostgreSQL started", { dataDir: config.dataDir, port: config.embeddedPort });
  }
  const sql = connectDatabase(databaseUrl, { max: 4, connect_timeout: 10 });
  const cleanup: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    cleanup.length = 0;
  };
  cleanup.push(async () => embedded?.stop());
  cleanup.push(() => sql.end({ timeout: 5 }));
  try {
    try {
      await sql`select 1`;
    } catch (error) {
      throw new ConfigError(`cannot connect to the database: ${(error as Error).message}`, { cause: error });
    }
    const applied = await migrate(sql);
    if (applied.length > 0) log.info("migrations applied", { applied });
    await migrateWorker({ connectionString: databaseUrl, logger: workerLogger(log) });
    await checkSource(sql, config, chainId);
    await recordSettings(sql, config, rpc, startupCall);
  } catch (error) {
    await close();
    throw error;
  }

  const metrics = createMetrics(config.startBlock);
  let opsPort = 0;
  try {
    const ops: OpsServer = await startOpsServer({
      port: config.httpPort,
      sql,
      metrics,
      confirmations: config.confirmations,
    });
    cleanup.push(() => ops.close());
    opsPort = ops.port;
    log.info("operations endpoint", { url: `http://127.0.0.1:${ops.port}/metrics` });
  } catch (error) {
    await close();
    throw error;
  }

  if (options.startWorker !== false) {
    const worker = superviseWorker(
      {
        connectionString: databaseUrl,
        taskList: createTaskList({ webhooks: config.webhooks }),
        concurrency: config.workerConcurrency,
        noHandleSignals: true,
        pollInterval: 1_000,
        logger: workerLogger(log),
        // Unbatched, graphile-worker 0.18 records a job's outcome in a promise nobody awaits: a
        // database gone at that moment was an unhandled rejection (a crash). Batched (delay 0: the
        // same tick), a failure stops the runner with that error instead, and it is restarted.
        preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      },
      log,
    );
    cleanup.push(() => worker.stop());
  }

  const heads = config.wsUrl ? watchHeads(config.wsUrl) : undefined;
  if (heads) cleanup.push(async () => heads.close());

  const decoder = createDecoder(config.contracts);
  const progress = setInterval(() => options.onProgress?.(metrics), 500);
  cleanup.push(async () => clearInterval(progress));

  const done = (async () => {
    // One writer at a time: others wait here as hot standbys (and still run jobs). The lock is a
    // session lock on a connection of its own, released by ending that connection. Should the
    // database restart, the lock is gone, but the checkpoint's compare-and-set in every write
    // still keeps two writers from writing the same blocks.
    const lock = connectDatabase(databaseUrl, { max: 1, connect_timeout: 10 });
    const writer = createWriter(databaseUrl, { connect_timeout: 10 });
    try {
      while (!signal.aborted) {
        const [row] = await withRetry(() => lock`select pg_try_advisory_lock(${WRITER_LOCK}) as locked`, {
          signal,
          onRetry: (error, delayMs) =>
            log.warn(`taking the writer lock failed, retrying in ${delayMs} ms`, { error: (error as Error).message }),
        });
        if (row.locked) break;
        await sleep(1_000, signal);
      }
      if (signal.aborted) return;
      await runSync({
        rpc,
        sql,
        transact: writer.transact,
        decoder,
        addresses: config.contracts.map((contract) => contract.address),
        startBlock: config.startBlock,
        confirmations: config.confirmations,
        pollIntervalMs: config.pollIntervalMs,
        signal,
        metrics,
        log,
        waitForHead: heads?.wait,
        untilHead: options.untilHead,
        afterWrite: options.afterWrite,
        maxSpan: config.maxSpan,
        initialSpan: 1,
      });
    } finally {
      await writer.end().catch(() => {});
      await lock.end({ timeout: 1 }).catch(() => {});
      options.onProgress?.(metrics);
    }
  })();

  return { metrics, sql, databaseUrl, opsPort, done, close };
}

/** The database belongs to one chain and deployment; refuse another rather than mix them. */
async function checkSource(sql: Sql, config: IndexerConfig, chainId: number): Promise<void> {
  const deployment = Object.fromEntries(config.contracts.map((c) => [c.key, c.address]));
  // Processes starting together may race here: the first insert wins, every one compares.
  await sql`insert into indexer.source (chain_id, deployment) values (${chainId}, ${sql.json(deployment)})
    on conflict (singleton) do nothing`;
  const [source] = await sql`select chain_id, deployment from indexer.source`;
  if (Number(source.chain_id) !== chainId || normalise(source.deployment) !== normalise(deployment)) {
    throw new ConfigError(
      `this database mirrors chain ${source.chain_id} deployment ${JSON.stringify(source.deployment)}; ` +
        `refusing to index chain ${chainId} deployment ${JSON.stringify(deployment)} into it (use another database)`,
    );
  }
}

/**
 * What the read model's SQL needs from the deployment and the compiled contracts: the invoice
 * ledger's UTC offset (report days and quota periods are the city's local time), the names of
 * enum values and roles it shows instead of numbers, and the settlement token's decimals (escrow
 * amounts scaled; other tokens: sync/tokens.ts).
 */
async function recordSettings(
  sql: Sql,
  config: IndexerConfig,
  rpc: Rpc,
  call: <T>(attempt: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const token = config.contracts.find((contract) => contract.contractName === "SettlementToken");
  if (token !== undefined) {
    const decimals = await call(() => readDecimals(rpc, token.address));
    await sql`insert into escrow.token (token, decimals) values (decode(${token.address.slice(2).toLowerCase()}, 'hex'), ${decimals})
      on conflict (token) do update set decimals = excluded.decimals, read_at = now()`;
  }
  const names = [
    ...Object.entries(enums).flatMap(([kind, members]) => members.map((name, value) => ({ kind, value, name }))),
    ...Object.entries(roles).map(([value, name]) => ({ kind: "Role", value, name })),
  ].map(({ kind, value, name }) => ({ kind, value: String(value), name }));
  await sql`insert into indexer.names ${sql(names, "kind", "value", "name")}
    on conflict (kind, value) do update set name = excluded.name`;
  const ledger = config.contracts.find((contract) => contract.contractName === "InvoiceLedger");
  if (ledger === undefined) return;
  const abi = abis.InvoiceLedger;
  const data = await call(() =>
    eth_call(rpc, { to: ledger.address, data: encodeFunctionData({ abi, functionName: "utcOffset" }) }),
  );
  const offset = decodeFunctionResult({ abi, functionName: "utcOffset", data });
  await sql`update indexer.settings set utc_offset = ${Number(offset)}`;
}

/**
 * The graphile-worker runner, started again whenever it stops on its own. Its promise rejects when
 * the database goes away under it (a restart, a statement timeout, a killed backend); nothing
 * listened to it before, so such a fault ended the process as an unhandled rejection. Jobs live
 * in the database, so a new runner picks up where the old one stopped.
 */
function superviseWorker(
  { connectionString, ...options }: RunnerOptions & { connectionString: string },
  log: Logger,
): { stop(): Promise<void> } {
  const stopping = new AbortController();
  let current: Runner | undefined;
  let pool: pg.Pool | undefined;
  const loop = (async () => {
    let delay = 1_000;
    while (!stopping.signal.aborted) {
      const startedAt = Date.now();
      let failure: unknown;
      pool = workerPool(connectionString, log, stopping.signal);
      try {
        const runner = await runWorker({ ...options, pgPool: pool });
        if (stopping.signal.aborted) {
          await runner.stop().catch(() => {});
          break;
        }
        current = runner;
        // A runner that shuts itself down on a fault can wait for ever on a connection the fault
        // left hanging (seen under a statement timeout): then it is killed, and started again.
        // Even killed, its promise may never settle: it is then left behind (its pool is ended).
        let abandon = () => {};
        const abandoned = new Promise<void>((resolve) => (abandon = resolve));
        const forceLater = () =>
          setTimeout(() => {
            if (current !== runner) return;
            void runner.kill().catch(() => {});
            setTimeout(abandon, 2_000).unref();
          }, 5_000).unref();
        runner.events.once("pool:gracefulShutdown", forceLater);
        runner.events.once("worker:fatalError", forceLater);
        await Promise.race([runner.promise, abandoned]);
      } catch (error) {
        failure = error;
      }
      current = undefined;
      await endPool(pool);
      if (stopping.signal.aborted) break;
      if (Date.now() - startedAt > 30_000) delay = 1_000;
      const reason =
        failure === undefined
          ? "on a fault it logged above"
          : firstLine((failure as Error)?.message ?? String(failure));
      log.warn(`worker: job runner stopped (${reason}); starting it again in ${delay} ms`);
      await sleep(delay, stopping.signal);
      delay = Math.min(delay * 2, 10_000);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      const runner = current;
      const stopped = (async () => {
        await runner?.stop().catch(() => {});
        await loop;
      })();
      // A clean stop takes a moment; one stuck on a dead connection must not hang the process.
      if ((await Promise.race([stopped.then(() => true), sleep(5_000).then(() => false)])) === false) {
        await runner?.kill().catch(() => {});
        await Promise.race([stopped, sleep(2_000)]);
      }
      await endPool(pool);
    },
  };
}

/**
 * The runner's connection pool, ours rather than graphile-worker's: the worker ends a pool of its
 * own without waiting for it and takes its error handlers off first, so a connection still open
 * when the embedded PostgreSQL stopped next raised an 'error' nobody listened to (an uncaught
 * exception: exit code 1 after Ctrl-C, seen in CI). These handlers stay for the pool's life, and
 * the supervisor waits for the pool's end before the database may stop. Once the worker is
 * stopping, a lost connection is the expected end of one a slow runner still held when its
 * PostgreSQL stopped (under load the pool's end can outlast its 2 s): not worth a warning on a
 * quiet Ctrl-C (seen in CI: two such lines after "stopping the indexer").
 */
function workerPool(connectionString: string, log: Logger, stopping: AbortSignal): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 10 });
  const logged = (error: Error) => {
    if (!stopping.aborted) log.warn(`worker: PostgreSQL connection lost: ${firstLine(error.message)}`);
  };
  pool.on("error", logged);
  pool.on("connect", (client) => client.on("error", logged));
  return pool;
}

/** Ends a pool; a client a stuck runner still holds is left to its handlers after 2 s. */
async function endPool(pool: pg.Pool | undefined): Promise<void> {
  if (pool === undefined || pool.ended || pool.ending) return;
  await Promise.race([pool.end().catch(() => {}), sleep(2_000)]);
}

const firstLine = (text: string) => text.split("\n")[0];

/** graphile-worker's own log lines, warnings and errors only, into ours. */
function workerLogger(log: Logger): GraphileLogger {
  return new GraphileLogger(() => (level, message) => {
    const first = message.split("\n")[0];
    if (level === "error") log.error(`worker: ${first}`);
    else if (level === "warning") log.warn(`worker: ${first}`);
  });
}

const normalise = (deployment: Record<string, string>) =>
  JSON.stringify(Object.fromEntries(Object.entries(deployment).sort(([a], [b]) => a.localeCompare(b))));
