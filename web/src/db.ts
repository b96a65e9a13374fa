/**
 * The dashboard's database access: the only module that opens connections. The server reads as
 * govledger_web, a login role that owns nothing and is subject to row-level security
 * (indexer/migrations/0040_web_access.sql); every read runs in a transaction that first sets the
 * signed-in department with SET LOCAL (set_config(..., true)), so the department cannot leak to
 * the next transaction on the same pooled connection. An owner URL, when given, is used once at
 * start: migrations, and govledger_web's password on the first start (webRoleUrl).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Sql, TransactionSql } from "postgres";

import { connectDatabase } from "../../indexer/src/db/client.js";
import { migrate } from "../../indexer/src/db/migrate.js";
import { ConfigError } from "../../indexer/src/errors.js";
import type { DashboardConfig, WebRolePassword } from "./config.js";

export type Tx = TransactionSql;

export interface WebDatabase {
  /** Runs `fn` in a read-only transaction as `department` (a code, or null for none). */
  as<T>(department: string | null, fn: (tx: Tx) => Promise<T>, options?: { snapshot?: boolean }): Promise<T>;
  /** Sign-in bookkeeping that is not department data (nonces). */
  sql: Sql;
  /** Calls `onBatch` after each indexer commit (NOTIFY govledger_blocks). */
  listen(onBatch: (payload: string) => void): Promise<() => Promise<void>>;
  end(): Promise<void>;
}

/**
 * govledger_web's URL, through an owner connection (migrations first). The password is the
 * operator's (given: nothing is written) or the dashboard's own, kept in a file (created 0600 with
 * a random one on the first start; see webRolePassword in config.ts). It is set on the role only
 * when the role does not take it (the first start on this database server), never on every
 * start, so a second dashboard sharing it, or a restart, leaves running servers' logins alone.
 * Whoever manages the role's password and migrations themselves gives the dashboard
 * GOVLEDGER_DASHBOARD_DATABASE_URL instead, and nothing here runs.
 */
export async function webRoleUrl(
  ownerUrl: string,
  secret: WebRolePassword,
  log: (message: string) => void = () => {},
): Promise<string> {
  const owner = connectDatabase(ownerUrl, { max: 1 });
  try {
    await migrate(owner);
    const password = "password" in secret ? secret.password : keptPassword(secret.file);
    const url = new URL(ownerUrl);
    url.username = "govledger_web";
    url.password = password;
    if (!(await logsIn(url.toString()))) {
      // ALTER ROLE takes no bind parameters: PostgreSQL quotes the password itself (format %L).
      const [{ statement }] =
        await owner`select format('alter role govledger_web with login password %L', ${password}::text) as statement`;
      await owner.unsafe(statement);
      log(
        `dashboard: set govledger_web's password (${"file" in secret ? `kept in ${secret.file}` : "GOVLEDGER_DASHBOARD_DB_PASSWORD"})`,
      );
    }
    return url.toString();
  } catch (error) {
    throw new ConfigError(`could not prepare the database for the dashboard: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await owner.end({ timeout: 5 });
  }
}

/** The password in `file`, or a new random one written there (0600) when there is none. */
function keptPassword(file: string): string {
  let password: string;
  try {
    password = readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    password = randomBytes(24).toString("hex");
    mkdirSync(path.dirname(file), { recursive: true });
    // wx: two dashboards starting at once do not both write one; the loser reads the winner's.
    try {
      writeFileSync(file, `${password}\n`, { mode: 0o600, flag: "wx" });
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== "EEXIST") throw raced;
      password = readFileSync(file, "utf8").trim();
    }
  }
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(password))
    throw new ConfigError(`${file} must hold one password of 16-128 letters, digits, _ or -`);
  return password;
}

/** Whether `url` logs in; false only when the server refuses the password (28P01) or the login. */
async function logsIn(url: string): Promise<boolean> {
  const probe = connectDatabase(url, { max: 1, connect_timeout: 10 });
  try {
    await probe`select 1`;
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "28P01" || code === "28000") return false;
    throw error;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

export async function openWebDatabase(
  config: Pick<DashboardConfig, "databaseUrl" | "webDatabaseUrl" | "webRolePassword">,
  log: (message: string) => void = () => {},
): Promise<WebDatabase> {
  const url = config.webDatabaseUrl ?? (await webRoleUrl(config.databaseUrl!, config.webRolePassword, log));
  const sql = connectDatabase(url, { max: 8, idle_timeout: 30, connect_timeout: 10 });
  try {
    const [who] =
      await sql`select current_user as role, (select rolsuper from pg_roles where rolname = current_user) as superuser`;
    if (who.superuser)
      throw new ConfigError(
        `the dashboard must not connect as a superuser (${who.role}): row-level security would not apply`,
      );
  } catch (error) {
    await sql.end({ timeout: 1 });
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`could not connect to the database as the dashboard's role: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    sql,
    async as(department, fn, options = {}) {
      const mode = options.snapshot ? "isolation level repeatable read read only" : "read only";
      return (await sql.begin(mode, async (tx) => {
        await tx`select set_config('govledger.department', ${department ?? ""}, true)`;
        return fn(tx);
      })) as never;
    },
    async listen(onBatch) {
      const { unlisten } = await sql.listen("govledger_blocks", onBatch);
      return unlisten;
    },
    end: () => sql.end({ timeout: 5 }),
  };
}
