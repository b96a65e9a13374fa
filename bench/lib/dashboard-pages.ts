/**
 * The dashboards on the reports benchmark's database (issue 11's speed figures): the real server
 * (`npm run dashboard`, web/src/cli.ts) runs as a child process against the database, connected
 * as govledger_web under row-level security, and each signed-in department requests every page
 * of the header's navigation, the invoice table under its filters (a deep page reached through
 * the "next" links as a reader would), and the first detail page each of them links to. A page's
 * time is the database time its Server-Timing header reports: every query the page runs, in its
 * one transaction as the department (SET LOCAL), rendering included. Then the CSV and the XLSX
 * export of every invoice: rows per second at the client, and the server process's RSS growth
 * while each streams.
 *
 * Signing in is the one shortcut: the session cookie is signed here with the secret the child is
 * given, for an operator account the registry lists (the server checks it on every request as
 * for a cookie from Sign-In with Ethereum; the synthetic chain's operators have no private keys).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import ExcelJS from "exceljs";
import { serializeSigned } from "hono/utils/cookie";

import { ROOT } from "../../deploy/lib/consortium.js";
import { connectDatabase } from "../../indexer/src/db/client.js";
import { freePort } from "../../scripts/lib/ports.js";

export interface PageTiming {
  p50Ms: number;
  p95Ms: number;
  runs: number;
  bytes: number;
}

export interface ExportFigures {
  department: string;
  /** The file's size (XLSX: compressed). */
  megabytes: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  serverRssBeforeMb: number;
  serverRssPeakMb: number;
  rssGrowthMb: number;
  /**
   * The export's PostgreSQL backend (the COPY's, the XLSX's cursor's) while it ran (/proc/<pid>/stat and schedstat): CPU seconds,
   * and seconds it was runnable but waited for a core. Wall time is about their sum (the
   * backend never waits for the client: the stream keeps up), so on a loaded machine the queue
   * is what makes an export slow, not the server.
   */
  backendCpuSeconds: number | null;
  backendRunQueueSeconds: number | null;
  /** The dashboard server's (Node) CPU seconds during the export. */
  serverCpuSeconds: number;
  /** The machine's 1-minute load average at the end, and its cores. */
  loadAverage: number;
  cores: number;
}

export interface DashboardFigures {
  departments: string[];
  pages: Record<string, PageTiming | { error: string }>;
  csvExport: ExportFigures | { error: string };
  xlsxExport: ExportFigures | { error: string };
}

export interface DashboardBenchOptions {
  runs: number;
  /** Departments to sign in as (codes). */
  departments: string[];
  /** Who exports every invoice as CSV and XLSX (null: no export). */
  exportAs: string | null;
  /** The export alone: no pages. */
  exportOnly?: boolean;
  /** Pages to follow along the invoice table's "next" links for the deep page. */
  deepPage: number;
  /** Sample filter values (the chain's last month, a large issuer). */
  sample: { monthStart: string; day: string; issuerId: string };
  /** Only the pages whose name matches (all when absent). */
  only?: RegExp;
  log: (line: string) => void;
  signal?: AbortSignal;
}

