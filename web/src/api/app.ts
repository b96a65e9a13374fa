/**
 * The integrators' HTTP application (Hono): GraphQL at /graphql (PostGraphile through grafserv,
 * GraphiQL on GET), the read API under /api, and /health. This file authenticates and checks
 * limits; rows are decided by PostgreSQL (the department goes into each GraphQL transaction as
 * a setting, graphql.ts) and the public reads go through 0050's definer functions.
 *
 * Who a request reads as: a bearer token a department issued (`Authorization: Bearer glt_…`), or
 * the dashboard's session cookie (the same signed cookie, checked against the registry at every
 * request). Public without either: the invoice and licence reads (the chain tells anyone),
 * GraphiQL's page and /health.
 */
import "./env.js";

import { invoiceIdOf, invoiceProof } from "@govledger/contracts";
import { Hono, type Context } from "hono";
import { grafserv } from "grafserv/hono/v4";
import type { PostGraphileInstance } from "postgraphile";

import { currentSession } from "../auth/session.js";
import { SignInError } from "../auth/siwe.js";
import { issueToken, listTokens, revokeToken, tokenDepartment } from "../auth/tokens.js";
import type { WebDatabase } from "../db.js";
import { chainHead } from "../queries/chain.js";
import { publicInvoice, publicLicence, type LicenceRecord } from "../queries/public.js";
import { InputError } from "../queries/tables.js";
import { ConfigError } from "../../../indexer/src/errors.js";
import { codeOfStatus, graphqlError, graphqlErrors, jsonError, type ErrorCode, errorId } from "./errors.js";
import type { QueryLimits } from "./limits.js";
import { createRequestCheck } from "./request.js";
import { validityOverTime } from "./validity.js";

export interface ApiDeps {
  db: WebDatabase;
  graphql: PostGraphileInstance;
  sessionSecret: string;
  limits: QueryLimits;
  log: (message: string) => void;
}

interface Principal {
  department: string;
  via: "session" | "token";
  /** The signed-in operator's account (sessions only). */
  account?: string;
}

export type ApiEnv = { Variables: { principal: Principal; department: string } };

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const UINT64 = /^\d{1,20}$/;
// The licence history follows dependencies at any depth; the registry's chains are short.
const MAX_LICENCES = 64;

/** The request's principal, or null without credentials; throws 401/403 for bad ones. */
async function authenticate(c: Context, deps: ApiDeps): Promise<Principal | null> {
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) {
    const match = /^Bearer (\S+)$/i.exec(authorization);
    if (!match) throw new SignInError(401, "Authorization must be 'Bearer <token>'");
    const { code } = await tokenDepartment(deps.db.sql, match[1]);
    return { department: code, via: "token" };
  }
  const session = await currentSession(c, deps.sessionSecret, deps.db);
  return session ? { department: session.department, via: "session", account: session.account } : null;
}

function text32(value: string): string {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length === 0 || bytes.length > 32)
    throw new InputError("code must be 0x and 64 hex digits, or text of 1-32 bytes");
  return `0x${bytes.toString("hex").padEnd(64, "0")}`;
}

