/**
 * Exports of any table under the page's filters and the caller's row-level security: CSV
 * streamed from PostgreSQL with COPY ... TO STDOUT (no row limit, nothing held in memory), XLSX
 * from a cursor through exceljs's streaming writer. Both begin with a header naming the
 * department, the period and the chain head (block number and hash) read in the same
 * REPEATABLE READ snapshot as the rows, so the head names exactly the data exported.
 */
import { once } from "node:events";
import { PassThrough, Readable, Transform, type TransformCallback, type Writable } from "node:stream";
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
  const select = selectSql(request.def, request.filters, request.l.timeZone, {
    spreadsheetSafe: true,
    copy: true,
    ledgerOrder: true,
  });
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

type Cell = string | number | null;

/**
 * The stream a worksheet's rows go into on their way to the zip: the one place exceljs's
 * streaming writer can be made to wait. exceljs 4.4 writes a sheet's XML into its own buffer
 * (StreamBuf, 64 KB pieces), which hands each piece to the zip's entry for the sheet (a
 * PassThrough archiver made for it, read as deflate goes) with `write()` and never looks at the
 * answer: StreamBuf's own `write()` always says "go on". So rows were turned into XML as fast as
 * the cursor gave them and waited, uncompressed, in that entry while deflate (one core) caught
 * up: +150 MB of RSS for 1,000,000 invoices, growing with the rows (and waiting for the response
 * to drain did not help: the response was never the one behind). Everything after the entry is
 * piped (deflate, the zip, `out`, the response), so it waits for the client; waiting for the
 * entry to drain brings that back to the rows. exceljs's internals, hence the checks: an
 * exceljs that keeps the entry elsewhere fails the export with this line, not the server's memory.
 */
function sheetEntry(sheet: unknown): NodeJS.WritableStream & { _writableState: { needDrain: boolean } } {
  const pipes = (sheet as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  const entry = Array.isArray(pipes) && pipes.length === 1 ? pipes[0] : undefined;
  if (typeof (entry as { _writableState?: { needDrain?: unknown } })?._writableState?.needDrain !== "boolean")
    throw new Error(
      "XLSX export: exceljs's worksheet writer has no zip entry stream where 4.4 has it (web/src/exports.ts)",
    );
  return entry as NodeJS.WritableStream & { _writableState: { needDrain: boolean } };
}

/** Until `entry` has room again (its buffer drained), or `out` closes (the client went away: throws). */
async function roomIn(entry: NodeJS.WritableStream & { _writableState: { needDrain: boolean } }, out: Writable) {
  if (out.destroyed) throw new Error("XLSX export: the download was closed");
  if (!entry._writableState.needDrain) return;
  const stop = new AbortController();
  try {
    await Promise.race([
      once(entry, "drain", { signal: stop.signal }),
      once(out, "close", { signal: stop.signal }).then(() => {
        throw new Error("XLSX export: the download was closed");
      }),
    ]);
  } finally {
    stop.abort();
  }
}

/**
 * Writes one sheet of rows, batch by batch, as an XLSX file into `out`, taking the next batch
 * only once the sheet's zip entry has room again: memory holds about a batch of rows and the
 * streams' buffers (deflate, the zip's 1 MB, `out`), however many rows there are, and a reader
 * that stops reading stops the rows. Inline strings and no styles: nothing kept per row.
 */
export async function writeSheet(out: Writable, name: string, batches: AsyncIterable<Cell[][]>): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet(name);
  const entry = sheetEntry(sheet);
  // The next batch is asked for before waiting: the cursor's round trip and the backend's rows
  // overlap deflate's work on this one, as they did when nothing waited.
  const source = batches[Symbol.asyncIterator]();
  let next = source.next();
  try {
    for (let batch = await next; !batch.done; batch = await next) {
      for (const row of batch.value) sheet.addRow(row).commit();
      next = source.next();
      await roomIn(entry, out);
    }
  } catch (error) {
    next.catch(() => {}); // (its failure, if any, is this one's consequence)
    await source.return?.(undefined);
    throw error;
  }
  sheet.commit();
  await workbook.commit();
}

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
  const select = `${selectSql(request.def, request.filters, request.l.timeZone, { spreadsheetSafe: true, ledgerOrder: true })}
limit ${room + 1}`;
  const numeric = request.def.columns.map(
    (c) => c.display === "yuan" || c.display === "count" || c.display === "block",
  );
  void db
    .as(
      request.department,
      async (tx) => {
        const head = await chainHead(tx);
        async function* batches(): AsyncGenerator<Cell[][]> {
          yield [
            ...headerLines(request, head).map((line) => ["#", ...line]),
            request.def.columns.map((c) => `${request.l.t(c.caption)} (${c.key})`),
          ];
          let written = 0;
          for await (const rows of tx.unsafe(select).cursor(1000)) {
            const batch = rows.slice(0, room - written).map((row) =>
              request.def.columns.map((c, i) => {
                const value = (row as Record<string, string | null>)[c.key];
                return value !== null && numeric[i] ? Number(value) : value;
              }),
            );
            written += batch.length;
            yield batch;
            if (batch.length < rows.length) {
              yield [["#", request.l.t("xlsxCut").replace("{rows}", written.toLocaleString("en-US"))]];
              return;
            }
          }
        }
        await writeSheet(out, request.def.id, batches());
      },
      { snapshot: true },
    )
    .catch((error: unknown) => out.destroy(error as Error));
  return out;
}

export { Readable };
