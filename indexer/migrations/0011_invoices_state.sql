-- E-invoices read model: invoices, credit notes and issuers as InvoiceLedger holds them, and the
-- invoice reports, kept by the indexer (framework: 0010_read_model.sql, docs/reporting.md).
-- Replaces the views of 0003 of the same names (invoices.invoices,
-- report.invoice_totals_per_issuer_day, report.invoice_reimbursements_per_receiver_day).

drop view invoices.invoices;
drop view report.invoice_totals_per_issuer_day;
drop view report.invoice_reimbursements_per_receiver_day;

-- Lookups the recomputation needs that 0003 did not index.
create index credit_note_issued_invoice on invoices.credit_note_issued (invoice_id);
create index credit_note_issued_note on invoices.credit_note_issued (credit_note_id);
create index credit_note_confirmed_note on invoices.credit_note_confirmed (credit_note_id);
create index issuer_rules_set_issuer on invoices.issuer_rules_set (issuer_id);
create index issuer_frozen_issuer on invoices.issuer_frozen (issuer_id);
create index issuer_unfrozen_issuer on invoices.issuer_unfrozen (issuer_id);
create index invoice_batch_issued_issuer on invoices.invoice_batch_issued (issuer_id, period);

-- State tables --------------------------------------------------------------------------------

-- One row per issued invoice. `state` is never None: an invoice the ledger holds no record of
-- yet (`recorded` false) is Issued, as verifyInvoice answers.
create table invoices.invoice (
  invoice_id bytea primary key,
  issuer_id bytea not null,
  code bytea not null,
  number numeric(78, 0) not null,
  buyer bytea not null,
  amount numeric(78, 0) not null,
  tax numeric(78, 0) not null,
  credited numeric(78, 0) not null,
  reimbursed numeric(78, 0) not null,
  state text not null,
  frozen boolean not null,
  recorded boolean not null,
  receiver_id bytea,
  claimant bytea,
  batch_root bytea not null,
  document_hash bytea not null,
  issued_at timestamptz not null,
  issued_block bigint not null,
  claimed_at timestamptz,
  locked_at timestamptz,
  reimbursed_at timestamptz,
  voided_at timestamptz,
  updated_block bigint not null
);
create index invoice_issuer_issued on invoices.invoice (issuer_id, issued_at);
create index invoice_receiver on invoices.invoice (receiver_id, reimbursed_at) where receiver_id is not null;

create table invoices.credit_note (
  credit_note_id bytea primary key,
  invoice_id bytea not null,
  issuer_id bytea not null,
  code bytea not null,
  number numeric(78, 0) not null,
  amount numeric(78, 0) not null,
  tax numeric(78, 0) not null,
  document_hash bytea not null,
  -- Applied (at once) or Pending (the receiving company confirms), as issued
  issued_state text not null,
  lapses_at timestamptz,
  confirmed_by bytea,
  confirmed_at timestamptz,
  issued_at timestamptz not null,
  issued_block bigint not null,
  updated_block bigint not null
);
create index credit_note_invoice on invoices.credit_note (invoice_id);