export async function createApiApp(deps: ApiDeps): Promise<Hono<ApiEnv>> {
  const { db, graphql, limits, log } = deps;
  const app = new Hono<ApiEnv>();
  const checkRequest = createRequestCheck(await graphql.getSchema(), limits);

  app.use("*", async (c, next) => {
    await next();
    // grafserv answers a few refusals itself (a GET for JSON: 405; an Accept it cannot serve:
    // 406) without a code: they get the code of their status. Only error statuses are read
    // again, so an answer with data is never parsed twice.
    const status = c.res.status;
    if (c.req.path === "/graphql" && status >= 400 && /json/.test(c.res.headers.get("content-type") ?? "")) {
      const answer = (await c.res
        .clone()
        .json()
        .catch(() => null)) as { errors?: { extensions?: { code?: unknown } }[] } | null;
      if (answer?.errors?.some((error) => typeof error.extensions?.code !== "string")) {
        for (const error of answer.errors) {
          error.extensions = { ...error.extensions, code: error.extensions?.code ?? codeOfStatus(status) };
        }
        const headers = new Headers(c.res.headers);
        headers.delete("content-length");
        c.res = new Response(JSON.stringify(answer), { status, headers });
      }
    }
    // What HTTP clients and API gateways look for on a 401 (RFC 6750): the scheme to use, and
    // whether the token sent was refused (unknown, revoked) rather than missing.
    if (c.res.status === 401 && !c.res.headers.has("WWW-Authenticate")) {
      const refused = c.req.header("authorization") !== undefined ? ', error="invalid_token"' : "";
      c.header("WWW-Authenticate", `Bearer realm="govledger"${refused}`);
    }
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", c.res.headers.get("Cache-Control") ?? "no-store");
  });

  app.onError((error, c) => {
    let status: 400 | 401 | 403 | 405 | 413 | 415 | 500 = 500;
    let message: string;
    let code: ErrorCode;
    // grafserv throws its refusals (wrong content type or method, an oversized body) with a status.
    const carried = (error as { status?: number }).status;
    if (error instanceof InputError || error instanceof ConfigError) {
      [status, code, message] = [400, "BAD_USER_INPUT", error.message];
    } else if (error instanceof SignInError) {
      [status, code, message] = [error.status, codeOfStatus(error.status), error.message];
    } else if (carried === 400 || carried === 405 || carried === 413 || carried === 415) {
      [status, code, message] = [carried, "BAD_REQUEST", error.message];
    } else {
      const id = errorId();
      log(`api: error ${id}: ${c.req.method} ${c.req.path}: ${(error as Error).stack ?? error}`);
      [code, message] = ["INTERNAL_SERVER_ERROR", `internal error (logged as ${id})`];
    }
    return c.req.path === "/graphql" ? graphqlError(c, status, code, message) : jsonError(c, status, code, message);
  });

  app.get("/health", async (c) => {
    const head = await db.as(null, chainHead).catch(() => undefined);
    // As the API's errors (README "Error codes"): a monitor branches on the status and the code.
    if (head === undefined) return jsonError(c, 503, "SERVICE_UNAVAILABLE", "database unavailable");
    return c.json({ status: "ok", head });
  });

  // GraphQL: a principal for every operation, the limits before PostGraphile sees it.
  app.post("/graphql", async (c, next) => {
    const principal = await authenticate(c, deps);
    if (!principal) {
      return graphqlError(
        c,
        401,
        "UNAUTHENTICATED",
        "sign in to the dashboard or send 'Authorization: Bearer <token>' (npm run db -- issue-token)",
      );
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return graphqlError(
        c,
        400,
        "BAD_REQUEST",
        "the request body must be JSON: { query, variables?, operationName? }",
      );
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return graphqlError(
        c,
        400,
        "BAD_REQUEST",
        "the request body must be one JSON object: { query, variables?, operationName? }",
      );
    }
    const refused = checkRequest(body);
    if (refused) return graphqlErrors(c, 400, refused);
    c.set("principal", principal);
    c.set("department", principal.department);
    await next();
  });
  const serv = graphql.createServ(grafserv);
  await serv.addTo(app as unknown as Hono);

  // Read API -----------------------------------------------------------------------------------

  // An invoice and what `verifyInvoice(invoice, proof)` and `claim(invoice, proof, salt,
  // receiver)` need: the InvoiceData struct and the proof within its batch, rebuilt from the
  // batch's InvoiceIssued events in log order (the ledger stores only the root).
  app.get("/api/invoices/:issuerId/:code/:number", async (c) => {
    const { issuerId, number } = c.req.param();
    const code = HEX32.test(c.req.param("code")) ? c.req.param("code").toLowerCase() : text32(c.req.param("code"));
    if (!HEX32.test(issuerId))
      throw new InputError("issuerId must be 0x and 64 hex digits (the issuer's participant id)");
    if (!UINT64.test(number) || BigInt(number) >= 2n ** 64n) throw new InputError("number must be a uint64 in decimal");
    const invoiceId = invoiceIdOf(issuerId.toLowerCase(), code, BigInt(number));
    const found = await db.as(null, (tx) => publicInvoice(tx, invoiceId));
    if (!found) return jsonError(c, 404, "NOT_FOUND", `no invoice ${number} of code ${code} from issuer ${issuerId}`);
    const index = found.batch.findIndex((row) => invoiceIdOf(row.issuerId, row.code, row.number) === invoiceId);
    if (index < 0) throw new Error(`invoice ${invoiceId} is missing from its indexed batch`);
    const row = found.batch[index];
    // The batch as indexed must hash to the root the ledger holds, or the proof is worthless:
    // invoiceProof checks it.
    const { invoice, proof } = invoiceProof(found.batch, invoiceId, row.batchRoot);
    return c.json({
      invoiceId,
      invoice: found.invoice,
      invoiceData: {
        ...invoice,
        number: invoice.number.toString(),
        amount: invoice.amount.toString(),
        tax: invoice.tax.toString(),
      },
      proof,
      batch: { root: row.batchRoot, size: found.batch.length, index, block: row.blockNumber, txHash: row.txHash },
    });
  });

  // A licence, its versions and suspensions, and its validity over time (isValidAt for every t),
  // with every licence it depends on at any depth.
  app.get("/api/licences/:licenceId", async (c) => {
    const licenceId = c.req.param("licenceId").toLowerCase();
    if (!HEX32.test(licenceId)) throw new InputError("licenceId must be 0x and 64 hex digits");
    const records = await db.as(
      null,
      async (tx) => {
        const loaded = new Map<string, LicenceRecord>();
        const queue = [licenceId];
        while (queue.length > 0 && loaded.size < MAX_LICENCES) {
          const id = queue.shift()!;
          if (loaded.has(id)) continue;
          const record = await publicLicence(tx, id);
          if (!record) continue;
          loaded.set(id, record);
          queue.push(...((record.licence.dependencyIds as string[] | null) ?? []));
        }
        return loaded;
      },
      { snapshot: true },
    );
    const record = records.get(licenceId);
    if (!record) return jsonError(c, 404, "NOT_FOUND", `no licence ${licenceId}`);
    return c.json({
      ...record,
      validity: validityOverTime(records, licenceId),
      dependencies: [...records.keys()].filter((id) => id !== licenceId),
    });
  });

  // Service tokens: a signed-in operator manages its own department's. A token cannot.
  const operator = async (c: Context) => {
    if (c.req.header("authorization") !== undefined) {
      throw new SignInError(403, "service tokens are managed by a signed-in operator, not with a token");
    }
    const session = await currentSession(c, deps.sessionSecret, db);
    if (!session) throw new SignInError(401, "sign in to the dashboard to manage service tokens");
    return session;
  };
  app.get("/api/tokens", async (c) => {
    const session = await operator(c);
    return c.json({ tokens: (await listTokens(db.sql, session.department)).map((t) => ({ ...t })) });
  });
  app.post("/api/tokens", async (c) => {
    const session = await operator(c);
    const body = (await c.req.json().catch(() => null)) as { label?: unknown } | null;
    if (!body || typeof body.label !== "string")
      throw new InputError('send JSON { "label": "<what the token is for>" }');
    const issued = await issueToken(db.sql, session.department, body.label, `session ${session.account}`);
    return c.json({ ...issued, department: session.department, label: body.label }, 201);
  });
  app.delete("/api/tokens/:tokenId", async (c) => {
    const session = await operator(c);
    const tokenId = c.req.param("tokenId");
    if (!/^\d{1,15}$/.test(tokenId)) throw new InputError("tokenId must be a number");
    const revoked = await revokeToken(db.sql, session.department, Number(tokenId));
    if (revoked === 0) return jsonError(c, 404, "NOT_FOUND", `no live token ${tokenId} of ${session.department}`);
    return c.json({ revoked: Number(tokenId) });
  });

  app.notFound((c) =>
    c.req.path === "/graphql"
      ? graphqlError(c, 404, "NOT_FOUND", "not found")
      : jsonError(c, 404, "NOT_FOUND", `no ${c.req.method} ${c.req.path}`),
  );
  return app;
}
