/**
 * The read model's comparison harness, shared by every domain's read-model test: seeded random
 * sequences of legal and reverting transactions against the real Hardhat node (reverting ones
 * sent with an explicit gas limit, so they are mined and reach raw.failed_transactions), reorgs
 * made with evm_snapshot/evm_revert while the indexer follows the chain, then two comparisons of
 * the state tables: with a rebuild from scratch out of the event tables, and with the contracts'
 * own view functions, entity by entity (the domain's `check`). See docs/reporting.md.
 */
import { expect } from "chai";
import { type BaseContract, type Signer, Wallet, id } from "ethers";
import postgres from "postgres";

import { type IndexerHandle, startIndexer } from "../../indexer/src/indexer.js";
import { type Chain, configFor, silentLog, waitUntil } from "./harness.js";

// ---- randomness ---------------------------------------------------------------------------------

export interface Rng {
  /** In [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A bigint in [low, high]. */
  between(low: bigint, high: bigint): bigint;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, fast and reproducible from one 32-bit seed. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    between: (low, high) => low + (BigInt(Math.floor(next() * 2 ** 48)) % (high - low + 1n)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from nothing");
      return items[int(items.length)];
    },
  };
}

/** The seed of a run: GOVLEDGER_TEST_SEED to replay one, otherwise fixed per test. */
export function seedOf(fallback: number): number {
  return process.env.GOVLEDGER_TEST_SEED ? Number(process.env.GOVLEDGER_TEST_SEED) : fallback;
}

// ---- transactions -----------------------------------------------------------------------------

export interface Attempt {
  ok: boolean;
  hash: string;
  blockNumber: number;
  blockTime: bigint;
  /** The error's name when it reverted. */
  error?: string;
}

/** Every reverted transaction a sequence sent, for the failed-attempts checks. */
export interface FailedSend {
  hash: string;
  contract: string;
  method: string;
  sender: string;
  error: string;
}

const REVERT_GAS = 2_000_000n;

/**
 * Calls `method` as `signer`: simulated first; if the simulation succeeds it is sent and must
 * succeed, if it reverts it is sent anyway with an explicit gas limit (no estimate, so the node
 * mines it and it fails on chain). Either way the transaction is in a block when this returns.
 */
