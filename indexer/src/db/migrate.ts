/**
 * Applies indexer/migrations/NNNN_name.sql in order, each once, under an advisory lock so that
 * several indexer processes starting together migrate once. Forward only: a file that changed
 * after it was applied stops the start (its checksum no longer matches).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { Sql } from "postgres";

import { ConfigError } from "../errors.js";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "migrations");
const LOCK = 0x60_76_1e_d6; // "govledger migrations"

export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((file) => /^\d{4}_.+\.sql$/.test(file))
    .sort();
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK})`;
    await tx`create schema if not exists indexer`;
    await tx`create table if not exists indexer.migrations (
      name text primary key, checksum text not null, applied_at timestamptz not null default now())`;
    const done = new Map(
      (await tx`select name, checksum from indexer.migrations`).map((row) => [row.name, row.checksum]),
    );
    let restored = false;
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), "utf8");
      const checksum = createHash("sha256").update(text).digest("hex");
      if (done.has(file)) {
        if (done.get(file) !== checksum) {
          throw new ConfigError(
            `migration ${file} changed after it was applied: migrations are forward-only, add a new one`,
          );
        }
        continue;
      }
      // A migration sees every index its predecessors made: any a backfill dropped (0099) is
      // built again first, in this transaction.
      if (!restored) {
        restored = true;
        const [deferred] = await tx`select to_regclass('indexer.deferred_index') is not null as present`;
        if (deferred.present) await tx`select indexer.restore_deferred_indexes()`;
      }
      await tx.unsafe(text);
      await tx`insert into indexer.migrations (name, checksum) values (${file}, ${checksum})`;
      applied.push(file);
    }
  });
  return applied;
}
