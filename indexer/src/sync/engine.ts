/**
 * The sync loop: from the checkpoint to the chain head and then following it, one block range at
 * a time. Fetching and decoding the next range overlap with writing the current one (the write's
 * transaction is mostly PostgreSQL's time: the read model's refresh). Ranges adapt: they
 * narrow when the node refuses them, widen while answers are small. Before writing, the range
 * must continue the chain the database holds (its first block's parent is the checkpoint); if
 * not, the chain reorganised: the loop walks back to the last block both agree on, rolls the
 * database back to it and replays. Nothing here decodes or writes rows itself (batch.ts, store.ts).
 * A first backfill far from the head goes without the read side's secondary indexes (0099), which
 * are built concurrently once the loop reaches the head, while it follows the chain (db/indexes.ts).
 */
import type { Sql } from "postgres";

import type { Transact } from "../db/client.js";
import { eth_blockNumber, eth_getBlockByNumber, type Hex, type Rpc } from "../rpc/client.js";
import { BlockNotFoundError, RetryableError, sleep, withRetry } from "../errors.js";
import {
  type Batch,
  type Checkpoint,
  CheckpointMovedError,
  readCheckpoint,
  rollbackTo,
  storedBlockHash,
  writeBatch,
} from "../db/store.js";
import { absentIndexes, buildDeferredIndexes, deferIndexes } from "../db/indexes.js";
import { buildBatch, type Decoder } from "./batch.js";
import { fetchRange } from "./fetch.js";
import { type Metrics, recordBatch } from "./metrics.js";
import { projectTokens, TokenDecimals } from "./tokens.js";

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface SyncOptions {
  rpc: Rpc;
  /** Reads. */
  sql: Sql;
  /** Writes: every batch and rollback is one transaction. */
  transact: Transact;
  decoder: Decoder;
  addresses: Hex[];
  startBlock: bigint;
  /** Blocks deeper than this under the head are final: a reorg below is reported as an error. */
  confirmations: number;
  pollIntervalMs: number;
  signal: AbortSignal;
  metrics: Metrics;
  log: Logger;
  /** Resolves when a new head may exist (a WebSocket subscription); polling otherwise. */
  waitForHead?: (signal: AbortSignal, timeoutMs: number, known: bigint) => Promise<void>;
  /** Return once the head is reached (benchmarks, tests) instead of following it. */
  untilHead?: boolean;
  /** Called after every committed batch (tests use it to crash at a chosen point). */
  afterWrite?: (checkpoint: Checkpoint) => Promise<void> | void;
  initialSpan?: number;
  maxSpan?: number;
  /** Widen the range while a range brings fewer events than this. */
  targetEvents?: number;
  /**
   * A first backfill (no checkpoint) starting at least this many blocks below the head drops the
   * deferred secondary indexes and builds them at the head (default DEFER_INDEXES_BLOCKS).
   */
  deferIndexesBlocks?: number;
}

/** A backfill this long is worth an index build at its end (the bench's chain has about 120). */
export const DEFER_INDEXES_BLOCKS = 64;

/** A fetched range, decoded; its logs are not kept (the batch's rows are what is written). */
interface Fetched {
  from: bigint;
  to: bigint;
  blockCount: number;
  logCount: number;
  failedCount: number;
  /** The gas the range's blocks used (see gasBudget). */
  gasUsed: bigint;
  firstParentHash: string;
  split: boolean;
  /** Laid out with no previous checkpoint: the loop sets it when it writes the batch. */
  batch: Batch;
}

type Prefetch = { from: bigint; to: bigint; result: Promise<{ data?: Fetched; error?: unknown }> };

const hexHash = (checkpoint: Checkpoint) => `0x${checkpoint.blockHash}`;

