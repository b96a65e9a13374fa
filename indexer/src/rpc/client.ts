/**
 * JSON-RPC access to the chain: one validating wrapper per method, named after it. A wrapper
 * throws on an answer that is missing, malformed or about the wrong block instead of passing it
 * on, so nothing downstream ever writes what the node did not really say. Owns no state and
 * writes nothing.
 */
import { type Client, createClient, http, type Transport, webSocket } from "viem";

import { BlockNotFoundError, RangeTooLargeError, RetryableError } from "../errors.js";

export type Hex = `0x${string}`;

export interface RpcLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex: number;
  logIndex: number;
}

export interface RpcTransaction {
  hash: Hex;
  from: Hex;
  to: Hex | null;
  input: Hex;
  transactionIndex: number;
}

export interface RpcBlock {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  timestamp: bigint;
  /** What the block's transactions spent: how a range's logs are foreseen before asking for them. */
  gasUsed: bigint;
  transactionHashes: Hex[];
}

export interface RpcReceipt {
  transactionHash: Hex;
  status: "success" | "reverted";
  blockNumber: bigint;
  from: Hex;
  to: Hex | null;
  /** Besu with --revert-reason-enabled returns the revert data here. */
  revertReason?: Hex;
}

export interface Rpc {
  /** Batched JSON-RPC: headers, receipts and other small answers, many per HTTP request. */
  client: Client;
  /**
   * Unbatched, for eth_getLogs over a range: one large answer must not share an HTTP response
   * with others, and an answer over `logsResponseLimit` is refused (the range is then narrowed)
   * before it is read, so one dense range cannot blow up memory.
   */
  logsClient: Client;
  /** For eth_getLogs of a single block, which cannot be narrowed: no size limit of ours. */
  blockLogsClient: Client;
  url: string;
}

export function createRpc(
  url: string,
  options: { timeoutMs?: number; batchSize?: number; logsResponseLimit?: number } = {},
): Rpc {
  const timeout = options.timeoutMs ?? 15_000;
  const transport = (batch: boolean, maxResponseBodySize: number | false): Transport =>
    url.startsWith("ws")
      ? webSocket(url, { retryCount: 0, timeout })
      : http(url, {
          batch: batch ? { batchSize: options.batchSize ?? 200 } : false,
          retryCount: 0,
          timeout,
          maxResponseBodySize,
        });
  return {
    client: createClient({ transport: transport(true, false) }),
    // 16 MB: about three times the answer for the indexer's target of 5,000 events per range.
    logsClient: createClient({ transport: transport(false, options.logsResponseLimit ?? 16 * 1024 * 1024) }),
    blockLogsClient: createClient({ transport: transport(false, false) }),
    url,
  };
}

const HEX = /^0x[0-9a-fA-F]*$/;
const TOO_LARGE =
  /(too many|more than \d+ results|range (is )?too (large|wide)|exceed|limit|response size|block range|too large)/i;

function malformed(method: string, what: string): never {
  throw new RetryableError(`${method}: malformed answer (${what})`);
}

function hex(method: string, value: unknown, what: string, bytes?: number): Hex {
  if (typeof value !== "string" || !HEX.test(value)) malformed(method, `${what} is not hex`);
  if (bytes !== undefined && value.length !== 2 + bytes * 2) malformed(method, `${what} is not ${bytes} bytes`);
  return value.toLowerCase() as Hex;
}

function quantity(method: string, value: unknown, what: string): bigint {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]+$/.test(value)) malformed(method, `${what} is not a quantity`);
  return BigInt(value);
}

const toQuantity = (value: bigint): Hex => `0x${value.toString(16)}`;

/** Sends one request; turns transport and node failures into retryable errors. */
async function request<T>(rpc: Rpc, method: string, params: unknown[], client = rpc.client): Promise<T> {
  try {
    return (await client.request({ method: method as never, params: params as never })) as T;
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (method === "eth_getLogs" && TOO_LARGE.test(message)) {
      throw new RangeTooLargeError(`eth_getLogs: the node refused the range`, { cause: error });
    }
    if (method === "eth_call") throw error;
    throw new RetryableError(`${method} failed: ${firstLine(message)}`, { cause: error });
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0];
}

export async function eth_chainId(rpc: Rpc): Promise<number> {
  return Number(quantity("eth_chainId", await request(rpc, "eth_chainId", []), "chain id"));
}

export async function eth_blockNumber(rpc: Rpc): Promise<bigint> {
  return quantity("eth_blockNumber", await request(rpc, "eth_blockNumber", []), "block number");
}

export async function eth_getCode(rpc: Rpc, address: Hex): Promise<Hex> {
  return hex("eth_getCode", await request(rpc, "eth_getCode", [address, "latest"]), "code");
}

