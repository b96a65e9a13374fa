-- Issue 10: a forward batch that only issues invoices (the bulk of a backfill) inserts them and
-- adds their report contributions directly, without refresh_invoices' fold. Such a batch touches
-- no earlier invoice (invoices.dirty_invoice is empty) and has no invoice event but issuances in
-- its range (marked_events is empty): refresh_invoices would then find no marked row, fold
-- nothing, and insert each issued invoice as 'Issued' with nothing credited, claimed, locked or
-- reimbursed, counting it once in issuer_day (issued), state_count ('Issued') and
-- department_day_state, none in receiver_day, and taking no report row to zero. This is that,
-- computed from the issuance rows alone: 23 → 13-14 ticks of backend CPU (10 ms) for a
-- 16,000-invoice batch with the deferred indexes absent (README, bench:indexer). Any other batch,
-- and every rollback and rebuild (a range open to the top), goes through refresh_invoices as before.

create function invoices.insert_new_invoices(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  shift interval := make_interval(secs => indexer.utc_offset());
begin
  with issued as (
    select e.* from invoices.invoice_issued e where e.block_number between from_block and to_block
  ),
  inserted as (
    insert into invoices.invoice (invoice_id, issuer_id, code, number, buyer, amount, tax, credited, reimbursed, state,
      frozen, recorded, receiver_id, claimant, batch_root, document_hash, issued_at, issued_block, claimed_at, locked_at,
      reimbursed_at, voided_at, updated_block, tx_hash, number_text)
    select e.invoice_id, e.issuer_id, e.code, e.number, e.buyer, e.amount, e.tax, 0, 0, 'Issued', false, false, null, null,
           e.batch_root, e.document_hash, e.block_time, e.block_number, null, null, null, null, e.block_number, e.tx_hash,
           e.number::text
    from issued e
  ),
  days as (
    select e.issuer_id, ((e.block_time at time zone 'UTC') + shift)::date as day,
           count(*) as invoices, sum(e.amount) as amount, sum(e.tax) as tax
    from issued e
    group by 1, 2
  ),
  issuer_days as (
    insert into invoices.issuer_day as r
      (issuer_id, day, issued, issued_amount, issued_tax, claimed, claimed_amount, reimbursed, reimbursed_amount)
    select d.issuer_id, d.day, d.invoices, d.amount, d.tax, 0, 0, 0, 0 from days d
    on conflict (issuer_id, day) do update set
      issued = r.issued + excluded.issued,
      issued_amount = r.issued_amount + excluded.issued_amount,
      issued_tax = r.issued_tax + excluded.issued_tax
  ),
  states as (
    insert into invoices.state_count as r (issuer_id, state, invoices, amount)
    select d.issuer_id, 'Issued', sum(d.invoices), sum(d.amount) from days d group by 1
    on conflict (issuer_id, state) do update set invoices = r.invoices + excluded.invoices, amount = r.amount + excluded.amount
  ),
  -- As refresh_invoices: each issuer's registrar looked up again when rows of the issuer go in.
  new_registrars as (
    select n.issuer_id, coalesce(r.department_id, '\x'::bytea) as registrar_id
    from (select distinct issuer_id from days) n
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
  )
  insert into invoices.department_day_state as r (registrar_id, day, state, invoices, amount, tax, reimbursed)
  select n.registrar_id, d.day, 'Issued', sum(d.invoices), sum(d.amount), sum(d.tax), 0
  from days d join new_registrars n using (issuer_id)
  group by 1, 2
  on conflict (registrar_id, day, state) do update set
    invoices = r.invoices + excluded.invoices,
    amount = r.amount + excluded.amount,
    tax = r.tax + excluded.tax;
end $$;

-- 0015's refresh, with the path above first.
create or replace function invoices.refresh(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  if to_block <> 9223372036854775807
     and not exists (select 1 from invoices.dirty_invoice)
     and not exists (select 1 from invoices.marked_events(from_block, to_block)) then
    if exists (select 1 from invoices.invoice_issued where block_number between from_block and to_block) then
      perform invoices.insert_new_invoices(from_block, to_block);
    end if;
  elsif exists (select 1 from invoices.dirty_invoice)
     or exists (select 1 from invoices.invoice_issued where block_number between from_block and to_block) then
    perform invoices.refresh_invoices(from_block, to_block);
  end if;
  if exists (select 1 from invoices.dirty_credit_note) then
    perform invoices.refresh_credit_notes();
  end if;
  if exists (select 1 from invoices.dirty_issuer) then
    perform invoices.refresh_issuers();
  end if;
end $$;
