/**
 * From fetched chain data to one write batch: decodes every log with the ABIs of the compiled
 * artifacts, runs the handlers, decodes failed transactions' calls and custom errors, and lays out
 * the raw-layer rows. Pure: no RPC, no database.
 */
import {
  type Abi,
  type AbiEvent,
  type AbiParameter,
  decodeErrorResult,
  decodeFunctionData,
  toEventSelector,
  toFunctionSelector,
  type AbiFunction,
} from "viem";

import { abis, type ContractName, enums } from "@govledger/contracts";
import { ConfigError } from "../errors.js";
import { handlerFor } from "../handlers/index.js";
import { toJson } from "../handlers/rows.js";
import type { DecodedEvent, Handler, Job, Row, TableSpec } from "../handlers/types.js";
import type { Hex } from "../rpc/client.js";
import type { Batch, Checkpoint } from "../db/store.js";
import { createEventDecoder, type EventDecoderFn } from "./decode.js";
import type { RangeData } from "./fetch.js";

export const RAW_BLOCKS: TableSpec = {
  name: "raw.blocks",
  columns: [
    { name: "block_number", kind: "bigint" },
    { name: "hash", kind: "bytes" },
    { name: "parent_hash", kind: "bytes" },
    { name: "block_time", kind: "timestamptz" },
    { name: "event_count", kind: "bigint" },
  ],
};

export const RAW_EVENTS: TableSpec = {
  name: "raw.events",
  columns: [
    { name: "block_number", kind: "bigint" },
    { name: "log_index", kind: "bigint" },
    { name: "tx_hash", kind: "bytes" },
    { name: "tx_index", kind: "bigint" },
    { name: "contract", kind: "bytes" },
    { name: "contract_name", kind: "text" },
    { name: "event_name", kind: "text" },
    { name: "args", kind: "jsonb" },
  ],
};

export const RAW_FAILED: TableSpec = {
  name: "raw.failed_transactions",
  columns: [
    { name: "block_number", kind: "bigint" },
    { name: "tx_index", kind: "bigint" },
    { name: "tx_hash", kind: "bytes" },
    { name: "block_time", kind: "timestamptz" },
    { name: "sender", kind: "bytes" },
    { name: "contract", kind: "bytes" },
    { name: "contract_name", kind: "text" },
    { name: "function_name", kind: "text" },
    { name: "error_name", kind: "text" },
    { name: "error_args", kind: "jsonb" },
    { name: "function_args", kind: "jsonb" },
    { name: "error_fields", kind: "jsonb" },
  ],
};

/**
 * Decoded values as readers want them: an object by parameter name (`arg0`… when unnamed),
 * structs as objects, enum values by name (`Reimbursed`, not 4), addresses and bytes as lowercase
 * hex, integers as decimal strings (they do not fit JSON numbers).
 */
export function namedValues(parameters: readonly AbiParameter[], values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(
    parameters.map((parameter, i) => [parameter.name || `arg${i}`, readable(parameter, values[i])]),
  );
}

function readable(parameter: AbiParameter, value: unknown): unknown {
  const array = /^(.*)\[\d*\]$/.exec(parameter.type);
  if (array && Array.isArray(value)) {
    const element = { ...parameter, type: array[1], internalType: parameter.internalType?.replace(/\[\d*\]$/, "") };
    return value.map((item) => readable(element as AbiParameter, item));
  }
  if (parameter.type === "tuple" && "components" in parameter) {
    const components = parameter.components;
    const values = Array.isArray(value) ? value : components.map((c) => (value as Record<string, unknown>)[c.name!]);
    return namedValues(components, values);
  }
  const enumName = parameter.internalType?.startsWith("enum ") ? parameter.internalType.split(".").pop() : undefined;
  const members = enumName === undefined ? undefined : (enums as Readonly<Record<string, readonly string[]>>)[enumName];
  if (members !== undefined) return members[Number(value)] ?? String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" && value.startsWith("0x")) return value.toLowerCase();
  return value;
}

export interface DeployedContract {
  contractName: ContractName;
  address: Hex;
}

/** Decoding tables for a deployment, built once. */
export interface Decoder {
  contracts: Map<
    Hex,
    {
      contractName: ContractName;
      abi: Abi;
      events: Map<Hex, { abi: AbiEvent; decode: EventDecoderFn; handler: Handler | undefined }>;
      /** By selector: a failed call's arguments are written by parameter name. */
      functions: Map<string, AbiFunction>;
    }
  >;
  /** Every custom error of every contract: a revert may bubble up from a contract called on. */
  errors: Abi;
}

