/**
 * Everything the indexer writes goes through here, one transaction per batch of blocks: blocks,
 * raw events, domain rows, failed transactions, jobs, and the checkpoint. The checkpoint moves
 * only if it still is where this batch started (optimistic concurrency), so two indexer
 * processes can never both write the same blocks, and a crash leaves either the whole batch or
 * none of it. Rows go in with COPY (one stream per table), no per-row round trips. The read
 * model's state tables follow the event rows in the same transaction (one SQL call per batch:
 * indexer.refresh_read_models, migrations/0010_read_model.sql), so they never disagree with them.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import type { Sql, TransactionSql } from "postgres";

import { BaseError } from "../errors.js";
import type { ColumnKind, Job, Row, TableSpec } from "../handlers/types.js";
import type { Transact } from "./client.js";

export interface Checkpoint {
  blockNumber: bigint;
  blockHash: string; // hex without 0x
}

export interface Batch {
  /** Where the checkpoint must be for this batch to apply (null: nothing indexed yet). */
  previous: Checkpoint | null;
  next: Checkpoint;
  tables: Map<TableSpec, Row[]>;
  jobs: Job[];
}

/** Another writer moved the checkpoint: this process must reload it and carry on from there. */
export class CheckpointMovedError extends BaseError {
  override name = "CheckpointMovedError";
}

/** COPY's text-format escapes: backslash, newline, carriage return, tab. */
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * One value in COPY's text format. Values arrive as text (see handlers/rows.ts): hex without 0x
 * for bytes, decimal strings for numbers, seconds for times, JSON for jsonb.
 */
function copyValue(kind: ColumnKind, value: string | null): string {
  if (value === null) return "\\N";
  switch (kind) {
    case "bytes":
      return `\\\\x${value}`;
    case "timestamptz":
      return timestamp(value);
    case "bool":
      return value === "true" ? "t" : "f";
    case "text":
    case "jsonb":
      return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]) : value;
    default:
      return value;
  }
}

// The rows of a block share its time: the last conversion is kept.
let lastSeconds = "";
let lastTimestamp = "";
function timestamp(seconds: string): string {
  if (seconds !== lastSeconds) {
    lastTimestamp = new Date(Number(seconds) * 1000).toISOString();
    lastSeconds = seconds;
  }
  return lastTimestamp;
}

/**
 * Bulk insert with COPY FROM STDIN: the fastest way into PostgreSQL, and nothing of the batch is
 * kept once the stream is written (bound parameters of a large INSERT would be).
 */
async function insertRows(tx: TransactionSql, table: TableSpec, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const names = table.columns.map((column) => `"${column.name}"`).join(", ");
  const stream = await tx.unsafe(`copy ${table.name} (${names}) from stdin`).writable();
  const CHUNK = 2_000;
  const columns = table.columns;
  function* text() {
    for (let start = 0; start < rows.length; start += CHUNK) {
      let chunk = "";
      const end = Math.min(rows.length, start + CHUNK);
      for (let r = start; r < end; r++) {
        const row = rows[r];
        for (let c = 0; c < columns.length; c++) {
          const column = columns[c];
          chunk += (c === 0 ? "" : "\t") + copyValue(column.kind, row[column.name] ?? null);
        }
        chunk += "\n";
      }
      yield chunk;
    }
  }
  // pipeline: backpressure, and a rejection (not a wait for 'drain' forever) if the connection dies.
  await pipeline(Readable.from(text(), { objectMode: false }), stream);
}

export async function readCheckpoint(sql: Sql): Promise<Checkpoint | null> {
  const [row] = await sql`select block_number, encode(block_hash, 'hex') as block_hash from indexer.checkpoint`;
  return row ? { blockNumber: BigInt(row.block_number), blockHash: row.block_hash } : null;
}

function sameCheckpoint(a: Checkpoint | null, b: Checkpoint | null): boolean {
  return a === b || (a !== null && b !== null && a.blockNumber === b.blockNumber && a.blockHash === b.blockHash);
}

