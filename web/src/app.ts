/**
 * The dashboards' HTTP application (Hono): routes -> queries -> database. Routes authenticate,
 * validate input and pick what to render; queries (queries/) hold all SQL; the department is
 * set on each transaction (db.ts) and PostgreSQL's row-level security decides the rows. This
 * file never filters rows itself.
 */
import { Hono, type Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";

import type { SignIn } from "./auth/siwe.js";
import { SignInError } from "./auth/siwe.js";
import { currentSession, endSession, type Session, startSession } from "./auth/session.js";
import type { Bundle } from "./bundle.js";
import type { DashboardConfig } from "./config.js";
import type { Tx, WebDatabase } from "./db.js";
import { csvExport, xlsxExport } from "./exports.js";
import { type Lang, locale, type Locale, parseLang } from "./i18n.js";
import type { LiveHub } from "./live.js";
import { chainHead, eventTables, transaction } from "./queries/chain.js";
import {
  escrowSummary,
  governanceSummary,
  invoiceDetail,
  invoiceSummary,
  licenceDetail,
  licenceSummary,
  projectTimeline,
} from "./queries/dashboards.js";
import { parsePaging, tablePage } from "./queries/page.js";
import { InputError, parseFilters, type TableDef, TABLES, tableDef } from "./queries/tables.js";
import { errorPage, type Html, layout } from "./views/layout.js";
import * as pages from "./views/pages.js";

export interface AppDeps {
  config: DashboardConfig;
  db: WebDatabase;
  signIn: SignIn;
  bundle: Bundle;
  live: LiveHub;
  log: (message: string) => void;
}

type Env = { Variables: { session: Session; l: Locale } };

const PAGING_KEYS = ["page", "size", "lang"];

export function createApp({ config, db, signIn, bundle, live, log }: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const gzipped = new Map([...bundle.files].map(([url, file]) => [url, gzipSync(file.body)]));
  let tables: Promise<string[]> | undefined;

  // Language: ?lang= switches and is remembered in a cookie; zh-CN by default.
  app.use("*", async (c, next) => {
    const asked = parseLang(c.req.query("lang"));
    if (asked) setCookie(c, "lang", asked, { path: "/", sameSite: "Strict", maxAge: 365 * 86400 });
    const lang: Lang = asked ?? parseLang(getCookie(c, "lang")) ?? "zh-CN";
    c.set("l", locale(lang, config.timeZone));
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    if (c.res.headers.get("content-type")?.startsWith("text/html")) {
      c.header(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
      );
    }
  });

  app.onError((error, c) => {
    const l = c.get("l") ?? locale("en", config.timeZone);
    let status: 400 | 401 | 403 | 500 = 500;
    let message = "internal error";
    if (error instanceof InputError) [status, message] = [400, error.message];
    else if (error instanceof SignInError) [status, message] = [error.status, error.message];
    else log(`dashboard: ${c.req.method} ${c.req.path}: ${(error as Error).stack ?? error}`);
    if (status === 401) endSession(c);
    const wantsHtml = c.req.method === "GET" && !c.req.path.startsWith("/auth/") && !c.req.path.startsWith("/export/");
    if (!wantsHtml) return c.json({ error: message }, status);
    return c.html(
      layout(
        { l, title: l.t(status === 400 ? "badRequest" : "notPermitted"), path: c.req.path, script: bundle.entry },
        errorPage(message, l, status),
      ),
      status,
    );
  });

  app.get("/health", async (c) => {
    const head = await db.as(null, chainHead).catch(() => undefined);
    if (head === undefined) return c.json({ status: "database unavailable" }, 503);
    return c.json({ status: "ok", head });
  });

  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.get("/assets/:file", (c) => {
    const file = bundle.files.get(c.req.path);
    if (!file) return c.json({ error: "no such asset" }, 404);
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      c.header("Content-Encoding", "gzip");
      return c.body(gzipped.get(c.req.path)! as unknown as ArrayBuffer);
    }
    return c.body(file.body as unknown as ArrayBuffer);
  });

  // Sign-in ------------------------------------------------------------------------------------

  const origin = (c: Context) => new URL(new URL(c.req.url).origin);
  const jsonBody = async (c: Context) => {
    const body = await c.req.json().catch(() => null);
    if (body === null || typeof body !== "object") throw new InputError("request body must be a JSON object");
    return body as Record<string, unknown>;
  };

  app.get("/login", (c) => {
    const l = c.get("l");
    return c.html(layout({ l, title: l.t("signIn"), path: "/login", script: bundle.entry }, pages.loginPage(l)));
  });
  app.post("/auth/nonce", async (c) => {
    const body = await jsonBody(c);
    return c.json({ message: await signIn.message(body.address, origin(c)) });
  });
  app.post("/auth/verify", async (c) => {
    const body = await jsonBody(c);
    const who = await signIn.verify(body.message, body.signature, origin(c));
    await startSession(c, config.sessionSecret, config.sessionSeconds, who);
    return c.json(who);
  });
  app.post("/auth/logout", (c) => {
    endSession(c);
    return c.redirect("/login", 303);
  });

  // Everything below needs a session, checked against the registry at every request.
  const protectedPaths = [
    "/",
    "/governance",
    "/governance/*",
    "/invoices",
    "/invoices/*",
    "/licences",
    "/licences/*",
    "/escrow",
    "/escrow/*",
    "/failed",
    "/tx/*",
    "/export/*",
    "/events",
  ];
  for (const path of protectedPaths) {
    app.use(path, async (c, next) => {
      const session = await currentSession(c, config.sessionSecret, db);
      if (!session) {
        if (c.req.method === "GET" && !path.startsWith("/export") && path !== "/events") {
          return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 302);
        }
        throw new SignInError(401, "not signed in");
      }
      c.set("session", session);
      await next();
    });
  }

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
      const table = await tablePage(tx, TABLES.invoices, filters, paging, config.timeZone, summary.totals.count);
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

  app.get("/licences", (c) => {
    const l = c.get("l");
    return page(c, l.t("licences"), async (tx) => {
      const [summary, licences, uses] = await Promise.all([
        licenceSummary(tx),
        tablePage(tx, TABLES.licences, {}, firstPage, config.timeZone),
        tablePage(tx, TABLES.licence_uses, {}, firstPage, config.timeZone),
      ]);
      return pages.licencesPage(l, summary, licences, uses);
    });
  });

  app.get("/escrow", (c) => {
    const l = c.get("l");
    return page(c, l.t("escrow"), async (tx) => {
      const [summary, projects, wages] = await Promise.all([
        escrowSummary(tx),
        tablePage(tx, TABLES.projects, {}, firstPage, config.timeZone),
        tablePage(tx, TABLES.wages, {}, firstPage, config.timeZone),
      ]);
      return pages.escrowPage(l, summary, projects, wages);
    });
  });

  app.get("/licences/:id", (c) => {
    const id = c.req.param("id");
    if (!/^0x[0-9a-fA-F]{64}$/.test(id)) throw new InputError("licence id must be a 0x-prefixed 32-byte hex value");
    const l = c.get("l");
    return page(c, l.t("licences"), async (tx) => {
      const row = await tablePage(tx, TABLES.licences, { id }, firstPage, config.timeZone);
      return pages.licencePage(l, id, row, await licenceDetail(tx, id, config.timeZone));
    });
  });

  app.get("/escrow/projects/:id", (c) => {
    const id = c.req.param("id");
    if (!/^\d{1,20}$/.test(id)) throw new InputError("project id must be a whole number");
    const l = c.get("l");
    return page(c, `${l.t("project")} #${id}`, async (tx) => {
      const row = await tablePage(tx, TABLES.projects, { id }, firstPage, config.timeZone);
      return pages.projectPage(l, id, row, await projectTimeline(tx, id, config.timeZone));
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

  app.get("/export/:file", (c) => {
    const match = /^([a-z_]{1,40})\.(csv|xlsx)$/.exec(c.req.param("file"));
    const def = match ? tableDef(match[1]) : undefined;
    if (!match || !def) throw new InputError("no such export; use /export/<table>.csv or .xlsx");
    const filters = parseFilters(def, query(c), ["lang"]);
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

  app.get("/events", (c) =>
    streamSSE(c, async (stream) => {
      let closed = false;
      const unsubscribe = live.subscribe((head) => {
        if (!closed) void stream.writeSSE({ event: "block", data: JSON.stringify(head) }).catch(() => {});
      });
      stream.onAbort(() => {
        closed = true;
        unsubscribe();
      });
      // Comments keep proxies from closing an idle stream; the loop ends when the client goes.
      while (!closed) {
        await stream.sleep(15_000);
        if (!closed) await stream.write(": keep-alive\n\n").catch(() => (closed = true));
      }
      unsubscribe();
    }),
  );

  app.notFound((c) => c.json({ error: "not found" }, 404));
  return app;
}
