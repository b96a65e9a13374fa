/**
 * Service tokens of the API: a department issues a bearer token to one of its services (`npm run
 * db -- issue-token`, or a signed-in operator through POST /api/tokens) and revokes it. Only the
 * token's SHA-256 is stored (web.api_tokens, 0050); the token is shown once. Every request looks
 * the hash up again, so a revoked token fails at the next request, and so does a token of a
 * department suspended since.
 */
import { createHash, randomBytes } from "node:crypto";

import type { Sql } from "postgres";

import { ConfigError } from "../../../indexer/src/errors.js";
import { SignInError } from "./siwe.js";

const PREFIX = "glt_";
const TOKEN = /^glt_[A-Za-z0-9_-]{43}$/;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/;

export interface TokenRecord {
  tokenId: number;
  departmentCode: string;
  label: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const hashOf = (token: string) => createHash("sha256").update(token).digest();

export function checkLabel(label: string): void {
  if (!LABEL.test(label)) {
    throw new ConfigError(
      `a token label is 1-63 letters, digits, spaces, . _ or - (starting with a letter or digit), not "${label}"`,
    );
  }
}

/** Issues a token for `code`'s services; returns it (the only time it is shown) and its id. */
export async function issueToken(sql: Sql, code: string, label: string, createdBy: string) {
  checkLabel(label);
  const token = PREFIX + randomBytes(32).toString("base64url");
  try {
    const [row] = await sql`insert into web.api_tokens (department_code, label, token_hash, created_by)
                            values (${code}, ${label}, ${hashOf(token)}, ${createdBy}) returning token_id`;
    return { tokenId: Number(row.token_id), token };
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new ConfigError(
        `${code} already has a live token labelled "${label}": revoke it first or choose another label`,
      );
    }
    throw error;
  }
}

/** Revokes `code`'s live token with that label (or id); returns how many were revoked (0 or 1). */
export async function revokeToken(sql: Sql, code: string, labelOrId: string | number): Promise<number> {
  const byId = typeof labelOrId === "number";
  const rows = await sql`update web.api_tokens set revoked_at = now()
    where department_code = ${code} and revoked_at is null
      and ${byId ? sql`token_id = ${labelOrId}` : sql`label = ${labelOrId}`}
    returning token_id`;
  return rows.length;
}

export async function listTokens(sql: Sql, code: string): Promise<TokenRecord[]> {
  const rows = await sql`select token_id, department_code, label, created_by, created_at, revoked_at
                         from web.api_tokens where department_code = ${code} order by token_id`;
  return rows.map((row) => ({
    tokenId: Number(row.token_id),
    departmentCode: row.department_code,
    label: row.label,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}

/** The department a bearer token reads as; a 401 for an unknown or revoked token, 403 if suspended. */
export async function tokenDepartment(sql: Sql, token: string): Promise<{ code: string; tokenId: number }> {
  if (!TOKEN.test(token)) {
    throw new SignInError(401, "bearer token is not valid: a govledger token is glt_ and 43 characters of base64url");
  }
  const [row] = await sql`select t.token_id, t.department_code, t.revoked_at,
                                 web.department_active(web.code_to_id(t.department_code)) as active
                          from web.api_tokens t where t.token_hash = ${hashOf(token)}`;
  if (!row) {
    throw new SignInError(
      401,
      "bearer token is not valid: no department issued it (npm run db -- issue-token, or POST /api/tokens)",
    );
  }
  if (row.revoked_at)
    throw new SignInError(
      401,
      `bearer token was revoked at ${(row.revoked_at as Date).toISOString()}: ask ${row.department_code} for a new one`,
    );
  if (!row.active) throw new SignInError(403, `department ${row.department_code} is suspended`);
  return { code: row.department_code, tokenId: Number(row.token_id) };
}
