/**
 * `npm run bench:licences`: the licence read model at city scale, quickly. On an embedded
 * PostgreSQL with the indexer's migrations, generates licence event rows in SQL block range by
 * block range (200,000 licences, 2,000,000 uses, renewals, suspensions, revocations, consents by
 * default: BENCH_LICENCES, BENCH_USES), each range followed by the call the indexer's writer makes
 * after its COPY (indexer.refresh_read_models), so every state table is derived by the read
 * model's own refresh; then times the licence queries of the dashboards and regulators. Prints a
 * table and writes bench/results/licences.json. The full write path (decoding, COPY) is
 * bench:indexer's and bench:reports' subject; this one isolates what the licence refresh costs
 * and what the reads cost. The generated sequences ignore the contracts' rules (a licence may be
 * used while suspended), so uses not valid at the time are plentiful here.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import postgres from "postgres";

import { ROOT } from "../deploy/lib/consortium.js";
import { startEmbeddedPostgres } from "../indexer/src/db/embedded.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { freePort } from "../scripts/lib/ports.js";

const LICENCES = Number(process.env.BENCH_LICENCES ?? 200_000);
const USES = Number(process.env.BENCH_USES ?? 2_000_000);
const RUNS = 20;
// One licence issued every 7 blocks (10 s each): 200,000 licences span about 160 days.
const BLOCKS = LICENCES * 7;
const RANGE = Number(process.env.BENCH_RANGE_BLOCKS ?? 10_000);

const dir = mkdtempSync(path.join(tmpdir(), "govledger-bench-licences-"));
chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: await freePort() });
const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sql.end({ timeout: 1 }).catch(() => {});
  await pg.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
};
process.once("SIGINT", () => void stop().then(() => process.exit(130)));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

try {
  await migrate(sql);
  await sql.unsafe(`
    create function pg_temp.lid(i bigint) returns bytea language sql immutable return sha256(int8send(i));
    create function pg_temp.dept(i bigint) returns bytea language sql immutable
      return convert_to('DEPT' || lpad((i % 20)::text, 2, '0'), 'UTF8') || '\\x${"00".repeat(26)}'::bytea;
    create function pg_temp.t(b bigint) returns timestamptz language sql immutable
      return timestamptz '2026-01-01 00:00:00+00' + make_interval(secs => b * 10);
  `);
  let writeMs = 0;
  let refreshMs = 0;
  const usesPerBlock = USES / BLOCKS;
  for (let from = 0; from < BLOCKS; from += RANGE) {
    const to = Math.min(BLOCKS, from + RANGE) - 1;
    await sql.begin(async (tx) => {
      const started = performance.now();
      // Licences (every 5th depending on an earlier one, every 10th for 30 days only), uses of
      // licences issued before, and per licence now and then a consent, a suspension and a
      // reinstatement, a renewal and a revocation some blocks after its issue.
      await tx.unsafe(`
        insert into raw.blocks (block_number, hash, parent_hash, block_time, event_count)
        select b, sha256(int8send(b)), sha256(int8send(b - 1)), pg_temp.t(b), 0 from generate_series(${from}::bigint, ${to}) b;
        insert into licences.licence_issued (licence_id, type_id, issuer, holder, document_hash, valid_from, valid_until,
          depends_on, block_number, log_index, tx_hash, block_time, contract)
        select pg_temp.lid(i), pg_temp.dept(i % 3), pg_temp.dept(i), substr(sha256(int8send(-i)), 1, 20),
               sha256(int8send(i + 7)), extract(epoch from pg_temp.t(i * 7)),
               extract(epoch from pg_temp.t(i * 7)) + case when i % 10 = 0 then 30 * 86400 else 365 * 86400 end,
               case when i % 5 = 0 and i > 100 then jsonb_build_array('0x' || encode(pg_temp.lid(i - 1 - i % 97), 'hex'))
                    else '[]'::jsonb end,
               i * 7, 0, sha256(int8send(i)), pg_temp.t(i * 7), '\\x01'
        from generate_series(ceil(${from} / 7.0)::bigint, floor(${to} / 7.0)::bigint) i;
        insert into licences.licence_used (licence_id, department_id, purpose, operator, version, block_number, log_index,
          tx_hash, block_time, contract)
        select pg_temp.lid((hashint8(j) & 2147483647) % greatest(1, (b / 7) - 1)), pg_temp.dept(j + 3), '\\x0a', '\\x0b', 1,
               b, 1 + (j % 1000), sha256(int8send(j)), pg_temp.t(b), '\\x01'
        from (select j, (j / ${usesPerBlock})::bigint as b
              from generate_series(ceil(${from} * ${usesPerBlock})::bigint, floor((${to} + 1) * ${usesPerBlock})::bigint - 1) j) x
        where b > 14;
        insert into licences.consent_granted (licence_id, department_id, purpose, holder, holder_participant, until,
          by_signature, block_number, log_index, tx_hash, block_time, contract)
        select pg_temp.lid(i), pg_temp.dept(i + 3), '\\x0a', '\\x0e', null, extract(epoch from pg_temp.t(i * 7 + 100000)),
               false, i * 7 + 1, 2003, sha256(int8send(i)), pg_temp.t(i * 7 + 1), '\\x01'
        from generate_series(1, ${LICENCES}) i where i % 2 = 0 and i * 7 + 1 between ${from} and ${to};
        insert into licences.licence_suspended (licence_id, issuer, reason, block_number, log_index, tx_hash, block_time, contract)
        select pg_temp.lid(i), pg_temp.dept(i), '\\x0c', i * 7 + 5000, 2000, sha256(int8send(i)), pg_temp.t(i * 7 + 5000), '\\x01'
        from generate_series(1, ${LICENCES}) i where i % 40 = 1 and i * 7 + 5000 between ${from} and ${to};
        insert into licences.licence_reinstated (licence_id, issuer, block_number, log_index, tx_hash, block_time, contract)
        select pg_temp.lid(i), pg_temp.dept(i), i * 7 + 9000, 2000, sha256(int8send(i)), pg_temp.t(i * 7 + 9000), '\\x01'
        from generate_series(1, ${LICENCES}) i where i % 80 = 1 and i * 7 + 9000 between ${from} and ${to};
        insert into licences.licence_renewed (licence_id, issuer, version, document_hash, valid_from, valid_until,
          block_number, log_index, tx_hash, block_time, contract)
        select pg_temp.lid(i), pg_temp.dept(i), 2, sha256(int8send(i + 9)), extract(epoch from pg_temp.t(i * 7 + 6000)),
               extract(epoch from pg_temp.t(i * 7 + 6000)) + 365 * 86400, i * 7 + 6000, 2001, sha256(int8send(i)),
               pg_temp.t(i * 7 + 6000), '\\x01'
        from generate_series(1, ${LICENCES}) i where i % 20 = 3 and i * 7 + 6000 between ${from} and ${to};
        insert into licences.licence_revoked (licence_id, department_id, reason, block_number, log_index, tx_hash,
          block_time, contract)
        select pg_temp.lid(i), pg_temp.dept(i), '\\x0d', i * 7 + 8000, 2002, sha256(int8send(i)), pg_temp.t(i * 7 + 8000), '\\x01'
        from generate_series(1, ${LICENCES}) i where i % 100 = 7 and i * 7 + 8000 between ${from} and ${to};
      `);
      const written = performance.now();
      writeMs += written - started;
      await tx`select indexer.refresh_read_models(${from}, ${to})`;
      refreshMs += performance.now() - written;
    });
  }
  await sql`vacuum analyze`;
  const [counts] = await sql`select (select count(*)::int from licences.licence) as licences,
    (select count(*)::int from licences.licence_use) as uses, (select count(*)::int from licences.consent) as consents`;
  console.log(
    `built ${counts.licences} licences, ${counts.uses} uses, ${counts.consents} consents in ${BLOCKS} blocks: ` +
      `event rows ${(writeMs / 1000).toFixed(1)} s, read-model refresh ${(refreshMs / 1000).toFixed(1)} s ` +
      `(${((refreshMs * 1000) / counts.uses).toFixed(1)} µs per use, every other entity included)`,
  );

  // A batch with no licence event: what the licence domain adds to every batch of other domains.
  const top = BLOCKS + 10;
  const emptyStarted = performance.now();
  for (let i = 0; i < 50; i++)
    await sql`select licences.mark(${top + i}, ${top + i}), licences.refresh(${top + i}, ${top + i})`;
  const emptyBatchMs = (performance.now() - emptyStarted) / 50;
  console.log(`a batch without licence events: ${emptyBatchMs.toFixed(2)} ms of licence mark and refresh`);

  const [sample] = await sql`select licence_id from licences.licence_use group by 1 order by count(*) desc limit 1`;
  const [department] = await sql`select department_id from licences.department_day limit 1`;
  const queries: [string, string, unknown[]][] = [
    ["licence by id", "select * from licences.licences where licence_id = $1", [sample.licence_id]],
    [
      "licence's use history",
      "select * from licences.licence_uses where licence_id = $1 order by used_block desc, used_log_index desc",
      [sample.licence_id],
    ],
    [
      "department's licence counts",
      "select * from report.licences_per_department where department_id = $1",
      [department.department_id],
    ],
    [
      "department's days",
      "select * from report.licences_per_department_day where department_id = $1 order by day",
      [department.department_id],
    ],
    ["licences per status", "select status, sum(licences) from report.licences_per_status group by status", []],
    [
      "report.licences_per_department first page",
      "select * from report.licences_per_department order by department_id limit 100",
      [],
    ],
    [
      "report.licences_per_department_day first page",
      "select * from report.licences_per_department_day order by department_id, day limit 100",
      [],
    ],
    [
      "report.licences_per_status first page",
      "select * from report.licences_per_status order by department_id, type_id, status limit 100",
      [],
    ],
    [
      "report.licence_uses_not_valid first page",
      "select * from report.licence_uses_not_valid order by used_block desc, used_log_index desc limit 100",
      [],
    ],
  ];
  const results: Record<string, { rows: number; p50Ms: number; p95Ms: number }> = {};
  for (const [name, text, params] of queries) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      rows = (await sql.unsafe(text, params as never[])).length;
      times.push(performance.now() - started);
    }
    const round = (value: number) => Math.round(value * 100) / 100;
    results[name] = { rows, p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)) };
    console.log(
      `${name.padEnd(48)} rows ${String(rows).padStart(5)}  p50 ${results[name].p50Ms.toFixed(2).padStart(7)} ms` +
        `  p95 ${results[name].p95Ms.toFixed(2).padStart(7)} ms`,
    );
  }
  mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(
    path.join(ROOT, "bench", "results", "licences.json"),
    `${JSON.stringify(
      {
        licences: counts.licences,
        uses: counts.uses,
        refreshSeconds: Math.round(refreshMs / 100) / 10,
        eventRowsSeconds: Math.round(writeMs / 100) / 10,
        emptyBatchMs: Math.round(emptyBatchMs * 100) / 100,
        queries: results,
      },
      null,
      2,
    )}\n`,
  );
  console.log("written bench/results/licences.json");
} finally {
  await stop();
}
