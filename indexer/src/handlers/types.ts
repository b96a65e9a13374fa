/**
 * What handlers see and produce. Handlers are pure: from a decoded event and its block they
 * produce rows for domain tables and jobs to enqueue; they never call the RPC node and never talk
 * to the database (the writer does, in the same transaction as the checkpoint).
 */
import type { AbiEvent } from "viem";

import type { Hex } from "../rpc/client.js";

/** How a column's value travels: as text in a text[] parameter, converted by SQL on insert. */
export type ColumnKind = "bytes" | "numeric" | "bigint" | "bool" | "text" | "jsonb" | "timestamptz";

export interface Column {
  name: string;
  kind: ColumnKind;
}

export interface TableSpec {
  /** schema-qualified, e.g. "gov.department_admitted" */
  name: string;
  columns: Column[];
}

export type Row = Record<string, string | null>;

export interface DecodedEvent {
  contractName: string;
  eventName: string;
  abi: AbiEvent;
  args: Record<string, unknown>;
  address: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  blockTimestamp: bigint;
  transactionHash: Hex;
  transactionIndex: number;
  logIndex: number;
}

export interface Job {
  task: string;
  payload: Record<string, unknown>;
  /** Deduplicates the job across retries of the same block range. */
  jobKey: string;
}

export interface Output {
  insert(table: TableSpec, row: Row): void;
  enqueue(job: Job): void;
}

export interface Handler {
  /** Tables this handler writes (their columns are checked against the migrations by a test). */
  tables: TableSpec[];
  handle(event: DecodedEvent, out: Output): void;
}
