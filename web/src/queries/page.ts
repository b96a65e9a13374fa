/** One page of a table (TABLES) under its filters, and its row count; the export runs the same SELECT. */
import type { Tx } from "../db.js";
import { type Filters, InputError, selectSql, type TableDef } from "./tables.js";

export interface Paging {
  page: number; // from 1
  size: number;
}

export interface TablePage {
  rows: Record<string, string>[];
  total: number;
  paging: Paging;
}

export function parsePaging(query: Record<string, string>, maxSize: number, defaultSize = 20): Paging {
  const page = query.page ?? "1";
  const size = query.size ?? String(defaultSize);
  if (!/^\d{1,9}$/.test(page) || Number(page) < 1) throw new InputError("page must be a whole number from 1");
  if (!/^\d{1,9}$/.test(size) || Number(size) < 1 || Number(size) > maxSize) {
    throw new InputError(`page size must be between 1 and ${maxSize}`);
  }
  return { page: Number(page), size: Number(size) };
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
  const offset = (paging.page - 1) * paging.size;
  const [rows, [{ total }]] = await Promise.all([
    tx.unsafe(`${select}\nlimit ${paging.size} offset ${offset}`),
    knownTotal === undefined ? tx.unsafe(`select count(*)::int as total from (${select}) t`) : [{ total: knownTotal }],
  ]);
  return { rows: rows as unknown as Record<string, string>[], total, paging };
}
