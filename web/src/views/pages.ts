/** The pages' bodies: figures, charts and tables of each domain, detail pages, sign-in. */
import { html } from "hono/html";

import type { Locale } from "../i18n.js";
import type { TransactionRows } from "../queries/chain.js";
import type {
  TimelineRow,
  governanceSummary,
  invoiceDetail,
  invoiceSummary,
  escrowSummary,
  licenceSummary,
} from "../queries/dashboards.js";
import { COUNT_LIMIT, type TablePage } from "../queries/page.js";
import { type Filters, type TableDef, TABLES } from "../queries/tables.js";
import { eventOfTable } from "../chain-names.js";
import { argText } from "./args.js";
import {
  chainName,
  chart,
  type Column,
  dataTable,
  figures,
  type Html,
  money,
  recordCard,
  rowsTable,
  short,
} from "./layout.js";

const fen = (l: Locale, value: string) => l.yuan(value);

/** The columns every audit-trail row ends with: block, its time, the transaction (a link). */
const TRAIL: Column[] = [
  { key: "block_number", caption: "block", display: "block" },
  { key: "block_time", caption: "blockTime", display: "time" },
  { key: "tx_hash", caption: "txHash", display: "tx" },
];
const STATE = (domain?: string): Column => ({ key: "state", caption: "status", display: "state", domain });

export function loginPage(l: Locale): Html {
  return html`<h1>${l.t("signIn")}</h1>
    <p>${l.t("signInHelp")}</p>
    <p><button id="sign-in" type="button">${l.t("signIn")}</button></p>
    <p id="sign-in-error" class="error" hidden data-no-wallet="${l.t("noWallet")}"></p>`;
}

export function governancePage(
  l: Locale,
  summary: Awaited<ReturnType<typeof governanceSummary>>,
  tables: { departments: TablePage; proposals: TablePage; validators: TablePage },
  filters: Filters,
): Html {
  return html`<h1>${l.t("governance")}</h1>
    ${figures([
      [l.t("members"), `${summary.active_departments} / ${summary.departments}`],
      [l.t("proposals"), l.count(summary.proposals)],
      [l.t("validators"), l.count(summary.validators)],
      [l.t("participants"), l.count(summary.participants)],
    ])}
    <div class="charts">
      ${chart(l, "proposals-by-status", {
        kind: "pie",
        title: `${l.t("proposals")} · ${l.t("status")}`,
        data: summary.byStatus.map((s) => ({ name: l.state(s.status), value: s.count })),
      })}
    </div>
    <h2>${l.t("members")}</h2>
    ${dataTable(l, TABLES.departments, tables.departments, {})}
    <h2>${l.t("proposals")}</h2>
    ${dataTable(l, TABLES.proposals, tables.proposals, filters)}
    <h2>${l.t("validators")}</h2>
    ${dataTable(l, TABLES.validators, tables.validators, {})}`;
}

export function proposalPage(l: Locale, id: string, proposal: TablePage, votes: TablePage): Html {
  return html`<h1>${l.t("proposal")} #${id}</h1>
    ${recordCard(l, TABLES.proposals, proposal, { id })}
    <h2>${l.t("votes")}</h2>
    ${dataTable(l, TABLES.votes, votes, { proposal: id }, { filterForm: false })}`;
}

export function invoicesPage(
  l: Locale,
  summary: Awaited<ReturnType<typeof invoiceSummary>>,
  table: TablePage,
  filters: Filters,
): Html {
  const { totals } = summary;
  return html`<h1>${l.t("invoices")}</h1>
    ${figures([
      [l.t("invoiceCount"), l.count(totals.count)],
      [l.t("amount"), fen(l, totals.amount)],
      [l.t("tax"), fen(l, totals.tax)],
      [l.t("reimbursed"), fen(l, totals.reimbursed)],
    ])}
    <div class="charts">
      ${chart(l, "invoices-per-day", {
        kind: "line",
        title: `${l.t("trend")} · ${l.t("amount")} (¥)`,
        x: summary.perDay.map((d) => d.day),
        series: [{ name: l.t("amount"), data: summary.perDay.map((d) => Number(BigInt(d.amount)) / 100) }],
      })}
      ${chart(l, "invoices-by-state", {
        kind: "pie",
        title: l.t("breakdown"),
        data: summary.byState.map((s) => ({ name: l.state(s.state), value: s.count })),
      })}
    </div>
    <h2>${l.t("detail")}</h2>
    ${dataTable(l, TABLES.invoices, table, filters)}`;
}

