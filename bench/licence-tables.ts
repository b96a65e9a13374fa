/**
 * `npm run bench:licence-tables`: the dashboards' licence and licence-use tables (web/src/queries)
 * at city scale: 200,000 licences (half SAMR's) and 2,000,000 uses written straight into the read
 * model's state tables of an embedded PostgreSQL, then each page's SELECT (keyset: first page, a
 * page deep in the table, filtered) and its capped count, 7 runs each, median and max. Runs as
 * the owner: the policies add an indexed `department_id = …` (measured as the department filter).
 */
import postgres from "postgres";
import { migrate } from "../indexer/src/db/migrate.js";
import { startDatabase } from "../test/indexer/harness.js";
import { selectSql, TABLES } from "../web/src/queries/tables.js";

const db = await startDatabase();
try {
  const sql = postgres(await db.create(), { max: 1, onnotice: () => {} });
  await migrate(sql);
  const t0 = Date.now();
  await sql
    .unsafe(
      `
    insert into licences.licence_issued (licence_id, issuer, type_id, holder, document_hash, depends_on, valid_from, valid_until, block_number, log_index, tx_hash, block_time, contract)
    select sha256(('l' || n)::bytea), web.code_to_id(case when n % 2 = 0 then 'SAMR' else 'FIRE' end), web.code_to_id('BUSINESS_REGISTRATION'),
           decode(lpad(to_hex(n % 5000), 40, '0'), 'hex'), sha256(('d' || n)::bytea), '[]'::jsonb,
           extract(epoch from now())::bigint - 86400, extract(epoch from now())::bigint + (n % 3 - 1) * 86400 * 30,
           n, 0, sha256(('t' || n)::bytea), now() - make_interval(secs => 200000 - n), decode(repeat('11', 20), 'hex')
    from generate_series(1, 200000) n`,
    )
    .catch((e) => {
      console.error("issued:", e.message);
    });
  await sql.unsafe(`
    insert into licences.licence (licence_id, type_id, department_id, holder, document_hash, depends_on, version, valid_from, valid_until,
      standing, suspensions, issued_at, issued_block, changed_at, updated_block)
    select licence_id, type_id, issuer, holder, document_hash, '{}', 1, to_timestamp(valid_from), to_timestamp(valid_until),
      'Active', 0, block_time, block_number, block_time, block_number from licences.licence_issued`);
  await sql.unsafe(`
    insert into licences.licence_use (used_block, used_log_index, licence_id, department_id, purpose, operator, version, used_at, tx_hash, valid_at_use)
    select 200000 + n, 0, sha256(('l' || (1 + n % 200000))::bytea), web.code_to_id('CONS'), web.code_to_id('CHECK'), decode(repeat('22', 20), 'hex'), 1,
      now(), sha256(('u' || n)::bytea), true from generate_series(1, 2000000) n`);
  await sql`analyze`;
  console.log(`seeded in ${Date.now() - t0} ms`);
  const tz = "Etc/GMT-8";
  const time = async (label: string, query: string) => {
    const runs: number[] = [];
    for (let i = 0; i < 7; i++) {
      const s = performance.now();
      await sql.unsafe(query);
      runs.push(performance.now() - s);
    }
    runs.sort((a, b) => a - b);
    console.log(`${label}: median ${runs[3].toFixed(1)} ms, max ${runs[6].toFixed(1)} ms`);
  };
  const page = (filters: Record<string, string>, after?: string[]) =>
    `${selectSql(TABLES.licences, filters, tz, { keyset: { after } })} limit 21`;
  const count = (filters: Record<string, string>) =>
    selectSql(TABLES.licences, filters, tz, { count: true, countLimit: 10001 });

  await time("licences first page", page({}));
  await time("licences page after row 100,000", page({}, ["100000", `0x${"00".repeat(32)}`]));
  await time("licences of SAMR, first page", page({ department: "SAMR" }));
  await time("licences status=Expired first page", page({ status: "Expired" }));
  await time("licences count (all 200,000)", count({}));
  await time("licences count status=Expired", count({ status: "Expired" }));
  const uses = (filters: Record<string, string>, after?: string[]) =>
    `${selectSql(TABLES.licence_uses, filters, tz, { keyset: { after } })} limit 21`;
  await time("uses first page (2,000,000)", uses({}));
  await time("uses after use 1,000,000", uses({}, ["1200000", "0"]));
  await time(
    "uses of one licence",
    uses({ licence: `0x${(await sql`select encode(sha256('l7'::bytea), 'hex') as h`)[0].h}` }),
  );
  await time("uses count (capped)", selectSql(TABLES.licence_uses, {}, tz, { count: true, countLimit: 10001 }));
  await time(
    "uses count of CONS (capped)",
    selectSql(TABLES.licence_uses, { department: "CONS" }, tz, { count: true, countLimit: 10001 }),
  );
  await sql.end();
} finally {
  await db.stop();
}
