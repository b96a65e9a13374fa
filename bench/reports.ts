/**
 * `npm run bench:reports`: how fast the read side answers at city scale. Builds (or reuses, see
 * lib/reports-db.ts) an embedded PostgreSQL holding six months of a city's chain written through
 * the indexer's own batch writer (lib/synthetic-chain.ts), then times every query of
 * bench/queries.ts and a first page of every `report.*` relation (bench/results/reports.json),
 * then the dashboards' pages as signed-in departments and the CSV and XLSX exports of every invoice
 * (lib/dashboard-pages.ts; bench/results/reports-dashboard.json), then the GraphQL queries behind
 * the dashboard's main lists (graphql.ts, the same as `npm run bench:graphql`; bench/results/graphql.json).
 *
 *   npm run bench:reports [-- --rebuild | --reuse] [-- --defer-read-models] [-- --queries | --dashboard | --graphql]
 *   --reuse            the newest complete build of this scale, whatever code built it, with the
 *                      migrations it lacks applied (a city-scale build takes half an hour)
 *   --queries, --dashboard, --graphql   only that part
 *   --pages <regex>    only the dashboard pages whose name matches (e.g. '^/(licences|escrow)')
 *   --export           only the CSV and XLSX exports (their figures replace those in reports-dashboard.json)
 *   BENCH_SCALE=0.01   a fraction of the city scale (default 1)
 *   BENCH_RUNS=30      timed runs per query and page (default 30; at least 20)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { ROOT } from "../deploy/lib/consortium.js";
import { connectDatabase } from "../indexer/src/db/client.js";
import { benchDashboard, type DashboardFigures, type PageTiming } from "./lib/dashboard-pages.js";
import { benchGraphql, writeGraphqlResults } from "./graphql.js";
import { BENCH_DEPARTMENTS, openReportsDatabase } from "./lib/reports-db.js";
import { scaleOf } from "./lib/synthetic-chain.js";
import { type BenchQuery, QUERIES, type QueryContext } from "./queries.js";

const fraction = Number(process.env.BENCH_SCALE ?? 1);
const RUNS = Math.max(20, Number(process.env.BENCH_RUNS ?? 30));
/** A query slower than this per run gets fewer runs (never under 3), so one slow view cannot take an hour. */
const BUDGET_MS = 30_000;
const LIMIT_MS = 50;
const PAGE_LIMIT_MS = 100;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const text32 = (text: string) => Buffer.from(text, "utf8").toString("hex").padEnd(64, "0");

interface Timing {
  rows: number;
  p50Ms: number;
  p95Ms: number;
  runs: number;
}

// Ctrl-C: finish the statement at hand, then stop PostgreSQL and leave.
const interrupted = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => interrupted.abort());

const db = await openReportsDatabase(scaleOf(fraction), {
  rebuild: process.argv.includes("--rebuild"),
  reuse: process.argv.includes("--reuse"),
  deferReadModels: process.argv.includes("--defer-read-models"),
  signal: interrupted.signal,
});
const pagesAt = process.argv.indexOf("--pages");
const pagesArg = pagesAt === -1 ? undefined : process.argv[pagesAt + 1];
const exportOnly = process.argv.includes("--export");
const only =
  (["queries", "dashboard", "graphql"] as const).find((part) => process.argv.includes(`--${part}`)) ??
  (pagesArg === undefined && !exportOnly ? null : "dashboard");