const COOKIE = "govledger_session";
const BUDGET_MS = 20_000;
const round = (ms: number) => Math.round(ms * 100) / 100;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function benchDashboard(url: string, options: DashboardBenchOptions): Promise<DashboardFigures> {
  const { log } = options;
  const owner = connectDatabase(url, { max: 1 });
  let accounts: Map<string, string>;
  try {
    // The server refuses a database with no indexed chain; the synthetic chain's writer has no
    // source (the indexer writes it at start from the node): one like it.
    await owner`insert into indexer.source (chain_id, deployment) values (31337, '{}') on conflict do nothing`;
    accounts = new Map(
      (
        await owner`select indexer.code_text(department_id) as code, '0x' || encode(min(account), 'hex') as account
                    from gov.operators group by department_id`
      ).map((row) => [row.code as string, row.account as string]),
    );
  } finally {
    await owner.end();
  }

  const secret = randomBytes(32).toString("hex");
  const server = await startServer(url, secret, log);
  const figures: DashboardFigures = {
    departments: options.departments,
    pages: {},
    csvExport: { error: "not run" },
    xlsxExport: { error: "not run" },
  };
  try {
    const cookieOf = async (code: string) => {
      const account = accounts.get(code);
      if (!account) throw new Error(`no operator of ${code} in gov.operators`);
      const expires = Math.floor(Date.now() / 1000) + 8 * 3600;
      const header = await serializeSigned(COOKIE, `${account}|${code}|${expires}`, secret);
      return header.split(";")[0];
    };

    for (const code of options.exportOnly ? [] : options.departments) {
      if (options.signal?.aborted) break;
      try {
        await benchDepartment(code);
      } catch (error) {
        figures.pages[`${code} (sign-in and links)`] = { error: (error as Error).message };
        log(`${code}: ${(error as Error).message}`);
      }
    }
    async function benchDepartment(code: string) {
      const cookie = await cookieOf(code);
      const get = async (page: string) => {
        const response = await fetch(`${server.url}${page}`, { headers: { cookie } });
        const body = await response.text();
        if (response.status !== 200) throw new Error(`${page} answered ${response.status}: ${body.slice(0, 200)}`);
        const db = Number(/db;dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "")?.[1]);
        return { db, body };
      };
      /** Times `page`; returns its last body. */
      const time = async (name: string, page: string): Promise<string | undefined> => {
        if (options.signal?.aborted || (options.only && !options.only.test(name))) return undefined;
        const key = `${code} ${name}`;
        try {
          const times: number[] = [];
          // The first request warms the caches; a slow page gets fewer runs (one past 5 s), so
          // one slow page cannot hold the run for an hour.
          const warm = await get(page);
          let body = warm.body;
          const runs =
            warm.db > BUDGET_MS / 4
              ? 1
              : warm.db * options.runs > BUDGET_MS
                ? Math.max(3, Math.floor(BUDGET_MS / warm.db))
                : options.runs;
          for (let run = 0; run < runs; run++) {
            const answer = await get(page);
            body = answer.body;
            times.push(answer.db);
          }
          const bytes = body.length;
          times.sort((a, b) => a - b);
          const timing = {
            p50Ms: round(percentile(times, 50)),
            p95Ms: round(percentile(times, 95)),
            runs: times.length,
            bytes,
          };
          figures.pages[key] = timing;
          const flag = timing.p95Ms > 100 ? "  > 100 ms" : "";
          log(`${key.padEnd(58)} ${timing.p50Ms.toFixed(1).padStart(8)} ${timing.p95Ms.toFixed(1).padStart(8)}${flag}`);
          return body;
        } catch (error) {
          figures.pages[key] = { error: (error as Error).message };
          log(`${key.padEnd(58)} error: ${(error as Error).message}`);
          return undefined;
        }
      };

      const first = await get("/governance");
      const nav = [
        ...new Set(links(/<header>([\s\S]*?)<\/header>/.exec(first.body)?.[1] ?? "").filter((h) => /^\/[a-z]/.test(h))),
      ];
      const details = new Map<string, string>();
      for (const page of nav) {
        const body = (await time(page, page)) ?? "";
        for (const href of links(body)) {
          const kind = detailKind(href);
          if (kind && !details.has(kind)) details.set(kind, href);
        }
      }
      // The invoice table under its filters, and a deep page of the largest state.
      const { monthStart, day, issuerId } = options.sample;
      const invoiceQueries: [string, string][] = [
        ["/invoices?state=Issued", "/invoices?state=Issued"],
        ["/invoices?state=Reimbursed", "/invoices?state=Reimbursed"],
        ["/invoices?from=<month start>&to=<last day>", `/invoices?from=${monthStart}&to=${day}`],
        ["/invoices?state=Claimed&from=<last day>&to=<last day>", `/invoices?state=Claimed&from=${day}&to=${day}`],
        ["/invoices?issuer=<large issuer>", `/invoices?issuer=0x${issuerId}`],
        ["/invoices?issuer=<large issuer>&state=Locked", `/invoices?issuer=0x${issuerId}&state=Locked`],
        // Every issuer numbers from 1: number 42 is 5,000 invoices, one of each issuer.
        ["/invoices?number=42", "/invoices?number=42"],
      ];
      for (const [name, page] of invoiceQueries) await time(name, page);
      // The licence and escrow tables past their overview pages (the navigation times those),
      // each under row-level security as the department sees them.
      const domainPages = [
        "/licences?status=Active",
        "/licences/uses",
        "/licences/uses?valid=no",
        "/escrow/payrolls",
        "/escrow/payrolls?state=Paid",
        "/escrow?state=Open",
      ];
      for (const page of domainPages) await time(page, page);
      const deepName = `/invoices?state=Issued, page ${options.deepPage} (next links)`;
      let deep: string | null = options.only && !options.only.test(deepName) ? null : "/invoices?state=Issued";
      for (let n = 1; n < options.deepPage && deep; n++) deep = nextLink((await get(deep)).body);
      if (deep) await time(deepName, deep);
      for (const [kind, href] of details) await time(`${kind} (first linked)`, href);
    }

    if (options.exportAs && !options.signal?.aborted) {
      const cookie = await cookieOf(options.exportAs);
      figures.csvExport = await timeExport("csv", url, server, cookie, options.exportAs, log);
      if (!options.signal?.aborted)
        figures.xlsxExport = await timeExport("xlsx", url, server, cookie, options.exportAs, log);
    }
  } finally {
    await server.stop();
  }
  return figures;
}

