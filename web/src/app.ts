/**
 * The dashboards' HTTP application (Hono): routes (routes/) -> queries (queries/) -> database.
 * This file holds what applies to every route: the language, security headers, error answers,
 * and the session check, which is default-deny: every path but the few public ones needs a
 * session that the registry still backs. Rows are never filtered here: the department is set on
 * each transaction (db.ts) and PostgreSQL's row-level security decides.
 */
import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { gzipSync } from "node:zlib";

import { jsonError } from "./api/errors.js";
import { currentSession, endSession } from "./auth/session.js";
import { SignInError } from "./auth/siwe.js";
import { type Lang, locale, parseLang } from "./i18n.js";
import { chainHead } from "./queries/chain.js";
import { InputError } from "./queries/tables.js";
import { authRoutes } from "./routes/auth.js";
import type { AppDeps, Env } from "./routes/context.js";
import { eventRoutes } from "./routes/events.js";
import { exportRoutes } from "./routes/exports.js";
import { pageRoutes } from "./routes/pages.js";
import { errorPage, layout } from "./views/layout.js";

export type { AppDeps } from "./routes/context.js";

const PUBLIC = [/^\/health$/, /^\/favicon\.ico$/, /^\/assets\//, /^\/login$/, /^\/auth\//];

export function createApp(deps: AppDeps): Hono<Env> {
  const { config, db, bundle, log } = deps;
  const app = new Hono<Env>();
  const gzipped = new Map([...bundle.files].map(([url, file]) => [url, gzipSync(file.body)]));
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
    // As the API's errors (README "Error codes"): a monitor branches on the status and the code.
    if (head === undefined) return jsonError(c, 503, "SERVICE_UNAVAILABLE", "database unavailable");
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

  // Every other path needs a session, checked against the registry at every request.
  app.use("*", async (c, next) => {
    if (PUBLIC.some((path) => path.test(c.req.path))) return next();
    const session = await currentSession(c, config.sessionSecret, db);
    if (!session) {
      const page = c.req.method === "GET" && !c.req.path.startsWith("/export/") && c.req.path !== "/events";
      if (page) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 302);
      throw new SignInError(401, "not signed in");
    }
    c.set("session", session);
    await next();
  });

  app.route("/", authRoutes(deps));
  app.route("/", pageRoutes(deps));
  app.route("/", exportRoutes(deps));
  app.route("/", eventRoutes(deps));
  app.notFound((c) => c.json({ error: "not found" }, 404));
  return app;
}
