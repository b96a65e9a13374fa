import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import postgres from "postgres";

import { ROOT } from "../../deploy/lib/consortium.js";
import { migrate } from "../../indexer/src/db/migrate.js";
import { type Database, startDatabase } from "./harness.js";

/** The relations docs/reporting.md documents: `### schema.name` and its `| \`column\` | type |` rows. */
function documented(): Map<string, { column: string; type: string }[]> {
  const text = readFileSync(path.join(ROOT, "docs", "reporting.md"), "utf8");
  const relations = new Map<string, { column: string; type: string }[]>();
  const section = text.slice(text.indexOf("\n## Relations"));
  let current: { column: string; type: string }[] | undefined;
  for (const line of section.split("\n")) {
    const heading = /^### ([a-z_]+\.[a-z_]+)\s*$/.exec(line);
    if (heading) relations.set(heading[1], (current = []));
    const row = /^\| `([a-z_0-9]+)` \| ([^|]+?) \|/.exec(line);
    if (row && current) current.push({ column: row[1], type: row[2] });
  }
  return relations;
}

describe("docs/reporting.md", function () {
  this.timeout(120_000);
  let db: Database;
  let sql: postgres.Sql;

  before(async function () {
    db = await startDatabase();
    sql = postgres(await db.create(), { max: 1, onnotice: () => {} });
    await migrate(sql);
  });
  after(async function () {
    await sql?.end();
    await db?.stop();
  });

  it("documents relations that exist, with exactly their columns and types", async function () {
    const relations = documented();
    expect(relations.size).to.be.greaterThan(5);
    for (const [name, columns] of relations) {
      const [schema, relation] = name.split(".");
      const actual = await sql`
        select column_name as column, data_type as type from information_schema.columns
        where table_schema = ${schema} and table_name = ${relation} order by ordinal_position`;
      expect(actual.length, `${name} exists`).to.be.greaterThan(0);
      expect(
        columns.map((c) => `${c.column} ${c.type}`),
        `${name}: documented columns and types`,
      ).to.deep.equal(actual.map((c) => `${c.column} ${c.type}`));
    }
  });

  it("documents every relation over a state table", async function () {
    const relations = documented();
    const views = await sql`
      select distinct u.view_schema || '.' || u.view_name as name
      from information_schema.view_table_usage u
      join indexer.read_models m on (u.table_schema || '.' || u.table_name)::regclass = any (m.tables)`;
    expect(views.length).to.be.greaterThan(5);
    for (const { name } of views) expect(relations.has(name), `${name} documented`).to.equal(true);
  });
});