-- Every participant that had rules set, was frozen or issued. usage_*: what it issued in the
-- latest period it issued in (the ledger's period usage; the view compares it with now).
create table invoices.issuer (
  issuer_id bytea primary key,
  department_id bytea,
  enabled boolean not null,
  max_amount numeric(78, 0) not null,
  period_amount_quota numeric(78, 0) not null,
  period_count_quota bigint not null,
  rules_set_at timestamptz,
  frozen boolean not null,
  usage_period integer,
  usage_amount numeric(78, 0) not null,
  usage_count bigint not null,
  invoices bigint not null,
  updated_block bigint not null
);

-- Report tables, maintained from the invoice rows (old contribution out, new in).
create table invoices.issuer_day (
  issuer_id bytea not null,
  day date not null,
  issued bigint not null,
  issued_amount numeric(78, 0) not null,
  issued_tax numeric(78, 0) not null,
  claimed bigint not null,
  claimed_amount numeric(78, 0) not null,
  reimbursed bigint not null,
  reimbursed_amount numeric(78, 0) not null,
  primary key (issuer_id, day)
);
create index issuer_day_day on invoices.issuer_day (day);

create table invoices.receiver_day (
  receiver_id bytea not null,
  day date not null,
  reimbursed bigint not null,
  reimbursed_amount numeric(78, 0) not null,
  primary key (receiver_id, day)
);
create index receiver_day_day on invoices.receiver_day (day);

create table invoices.state_count (
  issuer_id bytea not null,
  state text not null,
  invoices bigint not null,
  amount numeric(78, 0) not null,
  primary key (issuer_id, state)
);

-- Marks: keys touched since the last refresh (empty between transactions; marked once per
-- refresh, so without duplicates). An invoice issued in the range has every event in that range
-- too (its events all follow its issuance): it is read from the range's rows, not looked up one
-- key at a time, and marked (`fresh`) only when the range is open to the top (see mark).
create unlogged table invoices.dirty_invoice (invoice_id bytea not null, fresh boolean not null);
create unlogged table invoices.dirty_credit_note (credit_note_id bytea primary key);
create unlogged table invoices.dirty_issuer (issuer_id bytea primary key);
-- The rows of marked invoices issued before the range (or issued in a range a rollback removed),
-- while their report contributions are taken out.
create unlogged table invoices.marked_invoice (like invoices.invoice);

-- Marking -------------------------------------------------------------------------------------

create function invoices.mark(from_block bigint, to_block bigint) returns void
language sql as $$
  -- Invoices issued in the range are read from the range itself (see refresh_invoices): only
  -- those issued before it are marked, and, for a range open to the top (a rollback or a
  -- rebuild, the only times they may have rows already), the ones issued in it too.
  insert into invoices.dirty_invoice (invoice_id, fresh)
  select invoice_id, true from invoices.invoice_issued
  where block_number between from_block and to_block and to_block = 9223372036854775807
  union all
  select t.invoice_id, false from (
    select invoice_id from invoices.invoice_claimed where block_number between from_block and to_block
    union select invoice_id from invoices.invoice_receiver_changed where block_number between from_block and to_block
    union select invoice_id from invoices.invoice_locked where block_number between from_block and to_block
    union select invoice_id from invoices.invoice_unlocked where block_number between from_block and to_block
    union select invoice_id from invoices.invoice_reimbursed where block_number between from_block and to_block
    union select invoice_id from invoices.invoice_voided where block_number between from_block and to_block
    union select invoice_id from invoices.invoice_credited where block_number between from_block and to_block
    union select invoice_id from invoices.invoice_frozen where block_number between from_block and to_block
    union select invoice_id from invoices.invoice_unfrozen where block_number between from_block and to_block
    union select invoice_id from invoices.credit_note_issued where block_number between from_block and to_block
  ) t
  where not exists (
    select 1 from invoices.invoice_issued e
    where e.invoice_id = t.invoice_id and e.block_number between from_block and to_block
  );

  insert into invoices.dirty_credit_note (credit_note_id)
  select credit_note_id from invoices.credit_note_issued where block_number between from_block and to_block
  union select credit_note_id from invoices.credit_note_confirmed where block_number between from_block and to_block
  on conflict do nothing;

  insert into invoices.dirty_issuer (issuer_id)
  select issuer_id from invoices.issuer_rules_set where block_number between from_block and to_block
  union select issuer_id from invoices.issuer_frozen where block_number between from_block and to_block
  union select issuer_id from invoices.issuer_unfrozen where block_number between from_block and to_block
  union select issuer_id from invoices.invoice_batch_issued where block_number between from_block and to_block
  on conflict do nothing;
$$;

-- Recomputing ---------------------------------------------------------------------------------

-- Every event after issuance of the marked invoices, as one stream: all of the range's rows (only
-- marked invoices have any), and the earlier ones of invoices issued before the range, looked up
-- by invoice id. No join whose plan depends on statistics of tables that grow by the batch.
create function invoices.marked_events(from_block bigint, to_block bigint)
returns table (invoice_id bytea, kind text, actor bytea, receiver bytea, credited numeric, block_number bigint,
  log_index bigint, block_time timestamptz)