export async function runSync(options: SyncOptions): Promise<void> {
  const { rpc, sql, decoder, addresses, signal, metrics, log } = options;
  const maxSpan = BigInt(options.maxSpan ?? 2_000);
  const targetEvents = options.targetEvents ?? 5_000;
  let span = BigInt(options.initialSpan ?? 1);
  let ceiling: bigint | undefined;
  let rangesSinceSplit = 0;
  // Ranges follow the gas too: the next range's blocks may use about the gas that held
  // targetEvents of ours in the last one, and at most twice the last one's. The block span alone
  // grew through sparse blocks (a deployment's) to 64 blocks that then held 68,000 events: three
  // answers of 33-69 MB the node built and the indexer refused, 167 of the 270 MB it sent
  // bench:indexer. Unknown (no range yet, or only empty blocks): the span alone.
  let gasBudget: bigint | undefined;
  const retry = <T>(what: string, attempt: () => Promise<T>) =>
    withRetry(attempt, {
      signal,
      // A block that is gone stays gone: the loop reads the head again instead (see below).
      retryIf: (error) => !(error instanceof BlockNotFoundError),
      onRetry: (error, delayMs) => {
        metrics.retries++;
        log.warn(`${what} failed, retrying in ${delayMs} ms`, { error: (error as Error).message });
      },
    });

  const tokens = new TokenDecimals(rpc, sql);
  let checkpoint = await retry("reading the checkpoint", () => readCheckpoint(sql));
  let prefetch: Prefetch | undefined;
  let caughtUp = false;
  log.info("sync started", {
    from: (checkpoint === null ? options.startBlock : checkpoint.blockNumber + 1n).toString(),
  });

  // Deferred indexes: absent while a first backfill runs, built once at the head in the background
  // (the loop keeps writing meanwhile). A build that fails is tried again a little later; one
  // stopped by the abort leaves its index invalid and its mark set, for the next start.
  let absent = await retry("reading the deferred indexes", () => absentIndexes(sql));
  let deferChecked = false;
  let building: Promise<void> | undefined;
  let buildAfter = 0;
  const stopBuild = new AbortController();
  const abortBuild = () => stopBuild.abort();
  signal.addEventListener("abort", abortBuild, { once: true });
  const startBuild = () => {
    const started = performance.now();
    log.info("building the deferred indexes", { indexes: absent });
    building = buildDeferredIndexes(sql, stopBuild.signal, (index, ms) =>
      log.info("index built", { index, ms: Math.round(ms) }),
    )
      .then(async () => {
        if (stopBuild.signal.aborted) return;
        absent = await absentIndexes(sql);
        metrics.absentIndexes = absent;
        log.info("deferred indexes built", { ms: Math.round(performance.now() - started), absent });
      })
      .catch((error: unknown) => {
        if (stopBuild.signal.aborted) return;
        log.warn("building the deferred indexes failed, retrying in 5 s", { error: (error as Error).message });
        buildAfter = Date.now() + 5_000;
      })
      .finally(() => (building = undefined));
  };
  metrics.absentIndexes = absent;

  const startFetch = (from: bigint, to: bigint): Prefetch => ({
    from,
    to,
    // Decoded as soon as it arrives, so a prefetched range is decoded while the previous batch's
    // transaction runs in PostgreSQL instead of after it.
    result: retry(`fetching blocks ${from}-${to}`, () => fetchRange(rpc, addresses, from, to, gasBudget))
      .then((data) => ({
        data: {
          from: data.from,
          to: data.to,
          blockCount: data.blocks.length,
          logCount: data.logs.length,
          failedCount: data.failed.length,
          gasUsed: data.blocks.reduce((sum, block) => sum + block.gasUsed, 0n),
          firstParentHash: data.blocks[0].parentHash,
          split: data.split,
          batch: buildBatch(decoder, data, null),
        },
      }))
      // A decoding error too waits for the loop (a discarded prefetch must not reject unheard).
      .catch((error: unknown) => ({ error })),
  });

  try {
    while (!signal.aborted) {
      try {
        const head = await retry("eth_blockNumber", () => eth_blockNumber(rpc));
        metrics.head = head;
        if (checkpoint !== null) metrics.indexed = checkpoint.blockNumber;

        if (!deferChecked) {
          deferChecked = true;
          const behind = head - (checkpoint === null ? options.startBlock - 1n : checkpoint.blockNumber);
          const first = checkpoint === null && behind >= BigInt(options.deferIndexesBlocks ?? DEFER_INDEXES_BLOCKS);
          if (first || absent > 0) {
            absent = await retry("dropping the deferred indexes", () => deferIndexes(options.transact, first));
            metrics.absentIndexes = absent;
            if (absent > 0)
              log.info("secondary indexes deferred until the head", { indexes: absent, behind: behind.toString() });
          }
        }

        // The tip may have been replaced without the chain growing: check it while it is not final.
        if (checkpoint !== null && checkpoint.blockNumber + BigInt(options.confirmations) >= head) {
          const tip = checkpoint;
          const canonical =
            tip.blockNumber > head
              ? null
              : await retry("eth_getBlockByNumber", () => eth_getBlockByNumber(rpc, tip.blockNumber));
          if (canonical === null || canonical.hash !== hexHash(tip)) {
            prefetch = undefined;
            checkpoint = await recover(options, checkpoint, head, retry);
            continue;
          }
        }

        const from = checkpoint === null ? options.startBlock : checkpoint.blockNumber + 1n;
        if (from > head) {
          if (!caughtUp) {
            caughtUp = true;
            metrics.caughtUp = true;
            log.info("caught up with the head", { block: head.toString(), events: metrics.events });
          }
          if (absent > 0 && building === undefined && Date.now() >= buildAfter) startBuild();
          if (options.untilHead) {
            await building;
            if (absent === 0) return;
            await sleep(1_000, signal);
            continue;
          }
          if (options.waitForHead) await options.waitForHead(signal, Math.max(options.pollIntervalMs, 1_000), head);
          else await sleep(options.pollIntervalMs, signal);
          continue;
        }

        const to = from + span - 1n < head ? from + span - 1n : head;
        const current = prefetch !== undefined && prefetch.from === from ? prefetch : startFetch(from, to);
        prefetch = undefined;
        const { data, error } = await current.result;
        if (error !== undefined) throw error;
        if (signal.aborted) break;

        if (checkpoint !== null && data!.firstParentHash !== hexHash(checkpoint)) {
          checkpoint = await recover(options, checkpoint, head, retry);
          continue;
        }

        // Ranges follow the events: a batch of about targetEvents keeps memory flat and the fetch of
        // the next range overlapping with this write. A width the node refused caps the ranges for a
        // while (not forever: the chain's density changes), so a limited node is not asked for too
        // wide a range every time.
        const events = data!.logCount;
        const blocks = BigInt(data!.blockCount);
        if (data!.split) {
          metrics.rangesNarrowed++;
          ceiling = blocks;
          rangesSinceSplit = 0;
        } else if (ceiling !== undefined && ++rangesSinceSplit >= 32) ceiling = undefined;
        const limit = ceiling !== undefined && ceiling < maxSpan ? ceiling : maxSpan;
        if (data!.split || events > targetEvents * 2) {
          const scaled = (blocks * BigInt(targetEvents)) / BigInt(Math.max(events, 1));
          span = scaled < 1n ? 1n : scaled > limit ? limit : scaled;
        } else if (events < targetEvents / 2 && span < limit) {
          // From the blocks the range held: a range the gas cut short does not widen the next.
          const grown = (data!.to < current.to ? blocks : span) * 2n;
          span = grown < limit ? grown : limit;
        }
        if (data!.gasUsed > 0n) {
          const proportional = (data!.gasUsed * BigInt(targetEvents)) / BigInt(Math.max(events, 1));
          const twice = data!.gasUsed * 2n;
          gasBudget = proportional < twice ? (proportional > 0n ? proportional : 1n) : twice;
        }

        const batch: Batch = { ...data!.batch, previous: checkpoint };
        const nextFrom = data!.to + 1n;
        if (nextFrom <= head) {
          const nextTo = nextFrom + span - 1n < head ? nextFrom + span - 1n : head;
          prefetch = startFetch(nextFrom, nextTo);
        }
        const newTokens = projectTokens(batch);
        if (newTokens.length > 0) await retry("reading token decimals", () => tokens.record(newTokens));
        try {
          await retry(`writing blocks ${data!.from}-${data!.to}`, () => writeBatch(options.transact, batch));
        } catch (writeError) {
          if (!(writeError instanceof CheckpointMovedError)) throw writeError;
          log.warn("another writer moved the checkpoint; continuing from it", { error: writeError.message });
          prefetch = undefined;
          checkpoint = await retry("reading the checkpoint", () => readCheckpoint(sql));
          continue;
        }
        recordBatch(metrics, data!.blockCount, data!.logCount, data!.failedCount);
        checkpoint = batch.next;
        metrics.indexed = checkpoint.blockNumber;
        await options.afterWrite?.(checkpoint);
      } catch (error) {
        // The chain got shorter after its head was read (a reorg to a shorter branch): asking for
        // the vanished block again would wait for the chain to grow back. Read the head again.
        if (!(error instanceof BlockNotFoundError) || signal.aborted) throw error;
        log.info("a block vanished from the chain: reading the head again", { error: error.shortMessage });
        prefetch = undefined;
        await sleep(Math.min(options.pollIntervalMs, 100), signal);
      }
    }
  } finally {
    signal.removeEventListener("abort", abortBuild);
    stopBuild.abort();
    await building;
  }
}

