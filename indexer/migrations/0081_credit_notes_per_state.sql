-- Credit notes per state without reading every note (issue 10, `npm run bench:reports`: "credit
-- notes per state" counted 20,746 notes through invoices.credit_notes, 0067's index-only scan:
-- 4 ms on a quiet machine, 20-56 ms at p95 at load 12). A note's state follows from the chain's
-- time (Pending until `lapses_at`, then Lapsed) unless it was applied (as issued, or confirmed),
-- so no count per state can be kept; a count per registering department, local day of lapse and
-- applied can, as 0065 did for the consents: days before today's are Lapsed, days after are
-- Pending, and only today's notes are read one by one (0067's index on issued_state,
-- confirmed_at, lapses_at). Per department rather than per issuer, as 0044's invoice rollup: the
-- city's 20,746 notes fall in 331 department rows, where per issuer they were 10,700 (about two
-- notes a row: summing them took 39 ms at load 10, counting the notes 9). Row-level security on
-- it is the department's own rows: the notes invoices.credit_note shows it (its issuers'), since
-- a participant is registered once, by one department (invoices.issuer_registrar, 0044).

create table invoices.credit_note_lapse (
  -- the department that registered the notes' issuers ('\x' for issuers none registered), as
  -- invoices.issuer_registrar holds it
  registrar_id bytea not null,
  -- indexer.local_day(lapses_at): the city's day the notes lapse unless confirmed; 'infinity'
  -- for notes that never lapse (applied, as issued or confirmed)
  day date not null,
  -- applied as issued or confirmed: Applied whatever the time
  applied boolean not null,
  credit_notes bigint not null,
  primary key (registrar_id, day, applied)
);

-- Kept by the batch refresh as a read model of its own after the invoices (position 20) and their
-- rollup (21), without touching theirs: its mark, which runs after the invoices' mark and before
-- any refresh, takes out the rows of the notes that mark listed (invoices.dirty_credit_note)
-- while they still hold the state before the batch or rollback; its refresh puts the same notes
-- back in once the invoices' refresh has recomputed them (and emptied dirty_credit_note, hence
-- the copy). A rebuild empties both tables first, so it counts every note once. Costs a
-- primary-key probe per note a batch touches and an upsert of the few rows they fall in.
create unlogged table invoices.lapse_credit_note (credit_note_id bytea not null);
create unlogged table invoices.credit_note_lapse_delta (
  registrar_id bytea not null,
  day date not null,
  applied boolean not null,
  credit_notes bigint not null
);

-- A note's day in the count: a function of its row alone (the same in mark, refresh and the
-- initial fill below).
create function invoices.credit_note_lapse_day(lapses_at timestamptz, applied boolean) returns date
language sql immutable parallel safe
return case when applied then 'infinity'::date else coalesce(indexer.local_day(lapses_at), 'infinity'::date) end;