async function moveCheckpoint(tx: TransactionSql, previous: Checkpoint | null, next: Checkpoint): Promise<void> {
  const [row] =
    await tx`select block_number, encode(block_hash, 'hex') as block_hash from indexer.checkpoint for update`;
  const current = row ? { blockNumber: BigInt(row.block_number), blockHash: row.block_hash as string } : null;
  if (!sameCheckpoint(current, previous)) {
    throw new CheckpointMovedError(
      `checkpoint moved to ${current?.blockNumber ?? "nothing"} while this process expected ${previous?.blockNumber ?? "nothing"}`,
    );
  }
  await tx`
    insert into indexer.checkpoint (block_number, block_hash)
    values (${next.blockNumber.toString()}, decode(${next.blockHash}, 'hex'))
    on conflict (singleton) do update
      set block_number = excluded.block_number, block_hash = excluded.block_hash, updated_at = now()`;
}

export async function writeBatch(transact: Transact, batch: Batch): Promise<void> {
  await transact(async (tx) => {
    await moveCheckpoint(tx, batch.previous, batch.next);
    for (const [table, rows] of batch.tables) await insertRows(tx, table, rows);
    const from = batch.previous === null ? 0n : batch.previous.blockNumber + 1n;
    await tx`select indexer.refresh_read_models(${from.toString()}, ${batch.next.blockNumber.toString()})`;
    for (const job of batch.jobs) {
      await tx`select graphile_worker.add_job(${job.task}::text, ${tx.json(job.payload as never)}::json, job_key => ${job.jobKey}::text)`;
    }
    // Delivered at commit, so listeners (the dashboards' live updates) never see a batch early.
    await tx`select pg_notify('govledger_blocks', ${`${batch.next.blockNumber}:${batch.next.blockHash}`})`;
  });
}

const MAX_BLOCK = "9223372036854775807";

/**
 * Derives every state table again from all event rows (after a read model's migration changed
 * its derivation, or to check the incremental path: the tests compare the two). Holds the
 * checkpoint's lock, so no batch is written meanwhile.
 */
export async function rebuildReadModels(transact: Transact): Promise<void> {
  await transact(async (tx) => {
    await tx`select 1 from indexer.checkpoint for update`;
    await tx`select indexer.rebuild_read_models()`;
  });
}

/**
 * Tables holding chain data: every table with a block_number column outside schema indexer. The
 * read model's state tables have none (they are recomputed, not cut).
 */
async function chainTables(tx: TransactionSql): Promise<string[]> {
  const rows = await tx`
    select c.table_schema, c.table_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.column_name = 'block_number' and t.table_type = 'BASE TABLE'
      and c.table_schema not in ('indexer', 'information_schema', 'pg_catalog', 'graphile_worker')`;
  return rows.map((row) => `"${row.table_schema}"."${row.table_name}"`);
}

/**
 * Removes everything above `fork` (a block both the database and the chain agree on; null: the
 * chain changed below everything indexed) and moves the checkpoint back to it, in one
 * transaction; every state-table entity those rows touched is then recomputed from the rows that
 * remain. Returns how many event rows were removed.
 */
export async function rollbackTo(
  transact: Transact,
  previous: Checkpoint | null,
  fork: Checkpoint | null,
): Promise<number> {
  let removed = 0;
  await transact(async (tx) => {
    const [row] =
      await tx`select block_number, encode(block_hash, 'hex') as block_hash from indexer.checkpoint for update`;
    const current = row ? { blockNumber: BigInt(row.block_number), blockHash: row.block_hash as string } : null;
    if (!sameCheckpoint(current, previous)) throw new CheckpointMovedError("checkpoint moved during a rollback");
    const above = fork === null ? "-1" : fork.blockNumber.toString();
    await tx`select indexer.mark_read_models(${above}::bigint + 1, ${MAX_BLOCK})`;
    for (const table of await chainTables(tx)) {
      const result = await tx.unsafe(`delete from ${table} where block_number > $1`, [above]);
      removed += result.count;
    }
    await tx`select indexer.refresh_marked_read_models(${above}::bigint + 1, ${MAX_BLOCK})`;
    if (fork === null) await tx`delete from indexer.checkpoint`;
    else {
      await tx`update indexer.checkpoint set block_number = ${fork.blockNumber.toString()},
        block_hash = decode(${fork.blockHash}, 'hex'), updated_at = now()`;
    }
  });
  return removed;
}

/** The stored hash of block `number` (hex without 0x), if the database has it. */
export async function storedBlockHash(sql: Sql, number: bigint): Promise<string | null> {
  const [row] = await sql`select encode(hash, 'hex') as hash from raw.blocks where block_number = ${number.toString()}`;
  return row ? row.hash : null;
}
