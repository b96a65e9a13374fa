/**
 * Page frame and the pieces every page shares (figures, tables, filter forms, transaction links),
 * rendered on the server with hono/html, which escapes every interpolated value.
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

import { zoneLabel } from "../config.js";
import type { Locale, TextKey } from "../i18n.js";
import { COUNT_LIMIT, type TablePage } from "../queries/page.js";
import { type ColumnDef, exportOrder, type Filters, type TableDef } from "../queries/tables.js";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface Frame {
  l: Locale;
  title: string;
  path: string;
  department?: { code: string; account: string };
  head?: { number: string; hash: string } | null;
  /** Script bundle URL (content-hashed). */
  script: string;
}

const NAV: [string, TextKey][] = [
  ["/governance", "governance"],
  ["/invoices", "invoices"],
  ["/licences", "licences"],
  ["/escrow", "navEscrow"],
  ["/failed", "failed"],
  ["/reports", "navReports"],
];

const STYLE = `
:root{--fg:#1d2733;--muted:#5d6b7a;--line:#dde3ea;--accent:#c0392b;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;gap:6px 16px;align-items:center;background:#9e1b1b;color:#fff;padding:8px 20px;flex-wrap:wrap}
header #zone{opacity:.8}header nav{display:flex;gap:4px 14px;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;opacity:.85;white-space:nowrap}header a.on{opacity:1;font-weight:600;border-bottom:2px solid #fff}
header .brand{font-weight:600;font-size:16px;white-space:nowrap}header .right{margin-left:auto;display:flex;gap:10px;align-items:center;font-size:13px;white-space:nowrap;min-width:0}
header #who{max-width:16em;min-width:4em;overflow:hidden;text-overflow:ellipsis}header button{padding:1px 8px}
@media (min-width:1280px){header,header nav{flex-wrap:nowrap}}
.chain-name code{color:var(--muted);font-size:11px;margin-left:2px}
main{padding:16px 20px;max-width:1800px;margin:0 auto}h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:20px 0 8px}
.figures{display:flex;gap:12px;flex-wrap:wrap}.figure{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 16px;min-width:170px}
.figure b{display:block;font-size:22px}.figure span{color:var(--muted);font-size:12px}
.charts{display:grid;grid-template-columns:2fr 1fr;gap:12px;margin-top:12px}.chart{background:#fff;border:1px solid var(--line);border-radius:6px;height:280px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);font-size:13px}th,td{padding:5px 7px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:#eef2f6;font-weight:600}th.num{text-align:right}td.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px}
form.filters{display:flex;gap:8px;align-items:end;flex-wrap:wrap;margin:8px 0}form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}form.filters output.date-value{font-family:ui-monospace,monospace;font-size:11px}
input,select,button{font:inherit;padding:3px 6px}.pager{display:flex;gap:12px;align-items:center;margin:8px 0}.exports a{margin-left:8px}
.error{background:#fff3f2;border:1px solid #f3c1bc;padding:12px 16px;border-radius:6px}.scroll{overflow-x:auto}
td.args{white-space:pre-line;word-break:break-all;font-size:12px}td.args span.arg{border-bottom:1px dotted var(--muted)}td.args span.val[title]{cursor:help}td.empty,p.empty{color:var(--muted)}
.record dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));margin:0;padding:1px 0 0 1px}
.record dl div{padding:6px 10px;background:#fff;border:1px solid var(--line);margin:-1px 0 0 -1px}.record dt{color:var(--muted);font-size:12px}.record dd{margin:0;font-size:14px}.record dd.num{font-variant-numeric:tabular-nums}
.live{display:inline-block;width:8px;height:8px;border-radius:50%;background:#7bd88f;margin-right:4px}
`;