function links(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replaceAll("&amp;", "&"));
}

function nextLink(html: string): string | null {
  const match = /<a href="([^"]+)" class="next"/.exec(html);
  return match ? match[1].replaceAll("&amp;", "&").replace(/^\?/, "/invoices?") : null;
}

function detailKind(href: string): string | null {
  if (/^\/invoices\/0x[0-9a-f]{64}$/.test(href)) return "/invoices/:id";
  if (/^\/licences\/0x[0-9a-f]{64}$/.test(href)) return "/licences/:id";
  if (/^\/escrow\/projects\/\d+$/.test(href)) return "/escrow/projects/:id";
  if (/^\/governance\/proposals\/\d+$/.test(href)) return "/governance/proposals/:id";
  if (/^\/tx\/0x[0-9a-f]{64}\?block=\d+$/.test(href)) return "/tx/:hash";
  return null;
}

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `npm run dashboard` as a child (its own process: its RSS is the server's alone). */
async function startServer(databaseUrl: string, secret: string, log: (line: string) => void): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "web", "src", "cli.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      GOVLEDGER_DASHBOARD_PORT: String(port),
      GOVLEDGER_SESSION_SECRET: secret,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) =>
      reject(new Error(`the dashboard exited (${code}): ${stderr.join(" ").slice(0, 500)}`)),
    );
  });
  log(`dashboard (pid ${child.pid}) at ${url}`);
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

const rssMb = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
};

/** CPU seconds (user and system) and run-queue seconds of a process so far. */
function schedOf(pid: number): { cpu: number; queue: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    const queue = Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e9;
    return { cpu: (Number(stat[11]) + Number(stat[12])) / 100, queue };
  } catch {
    return null; // gone, or another machine's PostgreSQL
  }
}

/**
 * Every invoice as CSV or XLSX through the server, as a client downloads it, sampling the
 * server's RSS and the export's backend every 20 ms. The XLSX is counted afterwards (its rows
 * read back from the file with exceljs's streaming reader, outside the timing).
 */