language sql stable as $$
  with old as (select d.invoice_id from invoices.dirty_invoice d where not d.fresh)
  select e.invoice_id, 'Claimed' as kind, e.claimant as actor, e.receiver_id as receiver, null::numeric as credited, e.block_number, e.log_index, e.block_time
  from invoices.invoice_claimed e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'ReceiverChanged', e.claimant, e.receiver_id, null, e.block_number, e.log_index, e.block_time
  from invoices.invoice_receiver_changed e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'Locked', e.receiver_id, e.receiver_id, null, e.block_number, e.log_index, e.block_time
  from invoices.invoice_locked e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'Unlocked', e.receiver_id, e.receiver_id, null, e.block_number, e.log_index, e.block_time
  from invoices.invoice_unlocked e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'Reimbursed', e.receiver_id, e.receiver_id, null, e.block_number, e.log_index, e.block_time
  from invoices.invoice_reimbursed e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'Voided', e.issuer_id, null, null, e.block_number, e.log_index, e.block_time
  from invoices.invoice_voided e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'Credited', null, null, e.credited, e.block_number, e.log_index, e.block_time
  from invoices.invoice_credited e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'Frozen', e.department_id, null, null, e.block_number, e.log_index, e.block_time
  from invoices.invoice_frozen e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'Unfrozen', e.department_id, null, null, e.block_number, e.log_index, e.block_time
  from invoices.invoice_unfrozen e where e.block_number between from_block and to_block
  union all select e.invoice_id, 'NoteIssued', null, null, null, e.block_number, e.log_index, e.block_time
  from invoices.credit_note_issued e where e.block_number between from_block and to_block
  union all
  -- offset 0: one index probe per table and invoice, whatever the planner guesses of `old`'s size
  select o.invoice_id, x.* from old o cross join lateral (select * from (
    select 'Claimed', e.claimant, e.receiver_id, null::numeric, e.block_number, e.log_index, e.block_time
    from invoices.invoice_claimed e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'ReceiverChanged', e.claimant, e.receiver_id, null, e.block_number, e.log_index, e.block_time
    from invoices.invoice_receiver_changed e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'Locked', e.receiver_id, e.receiver_id, null, e.block_number, e.log_index, e.block_time
    from invoices.invoice_locked e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'Unlocked', e.receiver_id, e.receiver_id, null, e.block_number, e.log_index, e.block_time
    from invoices.invoice_unlocked e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'Reimbursed', e.receiver_id, e.receiver_id, null, e.block_number, e.log_index, e.block_time
    from invoices.invoice_reimbursed e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'Voided', e.issuer_id, null, null, e.block_number, e.log_index, e.block_time
    from invoices.invoice_voided e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'Credited', null, null, e.credited, e.block_number, e.log_index, e.block_time
    from invoices.invoice_credited e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'Frozen', e.department_id, null, null, e.block_number, e.log_index, e.block_time
    from invoices.invoice_frozen e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'Unfrozen', e.department_id, null, null, e.block_number, e.log_index, e.block_time
    from invoices.invoice_unfrozen e where e.invoice_id = o.invoice_id and e.block_number < from_block
    union all select 'NoteIssued', null, null, null, e.block_number, e.log_index, e.block_time
    from invoices.credit_note_issued e where e.invoice_id = o.invoice_id and e.block_number < from_block
  ) u offset 0) x
$$;

-- Takes the report contributions of invoices.marked_invoice out; returns the groups left at zero
-- (deleted at the end unless the recomputed rows refilled them).
create function invoices.subtract_report_rows(shift interval, out zero_issuer_days jsonb, out zero_receiver_days jsonb,
  out zero_states jsonb)
