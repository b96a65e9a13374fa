/** One page of a table (TABLES) under its filters, and its row count; the export runs the same SELECT. */
import type { Tx } from "../db.js";
import { type Filters, InputError, parseCursor, selectSql, type TableDef } from "./tables.js";

export interface Paging {
  page: number; // from 1 (offset paging)
  size: number;
  /** Keyset paging (tables with a keyset): rows after or before this row cursor. */
  after?: string;
  before?: string;
}

/**
 * A keyset table counts its rows up to here and then says "more than": 2,000,000 licence uses
 * take a second to count, a page of them a millisecond.
 */
export const COUNT_LIMIT = 10_000;

export interface TablePage {
  rows: Record<string, string>[];
  /** Rows under the filters; over COUNT_LIMIT for a keyset table means "more than COUNT_LIMIT". */
  total: number;
  paging: Paging;
  /** Keyset tables: the cursors of the neighbouring pages (absent at either end). */
  cursors?: { next?: string; previous?: string };
}

export function parsePaging(query: Record<string, string>, maxSize: number, defaultSize = 20): Paging {
  const page = query.page ?? "1";
  const size = query.size ?? String(defaultSize);
  if (!/^\d{1,9}$/.test(page) || Number(page) < 1) throw new InputError("page must be a whole number from 1");
  if (!/^\d{1,9}$/.test(size) || Number(size) < 1 || Number(size) > maxSize) {
    throw new InputError(`page size must be between 1 and ${maxSize}`);
  }
  if (query.after && query.before) throw new InputError("page after or before a row, not both");
  return { page: Number(page), size: Number(size), after: query.after || undefined, before: query.before || undefined };
}

/** `knownTotal`: the row count when the caller already has it (the page's headline counted it). */
export async function tablePage(
  tx: Tx,
  def: TableDef,
  filters: Filters,
  paging: Paging,
  timeZone: string,
  knownTotal?: number,
): Promise<TablePage> {
  const select = selectSql(def, filters, timeZone);
  const countLimit = def.keyset ? COUNT_LIMIT + 1 : undefined;
  const count = async () =>
    knownTotal ??
    ((await tx.unsafe(selectSql(def, filters, timeZone, { count: true, countLimit })))[0].total as number);
  if (def.keyset) return keysetPage(tx, def, filters, paging, timeZone, count);
  const offset = (paging.page - 1) * paging.size;
  const [rows, total] = await Promise.all([tx.unsafe(`${select}\nlimit ${paging.size} offset ${offset}`), count()]);
  return { rows: rows as unknown as Record<string, string>[], total, paging };
}

/**
 * A page after (or before) a row's cursor along the table's keyset: one more row than shown
 * tells whether a page follows in that direction.
 */
async function keysetPage(
  tx: Tx,
  def: TableDef,
  filters: Filters,
  paging: Paging,
  timeZone: string,
  count: () => Promise<number>,
): Promise<TablePage> {
  const after = paging.after ? parseCursor(def, paging.after) : undefined;
  const before = paging.before ? parseCursor(def, paging.before) : undefined;
  const select = selectSql(def, filters, timeZone, { keyset: { after, before } });
  const [found, total] = await Promise.all([tx.unsafe(`${select}\nlimit ${paging.size + 1}`), count()]);
  const more = found.length > paging.size;
  const rows = (found as unknown as Record<string, string>[]).slice(0, paging.size);
  if (before) rows.reverse();
  const first = rows[0]?.__cursor;
  const last = rows.at(-1)?.__cursor;
  const cursors = {
    // Walking back, the extra row says an earlier page exists; walking forward, that one does.
    previous: (before ? more : after !== undefined) ? first : undefined,
    next: (before ? true : more) ? last : undefined,
  };
  return { rows, total, paging, cursors };
}
