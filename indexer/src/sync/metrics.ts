/** Progress and health figures the sync loop updates and the HTTP endpoint and progress bar read. */
export interface Metrics {
  startedAt: number;
  startBlock: bigint;
  head: bigint;
  indexed: bigint;
  events: number;
  blocks: number;
  failedTransactions: number;
  reorgs: number;
  rowsRolledBack: number;
  retries: number;
  /** Ranges narrowed because the node refused them or the answer was over the size limit. */
  rangesNarrowed: number;
  lastWriteAt: number;
  /** Events per second over the last few batches (exponentially weighted). */
  eventsPerSecond: number;
  blocksPerSecond: number;
}

export function createMetrics(startBlock: bigint): Metrics {
  return {
    startedAt: Date.now(),
    startBlock,
    head: 0n,
    indexed: startBlock - 1n,
    events: 0,
    blocks: 0,
    failedTransactions: 0,
    reorgs: 0,
    rowsRolledBack: 0,
    retries: 0,
    rangesNarrowed: 0,
    lastWriteAt: 0,
    eventsPerSecond: 0,
    blocksPerSecond: 0,
  };
}

export function recordBatch(metrics: Metrics, blocks: number, events: number, failed: number, seconds: number): void {
  const weight = 0.3;
  const rate = (value: number) => (seconds > 0 ? value / seconds : 0);
  metrics.eventsPerSecond =
    metrics.lastWriteAt === 0 ? rate(events) : (1 - weight) * metrics.eventsPerSecond + weight * rate(events);
  metrics.blocksPerSecond =
    metrics.lastWriteAt === 0 ? rate(blocks) : (1 - weight) * metrics.blocksPerSecond + weight * rate(blocks);
  metrics.blocks += blocks;
  metrics.events += events;
  metrics.failedTransactions += failed;
  metrics.lastWriteAt = Date.now();
}