language plpgsql as $$
begin
  with contributions as (
    select issuer_id, ((issued_at at time zone 'UTC') + shift)::date as day, 1 as issued, amount as issued_amount,
           tax as issued_tax, 0 as claimed, 0 as claimed_amount, 0 as reimbursed, 0 as reimbursed_amount
    from invoices.marked_invoice
    union all
    select issuer_id, ((claimed_at at time zone 'UTC') + shift)::date, 0, 0, 0, 1, amount, 0, 0
    from invoices.marked_invoice where claimed_at is not null
    union all
    select issuer_id, ((reimbursed_at at time zone 'UTC') + shift)::date, 0, 0, 0, 0, 0, 1, reimbursed
    from invoices.marked_invoice where state = 'Reimbursed'
  ),
  changed as (
    update invoices.issuer_day r set
      issued = r.issued - c.issued,
      issued_amount = r.issued_amount - c.issued_amount,
      issued_tax = r.issued_tax - c.issued_tax,
      claimed = r.claimed - c.claimed,
      claimed_amount = r.claimed_amount - c.claimed_amount,
      reimbursed = r.reimbursed - c.reimbursed,
      reimbursed_amount = r.reimbursed_amount - c.reimbursed_amount
    from (
      select issuer_id, day, sum(issued) as issued, sum(issued_amount) as issued_amount, sum(issued_tax) as issued_tax,
             sum(claimed) as claimed, sum(claimed_amount) as claimed_amount, sum(reimbursed) as reimbursed,
             sum(reimbursed_amount) as reimbursed_amount
      from contributions group by issuer_id, day
    ) c
    where r.issuer_id = c.issuer_id and r.day = c.day
    returning r.issuer_id, r.day, r.issued, r.claimed, r.reimbursed
  )
  select jsonb_agg(jsonb_build_array(encode(issuer_id, 'hex'), day)) into zero_issuer_days
  from changed where issued = 0 and claimed = 0 and reimbursed = 0;

  with changed as (
    update invoices.receiver_day r set reimbursed = r.reimbursed - c.reimbursed, reimbursed_amount = r.reimbursed_amount - c.amount
    from (
      select receiver_id, ((reimbursed_at at time zone 'UTC') + shift)::date as day, count(*) as reimbursed,
             sum(reimbursed) as amount
      from invoices.marked_invoice where state = 'Reimbursed' group by 1, 2
    ) c
    where r.receiver_id = c.receiver_id and r.day = c.day
    returning r.receiver_id, r.day, r.reimbursed
  )
  select jsonb_agg(jsonb_build_array(encode(receiver_id, 'hex'), day)) into zero_receiver_days
  from changed where reimbursed = 0;

  with changed as (
    update invoices.state_count r set invoices = r.invoices - c.invoices, amount = r.amount - c.amount
    from (select issuer_id, state, count(*) as invoices, sum(amount) as amount from invoices.marked_invoice group by 1, 2) c
    where r.issuer_id = c.issuer_id and r.state = c.state
    returning r.issuer_id, r.state, r.invoices
  )
  select jsonb_agg(jsonb_build_array(encode(issuer_id, 'hex'), state)) into zero_states
  from changed where invoices = 0;
end $$;

