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
 * JSON for jsonb columns and raw event arguments: bigints as decimal strings, otherwise what
 * JSON.stringify writes. Decoded ABI values only (strings, numbers, booleans, bigints, arrays and
 * plain objects): written directly, as JSON.stringify with a replacer function calls it for
 * every key (a raw event row each, the bulk of a backfill's CPU in JavaScript).
 */
export function toJson(value: unknown): string {
  switch (typeof value) {
    case "bigint":
      return `"${value}"`;
    case "string":
      return JSON.stringify(value);
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          out += (i === 0 ? "" : ",") + (item === undefined || typeof item === "function" ? "null" : toJson(item));
        }
        return out + "]";
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) break;
      let out = "{";
      let first = true;
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        out += (first ? "" : ",") + JSON.stringify(key) + ":" + toJson(item);
        first = false;
      }
      return out + "}";
    }
  }
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));
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
