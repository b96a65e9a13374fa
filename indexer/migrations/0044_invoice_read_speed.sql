-- The invoice read side at city scale (issue 10's and 11's speed figures, `npm run bench:reports`):
-- row-level security that costs one hash probe a row instead of a walk through an array, a
-- per-department rollup for the invoice dashboard's headline figures and charts under its filters,
-- and indexes for the invoice table's filters and the reports' day lists. What each department
-- sees is unchanged (test/web's row-level security tests list the rows).

-- Row-level security ------------------------------------------------------------------------------

-- The tax bureau registered thousands of participants: `issuer_id = any (array)` compared each
-- invoice with every one of them (1,000,000 invoices: tens of seconds for a count or an export).
-- `issuer_id in (subquery)` is the same set, hashed once per statement (a hashed SubPlan). The
-- subquery reads gov.participant_registered as the caller: its policy lets every reader see it.
do $$
declare t text;
begin
  foreach t in array array['invoice_issued', 'invoice_batch_issued', 'invoice_claimed', 'invoice_voided',
                           'issuer_rules_set', 'issuer_frozen', 'issuer_unfrozen', 'credit_note_issued',
                           'invoice', 'credit_note', 'issuer_day', 'state_count'] loop
    execute format('drop policy issuer_registrar on invoices.%I', t);
    execute format('create policy issuer_registrar on invoices.%I for select using ((select web.is_regulator())
      or issuer_id in (select r.participant_id from gov.participant_registered r
                       where r.department_id = (select web.current_department())))', t);
  end loop;
  -- Transitions that name only the invoice: its issuance row, looked up by key (the visible set of
  -- invoice_issued, as before, without hashing every visible invoice for each statement).
  foreach t in array array['invoice_locked', 'invoice_unlocked', 'invoice_reimbursed', 'invoice_credited',
                           'invoice_frozen', 'invoice_unfrozen', 'credit_note_confirmed', 'invoice_receiver_changed'] loop
    execute format('drop policy issuer_registrar on invoices.%I', t);
    execute format('create policy issuer_registrar on invoices.%1$I for select using ((select web.is_regulator())
      or exists (select 1 from invoices.invoice_issued i where i.invoice_id = %1$I.invoice_id))', t);
  end loop;
end
$$;
drop policy issuer_registrar on invoices.issuer;
create policy issuer_registrar on invoices.issuer for select
  using ((select web.is_regulator()) or department_id = (select web.current_department())
         or issuer_id in (select r.participant_id from gov.participant_registered r
                          where r.department_id = (select web.current_department())));
drop policy receiver_registrar on invoices.receiver_day;
create policy receiver_registrar on invoices.receiver_day for select
  using ((select web.is_regulator())
         or receiver_id in (select r.participant_id from gov.participant_registered r
                            where r.department_id = (select web.current_department())));

-- Indexes -----------------------------------------------------------------------------------------

-- The invoice table's state and number filters, in the table's order (newest first): a page of
-- reimbursed invoices would otherwise walk past the newest ones, which are mostly not yet.
create index invoice_state_issued on invoices.invoice (state, issued_at desc, invoice_id desc);
create index invoice_number_issued on invoices.invoice (number, issued_at desc, invoice_id desc);
-- All issuers' figures for a day, in issuer order, from the index alone (the rows of one day are
-- spread over the table by the updates that follow issuance). Replaces the index on day alone.
create index issuer_day_day_covering on invoices.issuer_day (day, issuer_id)
  include (issued, issued_amount, issued_tax, claimed, claimed_amount, reimbursed, reimbursed_amount);
drop index invoices.issuer_day_day;

-- Department rollup -------------------------------------------------------------------------------

