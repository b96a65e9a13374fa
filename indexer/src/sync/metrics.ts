/** Progress and health figures the sync loop updates and the HTTP endpoint and progress bar read. */
export interface Metrics {
  startedAt: number;
  startBlock: bigint;
  head: bigint;
  indexed: bigint;
  /** The backfill reached the head once (GET /ready answers 200 from then on). */
  caughtUp: boolean;
  /** Deferred secondary indexes not built yet (0099): absent during a first backfill. */
  absentIndexes: number;
  events: number;
  blocks: number;
  failedTransactions: number;
  reorgs: number;
  rowsRolledBack: number;
  retries: number;
  /** Ranges narrowed because the node refused them or the answer was over the size limit. */
  rangesNarrowed: number;
  lastWriteAt: number;
  /** The batches written within the last RATE_WINDOW_MS, for the rates. */
  recent: { at: number; events: number; blocks: number }[];
}

/** Rates are over this recent window: with nothing written in it, they are 0. */
export const RATE_WINDOW_MS = 10_000;

export function createMetrics(startBlock: bigint): Metrics {
  return {
    startedAt: Date.now(),
    startBlock,
    head: 0n,
    indexed: startBlock - 1n,
    caughtUp: false,
    absentIndexes: 0,
    events: 0,
    blocks: 0,
    failedTransactions: 0,
    reorgs: 0,
    rowsRolledBack: 0,
    retries: 0,
    rangesNarrowed: 0,
    lastWriteAt: 0,
    recent: [],
  };
}

export function recordBatch(
  metrics: Metrics,
  blocks: number,
  events: number,
  failed: number,
  now: number = Date.now(),
): void {
  metrics.recent.push({ at: now, events, blocks });
  while (metrics.recent.length > 0 && metrics.recent[0].at <= now - RATE_WINDOW_MS) metrics.recent.shift();
  metrics.blocks += blocks;
  metrics.events += events;
  metrics.failedTransactions += failed;
  metrics.lastWriteAt = now;
}

/**
 * Events (or blocks) written per second over the last RATE_WINDOW_MS (over the process's life
 * while it is younger): an idle indexer reports 0, not the rate of its last batch.
 */
export function rate(metrics: Metrics, what: "events" | "blocks", now: number = Date.now()): number {
  const since = now - RATE_WINDOW_MS;
  let total = 0;
  for (const sample of metrics.recent) if (sample.at > since) total += sample[what];
  const seconds = Math.max(1_000, Math.min(RATE_WINDOW_MS, now - metrics.startedAt)) / 1000;
  return total / seconds;
}