export async function attempt(
  chain: Chain,
  contract: BaseContract,
  signer: Signer,
  method: string,
  args: unknown[],
  failed?: FailedSend[],
): Promise<Attempt> {
  const fn = (contract.connect(signer) as BaseContract).getFunction(method);
  let error: string | undefined;
  try {
    await fn.staticCall(...args);
  } catch (caught) {
    const data = (caught as { data?: string }).data;
    error = (data && contract.interface.parseError(data)?.name) || "(undecoded)";
  }
  if (error === undefined) {
    const receipt = await (await fn.send(...args)).wait();
    const block = await chain.provider.request({
      method: "eth_getBlockByNumber",
      params: [`0x${receipt!.blockNumber.toString(16)}`, false],
    });
    return {
      ok: true,
      hash: receipt!.hash,
      blockNumber: receipt!.blockNumber,
      blockTime: BigInt((block as { timestamp: string }).timestamp),
    };
  }
  await fn.send(...args, { gasLimit: REVERT_GAS }).then(
    () => {
      throw new Error(`${method} was expected to revert (${error}) and did not`);
    },
    () => {},
  );
  const block = (await chain.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    number: string;
    timestamp: string;
    transactions: string[];
  };
  const hash = block.transactions[block.transactions.length - 1];
  const receipt = (await chain.provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as {
    status: string;
  };
  expect(receipt.status, `${method} mined as failed`).to.equal("0x0");
  failed?.push({
    hash,
    contract: await contract.getAddress(),
    method,
    sender: (await signer.getAddress()).toLowerCase(),
    error,
  });
  return { ok: false, hash, blockNumber: Number(block.number), blockTime: BigInt(block.timestamp), error };
}

/** A fresh account with gas money, from the seed (not one of the demo's named accounts). */
export async function fundedWallet(chain: Chain, label: string): Promise<Wallet> {
  const wallet = new Wallet(id(`readmodel:${label}`), chain.accounts.deployer.provider);
  await (await chain.accounts.deployer.sendTransaction({ to: wallet.address, value: 10n ** 20n })).wait();
  return wallet;
}

export async function advanceTime(chain: Chain, seconds: number): Promise<void> {
  await chain.provider.request({ method: "evm_increaseTime", params: [seconds] });
  await chain.provider.request({ method: "evm_mine" });
}

export async function headBlock(chain: Chain): Promise<{ number: bigint; hash: string; timestamp: bigint }> {
  const block = (await chain.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    number: string;
    hash: string;
    timestamp: string;
  };
  return { number: BigInt(block.number), hash: block.hash, timestamp: BigInt(block.timestamp) };
}

// ---- the indexer, following the chain ---------------------------------------------------------

export interface Follower {
  sql: postgres.Sql;
  /** Resolves once the database holds exactly the chain's current head. */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

/** The indexer in this process, following the head (polling every 20 ms) until stopped. */
export async function followChain(chain: Chain, databaseUrl: string): Promise<Follower> {
  const controller = new AbortController();
  const indexer: IndexerHandle = await startIndexer(configFor(chain, databaseUrl), {
    log: silentLog,
    signal: controller.signal,
    startWorker: false,
  });
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  let failure: unknown;
  indexer.done.catch((error) => (failure = error));
  return {
    sql,
    async synced() {
      await waitUntil(
        async () => {
          if (failure !== undefined) throw failure;
          const head = await headBlock(chain);
          const [row] = await sql`select block_number, encode(block_hash, 'hex') as hash from indexer.checkpoint`;
          return row !== undefined && BigInt(row.block_number) === head.number && `0x${row.hash}` === head.hash;
        },
        60_000,
        "the indexer to reach the head",
      );
    },
    async stop() {
      controller.abort();
      await indexer.done.catch(() => {});
      await indexer.close();
      await sql.end();
    },
  };
}

// ---- sequences --------------------------------------------------------------------------------

/**
 * One kind of step of a random sequence. `run` picks its arguments with `rng` from the model
 * `state` (plain data: it is cloned at a snapshot and restored at the revert) and sends them
 * through `attempt`, legal or not; it updates `state` after a success.
 */
export interface Operation<S> {
  name: string;
  weight: number;
  run(context: { chain: Chain; rng: Rng; state: S; failed: FailedSend[] }): Promise<void>;
}

export interface SequenceOptions<S> {
  chain: Chain;
  follower: Follower;
  rng: Rng;
  state: S;
  operations: Operation<S>[];
  steps: number;
  /** Chance per step to open a fork: snapshot, a few steps the indexer writes, revert. */
  reorgChance?: number;
  failed?: FailedSend[];
}

export interface SequenceResult<S> {
  state: S;
  /** Steps run per operation name (on the canonical chain and on forks). */
  counts: Record<string, number>;
  reorgs: number;
  failed: FailedSend[];
}

export async function runSequence<S>(options: SequenceOptions<S>): Promise<SequenceResult<S>> {
  const { chain, follower, rng, operations } = options;
  let state = options.state;
  const failed = options.failed ?? [];
  const counts: Record<string, number> = {};
  const total = operations.reduce((sum, op) => sum + op.weight, 0);
  let reorgs = 0;
  const step = async () => {
    let ticket = rng.next() * total;
    const op = operations.find((candidate) => (ticket -= candidate.weight) < 0) ?? operations[operations.length - 1];
    counts[op.name] = (counts[op.name] ?? 0) + 1;
    await op.run({ chain, rng, state, failed });
  };
  for (let i = 0; i < options.steps; i++) {
    if (options.reorgChance !== undefined && rng.chance(options.reorgChance)) {
      // A fork the indexer writes and then loses: its blocks must leave no trace in any state
      // table. The model goes back with the chain; failed sends on the fork are forgotten too.
      const saved = structuredClone(state);
      const failedBefore = failed.length;
      const snapshot = await chain.provider.request({ method: "evm_snapshot" });
      const forkSteps = 1 + rng.int(4);
      for (let j = 0; j < forkSteps; j++) await step();
      await follower.synced();
      await chain.provider.request({ method: "evm_revert", params: [snapshot] });
      state = saved;
      failed.length = failedBefore;
      reorgs++;
      // The canonical branch: the indexer finds the fork whether it is shorter or longer.
      for (let j = 0; j < forkSteps + 1; j++) await step();
      continue;
    }
    await step();
  }
  await follower.synced();
  return { state, counts, reorgs, failed };
}

// ---- comparisons ------------------------------------------------------------------------------

/** Every state table of every registered read model, its rows sorted, as text. */
async function stateTables(sql: postgres.Sql | postgres.TransactionSql): Promise<Map<string, string[]>> {
  const models = await sql`select unnest(tables)::text as name from indexer.read_models order by position`;
  const result = new Map<string, string[]>();
  for (const { name } of models) {
    const rows = await sql.unsafe(`select t::text as row from ${name} t`);
    result.set(name, rows.map((r) => r.row as string).sort());
  }
  return result;
}

/**
 * The state tables as the indexer kept them, batch by batch and through reorgs, must equal a
 * rebuild from scratch out of the event tables (run inside a transaction that is rolled back).
 */
export async function expectSameAsRebuild(sql: postgres.Sql): Promise<void> {
  const kept = await stateTables(sql);
  let rebuilt = new Map<string, string[]>();
  await sql
    .begin(async (tx) => {
      await tx`select indexer.rebuild_read_models()`;
      rebuilt = await stateTables(tx);
      throw new RollBack();
    })
    .catch((error) => {
      if (!(error instanceof RollBack)) throw error;
    });
  expect([...kept.keys()]).to.deep.equal([...rebuilt.keys()]);
  for (const [table, rows] of kept) {
    const again = rebuilt.get(table)!;
    const missing = again.filter((row) => !rows.includes(row));
    const extra = rows.filter((row) => !again.includes(row));
    expect({ table, missing, extra }, `${table}: incremental vs rebuild`).to.deep.equal({
      table,
      missing: [],
      extra: [],
    });
  }
}

class RollBack extends Error {}

export const hex = (value: Buffer | Uint8Array | null) =>
  value === null ? null : `0x${Buffer.from(value).toString("hex")}`;
export const ZERO32 = `0x${"0".repeat(64)}`;
