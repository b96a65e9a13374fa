/**
 * The generic handler: an event becomes one row of a table whose columns are the event's
 * parameters (snake_case) plus provenance. Column kinds follow the ABI types: addresses, bytes
 * and hashes as bytea, integers wider than 63 bits as numeric(78,0), smaller ones as bigint,
 * arrays and tuples as jsonb.
 */
import type { AbiEvent, AbiParameter } from "viem";

import type { Column, ColumnKind, DecodedEvent, Handler, Job, Row, TableSpec } from "./types.js";

/** Provenance every domain row carries: where on chain it came from. */
export const PROVENANCE: Column[] = [
  { name: "block_number", kind: "bigint" },
  { name: "log_index", kind: "bigint" },
  { name: "tx_hash", kind: "bytes" },
  { name: "block_time", kind: "timestamptz" },
  { name: "contract", kind: "bytes" },
];

export function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

export function columnKind(type: string): ColumnKind {
  if (type.endsWith("]") || type.startsWith("tuple")) return "jsonb";
  if (type === "address" || type.startsWith("bytes")) return "bytes";
  if (type === "bool") return "bool";
  if (type === "string") return "text";
  const match = /^u?int(\d*)$/.exec(type);
  if (match) {
    const bits = Number(match[1] || 256);
    return type.startsWith("u") ? (bits < 64 ? "bigint" : "numeric") : bits <= 64 ? "bigint" : "numeric";
  }
  throw new Error(`no column kind for ABI type ${type}`);
}

/**
 * JSON for jsonb columns and raw event arguments: bigints as decimal strings. The value is copied
 * with its bigints as strings and given to JSON.stringify without a replacer: a replacer function
 * is called for every key (a raw event row each, the bulk of a backfill's CPU in JavaScript), and
 * JSON built by concatenation would stay in memory as string pieces until written.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(jsonValue(value));
}

/** Decoded ABI values (strings, numbers, booleans, bigints, arrays, plain objects), bigints as text. */
function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(jsonValue);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = jsonValue((value as Record<string, unknown>)[key]);
  return copy;
}

export function toColumnValue(kind: ColumnKind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "bytes":
      return (value as string).slice(2).toLowerCase();
    case "jsonb":
      return toJson(value);
    case "bool":
      return value ? "true" : "false";
    default:
      return String(value);
  }
}

function parameterColumns(inputs: readonly AbiParameter[]): Column[] {
  return inputs.map((input) => ({ name: snake(input.name!), kind: columnKind(input.type) }));
}

/** The table an event maps to, from its ABI item. */
export function eventTable(name: string, abi: AbiEvent): TableSpec {
  return { name, columns: [...parameterColumns(abi.inputs), ...PROVENANCE] };
}

export function provenance(event: DecodedEvent): Row {
  return {
    block_number: event.blockNumber.toString(),
    log_index: String(event.logIndex),
    tx_hash: event.transactionHash.slice(2),
    block_time: event.blockTimestamp.toString(),
    contract: event.address.slice(2),
  };
}

/** A handler writing the event as one row of `table`. */
export function rowHandler(table: string, abi: AbiEvent): Handler {
  const spec = eventTable(table, abi);
  const inputs = abi.inputs.map((input) => ({
    key: input.name!,
    column: snake(input.name!),
    kind: columnKind(input.type),
  }));
  return {
    tables: [spec],
    handle(event, out) {
      const row: Row = provenance(event);
      for (const input of inputs) row[input.column] = toColumnValue(input.kind, event.args[input.key]);
      out.insert(spec, row);
    },
  };
}

/** A handler writing the event as one row of `table` and queueing the job `job` makes of it. */
export function rowHandlerWithJob(table: string, abi: AbiEvent, job: (event: DecodedEvent) => Job): Handler {
  const mirror = rowHandler(table, abi);
  return {
    tables: mirror.tables,
    handle(event, out) {
      mirror.handle(event, out);
      out.enqueue(job(event));
    },
  };
}
