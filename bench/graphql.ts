/**
 * `npm run bench:graphql`: the GraphQL queries behind the dashboard's main lists, over HTTP
 * through the API (web/src/api/) as a department's service would send them (bearer token, row-level
 * security, PostGraphile's SQL), on the reports benchmark's database (bench/lib/reports-db.ts:
 * the same cached build as `npm run bench:reports`, 1,000,000 invoices at BENCH_SCALE=1).
 *
 * `benchGraphql(ownerUrl)` is the part bench:reports can call with a database it already has.
 * Results: bench/results/graphql.json, `{ "<query> as <dept>": { rows, p50Ms, p95Ms, runs } }`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { ROOT } from "../deploy/lib/consortium.js";
import { connectDatabase } from "../indexer/src/db/client.js";
import { issueToken } from "../web/src/auth/tokens.js";
import { loadApiConfig } from "../web/src/api/config.js";
import { startApi } from "../web/src/api/server.js";
import { openReportsDatabase } from "./lib/reports-db.js";
import { scaleOf } from "./lib/synthetic-chain.js";

const LIMIT_MS = 100;

export interface GraphqlTiming {
  rows: number;
  p50Ms: number;
  p95Ms: number;
  runs: number;
}

interface ListQuery {
  name: string;
  query: string;
  /** The connection whose nodes are counted and whose cursor the next page follows; none: one answer. */
  list?: string;
}