const sql = connectDatabase(db.url, { max: 1 });
const results: Record<string, Timing | { pending: string } | { error: string }> = {};
let dashboard: DashboardFigures | null = null;
let graphql: Awaited<ReturnType<typeof benchGraphql>> | null = null;
try {
  await sql`set statement_timeout = '120s'`;
  const ctx = await context();
  if (only === null || only === "queries") await timeQueries(ctx);
  const f = db.figures;
  console.log(
    `database: ${f.events.toLocaleString("en")} events in ${f.transactions.toLocaleString("en")} transactions, ` +
      `written in ${f.writeSeconds} s (${f.eventsPerSecond.toLocaleString("en")} events/s, ${f.batches.toLocaleString("en")} batches), ` +
      `plan ${f.planSeconds} s, state tables ${f.readModels}` +
      (f.readModelRebuildSeconds === null ? "" : ` (${f.readModelRebuildSeconds} s)`) +
      `, vacuum analyze ${f.analyzeSeconds} s, builder peak RSS ${f.peakRssMb} MB, ${f.databaseMb.toLocaleString("en")} MB on disk`,
  );
  if ((only === null || only === "dashboard") && !interrupted.signal.aborted) {
    console.log(`\n${"dashboard page (database time, as the department)".padEnd(58)}   p50 ms   p95 ms`);
    dashboard = await benchDashboard(db.url, {
      runs: RUNS,
      // The tax bureau registered every invoice issuer (all 1,000,000 invoices through its
      // row-level security), the regulator sees everything, the others a domain each.
      departments: BENCH_DEPARTMENTS,
      exportAs: pagesArg === undefined ? "TAX" : null,
      exportOnly,
      deepPage: 50,
      sample: { monthStart: ctx.monthStart, day: ctx.day, issuerId: ctx.issuerId },
      only: pagesArg === undefined ? undefined : new RegExp(pagesArg),
      log: (line) => console.log(line),
      signal: interrupted.signal,
    });
    const timed = Object.values(dashboard.pages).filter((t): t is PageTiming => "p95Ms" in t);
    if (!exportOnly)
      console.log(
        `\n${timed.filter((t) => t.p95Ms > PAGE_LIMIT_MS).length} of ${timed.length} pages over ${PAGE_LIMIT_MS} ms at p95; ` +
          `${Object.values(dashboard.pages).length - timed.length} failed`,
      );
  }
  if ((only === null || only === "graphql") && !interrupted.signal.aborted) {
    graphql = await benchGraphql(db.url, { runs: RUNS, signal: interrupted.signal });
  }
} finally {
  await sql.end();
  await db.stop();
}

// Only the city scale is a result; smaller runs (trying things out) stay beside the cache.
const out = (name: string) =>
  fraction === 1
    ? path.join(ROOT, "bench", "results", `${name}.json`)
    : path.join(ROOT, ".govledger", `bench-${name}-${fraction}.json`);
