/**
 * Exports of any table under the page's filters and the caller's row-level security: CSV
 * streamed from PostgreSQL with COPY ... TO STDOUT (no row limit, nothing held in memory), XLSX
 * from a cursor through exceljs's streaming writer. Both begin with a header naming the
 * department, the period and the chain head (block number and hash) read in the same
 * REPEATABLE READ snapshot as the rows, so the head names exactly the data exported.
 */
import { PassThrough, Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";

import ExcelJS from "exceljs";

import { zoneLabel } from "./config.js";
import type { WebDatabase } from "./db.js";
import type { Locale } from "./i18n.js";
import { chainHead } from "./queries/chain.js";
import { type Filters, selectSql, type TableDef } from "./queries/tables.js";

export interface ExportRequest {
  def: TableDef;
  filters: Filters;
  department: string;
  l: Locale;
}

function headerLines(
  { def, filters, department, l }: ExportRequest,
  head: { number: string; hash: string } | null,
): string[][] {
  const period = def.period
    ? `${filters[def.period.from] ?? "…"} – ${filters[def.period.to] ?? "…"} (${zoneLabel(l.timeZone)})`
    : l.t("all");
  const applied = Object.entries(filters)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  return [
    [l.t("report"), `govledger ${def.id}`, l.t(def.caption)],
    [l.t("department"), department, l.department(department)],
    [l.t("period"), period, applied],
    [l.t("exportHead"), head?.number ?? "—", head?.hash ?? "—"],
    [l.t("exportedAt"), l.dateTime(new Date()), zoneLabel(l.timeZone)],
  ];
}

function csvLine(cells: string[]): string {
  return cells.map((cell) => (/[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(",") + "\n"; // COPY ends its lines with \n too
}

/**
 * COPY sends each row as a message of its own, and the copy stream passes them on one by one:
 * a million rows would be a million writes through the web stream and the socket. Rows are
 * gathered into chunks of CHUNK bytes instead; backpressure still reaches PostgreSQL (the copy
 * stream pauses the connection's socket while this stream's buffer is full).
 */
const CHUNK = 64 * 1024;
class Chunks extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.parts.push(bytes);
    this.size += bytes.length;
    if (this.size >= CHUNK) this.release();
    done();
  }
  override _flush(done: TransformCallback) {
    this.release();
    done();
  }
  private release() {
    if (this.size === 0) return;
    this.push(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size));
    this.parts = [];
    this.size = 0;
  }
}

/**
 * A CSV body stream. The transaction stays open while the response streams and ends with it:
 * the returned stream errors if the database fails mid-way (the client sees a cut download,
 * never a silently short file presented as complete).
 */
export function csvExport(db: WebDatabase, request: ExportRequest): Readable {
  const out = new Chunks();
  const select = selectSql(request.def, request.filters, request.l.timeZone, { spreadsheetSafe: true, copy: true });
  void db
    .as(
      request.department,
      async (tx) => {
        const head = await chainHead(tx);
        out.write("\uFEFF"); // Excel opens UTF-8 CSV with Chinese text correctly only with a BOM.
        for (const line of headerLines(request, head)) out.write(csvLine(["#", ...line]));
        out.write(csvLine(request.def.columns.map((c) => `${request.l.t(c.caption)} (${c.key})`)));
        const copy = await tx.unsafe(`copy (${select}) to stdout with (format csv)`).readable();
        await pipeline(copy, out, { end: false });
      },
      { snapshot: true },
    )
    .then(
      () => out.end(),
      (error: unknown) => out.destroy(error as Error),
    );
  return out;
}

/** Rows in one XLSX sheet at most (Excel's limit; a longer sheet does not open). */
export const XLSX_SHEET_ROWS = 1_048_576;

/**
 * An XLSX body stream. A sheet holds XLSX_SHEET_ROWS rows: a longer table stops one row short of
 * it (the query asks for no more) and that last row says so and points to the CSV, which has
 * no limit. `sheetRows` is for tests.
 */
export function xlsxExport(
  db: WebDatabase,
  request: ExportRequest,
  { sheetRows = XLSX_SHEET_ROWS }: { sheetRows?: number } = {},
): Readable {
  const out = new PassThrough();
  const header = headerLines(request, null).length + 1; // and the captions
  const room = sheetRows - header - 1; // the last row for the notice
  const select = `${selectSql(request.def, request.filters, request.l.timeZone, { spreadsheetSafe: true })}
limit ${room + 1}`;
  void db
    .as(
      request.department,
      async (tx) => {
        const head = await chainHead(tx);
        const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
          stream: out,
          useSharedStrings: false,
          useStyles: false,
        });
        const sheet = workbook.addWorksheet(request.def.id);
        for (const line of headerLines(request, head)) sheet.addRow(["#", ...line]).commit();
        sheet.addRow(request.def.columns.map((c) => `${request.l.t(c.caption)} (${c.key})`)).commit();
        const numeric = request.def.columns.map(
          (c) => c.display === "yuan" || c.display === "count" || c.display === "block",
        );
        let written = 0;
        let cut = false;
        for await (const rows of tx.unsafe(select).cursor(1000)) {
          for (const row of rows) {
            if (written === room) {
              cut = true;
              break;
            }
            written++;
            const values = request.def.columns.map((c, i) => {
              const value = (row as Record<string, string | null>)[c.key];
              return value !== null && numeric[i] ? Number(value) : value;
            });
            sheet.addRow(values).commit();
          }
        }
        if (cut)
          sheet.addRow(["#", request.l.t("xlsxCut").replace("{rows}", written.toLocaleString("en-US"))]).commit();
        sheet.commit();
        await workbook.commit();
      },
      { snapshot: true },
    )
    .catch((error: unknown) => out.destroy(error as Error));
  return out;
}

export { Readable };