export async function eth_getLogs(
  rpc: Rpc,
  filter: { addresses: Hex[]; fromBlock: bigint; toBlock: bigint },
): Promise<RpcLog[]> {
  const method = "eth_getLogs";
  const answer = await request<unknown>(
    rpc,
    method,
    [{ address: filter.addresses, fromBlock: toQuantity(filter.fromBlock), toBlock: toQuantity(filter.toBlock) }],
    filter.fromBlock === filter.toBlock ? rpc.blockLogsClient : rpc.logsClient,
  );
  if (!Array.isArray(answer)) malformed(method, "not an array");
  const wanted = new Set(filter.addresses.map((address) => address.toLowerCase()));
  return answer.map((raw: Record<string, unknown>, i) => {
    if (raw === null || typeof raw !== "object") malformed(method, `log ${i} is not an object`);
    if (raw.removed === true) malformed(method, `log ${i} is marked removed`);
    const log: RpcLog = {
      address: hex(method, raw.address, "address", 20),
      topics: Array.isArray(raw.topics)
        ? raw.topics.map((topic) => hex(method, topic, "topic", 32))
        : malformed(method, "topics"),
      data: hex(method, raw.data, "data"),
      blockNumber: quantity(method, raw.blockNumber, "blockNumber"),
      blockHash: hex(method, raw.blockHash, "blockHash", 32),
      transactionHash: hex(method, raw.transactionHash, "transactionHash", 32),
      transactionIndex: Number(quantity(method, raw.transactionIndex, "transactionIndex")),
      logIndex: Number(quantity(method, raw.logIndex, "logIndex")),
    };
    if (log.blockNumber < filter.fromBlock || log.blockNumber > filter.toBlock)
      malformed(method, `log ${i} is outside the range`);
    if (!wanted.has(log.address)) malformed(method, `log ${i} is from an address not asked for`);
    return log;
  });
}

/** A block header with its transaction hashes (never the full transactions: they can be large). */
export async function eth_getBlockByNumber(rpc: Rpc, number: bigint): Promise<RpcBlock> {
  const method = "eth_getBlockByNumber";
  const raw = await request<Record<string, unknown> | null>(rpc, method, [toQuantity(number), false]);
  if (raw === null || typeof raw !== "object") throw new BlockNotFoundError(`${method}: block ${number} not found`);
  if (!Array.isArray(raw.transactions)) malformed(method, "transactions");
  const block: RpcBlock = {
    number: quantity(method, raw.number, "number"),
    hash: hex(method, raw.hash, "hash", 32),
    parentHash: hex(method, raw.parentHash, "parentHash", 32),
    timestamp: quantity(method, raw.timestamp, "timestamp"),
    gasUsed: quantity(method, raw.gasUsed, "gasUsed"),
    transactionHashes: raw.transactions.map((hash) => hex(method, hash, "transaction hash", 32)),
  };
  if (block.number !== number) malformed(method, `asked for block ${number}, got ${block.number}`);
  return block;
}

export async function eth_getTransactionByHash(rpc: Rpc, hash: Hex): Promise<RpcTransaction> {
  const method = "eth_getTransactionByHash";
  const raw = await request<Record<string, unknown> | null>(rpc, method, [hash]);
  if (raw === null || typeof raw !== "object") throw new RetryableError(`${method}: no transaction ${hash}`);
  const tx: RpcTransaction = {
    hash: hex(method, raw.hash, "hash", 32),
    from: hex(method, raw.from, "from", 20),
    to: raw.to === null || raw.to === undefined ? null : hex(method, raw.to, "to", 20),
    input: hex(method, raw.input, "input"),
    transactionIndex: Number(quantity(method, raw.transactionIndex, "transactionIndex")),
  };
  if (tx.hash !== hash.toLowerCase()) malformed(method, "another transaction");
  return tx;
}

export async function eth_getTransactionReceipt(rpc: Rpc, hash: Hex): Promise<RpcReceipt> {
  const method = "eth_getTransactionReceipt";
  const raw = await request<Record<string, unknown> | null>(rpc, method, [hash]);
  if (raw === null || typeof raw !== "object") throw new RetryableError(`${method}: no receipt for ${hash}`);
  const status = quantity(method, raw.status, "status");
  const receipt: RpcReceipt = {
    transactionHash: hex(method, raw.transactionHash, "transactionHash", 32),
    status: status === 1n ? "success" : "reverted",
    blockNumber: quantity(method, raw.blockNumber, "blockNumber"),
    from: hex(method, raw.from, "from", 20),
    to: raw.to === null || raw.to === undefined ? null : hex(method, raw.to, "to", 20),
  };
  if (receipt.transactionHash !== hash.toLowerCase()) malformed(method, "receipt of another transaction");
  if (typeof raw.revertReason === "string" && HEX.test(raw.revertReason))
    receipt.revertReason = raw.revertReason as Hex;
  return receipt;
}

/** A read-only call's return data at the latest block. */
export async function eth_call(rpc: Rpc, call: { to: Hex; data: Hex }): Promise<Hex> {
  try {
    return hex("eth_call", await request(rpc, "eth_call", [call, "latest"]), "return data");
  } catch (error) {
    if (error instanceof RetryableError) throw error;
    throw new RetryableError(`eth_call failed: ${firstLine((error as Error).message ?? String(error))}`, {
      cause: error,
    });
  }
}

/**
 * Replays a call at a block and returns its revert data ("0x" if it did not revert or the node
 * gave none). Used to decode why a failed transaction failed when the receipt does not say.
 */
export async function eth_call_revertData(
  rpc: Rpc,
  call: { from: Hex; to: Hex; input: Hex },
  blockNumber: bigint,
): Promise<Hex> {
  try {
    await request(rpc, "eth_call", [{ from: call.from, to: call.to, data: call.input }, toQuantity(blockNumber)]);
    return "0x";
  } catch (error) {
    for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
      const data = (cause as { data?: unknown }).data;
      if (typeof data === "string" && HEX.test(data)) return data as Hex;
      if (data && typeof data === "object" && typeof (data as { data?: unknown }).data === "string") {
        return (data as { data: Hex }).data;
      }
    }
    const message = (error as Error).message ?? "";
    if (/revert/i.test(message)) return "0x";
    throw new RetryableError(`eth_call failed: ${firstLine(message)}`, { cause: error });
  }
}
