/**
 * `npm run bench:dashboard`: the dashboards' data calls and exports on a database of
 * GOVLEDGER_BENCH_INVOICES synthetic invoices (default 200,000) beside the demo's real activity.
 * The extra invoices are written straight into invoices.invoice_issued (not mined: this measures
 * the read side, row-level security included, not the chain) and the read model rebuilt from
 * them, spread over 60 days, for the demo issuer that TAX registered. Prints p50/p95 of each page's database time (its Server-Timing)
 * signed in as TAX (sees every invoice) and CONS (sees none), the CSV export's rate, and the
 * server's RSS growth during it; writes bench/results/dashboard.json.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";

import postgres from "postgres";

import { ROOT } from "../deploy/lib/consortium.js";
import { operator, signInOverHttp } from "../test/web/helpers.js";
import { configFor, indexToHead, startChain, startDatabase } from "../test/indexer/harness.js";
import { loadDashboardConfig } from "../web/src/config.js";
import { startDashboard } from "../web/src/server.js";

const INVOICES = Number(process.env.GOVLEDGER_BENCH_INVOICES ?? 200_000);
const RUNS = 30;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const db = await startDatabase();
const chain = await startChain();
const url = await db.create();
const results: Record<string, unknown> = { invoices: INVOICES };
try {
  await indexToHead(configFor(chain, url));
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const seeded = Date.now();
  await sql.unsafe(`
    insert into invoices.invoice_issued (invoice_id, issuer_id, batch_root, code, number, buyer, amount, tax, document_hash,
                                         block_number, log_index, tx_hash, block_time, contract)
    select sha256(('bench:' || n)::bytea), i.issuer_id, i.batch_root, i.code, 1000000 + n, i.buyer,
           10000 + n % 90000, 600, i.document_hash, i.block_number, 100000 + n, i.tx_hash,
           i.block_time - ((n % 60) || ' days')::interval, i.contract
    from generate_series(1, ${INVOICES}) n, (select * from invoices.invoice_issued order by block_number limit 1) i`);
  // The read model's state tables follow from the event rows (as the indexer keeps them).
  await sql`select indexer.rebuild_read_models()`;
  await sql`analyze`;
  console.log(`seeded ${INVOICES.toLocaleString("en-US")} invoices in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  await sql.end();

  const dashboard = await startDashboard(loadDashboardConfig({ DATABASE_URL: url, GOVLEDGER_DASHBOARD_PORT: "0" }), {
    log: console.error,
  });
  try {
    const pages = ["/governance", "/invoices", "/invoices?state=Issued&page=50", "/escrow", "/licences", "/failed"];
    for (const code of ["TAX", "CONS"] as const) {
      const cookie = await signInOverHttp(dashboard.url, operator(code));
      for (const page of pages) {
        const times: number[] = [];
        for (let run = 0; run < RUNS + 2; run++) {
          const response = await fetch(`${dashboard.url}${page}`, { headers: { cookie } });
          await response.text();
          if (response.status !== 200) throw new Error(`${page} answered ${response.status}`);
          const db = Number(/db;dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "")?.[1]);
          if (run >= 2) times.push(db); // the first two warm the caches
        }
        const key = `${code} ${page}`;
        results[key] = { p50: percentile(times, 50), p95: percentile(times, 95) };
        console.log(
          `${key.padEnd(40)} p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms`,
        );
      }
    }
    const cookie = await signInOverHttp(dashboard.url, operator("TAX"));
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const response = await fetch(`${dashboard.url}/export/invoices.csv`, { headers: { cookie } });
    let lines = 0;
    for await (const chunk of response.body!) {
      const bytes = Buffer.from(chunk as Uint8Array);
      for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const rows = lines - 6;
    results.csv = {
      rows,
      seconds,
      rowsPerSecond: Math.round(rows / seconds),
      rssGrowthMB: Math.round((rssPeak - rssBefore) / 2 ** 20),
    };
    console.log(
      `CSV export: ${rows.toLocaleString("en-US")} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds).toLocaleString("en-US")} rows/s; RSS +${Math.round((rssPeak - rssBefore) / 2 ** 20)} MB (server and client in one process)`,
    );
  } finally {
    await dashboard.close();
  }
} finally {
  await chain.close();
  await db.stop();
}
writeFileSync(path.join(ROOT, "bench", "results", "dashboard.json"), `${JSON.stringify(results, null, 2)}\n`);