export function layout(frame: Frame, body: Html): Html {
  const { l } = frame;
  const other = l.lang === "zh-CN" ? ["en", "English"] : ["zh-CN", "中文"];
  return html`<!doctype html>
    <html lang="${l.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${frame.title} · ${l.t("title")}</title>
        <style>
          ${raw(STYLE)}
        </style>
        <script type="module" src="${frame.script}"></script>
      </head>
      <body>
        <header>
          <span class="brand">${l.t("title")}</span>
          ${
            frame.department
              ? html`<nav>
                  ${NAV.map(([href, key]) => html`<a href="${href}" class="${frame.path.startsWith(href) ? "on" : ""}">${l.t(key)}</a>`)}
                </nav>`
              : ""
          }
          <span class="right">
            <span id="zone" title="${l.t("timeZone")}">${zoneLabel(l.timeZone)}</span>
            ${
              frame.head
                ? html`<span id="head" title="${frame.head.hash}"
                    ><span class="live"></span>${l.t("chainHead")} #<span id="head-number"
                      >${frame.head.number}</span
                    ></span
                  >`
                : ""
            }
            ${
              frame.department
                ? html`<span
                      id="who"
                      data-department="${frame.department.code}"
                      title="${l.department(frame.department.code)} · ${frame.department.account}"
                      >${l.department(frame.department.code)}</span
                    >
                    <form method="post" action="/auth/logout" style="display:inline">
                      <button type="submit">${l.t("signOut")}</button>
                    </form>`
                : ""
            }
            <a href="?lang=${other[0]}" id="lang">${other[1]}</a>
          </span>
        </header>
        <main id="main">${body}</main>
      </body>
    </html>`;
}

export function short(hex: string | null | undefined): string {
  if (!hex) return "—";
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;
}

export function figures(items: [string, string][]): Html {
  return html`<div class="figures">
    ${items.map(([label, value]) => html`<div class="figure"><b>${value}</b><span>${label}</span></div>`)}
  </div>`;
}

/** A chart placeholder: the client's one chart module draws `spec` into it (`empty`: what it says without data). */
export function chart(l: Locale, id: string, spec: object): Html {
  return html`<div
    class="chart"
    id="${id}"
    data-chart="${JSON.stringify({ ...spec, empty: l.t("noChartData") })}"
  ></div>`;
}

export function txLink(hash: string, block: string): Html {
  return html`<a class="tx" href="/tx/${hash}?block=${block}"><code>${short(hash)}</code></a>`;
}

/** A decimal yuan string from SQL ("1610.00") with the symbol and thousands separators. */
export function money(value: string | null): string {
  if (value === null || value === undefined) return "—";
  const negative = value.startsWith("-");
  const [whole, cents = "00"] = (negative ? value.slice(1) : value).split(".");
  return `${negative ? "-" : ""}¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents.padEnd(2, "0")}`;
}

/** Columns whose cells are right-aligned figures: their captions stand over them. */
const NUMERIC = new Set<Column["display"]>(["yuan", "count", "block"]);

/** A table cell (td), or a value of a detail page's record (dd): the same markup inside either. */
function cell(l: Locale, column: Column, row: Record<string, string>, tag: "td" | "dd" = "td"): Html {
  const [open, close] = [raw(`<${tag}`), raw(`</${tag}>`)];
  const value = row[column.key];
  // (under a figure's caption, a missing figure stands where the figure would)
  if (value === null || value === undefined)
    return NUMERIC.has(column.display) ? html`${open} class="num">—${close}` : html`${open}>—${close}`;
  switch (column.display) {
    case "yuan":
      return html`${open} class="num">${money(value)}${close}`;
    case "count":
      return column.link
        ? html`${open} class="num"><a href="${column.link(row)}">${l.count(value)}</a>${close}`
        : html`${open} class="num">${l.count(value)}${close}`;
    case "month":
      return html`${open} title="${value}">${l.month(value)}${close}`;
    case "event":
      return html`${open}>${chainName(l.event(value), value)}${close}`;
    case "error":
      return html`${open}>${chainName(l.error(value), value)}${close}`;
    case "contract":
      return html`${open}>${chainName(l.contract(value), value)}${close}`;
    case "function":
      // A function's name depends on its contract: the row's `contract` column.
      return html`${open}>${chainName(l.fn(row.contract ?? "", value), value)}${close}`;
    case "state":
      return html`${open}>${l.state(value, column.domain)}${close}`;
    case "department":
      return column.link
        ? html`${open} title="${value}"><a href="${column.link(row)}">${l.department(value)}</a>${close}`
        : html`${open} title="${value}">${l.department(value)}${close}`;
    case "hex":
      return column.link
        ? html`${open}>
            <a href="${column.link(row)}"><code title="${value}">${short(value)}</code></a>
            ${close}`
        : html`${open}><code title="${value}">${short(value)}</code>${close}`;
    case "tx":
      return html`${open}>${txLink(value, row.block_number)}${close}`;
    case "bool":
      return html`${open} class="${column.className ?? ""}" data-value="${value}">${value === "yes" ? "✓" : "—"}${close}`;
    case "block":
      return html`${open} class="num">${value}${close}`;
    default:
      if (column.names) return html`${open} title="${value}">${l.named(column.names, value)}${close}`;
      return column.link
        ? html`${open}><a href="${column.link(row)}">${value}</a>${close}`
        : html`${open} class="${column.className ?? ""}">${value}${close}`;
  }
}