export function createDecoder(contracts: DeployedContract[]): Decoder {
  const decoder: Decoder = { contracts: new Map(), errors: [] };
  const seenErrors = new Set<string>();
  for (const { contractName, address } of contracts) {
    const abi = abis[contractName] as unknown as Abi;
    if (abi === undefined)
      throw new ConfigError(
        `no ABI for contract ${contractName}: compile the contracts (npx hardhat compile) to regenerate the ABIs`,
      );
    const events = new Map<Hex, { abi: AbiEvent; decode: EventDecoderFn; handler: Handler | undefined }>();
    const functions = new Map<string, AbiFunction>();
    for (const item of abi) {
      if (item.type === "function") functions.set(toFunctionSelector(item), item);
      if (item.type === "event") {
        const handler = handlerFor(contractName, item.name);
        events.set(toEventSelector(item), { abi: item, decode: createEventDecoder(item), handler });
      }
      if (item.type === "error" && !seenErrors.has(item.name)) {
        seenErrors.add(item.name);
        decoder.errors = [...decoder.errors, item];
      }
    }
    decoder.contracts.set(address.toLowerCase() as Hex, { contractName, abi, events, functions });
  }
  return decoder;
}

const strip = (hex: string) => hex.slice(2);

export function buildBatch(decoder: Decoder, data: RangeData, previous: Checkpoint | null): Batch {
  const tables = new Map<TableSpec, Row[]>();
  const jobs: Job[] = [];
  const rowsOf = (table: TableSpec) => {
    let rows = tables.get(table);
    if (rows === undefined) tables.set(table, (rows = []));
    return rows;
  };
  const out = {
    insert: (table: TableSpec, row: Row) => rowsOf(table).push(row),
    enqueue: (job: Job) => jobs.push(job),
  };
  const blockRows = rowsOf(RAW_BLOCKS);
  const eventRows = rowsOf(RAW_EVENTS);
  const timestamps = new Map(data.blocks.map((block) => [block.number, block.timestamp]));
  const counts = new Map<bigint, number>();

  for (const log of data.logs) {
    const contract = decoder.contracts.get(log.address)!;
    const known = log.topics[0] === undefined ? undefined : contract.events.get(log.topics[0]);
    if (known === undefined) {
      throw new ConfigError(
        `unknown event ${log.topics[0]} from ${contract.contractName}: ABIs out of date (compile the contracts: npx hardhat compile)`,
      );
    }
    const abi = known.abi;
    const args = known.decode(log.topics, log.data);
    const event: DecodedEvent = {
      contractName: contract.contractName,
      eventName: abi.name,
      abi,
      args,
      address: log.address,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      blockTimestamp: timestamps.get(log.blockNumber)!,
      transactionHash: log.transactionHash,
      transactionIndex: log.transactionIndex,
      logIndex: log.logIndex,
    };
    eventRows.push({
      block_number: log.blockNumber.toString(),
      log_index: String(log.logIndex),
      tx_hash: strip(log.transactionHash),
      tx_index: String(log.transactionIndex),
      contract: strip(log.address),
      contract_name: contract.contractName,
      event_name: abi.name,
      args: toJson(event.args),
    });
    if (known.handler === undefined) throw new ConfigError(`no handler for ${contract.contractName}.${abi.name}`);
    known.handler.handle(event, out);
    counts.set(log.blockNumber, (counts.get(log.blockNumber) ?? 0) + 1);
  }

  for (const block of data.blocks) {
    blockRows.push({
      block_number: block.number.toString(),
      hash: strip(block.hash),
      parent_hash: strip(block.parentHash),
      block_time: block.timestamp.toString(),
      event_count: String(counts.get(block.number) ?? 0),
    });
  }

  for (const { block, transaction, revertData } of data.failed) {
    const contract = decoder.contracts.get(transaction.to!)!;
    let functionName: string | null = null;
    let errorName: string | null = null;
    let errorArgs: unknown = null;
    let functionArgs: unknown = null;
    let errorFields: unknown = null;
    try {
      const call = decodeFunctionData({ abi: contract.abi, data: transaction.input });
      functionName = call.functionName;
      const item = contract.functions.get(transaction.input.slice(0, 10).toLowerCase());
      if (item !== undefined) functionArgs = namedValues(item.inputs, call.args ?? []);
    } catch {
      // not a call of the ABI (a plain transfer, a wrong selector): recorded without a name
    }
    if (revertData !== "0x") {
      try {
        const decoded = decodeErrorResult({ abi: decoder.errors, data: revertData });
        errorName = decoded.errorName;
        errorArgs = decoded.args ?? [];
        errorFields = namedValues(
          (decoded.abiItem as { inputs?: readonly AbiParameter[] }).inputs ?? [],
          decoded.args ?? [],
        );
      } catch {
        errorName = "(undecoded)";
        errorArgs = { data: revertData };
      }
    }
    rowsOf(RAW_FAILED).push({
      block_number: block.number.toString(),
      tx_index: String(transaction.transactionIndex),
      tx_hash: strip(transaction.hash),
      block_time: block.timestamp.toString(),
      sender: strip(transaction.from),
      contract: strip(transaction.to!),
      contract_name: contract.contractName,
      function_name: functionName,
      error_name: errorName,
      error_args: errorArgs === null ? null : toJson(errorArgs),
      function_args: functionArgs === null ? null : toJson(functionArgs),
      error_fields: errorFields === null ? null : toJson(errorFields),
    });
  }

  const last = data.blocks[data.blocks.length - 1];
  return { previous, next: { blockNumber: last.number, blockHash: strip(last.hash) }, tables, jobs };
}
