/**
 * One page of a table (TABLES) under its filters, and its row count; the export runs the same
 * SELECT. A table with a keyset (the invoices) pages by cursor: `after` (older rows) or `before`
 * (newer rows) holds the key of the row the page continues from, and the page reads its rows
 * along the index of its order, however deep it is. Other tables page by number.
 */
import type { Tx } from "../db.js";
import { type Filters, InputError, literal, selectSql, type TableDef } from "./tables.js";

export interface Paging {
  page: number; // from 1
  size: number;
  /** Keyset tables: the cursor of the row this page follows (after) or precedes (before). */
  after?: string;
  before?: string;
}

export interface TablePage {
  rows: Record<string, string>[];
  /** The rows under the filters; counted up to COUNT_CAP only (then `more` is set). */
  total: number;
  more?: boolean;
  paging: Paging;
  /** Keyset tables: cursors of the neighbouring pages (absent where there is none). */
  cursor?: { next?: string; previous?: string };
}

/**
 * Counting every row a department reads of a report costs a pass over all of them (hundreds of
 * thousands of issuer days); a pager needs to know there are more than a few hundred pages only.
 */
export const COUNT_CAP = 2_000;

const CURSOR = /^[0-9a-f]{1,64}(\.[0-9a-f]{1,64}){0,3}$/;

export function parsePaging(query: Record<string, string>, maxSize: number, defaultSize = 20): Paging {
  const page = query.page ?? "1";
  const size = query.size ?? String(defaultSize);
  if (!/^\d{1,9}$/.test(page) || Number(page) < 1) throw new InputError("page must be a whole number from 1");
  if (!/^\d{1,9}$/.test(size) || Number(size) < 1 || Number(size) > maxSize) {
    throw new InputError(`page size must be between 1 and ${maxSize}`);
  }
  const paging: Paging = { page: Number(page), size: Number(size) };
  for (const key of ["after", "before"] as const) {
    const value = query[key];
    if (value === undefined || value === "") continue;
    if (!CURSOR.test(value)) throw new InputError(`${key} must be a row cursor from the links of this table`);
    paging[key] = value;
  }
  if (paging.after && paging.before) throw new InputError("give after or before, not both");
  return paging;
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
  // Unordered: a count needs no sort (of every row, before its limit).
  const count = () =>
    knownTotal === undefined
      ? tx.unsafe(
          `select count(*)::int as total from (${selectSql(def, filters, timeZone, { orderBy: null })}\nlimit ${COUNT_CAP + 1}) t`,
        )
      : [{ total: knownTotal }];
  if (def.keyset) return keysetPage(tx, def, filters, paging, timeZone, count);
  if (paging.after || paging.before) throw new InputError(`the ${def.id} table pages by page number`);
  const select = selectSql(def, filters, timeZone);
  const offset = (paging.page - 1) * paging.size;
  const [rows, [{ total }]] = (await Promise.all([
    tx.unsafe(`${select}\nlimit ${paging.size} offset ${offset}`),
    count(),
  ])) as [Record<string, string>[], { total: number }[]];
  return { rows, ...capped(total), paging };
}

async function keysetPage(
  tx: Tx,
  def: TableDef,
  filters: Filters,
  paging: Paging,
  timeZone: string,
  count: () => unknown,
): Promise<TablePage> {
  const keys = def.keyset!;
  if (paging.page !== 1)
    throw new InputError(`the ${def.id} table pages with its next and previous links, not numbers`);
  const keyText = keys
    .map((k) =>
      k.kind === "time" ? `to_hex((extract(epoch from ${k.sql}) * 1000000)::bigint)` : `encode(${k.sql}, 'hex')`,
    )
    .join(" || '.' || ");
  const cursor = paging.after ?? paging.before;
  const where: string[] = [];
  if (cursor) {
    const parts = cursor.split(".");
    if (parts.length !== keys.length)
      throw new InputError("after/before must be a row cursor from the links of this table");
    const values = keys.map((k, i) =>
      k.kind === "time"
        ? `(timestamptz 'epoch' + ${BigInt(`0x${parts[i]}`)} * interval '1 microsecond')`
        : `decode(${literal(parts[i].length % 2 === 0 ? parts[i] : `0${parts[i]}`)}, 'hex')`,
    );
    // A row comparison on the index's columns: the scan starts at the cursor.
    where.push(`(${keys.map((k) => k.sql).join(", ")}) ${paging.after ? "<" : ">"} (${values.join(", ")})`);
  }
  // Newer rows (before) are read upwards along the same index, then put back in the table's order.
  const orderBy = paging.before ? keys.map((k) => `${k.sql} asc`).join(", ") : def.orderBy;
  const select = selectSql(def, filters, timeZone, { extraColumns: [`${keyText} as "_cursor"`], where, orderBy });
  const [rows, [{ total }]] = (await Promise.all([tx.unsafe(`${select}\nlimit ${paging.size + 1}`), count()])) as [
    Record<string, string>[],
    { total: number }[],
  ];
  const more = rows.length > paging.size;
  const page = rows.slice(0, paging.size);
  if (paging.before) page.reverse();
  const first = page[0]?._cursor;
  const last = page.at(-1)?._cursor;
  for (const row of page) delete row._cursor;
  // Going back, the page left is still there; going forward, the page came from one.
  const next = paging.before ? last : more ? last : undefined;
  const previous = paging.after ? first : paging.before && more ? first : undefined;
  return { rows: page, ...capped(total), paging, cursor: { next, previous } };
}

const capped = (total: number) => (total > COUNT_CAP ? { total: COUNT_CAP, more: true } : { total });