create function invoices.refresh_invoices(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  zero_issuer_days jsonb;
  zero_receiver_days jsonb;
  zero_states jsonb;
  shift interval := make_interval(secs => indexer.utc_offset());
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
  if found then
    select * into zero_issuer_days, zero_receiver_days, zero_states from invoices.subtract_report_rows(shift);
    delete from invoices.invoice i using invoices.marked_invoice m where i.invoice_id = m.invoice_id;
  end if;

  -- Each invoice folded from its events: the last transition gives the state; the receiving
  -- company is the last one named (claim, change of receiver; lock and reimbursement by it);
  -- credited is the running total of the last InvoiceCredited; reimbursed is
  -- amount - credited once reimbursed (a note confirmed afterwards lowers it, as on chain).
  with issued as (
    select e.* from invoices.invoice_issued e where e.block_number between from_block and to_block
    union all
    select e.* from invoices.dirty_invoice d
    cross join lateral (select * from invoices.invoice_issued k where k.invoice_id = d.invoice_id limit 1) e
    where not d.fresh
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
  computed as (
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
           greatest(e.block_number, f.updated_block) as updated_block
    from issued e
    left join folded f using (invoice_id)
  ),
  inserted as (
    insert into invoices.invoice select * from computed
  ),
  contributions as (
    select issuer_id, ((issued_at at time zone 'UTC') + shift)::date as day, 1 as issued, amount as issued_amount,
           tax as issued_tax, 0 as claimed, 0 as claimed_amount, 0 as reimbursed, 0 as reimbursed_amount
    from computed
    union all
    select issuer_id, ((claimed_at at time zone 'UTC') + shift)::date, 0, 0, 0, 1, amount, 0, 0
    from computed where claimed_at is not null
    union all
    select issuer_id, ((reimbursed_at at time zone 'UTC') + shift)::date, 0, 0, 0, 0, 0, 1, reimbursed
    from computed where state = 'Reimbursed'
  ),
  issuer_days as (
    insert into invoices.issuer_day as r
      (issuer_id, day, issued, issued_amount, issued_tax, claimed, claimed_amount, reimbursed, reimbursed_amount)
    select issuer_id, day, sum(issued), sum(issued_amount), sum(issued_tax), sum(claimed), sum(claimed_amount),
           sum(reimbursed), sum(reimbursed_amount)
    from contributions group by issuer_id, day
    on conflict (issuer_id, day) do update set
      issued = r.issued + excluded.issued,
      issued_amount = r.issued_amount + excluded.issued_amount,
      issued_tax = r.issued_tax + excluded.issued_tax,
      claimed = r.claimed + excluded.claimed,
      claimed_amount = r.claimed_amount + excluded.claimed_amount,
      reimbursed = r.reimbursed + excluded.reimbursed,
      reimbursed_amount = r.reimbursed_amount + excluded.reimbursed_amount
  ),
  receiver_days as (
    insert into invoices.receiver_day as r (receiver_id, day, reimbursed, reimbursed_amount)
    select receiver_id, ((reimbursed_at at time zone 'UTC') + shift)::date, count(*), sum(reimbursed)
    from computed where state = 'Reimbursed'
    group by 1, 2
    on conflict (receiver_id, day) do update set
      reimbursed = r.reimbursed + excluded.reimbursed,
      reimbursed_amount = r.reimbursed_amount + excluded.reimbursed_amount
  )
  insert into invoices.state_count as r (issuer_id, state, invoices, amount)
  select issuer_id, state, count(*), sum(amount) from computed group by 1, 2
  on conflict (issuer_id, state) do update set invoices = r.invoices + excluded.invoices, amount = r.amount + excluded.amount;

  -- Groups a subtraction left at zero and no recomputed row refilled.
  if zero_issuer_days is not null then
    delete from invoices.issuer_day r
    using jsonb_array_elements(zero_issuer_days) z
    where r.issuer_id = decode(z->>0, 'hex') and r.day = (z->>1)::date
      and r.issued = 0 and r.claimed = 0 and r.reimbursed = 0;
  end if;
  if zero_receiver_days is not null then
    delete from invoices.receiver_day r
    using jsonb_array_elements(zero_receiver_days) z
    where r.receiver_id = decode(z->>0, 'hex') and r.day = (z->>1)::date and r.reimbursed = 0;
  end if;
  if zero_states is not null then
    delete from invoices.state_count r
    using jsonb_array_elements(zero_states) z
    where r.issuer_id = decode(z->>0, 'hex') and r.state = z->>1 and r.invoices = 0;
  end if;

  delete from invoices.marked_invoice;
  delete from invoices.dirty_invoice;
end $$;

create function invoices.refresh_credit_notes() returns void
language sql as $$
  with computed as (
    select n.credit_note_id, n.invoice_id, n.issuer_id, n.code, n.number, n.amount, n.tax, n.document_hash,
           case n.state when 1 then 'Pending' when 2 then 'Applied' else n.state::text end as issued_state,
           case when n.state = 1 then to_timestamp(n.lapses_at::double precision) end as lapses_at,
           c.receiver_id as confirmed_by,
           c.block_time as confirmed_at,
           n.block_time as issued_at,
           n.block_number as issued_block,
           greatest(n.block_number, c.block_number) as updated_block
    from invoices.dirty_credit_note d
    join invoices.credit_note_issued n using (credit_note_id)
    left join lateral (
      select k.receiver_id, k.block_time, k.block_number from invoices.credit_note_confirmed k
      where k.credit_note_id = n.credit_note_id order by k.block_number desc, k.log_index desc limit 1
    ) c on true
  ),
  gone as (
    delete from invoices.credit_note r
    using invoices.dirty_credit_note d
    where r.credit_note_id = d.credit_note_id
      and not exists (select 1 from computed c where c.credit_note_id = d.credit_note_id)
  )
  insert into invoices.credit_note as r
  select * from computed
  on conflict (credit_note_id) do update set
    confirmed_by = excluded.confirmed_by,
    confirmed_at = excluded.confirmed_at,
    updated_block = excluded.updated_block;

  delete from invoices.dirty_credit_note;
$$;

create function invoices.refresh_issuers() returns void
language sql as $$
  with computed as (
    select d.issuer_id,
           r.department_id,
           coalesce(r.enabled, false) as enabled,
           coalesce(r.max_amount, 0) as max_amount,
           coalesce(r.period_amount_quota, 0) as period_amount_quota,
           coalesce(r.period_count_quota, 0) as period_count_quota,
           r.block_time as rules_set_at,
           coalesce(f.frozen, false) as frozen,
           u.period as usage_period,
           coalesce(u.amount, 0) as usage_amount,
           coalesce(u.count, 0) as usage_count,
           coalesce(t.invoices, 0) as invoices,
           greatest(r.block_number, f.block_number, t.block_number) as updated_block
    from invoices.dirty_issuer d
    left join lateral (
      select k.* from invoices.issuer_rules_set k
      where k.issuer_id = d.issuer_id order by k.block_number desc, k.log_index desc limit 1
    ) r on true
    left join lateral (
      select x.frozen, x.block_number from (
        select true as frozen, block_number, log_index from invoices.issuer_frozen where issuer_id = d.issuer_id
        union all
        select false, block_number, log_index from invoices.issuer_unfrozen where issuer_id = d.issuer_id
      ) x
      order by x.block_number desc, x.log_index desc limit 1
    ) f on true
    left join lateral (
      select b.period, sum(b.total_amount) as amount, sum(b.count)::bigint as count
      from invoices.invoice_batch_issued b
      where b.issuer_id = d.issuer_id
        and b.period = (select max(m.period) from invoices.invoice_batch_issued m where m.issuer_id = d.issuer_id)
      group by b.period
    ) u on true
    left join lateral (
      select sum(b.count)::bigint as invoices, max(b.block_number) as block_number
      from invoices.invoice_batch_issued b where b.issuer_id = d.issuer_id
    ) t on true
    where r.issuer_id is not null or f.frozen is not null or t.invoices is not null
  ),
  gone as (
    delete from invoices.issuer r
    using invoices.dirty_issuer d
    where r.issuer_id = d.issuer_id and not exists (select 1 from computed c where c.issuer_id = d.issuer_id)
  )
  insert into invoices.issuer as r
  select * from computed
  on conflict (issuer_id) do update set
    department_id = excluded.department_id,
    enabled = excluded.enabled,
    max_amount = excluded.max_amount,
    period_amount_quota = excluded.period_amount_quota,
    period_count_quota = excluded.period_count_quota,
    rules_set_at = excluded.rules_set_at,
    frozen = excluded.frozen,
    usage_period = excluded.usage_period,
    usage_amount = excluded.usage_amount,
    usage_count = excluded.usage_count,
    invoices = excluded.invoices,
    updated_block = excluded.updated_block;

  delete from invoices.dirty_issuer;
$$;

create function invoices.refresh(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  perform invoices.refresh_invoices(from_block, to_block);
  perform invoices.refresh_credit_notes();
  perform invoices.refresh_issuers();
end $$;

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'invoices', 20, 'invoices.mark(bigint, bigint)', 'invoices.refresh(bigint, bigint)',
  array['invoices.invoice', 'invoices.credit_note', 'invoices.issuer', 'invoices.issuer_day',
        'invoices.receiver_day', 'invoices.state_count']::regclass[]
);

-- The public relations --------------------------------------------------------------------------

create view invoices.invoices as
select i.invoice_id,
       i.issuer_id,
       i.code,
       indexer.code_text(i.code) as code_text,
       i.number,
       i.buyer,
       i.amount,
       indexer.yuan(i.amount) as amount_yuan,
       i.tax,
       indexer.yuan(i.tax) as tax_yuan,
       i.credited,
       indexer.yuan(i.credited) as credited_yuan,
       i.reimbursed,
       indexer.yuan(i.reimbursed) as reimbursed_yuan,
       i.state,
       i.frozen,
       i.recorded,
       i.receiver_id,
       i.claimant,
       i.batch_root,
       i.document_hash,
       i.issued_at,
       i.issued_block,
       i.claimed_at,
       i.locked_at,
       i.reimbursed_at,
       i.voided_at,
       i.updated_block
from invoices.invoice i;

-- A pending note lapses CREDIT_NOTE_WINDOW after issue, with no event: its state follows from
-- the chain's time (indexer.chain_time(), the newest indexed block), as getCreditNote answers.
create view invoices.credit_notes as
select n.credit_note_id,
       n.invoice_id,
       n.issuer_id,
       n.code,
       indexer.code_text(n.code) as code_text,
       n.number,
       n.amount,
       indexer.yuan(n.amount) as amount_yuan,
       n.tax,
       indexer.yuan(n.tax) as tax_yuan,
       n.document_hash,
       case
         when n.issued_state = 'Applied' or n.confirmed_at is not null then 'Applied'
         when n.lapses_at <= indexer.chain_time() then 'Lapsed'
         else 'Pending'
       end as state,
       n.confirmed_at is not null as confirmed,
       n.issued_state,
       n.lapses_at,
       n.confirmed_by,
       n.confirmed_at,
       n.issued_at,
       n.issued_block,
       n.updated_block
from invoices.credit_note n;

-- Usage in the current local-time period, as periodUsage answers: zero once the period of the
-- chain's time moves past the last period the issuer issued in.
create view invoices.issuers as
select s.issuer_id,
       s.department_id,
       indexer.code_text(s.department_id) as department_code,
       s.enabled,
       s.max_amount,
       indexer.yuan(s.max_amount) as max_amount_yuan,
       s.period_amount_quota,
       indexer.yuan(s.period_amount_quota) as period_amount_quota_yuan,
       s.period_count_quota,
       s.rules_set_at,
       s.frozen,
       p.period,
       case when s.usage_period = p.period then s.usage_amount else 0 end as period_amount,
       indexer.yuan(case when s.usage_period = p.period then s.usage_amount else 0 end) as period_amount_yuan,
       case when s.usage_period = p.period then s.usage_count else 0 end as period_count,
       s.invoices,
       s.updated_block
from invoices.issuer s
cross join (select indexer.period_of(indexer.chain_time()) as period) p;

-- Reports (days are the city's local days) ---------------------------------------------------------

create view report.invoices_per_issuer_day as
select r.issuer_id, r.day, r.issued, r.issued_amount, indexer.yuan(r.issued_amount) as issued_amount_yuan,
       r.issued_tax, indexer.yuan(r.issued_tax) as issued_tax_yuan, r.claimed, r.claimed_amount,
       indexer.yuan(r.claimed_amount) as claimed_amount_yuan, r.reimbursed, r.reimbursed_amount,
       indexer.yuan(r.reimbursed_amount) as reimbursed_amount_yuan
from invoices.issuer_day r;

create view report.reimbursements_per_receiver_day as
select r.receiver_id, r.day, r.reimbursed, r.reimbursed_amount, indexer.yuan(r.reimbursed_amount) as reimbursed_amount_yuan
from invoices.receiver_day r;

create view report.invoices_per_state as
select s.issuer_id, s.state, s.invoices, s.amount, indexer.yuan(s.amount) as amount_yuan
from invoices.state_count s;

-- The names of 0003, kept (days now local rather than UTC).
create view report.invoice_totals_per_issuer_day as
select issuer_id, day, issued as invoices, issued_amount as amount, issued_tax as tax
from invoices.issuer_day where issued > 0;

create view report.invoice_reimbursements_per_receiver_day as
select receiver_id, day, reimbursed as invoices, reimbursed_amount as amount
from invoices.receiver_day;