const page = "first: 50";
/** The dashboard's lists (web/src/queries/tables.ts), in their order, as GraphQL. */
export const LIST_QUERIES: ListQuery[] = [
  {
    name: "invoices, newest first",
    list: "invoices",
    query: `query($after: Cursor) { invoices(${page}, after: $after, orderBy: [ISSUED_AT_DESC, PRIMARY_KEY_DESC]) {
      nodes { invoiceId issuerId codeText number amountYuan taxYuan state frozen issuedAt claimedAt reimbursedAt }
      pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "invoices of a month, newest first",
    list: "invoices",
    query: `query($after: Cursor) { invoices(${page}, after: $after, orderBy: [ISSUED_AT_DESC, PRIMARY_KEY_DESC],
      filter: { issuedAt: { greaterThanOrEqualTo: "2026-10-01T00:00:00+08:00", lessThan: "2026-11-01T00:00:00+08:00" } }) {
      nodes { invoiceId codeText number amountYuan state issuedAt } pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "invoices with credit notes and transactions",
    list: "invoices",
    query: `query($after: Cursor) { invoices(first: 20, after: $after, orderBy: [ISSUED_AT_DESC, PRIMARY_KEY_DESC]) {
      nodes { invoiceId state creditNotes(first: 5) { nodes { creditNoteId state transactions(first: 5) { nodes { event txHash } } } }
              transactions(first: 10) { nodes { state blockTime txHash } } }
      pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "failed attempts, newest first",
    list: "failedAttempts",
    query: `query($after: Cursor) { failedAttempts(${page}, after: $after, orderBy: PRIMARY_KEY_DESC) {
      nodes { blockNumber txHash sender errorName departmentCode } pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "licences, newest first",
    list: "licences",
    query: `query($after: Cursor) { licences(${page}, after: $after, orderBy: [ISSUED_BLOCK_DESC, PRIMARY_KEY_DESC]) {
      nodes { licenceId typeCode departmentCode status valid validFromAt validUntilAt issuedAt } pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "licence uses, newest first",
    list: "licenceUses",
    query: `query($after: Cursor) { licenceUses(${page}, after: $after, orderBy: PRIMARY_KEY_DESC) {
      nodes { licenceId departmentCode purposeCode usedAt validAtUse txHash } pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "projects with payrolls",
    list: "projects",
    query: `query($after: Cursor) { projects(${page}, after: $after, orderBy: PRIMARY_KEY_DESC) {
      nodes { projectId state bureauCode bankCode budgetScaled fundedScaled wageBalanceScaled
              payrolls(first: 5, orderBy: PRIMARY_KEY_DESC) { nodes { payrollId state totalScaled paidAt } } }
      pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "payrolls paid, newest first",
    list: "payrolls",
    query: `query($after: Cursor) { payrolls(${page}, after: $after, orderBy: [PAID_AT_DESC, PRIMARY_KEY_DESC], filter: { state: { equalTo: "Paid" } }) {
      nodes { projectId payrollId period workers totalScaled paidAt paidByCode } pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "report.invoice_totals_per_issuer_day, newest first",
    list: "invoiceTotalsPerIssuerDay",
    query: `query($after: Cursor) { invoiceTotalsPerIssuerDay(${page}, after: $after, orderBy: [DAY_DESC, PRIMARY_KEY_DESC]) {
      nodes { day invoices amount tax } pageInfo { endCursor hasNextPage } } }`,
  },
  {
    name: "report.invoice_reimbursements_per_receiver_day, newest first",
    list: "invoiceReimbursementsPerReceiverDay",
    query: `query($after: Cursor) { invoiceReimbursementsPerReceiverDay(${page}, after: $after, orderBy: [DAY_DESC, PRIMARY_KEY_DESC]) {
      nodes { day } pageInfo { endCursor hasNextPage } } }`,
  },
  {
    // The counts offered in place of totalCount over the invoices (0070: from the rollup).
    name: "invoice counts: all, claimed, of a month",
    query: `{ all: invoiceCount claimed: invoiceCount(states: ["Claimed"])
      month: invoiceCount(fromDay: "2026-10-01", untilDay: "2026-10-31") }`,
  },
  {
    name: "report.licences_per_department",
    list: "licencesPerDepartment",
    query: `query($after: Cursor) { licencesPerDepartment(${page}, after: $after) { nodes { departmentId } pageInfo { endCursor hasNextPage } } }`,
  },
];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function post(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data!;
}

/**
 * Times every list query (first page, and the second through its cursor) as each department of
 * `departments`, against the API started on `ownerUrl`'s database. Returns the timings by name.
 */
export async function benchGraphql(
  ownerUrl: string,
  options: { runs?: number; departments?: string[]; log?: (line: string) => void } = {},
): Promise<Record<string, GraphqlTiming | { error: string }>> {
  const runs = options.runs ?? 30;
  const log = options.log ?? ((line: string) => console.log(line));
  const departments = options.departments ?? ["TAX", "AUDIT"];
  const owner = connectDatabase(ownerUrl, { max: 1 });
  const api = await startApi(loadApiConfig({ DATABASE_URL: ownerUrl, GOVLEDGER_API_PORT: "0" }), { log });
  const results: Record<string, GraphqlTiming | { error: string }> = {};
  const tokens: number[] = [];
  try {
    const width = Math.max(...LIST_QUERIES.map((q) => q.name.length)) + 20;
    log(
      `\n${"GraphQL query".padEnd(width)}  ${"rows".padStart(5)}  ${"p50 ms".padStart(8)}  ${"p95 ms".padStart(8)}  runs`,
    );
    for (const department of departments) {
      const { token, tokenId } = await issueToken(owner, department, `bench ${Date.now()}`, "bench:graphql");
      tokens.push(tokenId);
      for (const q of LIST_QUERIES) {
        for (const which of q.list ? (["page 1", "page 2"] as const) : (["page 1"] as const)) {
          const name = `${q.name} (${which}) as ${department}`;
          try {
            let after: string | null = null;
            if (which === "page 2") {
              after = (await post(api.url, token, q.query, {}))[q.list!].pageInfo.endCursor;
              if (!after) {
                results[name] = { error: "no second page" };
                continue;
              }
            }
            const run = async () => {
              const started = performance.now();
              const data = await post(api.url, token, q.query, { after });
              const rows = q.list ? (data[q.list].nodes.length as number) : Object.keys(data).length;
              return { ms: performance.now() - started, rows };
            };
            let { rows } = await run();
            const times: number[] = [];
            for (let i = 0; i < runs; i++) {
              const result = await run();
              times.push(result.ms);
              rows = result.rows;
            }
            times.sort((a, b) => a - b);
            const round = (ms: number) => Math.round(ms * 100) / 100;
            const timing = { rows, p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), runs };
            results[name] = timing;
            log(
              `${name.padEnd(width)}  ${String(rows).padStart(5)}  ${timing.p50Ms.toFixed(2).padStart(8)}  ${timing.p95Ms
                .toFixed(2)
                .padStart(8)}  ${runs}${timing.p95Ms > LIMIT_MS ? `  > ${LIMIT_MS} ms` : ""}`,
            );
          } catch (error) {
            results[name] = { error: (error as Error).message };
            log(`${name.padEnd(width)}  error: ${(error as Error).message}`);
          }
        }
      }
    }
  } finally {
    await owner`delete from web.api_tokens where token_id = any(${tokens})`.catch(() => {});
    await api.close();
    await owner.end();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fraction = Number(process.env.BENCH_SCALE ?? 1);
  const interrupted = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => interrupted.abort());
  const db = await openReportsDatabase(scaleOf(fraction), {
    rebuild: process.argv.includes("--rebuild"),
    deferReadModels: process.argv.includes("--defer-read-models"),
    signal: interrupted.signal,
  });
  let results: Awaited<ReturnType<typeof benchGraphql>>;
  try {
    results = await benchGraphql(db.url, { runs: Math.max(20, Number(process.env.BENCH_RUNS ?? 30)) });
  } finally {
    await db.stop();
  }
  const timed = Object.values(results).filter((r): r is GraphqlTiming => "p95Ms" in r);
  console.log(
    `\n${timed.filter((t) => t.p95Ms > LIMIT_MS).length} of ${timed.length} queries over ${LIMIT_MS} ms at p95`,
  );
  const out =
    fraction === 1
      ? path.join(ROOT, "bench", "results", "graphql.json")
      : path.join(ROOT, ".govledger", `bench-graphql-${fraction}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...results, build: db.figures }, null, 2)}\n`);
  console.log(`written ${path.relative(ROOT, out)}`);
}