if (only === null || only === "queries") {
  mkdirSync(path.dirname(out("reports")), { recursive: true });
  writeFileSync(out("reports"), `${JSON.stringify({ ...results, build: db.figures }, null, 2)}\n`);
  console.log(`written ${path.relative(ROOT, out("reports"))}`);
}
if (dashboard && exportOnly) {
  // The export alone: its figures in the last full run's result, the pages left as they were.
  const file = out("reports-dashboard");
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  mkdirSync(path.dirname(file), { recursive: true });
  const { csvExport, xlsxExport } = dashboard;
  writeFileSync(file, `${JSON.stringify({ ...previous, csvExport, xlsxExport }, null, 2)}\n`);
  console.log(`written ${path.relative(ROOT, file)} (csvExport, xlsxExport)`);
} else if (dashboard) {
  // Some pages only (--pages): beside the cache, not over the whole run's result.
  const file = pagesArg === undefined ? out("reports-dashboard") : path.join(ROOT, ".govledger", "bench-pages.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ invoices: db.figures.counts.invoices, ...dashboard }, null, 2)}\n`);
  console.log(`written ${path.relative(ROOT, file)}`);
}

if (graphql) writeGraphqlResults(graphql, db.figures, fraction);

async function timeQueries(ctx: QueryContext) {
  const reports = (
    await sql`select table_schema || '.' || table_name as name from information_schema.tables
              where table_schema = 'report' order by 1`
  ).map((row) => row.name as string);
  const listed = new Set(QUERIES.filter((q) => q.name.startsWith("report.")).flatMap((q) => q.relations));
  // Reports nobody listed yet: a first page ordered by their first two columns.
  const extra: BenchQuery[] = [];
  for (const name of reports.filter((r) => !listed.has(r))) {
    extra.push({
      name: `${name} first page (auto)`,
      sql: `select * from ${name} order by 1, 2 limit 100`,
      relations: [name],
    });
  }

  const width = Math.max(...[...QUERIES, ...extra].map((q) => q.name.length));
  console.log(
    `\n${"query".padEnd(width)}  ${"rows".padStart(7)}  ${"p50 ms".padStart(9)}  ${"p95 ms".padStart(9)}  runs`,
  );
  for (const query of [...QUERIES, ...extra]) {
    if (interrupted.signal.aborted) break;
    const missing: string[] = [];
    for (const relation of query.relations) {
      const [{ found }] = await sql`select to_regclass(${relation}) is not null as found`;
      if (!found) missing.push(relation);
    }
    if (missing.length > 0) {
      results[query.name] = { pending: `needs ${missing.join(", ")}` };
      console.log(`${query.name.padEnd(width)}  pending: needs ${missing.join(", ")}`);
      continue;
    }
    let timing: Timing;
    try {
      timing = await time(query, ctx);
    } catch (error) {
      // A relation that exists with other columns than this query expects: reported, not fatal.
      const message = (error as Error).message;
      results[query.name] = { error: message };
      console.log(`${query.name.padEnd(width)}  error: ${message}`);
      continue;
    }
    results[query.name] = timing;
    const flag = timing.p95Ms > LIMIT_MS ? "  > 50 ms" : "";
    const runs = timing.runs < RUNS ? `${timing.runs} (slow)` : String(timing.runs);
    console.log(
      `${query.name.padEnd(width)}  ${String(timing.rows).padStart(7)}  ${timing.p50Ms.toFixed(2).padStart(9)}  ${timing.p95Ms
        .toFixed(2)
        .padStart(9)}  ${runs}${flag}`,
    );
  }
  const timed = Object.values(results).filter((r): r is Timing => "p95Ms" in r);
  const pending = Object.values(results).filter((r) => "pending" in r).length;
  const failed = Object.values(results).filter((r) => "error" in r).length;
  console.log(
    `\n${timed.filter((t) => t.p95Ms > LIMIT_MS).length} of ${timed.length} timed queries over ${LIMIT_MS} ms at p95; ` +
      `${pending} pending, ${failed} failed`,
  );
}

async function time(query: BenchQuery, ctx: QueryContext): Promise<Timing> {
  const params = (query.params?.(ctx) ?? []) as never[];
  const run = async () => {
    const started = performance.now();
    const rows = await sql.unsafe(query.sql, params, { prepare: true });
    return { ms: performance.now() - started, rows: rows.length };
  };
  const warm = await run();
  const runs = warm.ms * RUNS > BUDGET_MS ? Math.max(3, Math.floor(BUDGET_MS / warm.ms)) : RUNS;
  const times: number[] = [];
  let rows = warm.rows;
  for (let i = 0; i < runs; i++) {
    const result = await run();
    times.push(result.ms);
    rows = result.rows;
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { rows, p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), runs };
}

/** Sample entities: a large issuer, a recently used licence, a project with wages, … */
async function context(): Promise<QueryContext> {
  const [{ time: chainTime }] = await sql`select max(block_time) as time from raw.blocks`;
  const local = new Date(chainTime.getTime() + 8 * 3_600_000);
  const date = (d: Date) => d.toISOString().slice(0, 10);
  const day = date(new Date(local.getTime() - 86_400_000));
  const monthStart = `${date(local).slice(0, 8)}01`;
  const next = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1));
  const [issuer] = await sql`select encode(issuer_id, 'hex') as id from invoices.invoice_batch_issued
                             group by issuer_id order by sum(count) desc, issuer_id offset 9 limit 1`;
  const [invoice] = await sql`select encode(invoice_id, 'hex') as id from invoices.invoice_reimbursed
                              order by block_number desc, log_index desc limit 1`;
  const [licence] = await sql`select encode(licence_id, 'hex') as id from licences.licence_used
                              order by block_number desc, log_index desc limit 1`;
  const [project] = await sql`select project_id::text as id from escrow.payroll_paid
                              order by block_number desc, log_index desc limit 1`;
  return {
    invoiceId: invoice.id,
    issuerId: issuer.id,
    licenceId: licence.id,
    projectId: project.id,
    departmentId: text32("SAMR"),
    day,
    monthStart,
    nextMonthStart: date(next),
    weekStart: new Date(chainTime.getTime() - 7 * 86_400_000).toISOString(),
    chainTime: chainTime.toISOString(),
  };
}
