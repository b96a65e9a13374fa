/**
 * The dashboard's database access: the only module that opens connections. The server reads as
 * govledger_web, a login role that owns nothing and is subject to row-level security
 * (indexer/migrations/0040_web_access.sql); every read runs in a transaction that first sets the
 * signed-in department with SET LOCAL (set_config(..., true)), so the department cannot leak to
 * the next transaction on the same pooled connection. An owner URL, when given, is used once at
 * start: migrations, and a fresh password for govledger_web.
 */
import { randomBytes } from "node:crypto";

import type { Sql, TransactionSql } from "postgres";

import { connectDatabase } from "../../indexer/src/db/client.js";
import { migrate } from "../../indexer/src/db/migrate.js";
import { ConfigError } from "../../indexer/src/errors.js";
import type { DashboardConfig } from "./config.js";

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

/** Sets govledger_web's password through an owner connection and returns the role's URL. */
export async function webRoleUrl(ownerUrl: string): Promise<string> {
  const owner = connectDatabase(ownerUrl, { max: 1 });
  try {
    await migrate(owner);
    const password = randomBytes(24).toString("hex");
    // The password is ours (hex): no quoting can go wrong. ALTER ROLE takes no bind parameters.
    await owner.unsafe(`alter role govledger_web with login password '${password}'`);
    const url = new URL(ownerUrl);
    url.username = "govledger_web";
    url.password = password;
    return url.toString();
  } catch (error) {
    throw new ConfigError(`could not prepare the database for the dashboard: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await owner.end({ timeout: 5 });
  }
}

export async function openWebDatabase(
  config: Pick<DashboardConfig, "databaseUrl" | "webDatabaseUrl">,
): Promise<WebDatabase> {
  const url = config.webDatabaseUrl ?? (await webRoleUrl(config.databaseUrl!));
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
