/** Downloads: any table as CSV or XLSX, under the page's filters and the department's row-level security. */
import { Readable } from "node:stream";

import { Hono } from "hono";

import { csvExport, xlsxExport } from "../exports.js";
import { InputError, parseFilters, tableDef } from "../queries/tables.js";
import type { AppDeps, Env } from "./context.js";

export function exportRoutes({ db }: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.get("/export/:file", (c) => {
    const match = /^([a-z_]{1,40})\.(csv|xlsx)$/.exec(c.req.param("file"));
    const def = match ? tableDef(match[1]) : undefined;
    if (!match || !def) throw new InputError("no such export; use /export/<table>.csv or .xlsx");
    const filters = parseFilters(def, c.req.query() as Record<string, string>, ["lang"]);
    const request = { def, filters, department: c.get("session").department, l: c.get("l") };
    const stamp = new Date().toISOString().slice(0, 10);
    const name = `govledger-${def.id}-${request.department}-${stamp}.${match[2]}`;
    const stream = match[2] === "csv" ? csvExport(db, request) : xlsxExport(db, request);
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        "Content-Type":
          match[2] === "csv"
            ? "text/csv; charset=utf-8"
            : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": `attachment; filename="${name}"`,
        "Cache-Control": "no-store",
      },
    });
  });

  return app;
}
