/**
 * What the dashboard tests share: the demo operators' keys (the default Hardhat mnemonic, as in
 * deploy/parameters/localhost.json), signing in over HTTP, and a chain + indexed database +
 * dashboard, all real, on 127.0.0.1.
 */
import path from "node:path";

import postgres from "postgres";
import { mnemonicToAccount } from "viem/accounts";
import type { HDAccount } from "viem";

import { grantDepartment } from "../../web/src/admin.js";
import { startDashboard, type DashboardHandle } from "../../web/src/server.js";
import { loadDashboardConfig } from "../../web/src/config.js";
import { type Chain, configFor, type Database, indexToHead, startChain, startDatabase } from "../indexer/harness.js";

const MNEMONIC = "test test test test test test test test test test test junk";

/** Demo accounts by department code: accounts 1-7 operate TAX … AUDIT; 8 belongs to nobody. */
export const OPERATORS = ["TAX", "SAMR", "CONS", "FIRE", "BANK", "HRSS", "AUDIT"] as const;
export type DepartmentCode = (typeof OPERATORS)[number];

export function operator(code: DepartmentCode): HDAccount {
  return mnemonicToAccount(MNEMONIC, { addressIndex: OPERATORS.indexOf(code) + 1 });
}
export const stranger = () => mnemonicToAccount(MNEMONIC, { addressIndex: 8 });

export const SESSION_SECRET = "test-session-secret-0123456789abcdef0123456789";

export interface WebFixture {
  chain: Chain;
  db: Database;
  databaseUrl: string;
  dashboard: DashboardHandle;
  /** Indexes what the chain has now (the dashboard sees it at once). */
  index(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebFixture(): Promise<WebFixture> {
  const db = await startDatabase();
  const chain = await startChain();
  const databaseUrl = await db.create();
  const index = async () => void (await indexToHead(configFor(chain, databaseUrl)));
  await index();
  const dashboard = await startDashboard(
    loadDashboardConfig({
      DATABASE_URL: databaseUrl,
      GOVLEDGER_DASHBOARD_PORT: "0",
      GOVLEDGER_SESSION_SECRET: SESSION_SECRET,
      GOVLEDGER_SIGN_IN_SECONDS: "60",
      GOVLEDGER_DASHBOARD_PASSWORD_FILE: path.join(db.dataDir, "dashboard-db-password"),
    }),
    { log: () => {}, info: () => {} },
  );
  return {
    chain,
    db,
    databaseUrl,
    dashboard,
    index,
    async close() {
      await dashboard.close();
      await chain.close();
      await db.stop();
    },
  };
}

/** A department's analyst login (`npm run db -- grant-department <code>`), connected: what it reads is what row-level security shows it. */
export async function connectAnalyst(owner: postgres.Sql, databaseUrl: string, code: string): Promise<postgres.Sql> {
  const { role, password } = await grantDepartment(owner, code);
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  return postgres(url.toString(), { max: 1, onnotice: () => {} });
}

export async function postJson(base: string, path: string, body: unknown, cookie?: string) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string>, response };
}

/** Signs in over HTTP as `account`; returns the session cookie ("name=value"). */
export async function signInOverHttp(base: string, account: HDAccount): Promise<string> {
  const { body } = await postJson(base, "/auth/nonce", { address: account.address });
  const signature = await account.signMessage({ message: body.message });
  const verified = await postJson(base, "/auth/verify", { message: body.message, signature });
  if (verified.status !== 200) throw new Error(`sign-in failed: ${verified.status} ${verified.body.error}`);
  return verified.response.headers.get("set-cookie")!.split(";")[0];
}

/** Parses one CSV line (quotes per RFC 4180). */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') ((cell += '"'), i++);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") (cells.push(cell), (cell = ""));
    else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/** The rows of a page's table (`data-table` id): each row's cells as text, and the 0x ids in its title attributes. */
export function pageTable(html: string, id: string): { cells: string[]; titles: string[]; tx: string[] }[] {
  const start = html.indexOf(`data-table="${id}"`);
  if (start < 0) throw new Error(`no table ${id} on the page`);
  const section = html.slice(start, html.indexOf("</section>", start));
  const body = section.slice(section.indexOf("<tbody>"), section.indexOf("</tbody>"));
  return body
    .split(/<tr>/)
    .slice(1)
    .map((row) => ({
      cells: [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, "").trim()),
      titles: [...row.matchAll(/title="(0x[0-9a-f]+)"/g)].map((m) => m[1]),
      tx: [...row.matchAll(/href="(\/tx\/0x[0-9a-f]{64}\?block=\d+)"/g)].map((m) => m[1]),
    }))
    .filter((row) => row.cells.length > 1);
}

/** A link of a page's pager (`next`, `previous`, `first`) in table `id`, or undefined. */
export function pagerLink(html: string, id: string, which: "next" | "previous" | "first"): string | undefined {
  const start = html.indexOf(`data-table="${id}"`);
  const section = html.slice(start, html.indexOf("</section>", start));
  const match = new RegExp(`<a href="([^"]*)" class="${which}"`).exec(section);
  return match?.[1].replaceAll("&amp;", "&");
}

/** A detail page's record (`data-table` id): each caption's value as text, and its title (a department's code). */
export function pageRecord(html: string, id: string): Map<string, { text: string; title?: string; href?: string }> {
  const start = html.indexOf(`<section class="record" data-table="${id}"`);
  if (start < 0) throw new Error(`no record ${id} on the page`);
  const section = html.slice(start, html.indexOf("</section>", start));
  return new Map(
    [...section.matchAll(/<dt>([\s\S]*?)<\/dt>\s*<dd([^>]*)>([\s\S]*?)<\/dd>/g)].map((m) => [
      m[1],
      {
        text: m[3].replace(/<[^>]+>/g, "").trim(),
        title: /title="([^"]*)"/.exec(m[2])?.[1],
        href: /href="([^"]*)"/.exec(m[3])?.[1],
      },
    ]),
  );
}
