/**
 * Database administration for row-level security (`npm run db -- <command>`), through an owner's
 * DATABASE_URL (a role with CREATEROLE):
 *   grant-department <code>   a login role for the department's analysts, seeing in SQL exactly
 *                             what the department's dashboard shows (web.analyst_roles)
 *   revoke-department <code>  drops that role
 *   set-regulator <code>      the department that sees every row (AUDIT by default)
 *   issue-token <code> <label>  a bearer token for one of the department's services (the API,
 *                             web/src/api/): shown once, only its hash is stored
 *   revoke-token <code> <label> revokes it: its next request fails
 *   list-tokens <code>        the department's tokens, live and revoked
 */
import { randomBytes } from "node:crypto";

import type { Sql } from "postgres";

import { connectDatabase } from "../../indexer/src/db/client.js";
import { migrate } from "../../indexer/src/db/migrate.js";
import { BaseError, ConfigError } from "../../indexer/src/errors.js";
import { issueToken, listTokens, revokeToken } from "./auth/tokens.js";

const CODE = /^[A-Z][A-Z0-9_]{0,30}$/;

export function analystRole(code: string): string {
  return `govledger_${code.toLowerCase()}_analyst`;
}

export async function checkDepartment(sql: Sql, code: string): Promise<void> {
  if (!CODE.test(code))
    throw new ConfigError(`department code must be 1-31 capital letters, digits or _, not "${code}"`);
  const [row] = await sql`select 1 from gov.department_admitted where department_id = web.code_to_id(${code})`;
  if (!row) throw new ConfigError(`no department ${code} in the indexed registry`);
}

/** Creates (or re-keys) the analysts' login role of `code`; returns its name and password. */
export async function grantDepartment(sql: Sql, code: string, password = randomBytes(18).toString("hex")) {
  await checkDepartment(sql, code);
  const role = analystRole(code);
  // Identifiers and the password are checked or generated here; DDL takes no bind parameters.
  if (!/^[A-Za-z0-9_-]{12,128}$/.test(password))
    throw new ConfigError("password must be 12-128 letters, digits, _ or -");
  await sql.begin(async (tx) => {
    const [exists] = await tx`select 1 from pg_roles where rolname = ${role}`;
    await tx.unsafe(
      `${exists ? "alter" : "create"} role ${role} login password '${password}' nosuperuser nocreatedb nocreaterole noinherit`,
    );
    // noinherit + the reader's privileges granted as membership with INHERIT: the role reads
    // through govledger_reader and holds nothing of its own.
    await tx.unsafe(`grant govledger_reader to ${role} with inherit true`);
    await tx`insert into web.analyst_roles (role_name, department_code) values (${role}, ${code})
             on conflict (role_name) do update set department_code = excluded.department_code`;
  });
  return { role, password };
}

export async function revokeDepartment(sql: Sql, code: string): Promise<string> {
  if (!CODE.test(code))
    throw new ConfigError(`department code must be 1-31 capital letters, digits or _, not "${code}"`);
  const role = analystRole(code);
  await sql.begin(async (tx) => {
    await tx`delete from web.analyst_roles where role_name = ${role}`;
    const [exists] = await tx`select 1 from pg_roles where rolname = ${role}`;
    if (exists) await tx.unsafe(`drop role ${role}`);
  });
  return role;
}

export async function setRegulator(sql: Sql, code: string): Promise<void> {
  await checkDepartment(sql, code);
  await sql`update web.config set regulator_code = ${code}`;
}

async function main(argv: string[]): Promise<void> {
  const [command, code, label] = argv;
  const url = process.env.DATABASE_URL;
  if (!url) throw new ConfigError("set DATABASE_URL to the indexer database (an owner role with CREATEROLE)");
  const usage =
    "usage: npm run db -- grant-department <code> | revoke-department <code> | set-regulator <code> | " +
    "issue-token <code> <label> | revoke-token <code> <label> | list-tokens <code>";
  if (!command || !code) throw new ConfigError(usage);
  const sql = connectDatabase(url, { max: 1 });
  try {
    await migrate(sql);
    if (command === "grant-department") {
      const { role, password } = await grantDepartment(sql, code, process.env.GOVLEDGER_ANALYST_PASSWORD || undefined);
      const login = new URL(url);
      login.username = role;
      login.password = password;
      console.log(`role ${role} reads as department ${code} (row-level security); its password is shown once:`);
      console.log(`  psql '${login.toString()}'`);
    } else if (command === "revoke-department") {
      console.log(`role ${await revokeDepartment(sql, code)} dropped`);
    } else if (command === "set-regulator") {
      await setRegulator(sql, code);
      console.log(`department ${code} is the regulator: it sees every row`);
    } else if (command === "issue-token" || command === "revoke-token") {
      if (!label) throw new ConfigError(usage);
      await checkDepartment(sql, code);
      if (command === "issue-token") {
        const { token, tokenId } = await issueToken(sql, code, label, "npm run db");
        console.log(`token ${tokenId} "${label}" reads as department ${code}; it is shown once:`);
        console.log(`  Authorization: Bearer ${token}`);
      } else if ((await revokeToken(sql, code, label)) === 0) {
        throw new ConfigError(`${code} has no live token labelled "${label}"`);
      } else console.log(`token "${label}" of ${code} revoked: its next request fails`);
    } else if (command === "list-tokens") {
      for (const t of await listTokens(sql, code)) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : "live";
        console.log(`${t.tokenId}\t${t.label}\t${state}\tissued ${t.createdAt.toISOString()} by ${t.createdBy}`);
      }
    } else throw new ConfigError(usage);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`db: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`);
    process.exit(1);
  });
}