export function invoicePage(
  l: Locale,
  id: string,
  row: TablePage,
  detail: Awaited<ReturnType<typeof invoiceDetail>>,
): Html {
  return html`<h1>${l.t("invoices")} <code>${short(id)}</code></h1>
    ${recordCard(l, TABLES.invoices, row, { id })}
    <h2>${l.t("history")}</h2>
    ${rowsTable(l, [STATE(), ...TRAIL], detail.history)}
    <h2>${l.t("creditNotes")}</h2>
    ${rowsTable(
      l,
      [
        { key: "number", caption: "invoiceNumber", display: "text" },
        { key: "amount", caption: "amount", display: "yuan" },
        { key: "tax", caption: "tax", display: "yuan" },
        STATE("creditNote"),
        ...TRAIL,
      ],
      detail.creditNotes,
    )}`;
}

/** The latest rows of a table, linking to its own page for the rest (with filters and paging). */
function latest(l: Locale, def: TableDef, page: TablePage, more: string, caption: "allUses" | "allPayrolls"): Html {
  return html`${dataTable(l, def, { ...page, cursors: {} }, {}, { filterForm: false })}
    <p><a href="${more}" class="more">${l.t(caption)} →</a></p>`;
}

export function licencesPage(
  l: Locale,
  summary: Awaited<ReturnType<typeof licenceSummary>>,
  licences: TablePage,
  filters: Filters,
  uses: TablePage,
): Html {
  return html`<h1>${l.t("licences")}</h1>
    ${figures([
      [l.t("licences"), l.count(summary.byStatus.reduce((n, s) => n + s.count, 0))],
      // Over COUNT_LIMIT: "more than" (licenceSummary counts an authority's uses up to there).
      [l.t("uses"), summary.uses > COUNT_LIMIT ? `> ${l.count(COUNT_LIMIT)}` : l.count(summary.uses)],
      [l.t("usesNotValid"), l.count(summary.notValid)],
    ])}
    <div class="charts">
      ${chart(l, "licences-per-day", {
        kind: "line",
        title: l.t("usesPerDay"),
        x: summary.perDay.map((d) => d.day),
        series: [
          { name: l.t("issuedCount"), data: summary.perDay.map((d) => d.issued) },
          { name: l.t("uses"), data: summary.perDay.map((d) => d.used) },
        ],
      })}
      ${chart(l, "licences-by-status", {
        kind: "pie",
        title: l.t("breakdown"),
        data: summary.byStatus.map((s) => ({ name: l.state(s.status, "licence"), value: s.count })),
      })}
    </div>
    <h2>${l.t("licences")}</h2>
    ${dataTable(l, TABLES.licences, licences, filters)}
    <h2>${l.t("uses")}</h2>
    ${latest(l, TABLES.licence_uses, uses, "/licences/uses", "allUses")}`;
}

/** Every use a department may see, with filters (licence, department, purpose, validity, period). */
export function usesPage(l: Locale, uses: TablePage, filters: Filters): Html {
  return html`<h1>${l.t("licences")} · ${l.t("uses")}</h1>
    ${dataTable(l, TABLES.licence_uses, uses, filters)}`;
}