async function timeExport(
  format: "csv" | "xlsx",
  databaseUrl: string,
  server: Server,
  cookie: string,
  department: string,
  log: (line: string) => void,
) {
  const label = format.toUpperCase();
  const pid = server.child.pid!;
  const before = rssMb(pid);
  let peak = before;
  // The export's backend, found once it runs, and its counters then and at its last sample.
  const owner = connectDatabase(databaseUrl, { max: 1 });
  interface Backend {
    pid: number;
    first: { cpu: number; queue: number };
    last: { cpu: number; queue: number };
  }
  let backend = null as Backend | null;
  let looking = false;
  // COPY's statement; the XLSX's cursor is the invoice table's SELECT (idle between fetches).
  const statement = format === "csv" ? "copy (%" : "select %from invoices.invoice v%";
  const sample = async () => {
    peak = Math.max(peak, rssMb(pid));
    if (backend) {
      backend.last = schedOf(backend.pid) ?? backend.last;
    } else if (!looking) {
      looking = true;
      const [row] = await owner`select pid from pg_stat_activity
                                where pid <> pg_backend_pid() and xact_start is not null and query like ${statement}`;
      const first = row ? schedOf(row.pid as number) : null;
      if (first) backend = { pid: row.pid as number, first, last: first };
      looking = false;
    }
  };
  const sampler = setInterval(() => void sample().catch(() => {}), 20);
  const serverBefore = schedOf(pid);
  const started = performance.now();
  const file = path.join(tmpdir(), `govledger-bench-export-${process.pid}.${format}`);
  try {
    const response = await fetch(`${server.url}/export/invoices.${format}`, { headers: { cookie } });
    if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
    let lines = 0;
    let bytes = 0;
    const written = format === "xlsx" ? createWriteStream(file) : null;
    for await (const chunk of response.body!) {
      const part = chunk as Uint8Array;
      bytes += part.length;
      if (written) {
        if (!written.write(part)) await once(written, "drain");
      } else for (let at = part.indexOf(10); at !== -1; at = part.indexOf(10, at + 1)) lines++;
    }
    if (written)
      await new Promise<void>((resolve, reject) =>
        written.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    const seconds = (performance.now() - started) / 1000;
    const serverAfter = schedOf(pid);
    clearInterval(sampler);
    if (format === "xlsx") {
      for await (const sheet of new ExcelJS.stream.xlsx.WorkbookReader(file, {})) for await (const _ of sheet) lines++;
    }
    const rows = lines - 6; // five header lines (department, period, chain head…) and the captions
    const found = backend;
    const figures: ExportFigures = {
      department,
      megabytes: round(bytes / 1e6),
      rows,
      seconds: round(seconds),
      rowsPerSecond: Math.round(rows / seconds),
      serverRssBeforeMb: Math.round(before),
      serverRssPeakMb: Math.round(peak),
      rssGrowthMb: Math.round(peak - before),
      backendCpuSeconds: found ? round(found.last.cpu - found.first.cpu) : null,
      backendRunQueueSeconds: found ? round(found.last.queue - found.first.queue) : null,
      serverCpuSeconds: serverBefore && serverAfter ? round(serverAfter.cpu - serverBefore.cpu) : NaN,
      loadAverage: round(loadavg()[0]),
      cores: availableParallelism(),
    };
    log(
      `${label} export of invoices as ${department}: ${rows.toLocaleString("en")} rows in ${seconds.toFixed(1)} s = ` +
        `${figures.rowsPerSecond.toLocaleString("en")} rows/s, ${figures.megabytes} MB; server RSS ${figures.serverRssBeforeMb} → ${figures.serverRssPeakMb} MB (+${figures.rssGrowthMb} MB)`,
    );
    log(
      `  backend: ${figures.backendCpuSeconds ?? "?"} s CPU, ${figures.backendRunQueueSeconds ?? "?"} s waiting for a core; ` +
        `server (Node) ${figures.serverCpuSeconds} s CPU; load average ${figures.loadAverage} on ${figures.cores} cores`,
    );
    return figures;
  } catch (error) {
    log(`${label} export: ${(error as Error).message}`);
    return { error: (error as Error).message };
  } finally {
    clearInterval(sampler);
    rmSync(file, { force: true });
    await owner.end();
  }
}
