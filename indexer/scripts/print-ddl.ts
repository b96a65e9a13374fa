/**
 * `npx tsx indexer/scripts/print-ddl.ts [schema ...]`: prints CREATE TABLE statements for the
 * handler tables of the given schemas (all if none), derived from the ABIs. An authoring aid for
 * new migrations: copy what a new contract needs into the next numbered file. Migrations are
 * never edited after they land; a test checks each handler table against the migrated database.
 */
import { HANDLERS } from "../src/handlers/index.js";
import { PROVENANCE } from "../src/handlers/rows.js";
import type { ColumnKind, TableSpec } from "../src/handlers/types.js";

const PROVENANCE_NAMES = new Set(PROVENANCE.map((column) => column.name));
/** Event parameters named like SQL keywords (an ERC-20 Transfer's from and to) are quoted. */
const RESERVED = new Set([
  "from",
  "to",
  "order",
  "user",
  "group",
  "limit",
  "offset",
  "default",
  "check",
  "table",
  "all",
  "end",
]);
const ident = (name: string) => (RESERVED.has(name) ? `"${name}"` : name);

export const SQL_TYPES: Record<ColumnKind, string> = {
  bytes: "bytea",
  numeric: "numeric(78,0)",
  bigint: "bigint",
  bool: "boolean",
  text: "text",
  jsonb: "jsonb",
  timestamptz: "timestamptz",
};

const schemas = new Set(process.argv.slice(2));
const tables = new Map<string, TableSpec>();
for (const handlers of HANDLERS.values()) {
  for (const handler of handlers.values()) {
    for (const table of handler.tables) {
      if (schemas.size === 0 || schemas.has(table.name.split(".")[0])) tables.set(table.name, table);
    }
  }
}
for (const table of [...tables.values()].sort((a, b) => a.name.localeCompare(b.name))) {
  const columns = table.columns.map(
    (column) =>
      `  ${ident(column.name)} ${SQL_TYPES[column.kind]}${PROVENANCE_NAMES.has(column.name) ? " not null" : ""}`,
  );
  console.log(`create table ${table.name} (\n${columns.join(",\n")},\n  primary key (block_number, log_index)\n);`);
}
