/**
 * The dashboards' pages: each validates its input, runs its queries in one transaction as the
 * signed-in department (row-level security picks the rows) and renders the result.
 */
import { type Context, Hono } from "hono";

import type { Tx } from "../db.js";
import { chainHead, eventTables, transaction } from "../queries/chain.js";
import {
  escrowSummary,
  payrollCount,
  governanceSummary,
  invoiceDetail,
  invoiceSummary,
  licenceHistory,
  licenceSummary,
  licenceUseCount,
  projectTimeline,
} from "../queries/dashboards.js";
import { parsePaging, tablePage } from "../queries/page.js";
import { InputError, parseFilters, type TableDef, TABLES } from "../queries/tables.js";
import { type Html, layout } from "../views/layout.js";
import * as pages from "../views/pages.js";
import type { AppDeps, Env } from "./context.js";

const PAGING_KEYS = ["page", "size", "lang", "after", "before"];

export function pageRoutes({ config, db, bundle }: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  let tables: Promise<string[]> | undefined;

  /** Runs a page's queries as the session's department and frames the result. */
  async function page(
    c: Context<Env>,
    title: string,
    body: (tx: Tx) => Promise<Html>,
    options: { snapshot?: boolean } = {},
  ) {
    const l = c.get("l");
    const session = c.get("session");
    const started = performance.now();
    const [content, head] = await db.as(
      session.department,
      async (tx) => Promise.all([body(tx), chainHead(tx)]),
      options,
    );
    c.header("Server-Timing", `db;dur=${(performance.now() - started).toFixed(1)}`);
    return c.html(
      layout(
        {
          l,
          title,
          path: c.req.path,
          script: bundle.entry,
          head,
          department: { code: session.department, account: session.account },
        },
        await content,
      ),
    );
  }

  const query = (c: Context) => c.req.query() as Record<string, string>;
  const tableQuery = (def: TableDef, c: Context, defaultSize = 20) => ({
    filters: parseFilters(def, query(c), PAGING_KEYS),
    paging: parsePaging(query(c), config.maxPageSize, defaultSize),
  });
  const firstPage = { page: 1, size: config.maxPageSize };

  app.get("/", (c) => c.redirect("/governance", 302));

  app.get("/governance", (c) => {
    const { filters, paging } = tableQuery(TABLES.proposals, c);
    const l = c.get("l");
    return page(c, l.t("governance"), async (tx) => {
      const [summary, departments, proposals, validators] = await Promise.all([
        governanceSummary(tx),
        tablePage(tx, TABLES.departments, {}, firstPage, config.timeZone),
        tablePage(tx, TABLES.proposals, filters, paging, config.timeZone),
        tablePage(tx, TABLES.validators, {}, firstPage, config.timeZone),
      ]);
      return pages.governancePage(l, summary, { departments, proposals, validators }, filters);
    });
  });

  app.get("/governance/proposals/:id", (c) => {
    const id = c.req.param("id");
    if (!/^\d{1,20}$/.test(id)) throw new InputError("proposal id must be a whole number");
    const l = c.get("l");
    return page(c, `${l.t("proposal")} #${id}`, async (tx) => {
      const [proposal, votes] = await Promise.all([
        tablePage(tx, TABLES.proposals, { id }, firstPage, config.timeZone),
        tablePage(tx, TABLES.votes, { proposal: id }, firstPage, config.timeZone),
      ]);
      return pages.proposalPage(l, id, proposal, votes);
    });
  });

  app.get("/invoices", (c) => {
    const { filters, paging } = tableQuery(TABLES.invoices, c);
    const l = c.get("l");
    return page(c, l.t("invoices"), async (tx) => {
      const summary = await invoiceSummary(tx, filters, config.timeZone);
      const table =
        summary.totals.count === 0
          ? { rows: [], total: 0, paging }
          : await tablePage(tx, TABLES.invoices, filters, paging, config.timeZone, summary.totals.count);
      return pages.invoicesPage(l, summary, table, filters);
    });
  });

  app.get("/invoices/:id", (c) => {
    const id = c.req.param("id");
    if (!/^0x[0-9a-fA-F]{64}$/.test(id)) throw new InputError("invoice id must be a 0x-prefixed 32-byte hex value");
    const l = c.get("l");
    return page(c, l.t("invoices"), async (tx) => {
      const [row, detail] = await Promise.all([
        tablePage(tx, TABLES.invoices, { id }, firstPage, config.timeZone),
        invoiceDetail(tx, id, config.timeZone),
      ]);
      return pages.invoicePage(l, id, row, detail);
    });
  });

  const latest = { page: 1, size: 10 };

  app.get("/licences", (c) => {
    const { filters, paging } = tableQuery(TABLES.licences, c);
    const l = c.get("l");
    return page(c, l.t("licences"), async (tx) => {
      const summary = await licenceSummary(tx);
      // Unfiltered or by status alone, the licences are counted by the summary already: its
      // counts per status (licences.status_count, at the chain's time as the table's status is)
      // cover the rows the same policy shows. Counting them again read up to 10,001 licences
      // under the policy (50-130 ms for an authority).
      const byStatus = Object.keys(filters).every((key) => key === "status");
      const licenceCount = byStatus
        ? summary.byStatus
            .filter((s) => filters.status === undefined || s.status === filters.status)
            .reduce((n, s) => n + s.count, 0)
        : undefined;
      // The latest uses, all of them counted by the summary already.
      const [licences, uses] = await Promise.all([
        tablePage(tx, TABLES.licences, filters, paging, config.timeZone, licenceCount),
        tablePage(tx, TABLES.licence_uses, {}, latest, config.timeZone, summary.uses),
      ]);
      return pages.licencesPage(l, summary, licences, filters, uses);
    });
  });

  app.get("/licences/uses", (c) => {
    const { filters, paging } = tableQuery(TABLES.licence_uses, c);
    const l = c.get("l");
    return page(c, l.t("uses"), async (tx) => {
      // Unfiltered, the department's uses are counted as the licence dashboard counts them.
      const total = Object.keys(filters).length === 0 ? await licenceUseCount(tx) : undefined;
      const uses = await tablePage(tx, TABLES.licence_uses, filters, paging, config.timeZone, total);
      return pages.usesPage(l, uses, filters);
    });
  });

  app.get("/licences/:id", (c) => {
    const id = c.req.param("id");
    if (!/^0x[0-9a-fA-F]{64}$/.test(id)) throw new InputError("licence id must be a 0x-prefixed 32-byte hex value");
    const paging = parsePaging(query(c), config.maxPageSize, config.maxPageSize);
    const l = c.get("l");
    return page(c, l.t("licences"), async (tx) => {
      const [row, history, uses] = await Promise.all([
        tablePage(tx, TABLES.licences, { id }, firstPage, config.timeZone),
        licenceHistory(tx, id, config.timeZone),
        tablePage(tx, TABLES.licence_uses, { licence: id }, paging, config.timeZone),
      ]);
      return pages.licencePage(l, id, row, history, uses);
    });
  });

  app.get("/escrow", (c) => {
    const { filters, paging } = tableQuery(TABLES.projects, c);
    const l = c.get("l");
    return page(c, l.t("escrow"), async (tx) => {
      const [summary, projects, wagesOwed, payrolls] = await Promise.all([
        escrowSummary(tx),
        tablePage(tx, TABLES.projects, filters, paging, config.timeZone),
        tablePage(tx, TABLES.wages_owed, {}, firstPage, config.timeZone),
        payrollCount(tx).then((total) => tablePage(tx, TABLES.payrolls, {}, latest, config.timeZone, total)),
      ]);
      return pages.escrowPage(l, summary, projects, filters, wagesOwed, payrolls);
    });
  });

  app.get("/escrow/payrolls", (c) => {
    const { filters, paging } = tableQuery(TABLES.payrolls, c);
    const l = c.get("l");
    return page(c, l.t("payrolls"), async (tx) =>
      pages.payrollsPage(l, await tablePage(tx, TABLES.payrolls, filters, paging, config.timeZone), filters),
    );
  });

  app.get("/escrow/projects/:id", (c) => {
    const id = c.req.param("id");
    if (!/^\d{1,20}$/.test(id)) throw new InputError("project id must be a whole number");
    const l = c.get("l");
    return page(c, `${l.t("project")} #${id}`, async (tx) => {
      const project = { project: id };
      const [row, ledger, milestones, orders, payrolls] = await Promise.all([
        tablePage(tx, TABLES.projects, { id }, firstPage, config.timeZone),
        projectTimeline(tx, id, config.timeZone),
        tablePage(tx, TABLES.milestones, project, firstPage, config.timeZone),
        tablePage(tx, TABLES.payment_orders, project, firstPage, config.timeZone),
        tablePage(tx, TABLES.payrolls, project, firstPage, config.timeZone),
      ]);
      return pages.projectPage(l, id, { row, ledger, milestones, orders, payrolls });
    });
  });

  app.get("/failed", (c) => {
    const { filters, paging } = tableQuery(TABLES.failed, c);
    const l = c.get("l");
    return page(c, l.t("failed"), async (tx) =>
      pages.failedPage(l, await tablePage(tx, TABLES.failed, filters, paging, config.timeZone), filters),
    );
  });

  app.get("/tx/:hash", (c) => {
    const hash = c.req.param("hash");
    const block = c.req.query("block") ?? "";
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash))
      throw new InputError("transaction hash must be a 0x-prefixed 32-byte hex value");
    if (!/^\d{1,18}$/.test(block)) throw new InputError("block must be a block number");
    const l = c.get("l");
    return page(c, l.t("transaction"), async (tx) => {
      tables ??= eventTables(tx);
      return pages.transactionPage(l, hash.toLowerCase(), await transaction(tx, await tables, hash, block));
    });
  });

  app.get("/reports", (c) => {
    const l = c.get("l");
    const reports = [
      TABLES.invoice_totals,
      TABLES.reimbursements,
      TABLES.invoices_per_state,
      TABLES.licences_per_department,
    ];
    return page(c, l.t("reports"), async (tx) => {
      const pages_ = await Promise.all(reports.map((def) => tablePage(tx, def, {}, firstPage, config.timeZone)));
      return pages.reportsPage(
        l,
        reports.map((def, i) => [def, pages_[i]]),
      );
    });
  });

  return app;
}