create function invoices.mark_credit_note_lapse(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  if not exists (select 1 from invoices.dirty_credit_note) then
    return;
  end if;
  insert into invoices.lapse_credit_note (credit_note_id)
  select credit_note_id from invoices.dirty_credit_note;
  insert into invoices.credit_note_lapse_delta (registrar_id, day, applied, credit_notes)
  select m.registrar_id, invoices.credit_note_lapse_day(n.lapses_at, a.applied), a.applied, -count(*)
  from invoices.lapse_credit_note k
  join invoices.credit_note n using (credit_note_id)
  join invoices.issuer_registrar m using (issuer_id)
  cross join lateral (select n.issued_state = 'Applied' or n.confirmed_at is not null as applied) a
  group by 1, 2, 3;
end $$;

create function invoices.refresh_credit_note_lapse(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  if not exists (select 1 from invoices.lapse_credit_note) then
    return;
  end if;
  insert into invoices.credit_note_lapse_delta (registrar_id, day, applied, credit_notes)
  select m.registrar_id, invoices.credit_note_lapse_day(n.lapses_at, a.applied), a.applied, count(*)
  from invoices.lapse_credit_note k
  join invoices.credit_note n using (credit_note_id)
  join invoices.issuer_registrar m using (issuer_id)
  cross join lateral (select n.issued_state = 'Applied' or n.confirmed_at is not null as applied) a
  group by 1, 2, 3;
  insert into invoices.credit_note_lapse as r (registrar_id, day, applied, credit_notes)
  select registrar_id, day, applied, sum(credit_notes) from invoices.credit_note_lapse_delta
  group by 1, 2, 3 having sum(credit_notes) <> 0
  on conflict (registrar_id, day, applied) do update set credit_notes = r.credit_notes + excluded.credit_notes;
  -- A statement of its own: a row updated in a statement cannot also be deleted by it.
  delete from invoices.credit_note_lapse r
  using (select distinct registrar_id, day, applied from invoices.credit_note_lapse_delta) k
  where r.registrar_id = k.registrar_id and r.day = k.day and r.applied = k.applied and r.credit_notes = 0;
  delete from invoices.credit_note_lapse_delta;
  delete from invoices.lapse_credit_note;
end $$;

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'credit_note_lapse', 22, 'invoices.mark_credit_note_lapse(bigint, bigint)',
  'invoices.refresh_credit_note_lapse(bigint, bigint)', array['invoices.credit_note_lapse']::regclass[]
);

-- The notes the table holds now.
insert into invoices.credit_note_lapse (registrar_id, day, applied, credit_notes)
select m.registrar_id, invoices.credit_note_lapse_day(n.lapses_at, a.applied), a.applied, count(*)
from invoices.credit_note n
join invoices.issuer_registrar m using (issuer_id)
cross join lateral (select n.issued_state = 'Applied' or n.confirmed_at is not null as applied) a
group by 1, 2, 3;

-- Credit notes per registering department and state at the chain's time, as
-- invoices.credit_notes.state says it. Today's lapse day is split by reading its notes (for the
-- departments whose rows of today row-level security lets the caller see); a note lapses at its
-- second (`lapses_at <= now`: Lapsed). The time is read once (a materialized CTE, as in 0065).
create view report.credit_notes_per_state with (security_invoker = true) as
with now_ as materialized (
  select n.at, d.day,
         (d.day::timestamp - make_interval(secs => indexer.utc_offset())) at time zone 'UTC' as day_start
  from (select indexer.chain_time() as at) n
  cross join lateral (select indexer.local_day(n.at) as day) d
)
select s.registrar_id, indexer.code_text(s.registrar_id) as registrar_code, s.state,
       sum(s.credit_notes)::bigint as credit_notes
from (
  select e.registrar_id,
         case when e.applied then 'Applied' when e.day < n.day then 'Lapsed' else 'Pending' end as state,
         sum(e.credit_notes) as credit_notes
  from invoices.credit_note_lapse e, now_ n
  where e.applied or e.day <> n.day
  group by 1, 2
  union all
  select e.registrar_id, t.state, t.credit_notes
  from invoices.credit_note_lapse e, now_ n
  cross join lateral (
    -- a note with a lapse time was issued Pending (0011): 0067's index reads exactly today's
    select case when c.lapses_at <= n.at then 'Lapsed' else 'Pending' end as state, count(*) as credit_notes
    from invoices.credit_note c
    join invoices.issuer_registrar m on m.issuer_id = c.issuer_id and m.registrar_id = e.registrar_id
    where c.issued_state = 'Pending' and c.confirmed_at is null
      and c.lapses_at >= n.day_start and c.lapses_at < n.day_start + interval '1 day'
    group by 1
  ) t
  where not e.applied and e.day = n.day
) s
group by 1, 3;

alter table invoices.credit_note_lapse enable row level security;
alter table invoices.lapse_credit_note enable row level security;
alter table invoices.credit_note_lapse_delta enable row level security;
-- The department's own rows, as invoices.department_day_state's (0044).
create policy registrar on invoices.credit_note_lapse for select
  using ((select web.is_regulator()) or registrar_id = (select web.current_department()));
grant select on invoices.credit_note_lapse, report.credit_notes_per_state to govledger_reader;
-- The working tables are the writer's (the default privileges of 0040 granted them to readers).
revoke all on invoices.lapse_credit_note, invoices.credit_note_lapse_delta from govledger_reader;