-- Invoices per registering department (the tax bureau that registered the issuer), local day of
-- issue and current state: a few thousand rows for the dashboard's figures and charts under the
-- state and period filters, where the issuer rows would be hundreds of thousands. Row-level
-- security on it is the department's own rows, the same invoices invoices.invoice shows it (a
-- participant is registered once, by one department). Kept by statement triggers on
-- invoices.invoice from its transition tables, so it follows every change of that table in the
-- same statement (batches, rollbacks, rebuilds), whichever function makes it.
create table invoices.department_day_state (
  -- '\x' for issuers no department registered (the regulator's alone)
  registrar_id bytea not null,
  day date not null,
  state text not null,
  invoices bigint not null,
  amount numeric(78, 0) not null,
  tax numeric(78, 0) not null,
  reimbursed numeric(78, 0) not null,
  primary key (registrar_id, day, state)
);

-- The department each issuer's rows were counted for. An invoice's row may go after its issuer's
-- registration went (a rollback removes both, the registration first): it leaves the department
-- it was counted for. Rows are never removed: a participant is registered once, and a rollback
-- that removed the registration removed every invoice of the issuer with it.
create table invoices.issuer_registrar (
  issuer_id bytea primary key,
  registrar_id bytea not null
);

create function invoices.count_new_issuers() returns trigger
language plpgsql as $$
begin
  insert into invoices.issuer_registrar as m (issuer_id, registrar_id)
  select n.issuer_id, coalesce(r.department_id, '\x'::bytea)
  from (select distinct issuer_id from new_rows) n
  left join lateral (
    select p.department_id from gov.participant_registered p
    where p.participant_id = n.issuer_id order by p.block_number desc, p.log_index desc limit 1
  ) r on true
  on conflict (issuer_id) do update set registrar_id = excluded.registrar_id
  where m.registrar_id <> excluded.registrar_id;
  return null;
end $$;

create function invoices.roll_up_inserted() returns trigger
language plpgsql as $$
begin
  insert into invoices.department_day_state as r (registrar_id, day, state, invoices, amount, tax, reimbursed)
  select m.registrar_id, c.day, c.state, sum(c.invoices), sum(c.amount), sum(c.tax), sum(c.reimbursed)
  from (
    select issuer_id, indexer.local_day(issued_at) as day, state, count(*) as invoices, sum(amount) as amount,
           sum(tax) as tax, sum(reimbursed) as reimbursed
    from new_rows group by 1, 2, 3
  ) c
  join invoices.issuer_registrar m using (issuer_id)
  group by 1, 2, 3
  on conflict (registrar_id, day, state) do update set
    invoices = r.invoices + excluded.invoices,
    amount = r.amount + excluded.amount,
    tax = r.tax + excluded.tax,
    reimbursed = r.reimbursed + excluded.reimbursed;
  return null;
end $$;

create function invoices.roll_up_deleted() returns trigger
language plpgsql as $$
begin
  update invoices.department_day_state r set
    invoices = r.invoices - g.invoices,
    amount = r.amount - g.amount,
    tax = r.tax - g.tax,
    reimbursed = r.reimbursed - g.reimbursed
  from (
    select m.registrar_id, c.day, c.state, sum(c.invoices) as invoices, sum(c.amount) as amount, sum(c.tax) as tax,
           sum(c.reimbursed) as reimbursed
    from (
      select issuer_id, indexer.local_day(issued_at) as day, state, count(*) as invoices, sum(amount) as amount,
             sum(tax) as tax, sum(reimbursed) as reimbursed
      from old_rows group by 1, 2, 3
    ) c
    join invoices.issuer_registrar m using (issuer_id)
    group by 1, 2, 3
  ) g
  where r.registrar_id = g.registrar_id and r.day = g.day and r.state = g.state;
  -- A statement of its own: a row updated in a statement cannot also be deleted by it. The
  -- table holds a few rows a day (a few thousand in all).
  delete from invoices.department_day_state where invoices = 0;
  return null;
end $$;

create function invoices.roll_up_truncated() returns trigger
language plpgsql as $$
begin
  delete from invoices.department_day_state;
  return null;
end $$;

-- Old rows out before new rows in (an UPDATE fires both: delete's trigger first by name).
create trigger a_roll_up_deleted after delete on invoices.invoice
  referencing old table as old_rows for each statement execute function invoices.roll_up_deleted();
create trigger b_count_new_issuers after insert on invoices.invoice
  referencing new table as new_rows for each statement execute function invoices.count_new_issuers();
create trigger c_roll_up_inserted after insert on invoices.invoice
  referencing new table as new_rows for each statement execute function invoices.roll_up_inserted();
create trigger a_roll_up_updated_old after update on invoices.invoice
  referencing old table as old_rows for each statement execute function invoices.roll_up_deleted();
create trigger c_roll_up_updated_new after update on invoices.invoice
  referencing new table as new_rows for each statement execute function invoices.roll_up_inserted();
create trigger roll_up_truncated after truncate on invoices.invoice
  for each statement execute function invoices.roll_up_truncated();

-- The rows the invoice table holds now.
insert into invoices.issuer_registrar (issuer_id, registrar_id)
select n.issuer_id, coalesce(r.department_id, '\x'::bytea)
from (select distinct issuer_id from invoices.invoice) n
left join lateral (
  select p.department_id from gov.participant_registered p
  where p.participant_id = n.issuer_id order by p.block_number desc, p.log_index desc limit 1
) r on true;
insert into invoices.department_day_state (registrar_id, day, state, invoices, amount, tax, reimbursed)
select m.registrar_id, c.day, c.state, sum(c.invoices), sum(c.amount), sum(c.tax), sum(c.reimbursed)
from (
  select issuer_id, indexer.local_day(issued_at) as day, state, count(*) as invoices, sum(amount) as amount,
         sum(tax) as tax, sum(reimbursed) as reimbursed
  from invoices.invoice group by 1, 2, 3
) c
join invoices.issuer_registrar m using (issuer_id)
group by 1, 2, 3;

-- Registered as a read model of its own after the invoices (nothing to mark or refresh: the
-- triggers keep it), so that a rebuild empties it with the others and the read-model tests
-- compare it with a rebuild.
create function invoices.mark_rollup(from_block bigint, to_block bigint) returns void
language sql as $$ select $$;
create function invoices.refresh_rollup(from_block bigint, to_block bigint) returns void
language sql as $$ select $$;
insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'invoice_rollup', 21, 'invoices.mark_rollup(bigint, bigint)', 'invoices.refresh_rollup(bigint, bigint)',
  array['invoices.department_day_state']::regclass[]
);

-- For SQL users too: the invoices a department registered the issuers of, per day and state.
create view report.invoices_per_department_day with (security_invoker = true) as
select nullif(r.registrar_id, '\x'::bytea) as department_id,
       indexer.code_text(nullif(r.registrar_id, '\x'::bytea)) as department_code,
       r.day, r.state, r.invoices, r.amount, indexer.yuan(r.amount) as amount_yuan, r.tax,
       indexer.yuan(r.tax) as tax_yuan, r.reimbursed, indexer.yuan(r.reimbursed) as reimbursed_yuan
from invoices.department_day_state r;

alter table invoices.department_day_state enable row level security;
alter table invoices.issuer_registrar enable row level security;
create policy registrar on invoices.department_day_state for select
  using ((select web.is_regulator()) or registrar_id = (select web.current_department()));
create policy issuer_registrar on invoices.issuer_registrar for select
  using ((select web.is_regulator())
         or issuer_id in (select r.participant_id from gov.participant_registered r
                          where r.department_id = (select web.current_department())));
grant select on invoices.department_day_state, invoices.issuer_registrar to govledger_reader;
