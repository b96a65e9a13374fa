/** The pages' bodies: figures, charts and tables of each domain, detail pages, sign-in. */
import { html } from "hono/html";

import type { Locale } from "../i18n.js";
import type { TransactionRows } from "../queries/chain.js";
import type {
  licenceDetail,
  TimelineRow,
  governanceSummary,
  invoiceDetail,
  invoiceSummary,
  escrowSummary,
  licenceSummary,
} from "../queries/dashboards.js";
import type { TablePage } from "../queries/page.js";
import { type Filters, type TableDef, TABLES } from "../queries/tables.js";
import { chart, dataTable, figures, type Html, money, short, txLink } from "./layout.js";

const fen = (l: Locale, value: string) => l.yuan(value);

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
      ${chart("proposals-by-status", {
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
    ${dataTable(l, TABLES.proposals, proposal, { id }, { filterForm: false })}
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
      ${chart("invoices-per-day", {
        kind: "line",
        title: `${l.t("trend")} · ${l.t("amount")} (¥)`,
        x: summary.perDay.map((d) => d.day),
        series: [{ name: l.t("amount"), data: summary.perDay.map((d) => Number(BigInt(d.amount)) / 100) }],
      })}
      ${chart("invoices-by-state", {
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
    ${dataTable(l, TABLES.invoices, row, { id }, { filterForm: false })}
    <h2>${l.t("history")}</h2>
    <table>
      <thead>
        <tr>
          <th>${l.t("status")}</th>
          <th>${l.t("block")}</th>
          <th>${l.t("blockTime")}</th>
          <th>${l.t("txHash")}</th>
        </tr>
      </thead>
      <tbody>
        ${detail.history.map(
          (h) =>
            html`<tr>
              <td>${l.state(h.state)}</td>
              <td class="num">${h.block_number}</td>
              <td>${h.block_time}</td>
              <td>${txLink(h.tx_hash, h.block_number)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>${l.t("creditNotes")}</h2>
    <table>
      <thead>
        <tr>
          <th>${l.t("invoiceNumber")}</th>
          <th>${l.t("amount")}</th>
          <th>${l.t("tax")}</th>
          <th>${l.t("status")}</th>
          <th>${l.t("block")}</th>
          <th>${l.t("blockTime")}</th>
          <th>${l.t("txHash")}</th>
        </tr>
      </thead>
      <tbody>
        ${
          detail.creditNotes.length === 0
            ? html`<tr>
                <td colspan="7">${l.t("none")}</td>
              </tr>`
            : detail.creditNotes.map(
                (n) =>
                  html`<tr>
                    <td>${n.number}</td>
                    <td class="num">${money(n.amount)}</td>
                    <td class="num">${money(n.tax)}</td>
                    <td>${l.state(n.state, "creditNote")}</td>
                    <td class="num">${n.block_number}</td>
                    <td>${n.block_time}</td>
                    <td>${txLink(n.tx_hash, n.block_number)}</td>
                  </tr>`,
              )
        }
      </tbody>
    </table>`;
}

export function licencesPage(
  l: Locale,
  summary: Awaited<ReturnType<typeof licenceSummary>>,
  licences: TablePage,
  uses: TablePage,
): Html {
  return html`<h1>${l.t("licences")}</h1>
    ${figures([
      [l.t("licences"), l.count(summary.byStatus.reduce((n, s) => n + s.count, 0))],
      [l.t("uses"), l.count(summary.uses)],
    ])}
    <div class="charts">
      ${chart("licences-by-status", {
        kind: "pie",
        title: l.t("status"),
        data: summary.byStatus.map((s) => ({ name: l.state(s.status, "licence"), value: s.count })),
      })}
    </div>
    <h2>${l.t("licences")}</h2>
    ${dataTable(l, TABLES.licences, licences, {})}
    <h2>${l.t("uses")}</h2>
    ${dataTable(l, TABLES.licence_uses, uses, {})}`;
}

export function escrowPage(
  l: Locale,
  summary: Awaited<ReturnType<typeof escrowSummary>>,
  projects: TablePage,
  wages: TablePage,
): Html {
  return html`<h1>${l.t("escrow")}</h1>
    ${figures([
      [l.t("projects"), l.count(summary.projects)],
      [l.t("moneyIn"), money(summary.money_in)],
      [l.t("balance"), money(summary.balance)],
      [l.t("wageAccount"), money(summary.wage_account)],
      [l.t("wagesPaid"), money(summary.wages)],
    ])}
    <h2>${l.t("projects")}</h2>
    ${dataTable(l, TABLES.projects, projects, {})}
    <h2>${l.t("wagesPaid")}</h2>
    ${dataTable(l, TABLES.wages, wages, {})}`;
}

export function failedPage(l: Locale, table: TablePage, filters: Filters): Html {
  return html`<h1>${l.t("failed")}</h1>
    ${dataTable(l, TABLES.failed, table, filters)}`;
}

/** An event argument as text: bytes as 0x hex (PostgreSQL's jsonb writes them as \\x…). */
function argText(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replace(/\\x([0-9a-f]*)/g, "0x$1");
}

/** The audit trail's end: one transaction, its block, and the rows it wrote that this department may read. */
export function transactionPage(l: Locale, hash: string, tx: TransactionRows): Html {
  const acting = (e: TransactionRows["events"][number]) =>
    e.department
      ? l.department(e.department)
      : e.registrar
        ? `${l.t("participants")} (${l.t("registrar")}: ${l.department(e.registrar)})`
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
            <b>${l.t("failed")}</b>: ${tx.failed.contract_name}.${tx.failed.function_name ?? "?"} →
            ${tx.failed.error_name ?? "?"} · ${l.t("actingDepartment")}: ${l.department(tx.failed.department)}
          </div>`
        : ""
    }
    <h2>${l.t("events")}</h2>
    <table>
      <thead>
        <tr>
          <th>#</th>
          <th>${l.t("event")}</th>
          <th>${l.t("actingDepartment")}</th>
          <th>${l.t("detail")}</th>
        </tr>
      </thead>
      <tbody>
        ${
          tx.events.length === 0
            ? html`<tr>
                <td colspan="4">${l.t("none")}</td>
              </tr>`
            : tx.events.map(
                (e) =>
                  html`<tr>
                    <td class="num">${e.log_index}</td>
                    <td>${e.event}</td>
                    <td class="acting">${acting(e)}</td>
                    <td class="args">
                      ${Object.entries(e.args).map(([key, value]) => html`<div><b>${key}</b> <code>${argText(value)}</code></div>`)}
                    </td>
                  </tr>`,
              )
        }
      </tbody>
    </table>`;
}

function timeline(l: Locale, rows: TimelineRow[], domain?: string): Html {
  return html`<table class="timeline">
    <thead>
      <tr>
        <th>${l.t("event")}</th>
        <th>${l.t("detail")}</th>
        <th>${l.t("amount")}</th>
        <th>${l.t("block")}</th>
        <th>${l.t("blockTime")}</th>
        <th>${l.t("txHash")}</th>
      </tr>
    </thead>
    <tbody>
      ${
        rows.length === 0
          ? html`<tr>
              <td colspan="6">${l.t("none")}</td>
            </tr>`
          : rows.map(
              (r) =>
                html`<tr>
                  <td>${l.state(r.event, domain)}</td>
                  <td>${r.detail ?? ""}</td>
                  <td class="num">${r.amount === null ? "" : money(r.amount)}</td>
                  <td class="num">${r.block_number}</td>
                  <td>${r.block_time}</td>
                  <td>${txLink(r.tx_hash, r.block_number)}</td>
                </tr>`,
            )
      }
    </tbody>
  </table>`;
}

export function licencePage(
  l: Locale,
  id: string,
  row: TablePage,
  detail: Awaited<ReturnType<typeof licenceDetail>>,
): Html {
  return html`<h1>${l.t("licences")} <code>${short(id)}</code></h1>
    ${dataTable(l, TABLES.licences, row, { id }, { filterForm: false })}
    <h2>${l.t("history")}</h2>
    ${timeline(l, detail.history, "licence")}
    <h2>${l.t("uses")}</h2>
    <table class="uses">
      <thead>
        <tr>
          <th>${l.t("actingDepartment")}</th>
          <th>${l.t("purpose")}</th>
          <th>${l.t("version")}</th>
          <th>${l.t("validAtUse")}</th>
          <th>${l.t("block")}</th>
          <th>${l.t("blockTime")}</th>
          <th>${l.t("txHash")}</th>
        </tr>
      </thead>
      <tbody>
        ${
          detail.uses.length === 0
            ? html`<tr>
                <td colspan="7">${l.t("none")}</td>
              </tr>`
            : detail.uses.map(
                (u) =>
                  html`<tr>
                    <td>${l.department(u.department)}</td>
                    <td>${u.purpose}</td>
                    <td class="num">${u.version}</td>
                    <td class="valid">${u.valid ? "✓" : "✗"}</td>
                    <td class="num">${u.block_number}</td>
                    <td>${u.block_time}</td>
                    <td>${txLink(u.tx_hash, u.block_number)}</td>
                  </tr>`,
              )
        }
      </tbody>
    </table>`;
}

export function projectPage(l: Locale, id: string, row: TablePage, events: TimelineRow[]): Html {
  return html`<h1>${l.t("project")} #${id}</h1>
    ${dataTable(l, TABLES.projects, row, { id }, { filterForm: false })}
    <h2>${l.t("history")}</h2>
    ${timeline(l, events)}`;
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
