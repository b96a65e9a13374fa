import { expect } from "chai";
import postgres from "postgres";

import { build } from "../../bench/lib/reports-db.js";
import { createWriter } from "../../indexer/src/db/client.js";
import { rebuildReadModels } from "../../indexer/src/db/store.js";
import { CITY_SCALE, type Scale } from "../../bench/lib/synthetic-chain.js";
import { type Database, startDatabase } from "../indexer/harness.js";

const TINY: Scale = {
  ...CITY_SCALE,
  invoices: 1_000,
  issuers: 20,
  licences: 300,
  uses: 3_000,
  projects: 6,
  payrolls: 120,
  failed: 100,
};

/**
 * The reports benchmark's generator at a tiny scale, written through writeBatch into a real
 * PostgreSQL: what the plan promised is what the event tables hold, and the event sequences are
 * ones the contracts would have accepted (no timing here: that is `npm run bench:reports`).
 */
describe("bench: synthetic chain", function () {
  this.timeout(120_000);
  let db: Database;
  let sql: postgres.Sql;
  let figures: Awaited<ReturnType<typeof build>>;
  let url: string;

  before(async function () {
    db = await startDatabase();
    url = await db.create();
    figures = await build(url, TINY, "test", () => {});
    sql = postgres(url, { max: 1, onnotice: () => {} });
  });
  after(async function () {
    await sql?.end();
    await db?.stop();
  });

  it("writes what the plan holds, every event once, with the checkpoint on the last block", async function () {
    const count = async (table: string) => (await sql.unsafe(`select count(*)::int as n from ${table}`))[0].n as number;
    const { counts } = figures;
    expect(await count("invoices.invoice_issued")).to.equal(TINY.invoices);
    expect(await count("invoices.invoice_claimed")).to.equal(counts.claimed);
    expect(await count("invoices.invoice_reimbursed")).to.equal(counts.reimbursed);
    expect(await count("invoices.invoice_voided")).to.equal(counts.voided);
    expect(await count("invoices.credit_note_issued")).to.equal(counts.creditNotes);
    expect(await count("invoices.invoice_batch_issued")).to.equal(counts.invoiceBatches);
    expect(await count("licences.licence_issued")).to.equal(TINY.licences);
    expect(await count("licences.licence_used")).to.equal(counts.uses);
    expect(await count("escrow.project_created")).to.equal(TINY.projects);
    expect(await count("escrow.payroll_submitted")).to.equal(counts.payrolls);
    expect(await count("raw.failed_transactions")).to.equal(TINY.failed);
    expect(await count("gov.participant_registered")).to.equal(counts.participants);
    expect(await count("gov.department_admitted")).to.equal(20);
    expect(await count("raw.events")).to.equal(figures.events);
    const [blocks] = await sql`select max(block_number) as top, sum(event_count)::int as events from raw.blocks`;
    expect(blocks.events).to.equal(figures.events);
    const [checkpoint] = await sql`select block_number from indexer.checkpoint`;
    expect(checkpoint.block_number).to.equal(blocks.top);
    // The shares the benchmark promises, roughly (a tiny scale is noisy).
    expect(counts.claimed / TINY.invoices).to.be.within(0.5, 0.7);
    expect(counts.reimbursed / TINY.invoices).to.be.within(0.28, 0.42);
    expect(counts.uses / TINY.uses).to.be.within(0.7, 1.3);
  });

  it("makes only transitions the invoice ledger allows, in order, with consistent amounts", async function () {
    const early = await sql`
      select 'claim' as what, count(*)::int as n from invoices.invoice_claimed c
        join invoices.invoice_issued i using (invoice_id) where (c.block_number, c.log_index) <= (i.block_number, i.log_index)
      union all
      select 'lock before claim', count(*)::int from invoices.invoice_locked l
        where not exists (select 1 from invoices.invoice_claimed c where c.invoice_id = l.invoice_id
                          and (c.block_number, c.log_index) < (l.block_number, l.log_index))
      union all
      select 'reimburse unlocked', count(*)::int from invoices.invoice_reimbursed r
        where not exists (select 1 from invoices.invoice_locked l where l.invoice_id = r.invoice_id
                          and l.receiver_id = r.receiver_id and l.block_number < r.block_number)
      union all
      select 'lock by a company the buyer did not name', count(*)::int from invoices.invoice_locked l
        where l.receiver_id is distinct from (
          select n.receiver_id from (
            select receiver_id, block_number, log_index from invoices.invoice_claimed c where c.invoice_id = l.invoice_id
            union all
            select receiver_id, block_number, log_index from invoices.invoice_receiver_changed x where x.invoice_id = l.invoice_id
          ) n where (n.block_number, n.log_index) < (l.block_number, l.log_index)
          order by n.block_number desc, n.log_index desc limit 1)
      union all
      select 'void after claim', count(*)::int from invoices.invoice_voided v
        where exists (select 1 from invoices.invoice_claimed c where c.invoice_id = v.invoice_id)
      union all
      select 'over-credited', count(*)::int from invoices.invoice_credited c
        join invoices.invoice_issued i using (invoice_id) where c.credited > i.amount`;
    expect(Object.fromEntries(early.map((row) => [row.what, row.n]))).to.deep.equal(
      Object.fromEntries(early.map((row) => [row.what, 0])),
    );
    // Reimbursement pays what was not credited at that moment.
    const [wrong] = await sql`
      select count(*)::int as n from invoices.invoice_reimbursed r join invoices.invoice_issued i using (invoice_id)
      where r.amount <> i.amount - coalesce((select max(c.credited) from invoices.invoice_credited c
                                             where c.invoice_id = r.invoice_id and c.block_number < r.block_number), 0)`;
    expect(wrong.n).to.equal(0);
    const [pendingThenConfirmed] = await sql`
      select count(*)::int as n from invoices.credit_note_confirmed f
      join invoices.credit_note_issued n using (credit_note_id) where n.state = 1`;
    const [confirmed] = await sql`select count(*)::int as n from invoices.credit_note_confirmed`;
    expect(pendingThenConfirmed.n).to.equal(confirmed.n);
  });

  it("uses licences only while they are valid, in the version then current", async function () {
    const [bad] = await sql`
      with versions as (
        select licence_id, 1 as version, valid_from, valid_until, block_number from licences.licence_issued
        union all
        select licence_id, version, valid_from, valid_until, block_number from licences.licence_renewed
      )
      select count(*)::int as n from licences.licence_used u
      where not exists (
        select 1 from versions v where v.licence_id = u.licence_id and v.version = u.version
          and v.block_number <= u.block_number
          and extract(epoch from u.block_time) >= v.valid_from and extract(epoch from u.block_time) < v.valid_until)
        or exists (select 1 from licences.licence_revoked r where r.licence_id = u.licence_id and r.block_number <= u.block_number)
        or exists (
          select 1 from licences.licence_suspended s where s.licence_id = u.licence_id and s.block_number <= u.block_number
            and not exists (select 1 from licences.licence_reinstated b where b.licence_id = s.licence_id
                            and b.block_number > s.block_number and b.block_number <= u.block_number))`;
    expect(bad.n).to.equal(0);
  });

  it("keeps every project's accounts non-negative: wages paid only from released wage money", async function () {
    const projects = await sql`
      select p.project_id,
        (select coalesce(sum(amount), 0) from escrow.project_funded f where f.project_id = p.project_id) as funded,
        (select coalesce(sum(to_wage_account + to_payable), 0) from escrow.milestone_released m where m.project_id = p.project_id) as released,
        (select coalesce(sum(to_wage_account), 0) from escrow.milestone_released m where m.project_id = p.project_id) as to_wages,
        (select coalesce(sum(from_wage_account), 0) from escrow.payroll_paid w where w.project_id = p.project_id) as wages,
        (select coalesce(sum(to_payable), 0) from escrow.milestone_released m where m.project_id = p.project_id) as to_payable,
        (select coalesce(sum(amount), 0) from escrow.payment_order_paid o where o.project_id = p.project_id) as paid_out
      from escrow.project_created p`;
    for (const p of projects) {
      expect(BigInt(p.released) <= BigInt(p.funded), `project ${p.project_id} released`).to.equal(true);
      expect(BigInt(p.wages) <= BigInt(p.to_wages), `project ${p.project_id} wages`).to.equal(true);
      expect(BigInt(p.paid_out) <= BigInt(p.to_payable), `project ${p.project_id} payable`).to.equal(true);
    }
    const [unpaid] = await sql`
      select count(*)::int as n from escrow.payroll_paid p
      where not exists (select 1 from escrow.payroll_approved a where a.project_id = p.project_id and a.payroll_id = p.payroll_id)`;
    expect(unpaid.n).to.equal(0);
  });

  it("leaves state tables that a rebuild from the event tables reproduces, and that agree with the plan", async function () {
    const tables = (await sql`select unnest(tables)::text as name from indexer.read_models order by position`).map(
      (row) => row.name as string,
    );
    expect(tables).to.include("invoices.invoice");
    const snapshot = async () => {
      const out: Record<string, unknown> = {};
      for (const table of tables) {
        [out[table]] = await sql.unsafe(
          `select count(*)::int as n, md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as digest from ${table} t`,
        );
      }
      return out;
    };
    const kept = await snapshot();
    const writer = createWriter(url);
    try {
      await rebuildReadModels(writer.transact);
    } finally {
      await writer.end();
    }
    expect(await snapshot()).to.deep.equal(kept);

    const states = Object.fromEntries(
      (await sql`select state, count(*)::int as n from invoices.invoices group by state`).map((row) => [
        row.state,
        row.n,
      ]),
    );
    expect(states.Reimbursed).to.equal(figures.counts.reimbursed);
    expect(states.Voided).to.equal(figures.counts.voided);
    const [sums] = await sql`select count(*)::int as n from invoices.invoices where reimbursed + credited > amount`;
    expect(sums.n).to.equal(0);
    const [notes] = await sql`select count(*)::int as n from invoices.credit_notes`;
    expect(notes.n).to.equal(figures.counts.creditNotes);
  });

  it("leaves the working tables empty, and truncates one grown past 1 MB, not an unlogged table of anyone else", async function () {
    const [left] = await sql`
      select count(*)::int as n from pg_class c
      where c.relkind = 'r' and c.relpersistence = 'u' and c.relnamespace::regnamespace::text <> 'public'
        and (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %s', c.oid::regclass), false, true, '')))[1]::text::int > 0`;
    expect(left.n).to.equal(0);
    const size = async (table: string) =>
      Number((await sql`select pg_relation_size(${table}::regclass)::bigint as b`)[0].b);
    // What a batch leaves behind when DELETE empties a working table: its pages, until vacuum.
    await sql`insert into invoices.dirty_credit_note select sha256(int4send(i)) from generate_series(1, 40000) i`;
    await sql`delete from invoices.dirty_credit_note`;
    await sql`create unlogged table public.analyst_scratch as select repeat('x', 200) as t from generate_series(1, 20000)`;
    expect(await size("invoices.dirty_credit_note")).to.be.greaterThan(1 << 20);
    expect(await size("public.analyst_scratch")).to.be.greaterThan(1 << 20);
    await sql`select indexer.reset_working_tables()`;
    expect(await size("invoices.dirty_credit_note")).to.equal(0);
    expect(await size("public.analyst_scratch")).to.be.greaterThan(1 << 20);
    await sql`drop table public.analyst_scratch`;
  });
});
