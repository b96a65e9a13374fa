/**
 * What the indexer tests run against, all real and all on 127.0.0.1: a Hardhat JSON-RPC node
 * (in this process) with the system deployed, one embedded PostgreSQL per test file with a fresh
 * database per test, and the indexer itself, in process or as a child process (to kill it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { network } from "hardhat";
import { keccak256, toUtf8Bytes } from "ethers";
import postgres from "postgres";

import { ROOT } from "../../deploy/lib/consortium.js";
import { deployGovledger, deploymentDir, summaryPath } from "../../deploy/lib/deployment.js";
import { attachSystem, type System } from "../../deploy/lib/system.js";
import { loadConfig, type IndexerConfig } from "../../indexer/src/cli/config.js";
import { startEmbeddedPostgres } from "../../indexer/src/db/embedded.js";
import { startIndexer } from "../../indexer/src/indexer.js";
import type { Logger } from "../../indexer/src/sync/engine.js";
import { runDemos } from "../../scripts/demo/index.js";
import { freePort } from "../../scripts/lib/ports.js";
import { DEMO_PARAMS } from "../fixtures.js";

export interface Chain extends System {
  url: string;
  port: number;
  deploymentFile: string;
  provider: { request(args: { method: string; params?: unknown[] }): Promise<unknown> };
  mine(blocks?: number): Promise<void>;
  close(): Promise<void>;
}

/** A fresh chain with the demo deployment (and the demo's governance activity). */
export async function startChain(options: { demo?: boolean } = {}): Promise<Chain> {
  const port = await freePort();
  const server = await network.createServer("default", "127.0.0.1", port);
  await server.listen();
  const url = `http://127.0.0.1:${port}`;
  const connection = await network.create<"l1">({ network: "localhost", override: { url } });
  const deploymentId = `indexer-test-${port}`;
  rmSync(deploymentDir(deploymentId), { recursive: true, force: true });
  const summary = await deployGovledger(connection, { deploymentId, params: DEMO_PARAMS });
  const system = await attachSystem(connection, summary);
  if (options.demo !== false) {
    const quiet = console.log;
    console.log = () => {};
    try {
      await runDemos(system);
    } finally {
      console.log = quiet;
    }
  }
  return {
    ...system,
    url,
    port,
    deploymentFile: summaryPath(deploymentId),
    provider: connection.provider,
    async mine(blocks = 1) {
      // evm_mine, not hardhat_mine: EDR's hardhat_mine reserves long runs of blocks whose parent
      // hash is zero, which is not a chain (the indexer rightly refuses it).
      for (let i = 0; i < blocks; i++) await connection.provider.request({ method: "evm_mine" });
    },
    async close() {
      await connection.close();
      await server.close();
      rmSync(deploymentDir(deploymentId), { recursive: true, force: true });
    },
  };
}

export interface Database {
  /** A URL for a new, empty database. */
  create(): Promise<string>;
  adminUrl: string;
  port: number;
  dataDir: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDatabase(): Promise<Database> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "govledger-pg-"));
  // As root the server runs as the `postgres` user, which must be able to reach its folder.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  let pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "data"), port });
  const adminUrl = pg.url;
  let count = 0;
  return {
    adminUrl,
    port,
    dataDir,
    async create() {
      const name = `test_${process.pid}_${++count}`;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      return adminUrl.replace(/\/govledger$/, `/${name}`);
    },
    async restart() {
      await pg.stop();
      pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "data"), port });
    },
    async stop() {
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const silentLog: Logger = { info() {}, warn() {}, error() {} };

export function configFor(chain: Chain, databaseUrl: string, env: Record<string, string> = {}): IndexerConfig {
  return loadConfig({
    GOVLEDGER_RPC_URL: chain.url,
    GOVLEDGER_DEPLOYMENT: chain.deploymentFile,
    DATABASE_URL: databaseUrl,
    GOVLEDGER_HTTP_PORT: "0",
    GOVLEDGER_CONFIRMATIONS: "4",
    GOVLEDGER_POLL_MS: "20",
    ...env,
  });
}

/** Indexes from the start to the current head, in this process, then stops. */
export async function indexToHead(config: IndexerConfig, log: Logger = silentLog) {
  const controller = new AbortController();
  const indexer = await startIndexer(config, { log, signal: controller.signal, untilHead: true, startWorker: false });
  try {
    await indexer.done;
    return { ...indexer.metrics };
  } finally {
    await indexer.close();
  }
}

/**
 * Every chain-data table and read-model state table of a database, ordered, as one string: two
 * databases that mirror the same chain give the same dump.
 */
export async function dump(databaseUrl: string): Promise<string> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql`
      select table_schema, table_name from information_schema.columns
      where column_name = 'block_number' and table_schema not in ('indexer', 'graphile_worker')
        and (table_schema, table_name) in (select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE')
      order by 1, 2`;
    // The read model's state tables too: a crash or a replay must leave them as a clean run does.
    const states = await sql`select (parse_ident(unnest(tables)::text))[1] as table_schema,
      (parse_ident(unnest(tables)::text))[2] as table_name from indexer.read_models order by position`;
    // The first three columns order every table's rows (a two-column table by both).
    const widths = new Map(
      (
        await sql<{ name: string; n: number }[]>`
          select table_schema || '.' || table_name as name, count(*)::int as n from information_schema.columns group by 1`
      ).map((row) => [row.name, row.n]),
    );
    const parts: string[] = [];
    for (const { table_schema: schema, table_name: table } of [...tables, ...states]) {
      const keys = Array.from({ length: Math.min(widths.get(`${schema}.${table}`) ?? 3, 3) }, (_, i) => i + 1).join(
        ", ",
      );
      const rows = await sql.unsafe(`select * from "${schema}"."${table}" order by ${keys}`);
      parts.push(`${schema}.${table}\n${rows.map((row) => JSON.stringify(row)).join("\n")}`);
    }
    const [checkpoint] = await sql`select block_number, encode(block_hash, 'hex') as hash from indexer.checkpoint`;
    parts.push(`checkpoint ${checkpoint?.block_number} ${checkpoint?.hash}`);
    return parts.join("\n");
  } finally {
    await sql.end();
  }
}