export function escrowPage(
  l: Locale,
  summary: Awaited<ReturnType<typeof escrowSummary>>,
  projects: TablePage,
  filters: Filters,
  wagesOwed: TablePage,
  payrolls: TablePage,
): Html {
  return html`<h1>${l.t("escrow")}</h1>
    ${figures([
      [l.t("projects"), l.count(summary.projects)],
      [l.t("moneyIn"), money(summary.money_in)],
      [l.t("balance"), money(summary.balance)],
      [l.t("wageAccount"), money(summary.wage_account)],
      [l.t("wagesPaid"), money(summary.wages)],
      [l.t("wagesOwed"), money(summary.wages_owed)],
    ])}
    <div class="charts">
      ${chart(l, "wages-per-day", {
        kind: "line",
        title: `${l.t("wagesPerDay")} (¥)`,
        x: summary.wagesPerDay.map((d) => d.day),
        series: [
          { name: l.t("wagesPaid"), data: summary.wagesPerDay.map((d) => Number(d.wages)) },
          { name: l.t("wagesOwed"), data: summary.wagesPerDay.map((d) => Number(d.owed)) },
        ],
      })}
      ${chart(l, "projects-by-state", {
        kind: "pie",
        title: l.t("breakdown"),
        data: summary.byState.map((s) => ({ name: l.state(s.state, "project"), value: s.count })),
      })}
    </div>
    <h2>${l.t("projects")}</h2>
    ${dataTable(l, TABLES.projects, projects, filters)}
    <h2>${l.t("wagesOwed")}</h2>
    ${dataTable(l, TABLES.wages_owed, { ...wagesOwed, cursors: {} }, {}, { filterForm: false })}
    <h2>${l.t("payrolls")}</h2>
    ${latest(l, TABLES.payrolls, payrolls, "/escrow/payrolls", "allPayrolls")}`;
}

/** Every payroll a department may see (human resources: all of them), with filters. */
export function payrollsPage(l: Locale, payrolls: TablePage, filters: Filters): Html {
  return html`<h1>${l.t("escrow")} · ${l.t("payrolls")}</h1>
    ${dataTable(l, TABLES.payrolls, payrolls, filters)}`;
}

export function failedPage(l: Locale, table: TablePage, filters: Filters): Html {
  return html`<h1>${l.t("failed")}</h1>
    ${dataTable(l, TABLES.failed, table, filters)}`;
}

/** The audit trail's end: one transaction, its block, and the rows it wrote that this department may read. */
export function transactionPage(l: Locale, hash: string, tx: TransactionRows): Html {
  const acting = (e: TransactionRows["events"][number]) =>
    e.department
      ? l.department(e.department)
      : e.registrar
        ? `${l.t("participant")} (${l.t("registrar")}: ${l.department(e.registrar)})`
        : "—";
  return html`<h1>${l.t("transaction")} <code id="tx-hash">${hash}</code></h1>
    ${
      tx.block
        ? html`<p>
            ${l.t("block")} <b id="tx-block">${tx.block.number}</b> (<code>${short(tx.block.hash)}</code>) ·
            ${l.t("blockTime")} <b>${l.dateTime(tx.block.time)}</b>
          </p>`
        : ""
    }
    ${
      tx.failed
        ? html`<div class="error">
            <b>${l.t("failed")}</b>: ${chainName(l.contract(tx.failed.contract_name), tx.failed.contract_name)} ·
            ${
              tx.failed.function_name
                ? chainName(l.fn(tx.failed.contract_name, tx.failed.function_name), tx.failed.function_name)
                : "?"
            }
            → ${tx.failed.error_name ? chainName(l.error(tx.failed.error_name), tx.failed.error_name) : "?"} ·
            ${l.t("actingDepartment")}:
            ${
              tx.failed.department || !tx.failed.registrar
                ? l.department(tx.failed.department)
                : `${l.t("participant")} (${l.t("registrar")}: ${l.department(tx.failed.registrar)})`
            }
          </div>`
        : ""
    }
    <h2>${l.t("events")}</h2>
    ${rowsTable(
      l,
      [
        { key: "log_index", caption: "logIndex", display: "count" },
        { key: "event", caption: "event", display: "event" },
        { key: "acting", caption: "actingDepartment", display: "text", className: "acting" },
        { key: "args", caption: "detail", display: "text", className: "args" },
      ],
      // The event by its name (the indexer's table holds one event: invoices.invoice_issued, InvoiceIssued).
      tx.events.map((e) => ({
        log_index: e.log_index,
        event: eventOfTable(e.event) ?? e.event,
        acting: acting(e),
        args: argText(l, e.event, e.args, e.decimals),
      })),
      "",
      "noneInTransaction",
    )}`;
}