/** A contract's event or error by its name in the UI's language, its identifier beside it (as the chain and exports write it). */
export function chainName(name: string, identifier: string): Html {
  return name === identifier
    ? html`<code>${identifier}</code>`
    : html`<span class="chain-name">${name} <code>${identifier}</code></span>`;
}

export function queryString(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** The columns of a plain table: the same cells as a TableDef's (only what the view needs of them). */
export type Column = Pick<ColumnDef, "key" | "caption" | "display" | "domain" | "link" | "names" | "hidden"> & {
  className?: string;
};

/** Rows under a header row; "No rows" when there are none. Every table on every page is one of these. */
export function rowsTable(
  l: Locale,
  columns: Column[],
  rows: readonly object[],
  className = "",
  empty: TextKey = "none",
): Html {
  const shown = columns.filter((c) => !c.hidden);
  return html`<table class="${className}">
    <thead>
      <tr>
        ${shown.map((c) => html`<th class="${NUMERIC.has(c.display) ? "num" : ""}">${l.t(c.caption)}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${
        rows.length === 0
          ? html`<tr>
              <td colspan="${shown.length}" class="empty">${l.t(empty)}</td>
            </tr>`
          : rows.map(
              (row) =>
                html`<tr>
                  ${shown.map((c) => cell(l, c, row as Record<string, string>))}
                </tr>`,
            )
      }
    </tbody>
  </table>`;
}

/** Which codes a code filter takes, offered as suggestions with their names (one types TAX, not 税务局). */
const CODE_LISTS: Record<string, "department" | "licenceType" | "purpose"> = {
  department: "department",
  type: "licenceType",
  purpose: "purpose",
};

function filterForm(l: Locale, def: TableDef, filters: Filters, size: number): Html {
  const visible = def.filters.filter((f) => f.key !== "id");
  if (visible.length === 0) return html``;
  const list = (f: (typeof visible)[number]) => (f.kind === "code" ? CODE_LISTS[f.key] : undefined);
  return html`<form class="filters" method="get">
    ${visible.map((f) => {
      const kind = list(f);
      return kind
        ? html`<datalist id="${def.id}-${f.key}-codes">
            ${l.codes(kind).map(([code, name]) => html`<option value="${code}">${name}</option>`)}
          </datalist>`
        : "";
    })}
    ${visible.map((f) =>
      f.kind === "state"
        ? html`<label
            >${l.t(f.caption)}<select name="${f.key}">
              <option value="">${l.t("all")}</option>
              ${f.states!.map((s) => html`<option value="${s}" ${filters[f.key] === s ? "selected" : ""}>${l.state(s, f.domain)}</option>`)}
            </select></label
          >`
        : f.kind === "date"
          ? // The browser draws a date input in its own locale (07/01/2026, 01.07.2026): beside
            // the caption, the format the filter takes (YYYY-MM-DD) until a day is chosen, then
            // that day in it, as the tables and exports write days (the client follows the input).
            html`<label class="date" title="${l.t("dateFormat")}"
              ><span
                >${l.t(f.caption)} <output class="date-value format">${filters[f.key] || "YYYY-MM-DD"}</output></span
              ><input
                type="date"
                name="${f.key}"
                value="${filters[f.key] ?? ""}"
                placeholder="YYYY-MM-DD"
                pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"
            /></label>`
          : html`<label
              >${l.t(f.caption)}<input
                name="${f.key}"
                value="${filters[f.key] ?? ""}"
                ${list(f) ? html`list="${def.id}-${f.key}-codes" autocomplete="off"` : ""}
                size="${f.kind === "hex32" || f.kind === "address" ? 24 : 10}"
            /></label>`,
    )}
    <input type="hidden" name="size" value="${size}" /><button type="submit">${l.t("filter")}</button>
  </form>`;
}

function pager(l: Locale, page: TablePage, filters: Filters): Html {
  const { page: number, size } = page.paging;
  const link = (params: Record<string, string>) => queryString({ ...filters, ...params, size: String(size) });
  if (page.cursors) {
    const { previous, next } = page.cursors;
    return html`${previous ? html`<a href="${link({})}" class="first">${l.t("first")}</a>` : ""}
    ${previous ? html`<a href="${link({ before: previous })}" class="previous">${l.t("previous")}</a>` : ""}
    ${next ? html`<a href="${link({ after: next })}" class="next">${l.t("next")}</a>` : ""}`;
  }
  const pages = Math.max(1, Math.ceil(page.total / size));
  return html`${number > 1 ? html`<a href="${link({ page: String(number - 1) })}">${l.t("previous")}</a>` : ""}
    <span>${number} / ${pages}</span>
    ${number < pages ? html`<a href="${link({ page: String(number + 1) })}" class="next">${l.t("next")}</a>` : ""}`;
}

/** A table with its filter form, paging and export links (CSV, XLSX) under the same filters. */
export function dataTable(
  l: Locale,
  def: TableDef,
  page: TablePage,
  filters: Filters,
  options: { filterForm?: boolean } = {},
): Html {
  const withForm = options.filterForm !== false;
  // An empty table says why: the filters chosen, or what row-level security lets the department see.
  const filtered = withForm && def.filters.some((f) => filters[f.key] !== undefined);
  return html`<section class="table" data-table="${def.id}">
    ${withForm ? filterForm(l, def, filters, page.paging.size) : ""}
    <div class="pager">
      <span class="total"
        >${page.total > COUNT_LIMIT ? `> ${l.count(COUNT_LIMIT)}` : l.count(page.total)}
        ${l.t(page.total === 1 ? "row" : "rows")}</span
      >
      ${pager(l, page, filters)} ${exportLinks(l, def, filters)}
    </div>
    <div class="scroll">${rowsTable(l, def.columns, page.rows, "", filtered ? "noneFiltered" : "noneVisible")}</div>
  </section>`;
}

function exportLinks(l: Locale, def: TableDef, filters: Filters): Html {
  const query = queryString(filters);
  // An export lists the rows in ledger order (tables.ts, exportOrder): say so where it is not the page's.
  const ledger = exportOrder(def) !== def.orderBy;
  return html`<span class="exports" title="${l.t(ledger ? "exportLedgerOrder" : "exportAll")}"
    >${l.t("export")}:
    <a href="/export/${def.id}.csv${query}" download>CSV</a>
    <a href="/export/${def.id}.xlsx${query}" download>Excel</a></span
  >`;
}

/**
 * A detail page's own row (a project, an invoice, a licence, a proposal) as captions and values:
 * every column at a glance, where a one-row table scrolled sideways. Its exports are the row's.
 */
export function recordCard(l: Locale, def: TableDef, page: TablePage, filters: Filters): Html {
  const row = page.rows[0];
  return html`<section class="record" data-table="${def.id}">
    ${
      row
        ? html`<dl>
            ${def.columns
              .filter((c) => !c.hidden)
              .map(
                (c) =>
                  html`<div>
                    <dt>${l.t(c.caption)}</dt>
                    ${cell(l, c, row, "dd")}
                  </div>`,
              )}
          </dl>`
        : html`<p class="empty">${l.t("notVisible")}</p>`
    }
    <div class="pager">${exportLinks(l, def, filters)}</div>
  </section>`;
}

export function errorPage(message: string, l: Locale, status: number): Html {
  const signIn = status === 401 || status === 403;
  return html`<div class="error">
    <h1>${l.t(status === 400 ? "badRequest" : "notPermitted")}</h1>
    <p id="error-message">${message}</p>
    ${signIn ? html`<p><a href="/login">${l.t("signInAgain")}</a></p>` : ""}
  </div>`;
}
