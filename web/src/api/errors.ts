/**
 * The API's error codes: every error it answers with carries one, so an integrator tells a limit
 * from a bad query from a refused credential without reading the English. GraphQL errors carry it
 * as `extensions.code` (the names Apollo Server and GraphQL Yoga use where theirs fit); the read
 * API's JSON errors as `code` beside `error`. This module names the codes, builds the error bodies
 * and masks what PostgreSQL and the server's own faults would say (grafserv's `maskError`); it
 * decides nothing about who may read what.
 */
// Before Grafast loads: the dashboard (web/src/app.ts) reaches Grafast through this module first.
import "./env.js";

import { randomBytes } from "node:crypto";

import type { Context } from "hono";
import pg from "pg";
import { isSafeError } from "postgraphile/grafast";
import { GraphQLError } from "postgraphile/graphql";

/** Each code and when it is given (README "GraphQL and the read API" lists the same). */
export const ERROR_CODES = {
  UNAUTHENTICATED: "401: no credentials, or a token or session cookie that is not valid (unknown, revoked, expired)",
  FORBIDDEN: "403: a suspended department, an account no longer its operator, a token managing tokens",
  BAD_REQUEST: "400, 405, 406, 413, 415: not a GraphQL request this server takes (body, method, media type, size)",
  GRAPHQL_PARSE_FAILED: "400: the query is not GraphQL (a syntax error)",
  GRAPHQL_VALIDATION_FAILED:
    "400: the query does not fit the schema (a field, argument or fragment), or is not a query",
  BAD_USER_INPUT: "400: a value is not what it must be (a variable, a cursor, a page size, a path parameter)",
  QUERY_TOO_DEEP: "400: nested deeper than the depth limit",
  QUERY_TOO_COSTLY: "400: may fetch more rows than the cost limit, or introspection would describe too much",
  PAGE_TOO_LARGE: "400: a list without first or last, or with more rows than the page limit",
  NOT_FOUND: "404: no such invoice, licence, token or path (read API)",
  INTERNAL_SERVER_ERROR:
    "500 (or 200 beside partial data): the server failed; the message names nothing of the database",
  SERVICE_UNAVAILABLE: "503: /health (the API's and the dashboards'): the database does not answer",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

type Status = 400 | 401 | 403 | 404 | 405 | 406 | 413 | 415 | 500 | 503;

/** The code an HTTP status of the API's own refusals carries. */
export function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status >= 400 && status < 500) return "BAD_REQUEST";
  return "INTERNAL_SERVER_ERROR";
}

/** A GraphQL error answer: `{ errors: [{ message, locations?, extensions: { code } }] }`. */
export function graphqlErrors(c: Context, status: Status, errors: readonly GraphQLError[]) {
  return c.json({ errors: errors.map((error) => error.toJSON()) }, status);
}

export function graphqlError(c: Context, status: Status, code: ErrorCode, message: string) {
  return graphqlErrors(c, status, [new GraphQLError(message, { extensions: { code } })]);
}

/** A read API error answer: `{ error, code }`. */
export function jsonError(c: Context, status: Status, code: ErrorCode, message: string) {
  return c.json({ error: message, code }, status);
}

/** An id to find a masked error by in the server's log. */
export const errorId = () => randomBytes(6).toString("hex");

/**
 * grafserv's `maskError`: every error of an execution gets a code. What the API's own code or
 * PostGraphile throws for the request (a GraphQLError, a grafast SafeError: a bad cursor, a bad
 * value) keeps its message as BAD_USER_INPUT; PostgreSQL rejecting a value (SQLSTATE class 22, a
 * date out of range, a number that does not parse) is BAD_USER_INPUT with a message naming only
 * the SQLSTATE; anything else from PostgreSQL or the server (a permission, a lost connection, a
 * bug) is INTERNAL_SERVER_ERROR with an id, and the whole error goes to the log under that id.
 */
export function makeMaskError(log: (message: string) => void): (error: GraphQLError) => GraphQLError {
  return (error) => {
    if (typeof error.extensions?.code === "string") return error;
    const original = error.originalError;
    const masked = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) =>
      new GraphQLError(message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        originalError: original,
        extensions: { ...extensions, code },
      });
    // graphql-js's own (a null where the schema promised none): no detail beyond the field.
    if (original == null) return masked("INTERNAL_SERVER_ERROR", error.message);
    if (original instanceof GraphQLError) {
      return masked("BAD_USER_INPUT", original.message, { ...original.extensions });
    }
    if (isSafeError(original)) {
      const { statusCode: _status, ...extensions } = original.extensions ?? {};
      return masked(
        typeof extensions.code === "string" ? (extensions.code as ErrorCode) : "BAD_USER_INPUT",
        original.message,
        extensions,
      );
    }
    if (original instanceof pg.DatabaseError && original.code?.startsWith("22")) {
      return masked("BAD_USER_INPUT", `a value in the request is not valid for its column (SQLSTATE ${original.code})`);
    }
    const id = errorId();
    log(`api: GraphQL error ${id} at ${error.path?.join(".") ?? "(no path)"}: ${original.stack ?? original}`);
    return masked("INTERNAL_SERVER_ERROR", `internal error (logged as ${id})`);
  };
}
