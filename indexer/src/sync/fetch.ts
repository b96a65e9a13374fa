/**
 * Fetching a block range from the chain: every block header, the deployment's logs (of the
 * headers' first blocks whose gas fits the caller's budget; the range narrowed to its first half,
 * quarter... when the node refuses it or the answer is too large), and the receipts of
 * transactions that left none of our logs (to find the failed ones). Checks that logs and blocks
 * describe the same chain; never writes.
 */
import {
  eth_call_revertData,
  eth_getBlockByNumber,
  eth_getLogs,
  eth_getTransactionByHash,
  eth_getTransactionReceipt,
  type Hex,
  type Rpc,
  type RpcBlock,
  type RpcLog,
  type RpcTransaction,
} from "../rpc/client.js";
import { RangeTooLargeError, RetryableError } from "../errors.js";

export interface FailedTransaction {
  block: RpcBlock;
  transaction: RpcTransaction;
  revertData: Hex;
}

export interface RangeData {
  from: bigint;
  /**
   * The last block covered: `to` as asked, or less when the blocks' gas is over the budget or the
   * node refused so wide a range.
   */
  to: bigint;
  blocks: RpcBlock[];
  logs: RpcLog[];
  failed: FailedTransaction[];
  /** The node refused a range this wide at least once: the caller should narrow its ranges. */
  split: boolean;
}

/** Requests per JSON-RPC batch: headers are small, receipts few. */
const BLOCK_CONCURRENCY = 200;

/**
 * The logs of [from, to], or of a prefix of it: when the node refuses the range (or its answer
 * is over our size limit), the left half is tried, and so on. Returns the last block covered;
 * the caller narrows its next ranges (`split`).
 */
async function fetchLogs(
  rpc: Rpc,
  addresses: Hex[],
  from: bigint,
  to: bigint,
  state: { split: boolean },
): Promise<{ logs: RpcLog[]; to: bigint }> {
  try {
    return { logs: await eth_getLogs(rpc, { addresses, fromBlock: from, toBlock: to }), to };
  } catch (error) {
    if (!(error instanceof RangeTooLargeError) || from === to) throw error;
    state.split = true;
    return fetchLogs(rpc, addresses, from, from + (to - from) / 2n, state);
  }
}

async function fetchBlocks(rpc: Rpc, from: bigint, to: bigint): Promise<RpcBlock[]> {
  const blocks: RpcBlock[] = [];
  for (let start = from; start <= to; start += BigInt(BLOCK_CONCURRENCY)) {
    const end = start + BigInt(BLOCK_CONCURRENCY) - 1n < to ? start + BigInt(BLOCK_CONCURRENCY) - 1n : to;
    const numbers: bigint[] = [];
    for (let n = start; n <= end; n++) numbers.push(n);
    blocks.push(...(await Promise.all(numbers.map((n) => eth_getBlockByNumber(rpc, n)))));
  }
  return blocks;
}

/**
 * `gasBudget`: the range ends at the last block whose gas, added up from `from`, is within it (the
 * first block always), so a range reaching from sparse blocks into dense ones does not ask the
 * node for an answer it has to build whole and the indexer then refuses. The headers come first
 * then, and the logs after them. Without a budget both are asked at once.
 */
export async function fetchRange(
  rpc: Rpc,
  addresses: Hex[],
  from: bigint,
  to: bigint,
  gasBudget?: bigint,
): Promise<RangeData> {
  const state = { split: false };
  let fetched: RpcBlock[];
  let logs: RpcLog[];
  let end: bigint;
  if (gasBudget === undefined) {
    [{ logs, to: end }, fetched] = await Promise.all([
      fetchLogs(rpc, addresses, from, to, state),
      fetchBlocks(rpc, from, to),
    ]);
  } else {
    fetched = await fetchBlocks(rpc, from, to);
    let last = 0;
    let gas = fetched[0].gasUsed;
    while (last + 1 < fetched.length && gas + fetched[last + 1].gasUsed <= gasBudget) gas += fetched[++last].gasUsed;
    ({ logs, to: end } = await fetchLogs(rpc, addresses, from, fetched[last].number, state));
  }
  const blocks = end === to ? fetched : fetched.filter((block) => block.number <= end);

  for (let i = 1; i < blocks.length; i++) {
    if (blocks[i].parentHash !== blocks[i - 1].hash) {
      throw new RetryableError(
        `blocks ${blocks[i - 1].number}-${blocks[i].number} do not chain: the chain moved under the fetch`,
      );
    }
  }
  const hashes = new Map(blocks.map((block) => [block.number, block.hash]));
  const withLogs = new Set<string>();
  for (const log of logs) {
    if (hashes.get(log.blockNumber) !== log.blockHash) {
      throw new RetryableError(
        `a log of block ${log.blockNumber} is from another fork: the chain moved under the fetch`,
      );
    }
    withLogs.add(log.transactionHash);
  }

  // A transaction that emitted none of our logs may be a failed one to our contracts (every state
  // change of ours emits an event, so successful calls almost always have logs): its receipt
  // says where it went and whether it reverted; only then is the transaction itself fetched.
  const ours = new Set(addresses.map((address) => address.toLowerCase()));
  const candidates = blocks.flatMap((block) =>
    block.transactionHashes.filter((hash) => !withLogs.has(hash)).map((hash) => ({ block, hash })),
  );
  const receipts: Awaited<ReturnType<typeof eth_getTransactionReceipt>>[] = [];
  for (let i = 0; i < candidates.length; i += BLOCK_CONCURRENCY) {
    const chunk = candidates.slice(i, i + BLOCK_CONCURRENCY);
    receipts.push(...(await Promise.all(chunk.map(({ hash }) => eth_getTransactionReceipt(rpc, hash)))));
  }
  const failed: FailedTransaction[] = [];
  for (const [i, receipt] of receipts.entries()) {
    if (receipt.status !== "reverted" || receipt.to === null || !ours.has(receipt.to)) continue;
    const { block, hash } = candidates[i];
    const transaction = await eth_getTransactionByHash(rpc, hash);
    // Besu can put the revert data in the receipt; otherwise replay the call on the parent state.
    const revertData =
      receipt.revertReason ??
      (await eth_call_revertData(
        rpc,
        { from: transaction.from, to: transaction.to!, input: transaction.input },
        block.number - 1n,
      ));
    failed.push({ block, transaction, revertData });
  }
  return { from, to: end, blocks, logs, failed, split: state.split };
}