/** A chain of events, each with its transaction (a licence's life, a project's ledger). */
function timeline(l: Locale, rows: TimelineRow[], domain?: string): Html {
  return rowsTable(
    l,
    [
      { key: "event", caption: "event", display: "state", domain },
      { key: "detail", caption: "detail", display: "text" },
      // (a licence's history moves no money: no column of dashes)
      ...(rows.some((row) => row.amount !== null)
        ? [{ key: "amount", caption: "amount", display: "yuan" } as const]
        : []),
      ...TRAIL,
    ],
    rows.map((row) => ({ ...row, detail: row.detail === null ? null : timelineDetail(l, row.event, row.detail) })),
    "timeline",
  );
}

/** A ledger row's detail in the page's language: a payroll's month, a replaced party ("Regulator SAMR → FIRE") by its names. */
function timelineDetail(l: Locale, event: string, detail: string): string {
  // A submitted payroll: "#1 2026-06 (5)", its pay period and its workers.
  const payroll = event === "PayrollSubmitted" && /^#(\d+) (\d{4}-\d{2}) \((\d+)\)$/.exec(detail);
  if (payroll) return `#${payroll[1]} ${l.month(payroll[2])} · ${l.t("workers")} ${payroll[3]}`;
  const replaced = event === "ProjectPartyReplaced" && /^(\w+) (\S+) → (\S+)$/.exec(detail);
  if (!replaced) return detail;
  const [, party, before, after] = replaced;
  return `${l.enumMember("ProjectParty", party)}: ${l.department(before)} → ${l.department(after)}`;
}

export function licencePage(l: Locale, id: string, row: TablePage, history: TimelineRow[], uses: TablePage): Html {
  return html`<h1>${l.t("licences")} <code>${short(id)}</code></h1>
    ${recordCard(l, TABLES.licences, row, { id })}
    <h2>${l.t("history")}</h2>
    ${timeline(l, history, "licence")}
    <h2>${l.t("uses")} · ${l.t("validAtUse")}</h2>
    ${dataTable(l, TABLES.licence_uses, uses, { licence: id }, { filterForm: false })}`;
}

export function projectPage(
  l: Locale,
  id: string,
  parts: { row: TablePage; ledger: TimelineRow[]; milestones: TablePage; orders: TablePage; payrolls: TablePage },
): Html {
  const filters = { project: id };
  return html`<h1>${l.t("project")} #${id}</h1>
    ${recordCard(l, TABLES.projects, parts.row, { id })}
    <h2>${l.t("milestones")}</h2>
    ${dataTable(l, TABLES.milestones, parts.milestones, filters, { filterForm: false })}
    <h2>${l.t("paymentOrders")}</h2>
    ${dataTable(l, TABLES.payment_orders, parts.orders, filters, { filterForm: false })}
    <h2>${l.t("payrolls")}</h2>
    ${dataTable(l, TABLES.payrolls, { ...parts.payrolls, cursors: {} }, filters, { filterForm: false })}
    <h2>${l.t("ledger")}</h2>
    ${timeline(l, parts.ledger)}`;
}

/** Every regulatory report (report.*) that is not on a domain page, each with its exports. */
export function reportsPage(l: Locale, reports: [TableDef, TablePage][]): Html {
  return html`<h1>${l.t("reports")}</h1>
    ${reports.map(
      ([def, table]) =>
        html`<h2>${l.t(def.caption)}</h2>
          ${dataTable(l, def, table, {}, { filterForm: false })}`,
    )}`;
}