/** The indexer CLI as a child process (to SIGKILL it, or to see its exit code and stderr). */
export function spawnIndexer(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  // node itself with tsx as a loader (not the tsx CLI, which runs the script in a grandchild that
  // a SIGKILL would leave running).
  const child = spawn(process.execPath, ["--import", "tsx", "indexer/src/cli/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, GOVLEDGER_HTTP_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return { child, output: () => output, exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))) };
}

/**
 * An indexer process (small log ranges) over `chain` into `databaseUrl`, SIGKILLed once its
 * checkpoint passes 1/`part` of the head. Returns that head.
 */
export async function killMidBackfill(chain: Chain, databaseUrl: string, part: bigint, what: string): Promise<bigint> {
  const head = BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
  const indexer = spawnIndexer({
    GOVLEDGER_RPC_URL: chain.url,
    GOVLEDGER_DEPLOYMENT: chain.deploymentFile,
    DATABASE_URL: databaseUrl,
    GOVLEDGER_MAX_SPAN: "7",
  });
  try {
    await waitUntil(async () => (await checkpointOf(databaseUrl)) > head / part, 120_000, what);
  } finally {
    indexer.child.kill("SIGKILL");
  }
  await indexer.exited;
  return head;
}

/**
 * Chain activity for tests: `participants` registrations by TAX (one event each, one block each)
 * interleaved with runs of `emptyBlocks` empty blocks. Returns the transaction hashes.
 */
export async function generateActivity(
  chain: Chain,
  participants: number,
  emptyBlocks = 0,
  salt = "p",
): Promise<string[]> {
  const hashes: string[] = [];
  const registry = chain.contracts.registry.connect(chain.accounts.tax);
  for (let i = 0; i < participants; i++) {
    const account = `0x${keccakHex(`${salt}:${i}`).slice(0, 40)}`;
    const tx = await registry.registerParticipant(keccakHex32(`${salt}:${i}`), account, 0);
    hashes.push(tx.hash);
    if (emptyBlocks > 0 && i % 10 === 9) await chain.mine(emptyBlocks);
  }
  return hashes;
}

function keccakHex(text: string): string {
  return keccak256(toUtf8Bytes(text)).slice(2);
}

function keccakHex32(text: string): string {
  return keccak256(toUtf8Bytes(text));
}

export async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function checkpointOf(databaseUrl: string): Promise<bigint> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 2 });
  // A probe made while the server starts or dies can leave postgres.js's query or end() waiting
  // for ever (seen in CI: a test stuck for minutes with the indexer done): never wait over 5 s.
  const within = <T>(promise: Promise<T>, fallback: T) =>
    Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), 5_000).unref())]);
  try {
    const rows: { block_number: string }[] = await within(
      sql<{ block_number: string }[]>`select block_number from indexer.checkpoint`.then(
        (result) => [...result],
        () => [],
      ),
      [],
    );
    return rows.length > 0 ? BigInt(rows[0].block_number) : -1n;
  } finally {
    await within(
      sql.end({ timeout: 1 }).catch(() => {}),
      undefined,
    );
  }
}