/**
 * The chain no longer contains the checkpoint's block: find the newest block the database and
 * the chain agree on, roll back to it, and return the new checkpoint.
 */
async function recover(
  options: SyncOptions,
  checkpoint: Checkpoint,
  head: bigint,
  retry: <T>(what: string, attempt: () => Promise<T>) => Promise<T>,
): Promise<Checkpoint | null> {
  const { rpc, sql, metrics, log } = options;
  let fork: Checkpoint | null = null;
  for (let n = checkpoint.blockNumber < head ? checkpoint.blockNumber : head; n >= options.startBlock; n--) {
    const stored = await retry("reading a stored block", () => storedBlockHash(sql, n));
    if (stored === null) break;
    const block = await retry("eth_getBlockByNumber", () => eth_getBlockByNumber(rpc, n));
    if (block.hash === `0x${stored}`) {
      fork = { blockNumber: n, blockHash: stored };
      break;
    }
  }
  const depth = checkpoint.blockNumber - (fork?.blockNumber ?? options.startBlock - 1n);
  const fields = {
    from: checkpoint.blockNumber.toString(),
    to: fork?.blockNumber.toString() ?? "start",
    depth: depth.toString(),
  };
  if (depth > BigInt(options.confirmations)) log.error("reorg deeper than the finality depth", fields);
  else log.info("chain reorganised: rolling back", fields);
  const removed = await retry("rolling back", async () => {
    try {
      return await rollbackTo(options.transact, checkpoint, fork);
    } catch (error) {
      if (error instanceof CheckpointMovedError) throw new RetryableError(error.message);
      throw error;
    }
  });
  metrics.reorgs++;
  metrics.rowsRolledBack += removed;
  metrics.indexed = fork?.blockNumber ?? options.startBlock - 1n;
  return fork;
}
