-- The invoice table's export and filters at city scale (issue 11, `npm run bench:reports`).
--
-- 1. Each invoice row keeps its issuance's transaction hash (`tx_hash`). The table page and the
-- CSV export show it on every row: joined from invoices.invoice_issued, an export of 1,000,000
-- invoices hashed both tables and sorted the result on disk (35 s of the export's 40); with the
-- hash on the row it reads invoice_issued_at (0041) in the table's order, with no join and no
-- sort. It is written once, when the invoice is inserted from its InvoiceIssued event.
--
-- 2. `number_text`, the number as digits, for the number filter. Under row-level security
-- PostgreSQL applies a filter before the policy only when its operator is leakproof: numeric
-- equality is not, so `number = 42` ran after the policy, on every invoice the department reads
-- (0045 worked around it with web.numbered_invoices, which still fetched, joined and sorted all
-- 5,000 invoices numbered 42 for a page of twenty). Text equality is leakproof: `number_text =
-- '42'` is an index condition, and a page reads its own rows along the index below, which
-- replaces 0044's on `number`. A uint64 does not fit a bigint, hence text.
--
-- 3. The issuer index gets the state after the issuer (replacing 0011's (issuer_id, issued_at)):
-- an issuer and a state read just their rows, in the table's order. Before, PostgreSQL combined
-- the issuer's index with the state's and read 57,000 index entries (every Locked invoice) to
-- find 183; an issuer alone now sorts its few thousand rows instead of reading them in order.
--
-- No index is added: two are replaced. Every state change of an invoice updates its row, and
-- each index is written again by each such update (state is indexed, so the updates are not
-- HOT); the row grows by the hash and the digits (about 45 bytes).

alter table invoices.invoice add column tx_hash bytea, add column number_text text;
alter table invoices.marked_invoice add column tx_hash bytea, add column number_text text;

drop index invoices.invoice_number_issued;
drop index invoices.invoice_issuer_issued;
drop function web.numbered_invoices(numeric);

update invoices.invoice i set tx_hash = e.tx_hash, number_text = i.number::text
from invoices.invoice_issued e
where e.invoice_id = i.invoice_id;
alter table invoices.invoice alter column tx_hash set not null, alter column number_text set not null;
-- The update left every row's old version behind and the new ones wherever they fitted: the
-- table is rewritten in the order the pages and exports read it (newest first), as the indexer
-- wrote it in the first place (it inserts invoices in issue order).
cluster invoices.invoice using invoice_issued_at;

create index invoice_number_text_issued on invoices.invoice (number_text, issued_at desc, invoice_id desc);
create index invoice_issuer_state_issued on invoices.invoice (issuer_id, state, issued_at desc, invoice_id desc);

-- 0052's refresh (0015's with the department rollup), with the two columns written on insert
-- (`recomputed`) and carried by the continued rows (the working table has them too). Nothing
-- else changed.
create or replace function invoices.refresh_invoices(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  zero_issuer_days jsonb;
  zero_receiver_days jsonb;
  zero_states jsonb;
  zero_department_days jsonb;
  shift interval := make_interval(secs => indexer.utc_offset());
  -- A range open to the top (rollback, rebuild) folds every event; a forward batch folds its own
  -- events onto the stored rows.
  full_fold boolean := to_block = 9223372036854775807;
begin
  -- The rows to recompute or drop: invoices issued before the range, and invoices marked as
  -- issued in the range that no longer are (a rollback removed them). Out of the reports, out of
  -- the table; what is recomputed goes back in below with plain inserts.
  insert into invoices.marked_invoice
  select i.* from invoices.dirty_invoice d
  cross join lateral (select * from invoices.invoice k where k.invoice_id = d.invoice_id limit 1) i
  where not d.fresh
  union all
  select i.* from invoices.invoice i
  where i.invoice_id in (
    select d.invoice_id from invoices.dirty_invoice d where d.fresh
    except
    select e.invoice_id from invoices.invoice_issued e where e.block_number between from_block and to_block
  );
  -- Their report contributions come out in the same upserts that put the new ones in (one
  -- net change per report row, none for a row the batch leaves as it was: a lock, say).
  if found and full_fold then
    delete from invoices.invoice i using invoices.marked_invoice m where i.invoice_id = m.invoice_id;
  end if;

  -- Each invoice folded from its events: the last transition gives the state; the receiving
  -- company is the last one named (claim, change of receiver; lock and reimbursement by it);
  -- credited is the running total of the last InvoiceCredited; reimbursed is
  -- amount - credited once reimbursed (a note confirmed afterwards lowers it, as on chain).
  -- `folded` is every event of the invoice for a full fold, else the range's events only.
  with issued as (
    select e.* from invoices.invoice_issued e where e.block_number between from_block and to_block
    union all
    select e.* from invoices.dirty_invoice d
    cross join lateral (select * from invoices.invoice_issued k where k.invoice_id = d.invoice_id limit 1) e
    where not d.fresh and full_fold
  ),
  folded as (
    select ev.invoice_id,
           (array_agg(ev.kind order by ev.block_number desc, ev.log_index desc)
              filter (where ev.kind in ('Claimed', 'Locked', 'Unlocked', 'Reimbursed', 'Voided')))[1] as last_transition,
           (array_agg(ev.block_time order by ev.block_number desc, ev.log_index desc)
              filter (where ev.kind in ('Claimed', 'Locked', 'Unlocked', 'Reimbursed', 'Voided')))[1] as last_transition_at,
           (array_agg(ev.receiver order by ev.block_number desc, ev.log_index desc) filter (where ev.receiver is not null))[1]
             as last_receiver,
           (array_agg(ev.actor order by ev.block_number, ev.log_index) filter (where ev.kind = 'Claimed'))[1] as claimant,
           min(ev.block_time) filter (where ev.kind = 'Claimed') as claimed_at,
           max(ev.block_time) filter (where ev.kind = 'Locked') as locked_at,
           max(ev.credited) filter (where ev.kind = 'Credited') as credited,
           (array_agg(ev.kind order by ev.block_number desc, ev.log_index desc)
              filter (where ev.kind in ('Frozen', 'Unfrozen')))[1] as last_freeze,
           max(ev.block_number) as updated_block
    from invoices.marked_events(from_block, to_block) ev
    group by ev.invoice_id
  ),
  -- A forward batch's invoices issued before it: the stored row (m, folded from every earlier
  -- event) continued with the range's fold (f). Each column is the full fold's, split at the
  -- range: last values from the range if it has any, first values from the row if it has them,
  -- maxima of both.
  continued as (
    select m.*, f.last_transition, f.last_transition_at, f.last_receiver, f.claimant as range_claimant,
           f.claimed_at as range_claimed_at, f.locked_at as range_locked_at, greatest(m.credited, f.credited) as total_credited,
           f.last_freeze, f.updated_block as range_updated_block, f.invoice_id is not null as touched,
           case
             when f.last_transition is null then m.state
             when f.last_transition = 'Unlocked' then 'Claimed'
             else f.last_transition
           end as new_state
    from invoices.marked_invoice m
    left join folded f using (invoice_id)
    where not full_fold
  ),
  recomputed as (
    select e.invoice_id, e.issuer_id, e.code, e.number, e.buyer, e.amount, e.tax,
           coalesce(f.credited, 0) as credited,
           case when f.last_transition = 'Reimbursed' then e.amount - coalesce(f.credited, 0) else 0 end as reimbursed,
           case when f.last_transition = 'Unlocked' then 'Claimed' else coalesce(f.last_transition, 'Issued') end as state,
           coalesce(f.last_freeze = 'Frozen', false) as frozen,
           f.invoice_id is not null as recorded,
           f.last_receiver as receiver_id,
           f.claimant,
           e.batch_root, e.document_hash,
           e.block_time as issued_at, e.block_number as issued_block,
           f.claimed_at,
           case when f.last_transition in ('Locked', 'Reimbursed') then f.locked_at end as locked_at,
           case when f.last_transition = 'Reimbursed' then f.last_transition_at end as reimbursed_at,
           case when f.last_transition = 'Voided' then f.last_transition_at end as voided_at,
           greatest(e.block_number, f.updated_block) as updated_block,
           e.tx_hash, e.number::text as number_text
    from issued e
    left join folded f using (invoice_id)
  ),
  continued_rows as (
    select c.invoice_id, c.issuer_id, c.code, c.number, c.buyer, c.amount, c.tax,
           c.total_credited as credited,
           case when c.new_state = 'Reimbursed' then c.amount - c.total_credited else 0 end as reimbursed,
           c.new_state as state,
           case when c.last_freeze is null then c.frozen else c.last_freeze = 'Frozen' end as frozen,
           c.recorded or c.touched as recorded,
           coalesce(c.last_receiver, c.receiver_id) as receiver_id,
           coalesce(c.claimant, c.range_claimant) as claimant,
           c.batch_root, c.document_hash,
           c.issued_at, c.issued_block,
           coalesce(c.claimed_at, c.range_claimed_at) as claimed_at,
           -- The latest lock: the range's, else the row's (kept while Locked or Reimbursed); a
           -- row that left those states keeps none, so the events answer (never on chain:
           -- reimbursement needs a lock after an unlock).
           case when c.new_state in ('Locked', 'Reimbursed') then
             coalesce(c.range_locked_at, c.locked_at,
                      (select max(k.block_time) from invoices.invoice_locked k where k.invoice_id = c.invoice_id))
           end as locked_at,
           case when c.new_state = 'Reimbursed' then
             case when c.last_transition is null then c.reimbursed_at else c.last_transition_at end
           end as reimbursed_at,
           case when c.new_state = 'Voided' then
             case when c.last_transition is null then c.voided_at else c.last_transition_at end
           end as voided_at,
           greatest(c.updated_block, c.range_updated_block) as updated_block,
           c.tx_hash, c.number_text
    from continued c
  ),
  -- sign: +1 for the rows as they are now, -1 (below) for the rows as they were.
  computed as (
    select 1 as sign, * from recomputed
    union all
    select 1, * from continued_rows
  ),
  inserted as (
    insert into invoices.invoice select * from recomputed
  ),
  updated as (
    update invoices.invoice i set
      credited = c.credited, reimbursed = c.reimbursed, state = c.state, frozen = c.frozen, recorded = c.recorded,
      receiver_id = c.receiver_id, claimant = c.claimant, claimed_at = c.claimed_at, locked_at = c.locked_at,
      reimbursed_at = c.reimbursed_at, voided_at = c.voided_at, updated_block = c.updated_block
    from continued_rows c
    where i.invoice_id = c.invoice_id
  ),
  contributions as (
    select c.* from (select * from computed union all select -1, * from invoices.marked_invoice) x
    cross join lateral (
      select x.issuer_id, ((x.issued_at at time zone 'UTC') + shift)::date as day, x.sign as issued,
             x.sign * x.amount as issued_amount, x.sign * x.tax as issued_tax, 0 as claimed, 0 as claimed_amount,
             0 as reimbursed, 0 as reimbursed_amount
      union all
      select x.issuer_id, ((x.claimed_at at time zone 'UTC') + shift)::date, 0, 0, 0, x.sign, x.sign * x.amount, 0, 0
      where x.claimed_at is not null
      union all
      select x.issuer_id, ((x.reimbursed_at at time zone 'UTC') + shift)::date, 0, 0, 0, 0, 0, x.sign, x.sign * x.reimbursed
      where x.state = 'Reimbursed'
    ) c
  ),
  issuer_days as (
    insert into invoices.issuer_day as r
      (issuer_id, day, issued, issued_amount, issued_tax, claimed, claimed_amount, reimbursed, reimbursed_amount)
    select * from (
      select issuer_id, day, sum(issued) as issued, sum(issued_amount) as issued_amount, sum(issued_tax) as issued_tax,
             sum(claimed) as claimed, sum(claimed_amount) as claimed_amount, sum(reimbursed) as reimbursed,
             sum(reimbursed_amount) as reimbursed_amount
      from contributions group by issuer_id, day
    ) d
    where (d.issued, d.issued_amount, d.issued_tax, d.claimed, d.claimed_amount, d.reimbursed, d.reimbursed_amount)
      <> (0, 0, 0, 0, 0, 0, 0)
    on conflict (issuer_id, day) do update set
      issued = r.issued + excluded.issued,
      issued_amount = r.issued_amount + excluded.issued_amount,
      issued_tax = r.issued_tax + excluded.issued_tax,
      claimed = r.claimed + excluded.claimed,
      claimed_amount = r.claimed_amount + excluded.claimed_amount,
      reimbursed = r.reimbursed + excluded.reimbursed,
      reimbursed_amount = r.reimbursed_amount + excluded.reimbursed_amount
    returning r.issuer_id, r.day, r.issued, r.claimed, r.reimbursed
  ),
  receiver_days as (
    insert into invoices.receiver_day as r (receiver_id, day, reimbursed, reimbursed_amount)
    select * from (
      select x.receiver_id, ((x.reimbursed_at at time zone 'UTC') + shift)::date, sum(x.sign) as reimbursed,
             sum(x.sign * x.reimbursed) as reimbursed_amount
      from (select * from computed union all select -1, * from invoices.marked_invoice) x
      where x.state = 'Reimbursed'
      group by 1, 2
    ) d
    where (d.reimbursed, d.reimbursed_amount) <> (0, 0)
    on conflict (receiver_id, day) do update set
      reimbursed = r.reimbursed + excluded.reimbursed,
      reimbursed_amount = r.reimbursed_amount + excluded.reimbursed_amount
    returning r.receiver_id, r.day, r.reimbursed
  ),
  states as (
    insert into invoices.state_count as r (issuer_id, state, invoices, amount)
    select * from (
      select x.issuer_id, x.state, sum(x.sign) as invoices, sum(x.sign * x.amount) as amount
      from (select * from computed union all select -1, * from invoices.marked_invoice) x
      group by 1, 2
    ) d
    where (d.invoices, d.amount) <> (0, 0)
    on conflict (issuer_id, state) do update set invoices = r.invoices + excluded.invoices, amount = r.amount + excluded.amount
    returning r.issuer_id, r.state, r.invoices
  ),
  -- The department each new invoice is counted for: its issuer's registrar, looked up again
  -- whenever rows of the issuer go in (the mapping may change only after a rollback removed the
  -- registration, and every invoice of the issuer with it). Rows the batch updates or removes
  -- keep the mapping they were counted with: this statement reads issuer_registrar as it was
  -- before it, whatever `registrars` writes.
  new_registrars as (
    select n.issuer_id, coalesce(r.department_id, '\x'::bytea) as registrar_id
    from (select distinct issuer_id from recomputed) n
    left join lateral (
      select p.department_id from gov.participant_registered p
      where p.participant_id = n.issuer_id order by p.block_number desc, p.log_index desc limit 1
    ) r on true
  ),
  registrars as (
    insert into invoices.issuer_registrar as m (issuer_id, registrar_id)
    select * from new_registrars
    on conflict (issuer_id) do update set registrar_id = excluded.registrar_id
    where m.registrar_id <> excluded.registrar_id
  ),
  department_days as (
    insert into invoices.department_day_state as r (registrar_id, day, state, invoices, amount, tax, reimbursed)
    select * from (
      select coalesce(n.registrar_id, m.registrar_id) as registrar_id, c.day, c.state, sum(c.invoices) as invoices,
             sum(c.amount) as amount, sum(c.tax) as tax, sum(c.reimbursed) as reimbursed
      from (
        select x.issuer_id, x.inserted, ((x.issued_at at time zone 'UTC') + shift)::date as day, x.state,
               sum(x.sign) as invoices, sum(x.sign * x.amount) as amount, sum(x.sign * x.tax) as tax,
               sum(x.sign * x.reimbursed) as reimbursed
        from (
          select 1 as sign, true as inserted, r.issuer_id, r.issued_at, r.state, r.amount, r.tax, r.reimbursed from recomputed r
          union all
          select 1, false, c.issuer_id, c.issued_at, c.state, c.amount, c.tax, c.reimbursed from continued_rows c
          union all
          select -1, false, m.issuer_id, m.issued_at, m.state, m.amount, m.tax, m.reimbursed from invoices.marked_invoice m
        ) x
        group by 1, 2, 3, 4
      ) c
      left join new_registrars n on c.inserted and n.issuer_id = c.issuer_id
      left join invoices.issuer_registrar m on not c.inserted and m.issuer_id = c.issuer_id
      where coalesce(n.registrar_id, m.registrar_id) is not null
      group by 1, 2, 3
    ) d
    where (d.invoices, d.amount, d.tax, d.reimbursed) <> (0, 0, 0, 0)
    on conflict (registrar_id, day, state) do update set
      invoices = r.invoices + excluded.invoices,
      amount = r.amount + excluded.amount,
      tax = r.tax + excluded.tax,
      reimbursed = r.reimbursed + excluded.reimbursed
    returning r.registrar_id, r.day, r.state, r.invoices
  )
  select (select jsonb_agg(jsonb_build_array(encode(issuer_id, 'hex'), day)) from issuer_days
          where issued = 0 and claimed = 0 and reimbursed = 0),
         (select jsonb_agg(jsonb_build_array(encode(receiver_id, 'hex'), day)) from receiver_days where reimbursed = 0),
         (select jsonb_agg(jsonb_build_array(encode(issuer_id, 'hex'), state)) from states where invoices = 0),
         (select jsonb_agg(jsonb_build_array(encode(registrar_id, 'hex'), day, state)) from department_days
          where invoices = 0)
  into zero_issuer_days, zero_receiver_days, zero_states, zero_department_days;

  -- Report rows the batch took to zero (every invoice they counted moved elsewhere or is gone).
  if zero_issuer_days is not null then
    delete from invoices.issuer_day r
    using jsonb_array_elements(zero_issuer_days) z
    where r.issuer_id = decode(z->>0, 'hex') and r.day = (z->>1)::date;
  end if;
  if zero_receiver_days is not null then
    delete from invoices.receiver_day r
    using jsonb_array_elements(zero_receiver_days) z
    where r.receiver_id = decode(z->>0, 'hex') and r.day = (z->>1)::date;
  end if;
  if zero_states is not null then
    delete from invoices.state_count r
    using jsonb_array_elements(zero_states) z
    where r.issuer_id = decode(z->>0, 'hex') and r.state = z->>1;
  end if;

  if zero_department_days is not null then
    delete from invoices.department_day_state r
    using jsonb_array_elements(zero_department_days) z
    where r.registrar_id = decode(z->>0, 'hex') and r.day = (z->>1)::date and r.state = z->>2;
  end if;

  delete from invoices.marked_invoice;
  delete from invoices.dirty_invoice;
end $$;
