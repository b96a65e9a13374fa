/**
 * The read side's secondary indexes a first backfill goes without (0099): dropped before it,
 * built once at the head (as Ponder creates its indexes after the historical sync). Owns the
 * statements on indexer.deferred_index and the builds; when to call them is the sync loop's.
 * Never touches event or state rows.
 */
import type { Sql } from "postgres";

import type { Transact } from "./client.js";

/**
 * Drops the deferred indexes (and what a crashed build left of them); returns how many are absent.
 * `live` false: only the leftovers of a stopped backfill or build (see 0099).
 */
export async function deferIndexes(transact: Transact, live: boolean): Promise<number> {
  return transact(async (tx) => {
    const [row] = await tx`select indexer.defer_indexes(${live}) as absent`;
    return Number(row.absent);
  });
}

/** How many deferred indexes are absent (a backfill was under way when the process stopped). */
export async function absentIndexes(sql: Sql): Promise<number> {
  const [row] = await sql`select count(*)::int as n from indexer.deferred_index where dropped_at is not null`;
  return row.n;
}

/**
 * Builds every absent deferred index with CREATE INDEX CONCURRENTLY, one after the other, so the
 * writer keeps writing (realtime goes on) and readers keep reading. An index left invalid by an
 * interrupted build is dropped first. Each one's mark is cleared once it is valid: a crash
 * between leaves a valid index marked absent, which the next start drops and builds again.
 * Aborting cancels the running statement (its index is left invalid, for the next start).
 */
export async function buildDeferredIndexes(
  sql: Sql,
  signal: AbortSignal,
  onBuilt: (name: string, ms: number) => void = () => {},
): Promise<number> {
  const rows = await sql`select name, definition,
      case when clustered then format('alter table %s cluster on %I', table_name, (parse_ident(name))[2]) end as cluster
    from indexer.deferred_index where dropped_at is not null order by name`;
  let built = 0;
  for (const row of rows) {
    if (signal.aborted) break;
    const started = performance.now();
    const [existing] = await sql`select i.indisvalid as valid from pg_index i
      where i.indexrelid = to_regclass(${row.name as string})`;
    if (existing !== undefined && !existing.valid)
      await cancellable(sql.unsafe(`drop index concurrently ${row.name}`), signal);
    if (existing === undefined || !existing.valid) {
      const concurrently = (row.definition as string).replace(
        /^CREATE (UNIQUE )?INDEX /,
        "CREATE $1INDEX CONCURRENTLY ",
      );
      if (concurrently === row.definition) throw new Error(`not an index definition: ${row.definition}`);
      await cancellable(sql.unsafe(concurrently), signal);
    }
    if (signal.aborted) break;
    await sql.begin(async (tx) => {
      if (row.cluster !== null) await tx.unsafe(row.cluster as string);
      await tx`update indexer.deferred_index set dropped_at = null where name = ${row.name as string}`;
    });
    built++;
    onBuilt(row.name, performance.now() - started);
  }
  return built;
}

/** Runs a statement, cancelling it in the server if `signal` aborts meanwhile. */
async function cancellable<T>(query: PromiseLike<T> & { cancel(): void }, signal: AbortSignal): Promise<T | undefined> {
  const cancel = () => query.cancel();
  signal.addEventListener("abort", cancel, { once: true });
  try {
    return await query;
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}
