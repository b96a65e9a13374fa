-- Consents per state without reading every consent (issue 10, `npm run bench:reports`: "consents
-- per state" counted 157,303 consents through licences.consents in 107 ms at p95). A consent's
-- state follows from the chain's time (Live until `until`, then Expired) unless it was withdrawn,
-- so no count per state can be kept; a count per department, local day of expiry and withdrawn
-- can, and it gives the states at any time: days before today's are Expired, days after are Live,
-- and only today's consents are read one by one (licences.consent_state's index on withdrawn,
-- until). A few hundred rows a department and year, where the consents are hundreds of thousands.

create table licences.consent_expiry (
  department_id bytea not null,
  -- indexer.local_day(until): the city's day the grant runs out
  day date not null,
  withdrawn boolean not null,
  consents bigint not null,
  primary key (department_id, day, withdrawn)
);

-- Kept by the batch refresh as a read model of its own after the licences (position 30), without
-- touching theirs: its mark, which runs after the licences' mark and before any refresh, takes
-- the rows of the consents the licences' mark listed out while they still hold the state before
-- the batch or rollback; its refresh puts the same consents back in once the licences' refresh
-- has recomputed them. A rebuild empties both tables first, so it counts every consent once.
-- Costs two primary-key probes per consent a batch touches and an upsert of the few rows they fall in.
create unlogged table licences.expiry_consent (licence_id bytea not null, department_id bytea not null, purpose bytea not null);
create unlogged table licences.consent_expiry_delta (
  department_id bytea not null,
  day date not null,
  withdrawn boolean not null,
  consents bigint not null
);

create function licences.mark_consent_expiry(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  if not exists (select 1 from licences.dirty_consent) then
    return;
  end if;
  insert into licences.expiry_consent (licence_id, department_id, purpose)
  select licence_id, department_id, purpose from licences.dirty_consent;
  insert into licences.consent_expiry_delta (department_id, day, withdrawn, consents)
  select c.department_id, indexer.local_day(c.until), c.withdrawn, -count(*)
  from licences.expiry_consent k
  join licences.consent c using (licence_id, department_id, purpose)
  group by 1, 2, 3;
end $$;

create function licences.refresh_consent_expiry(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  if not exists (select 1 from licences.expiry_consent) then
    return;
  end if;
  insert into licences.consent_expiry_delta (department_id, day, withdrawn, consents)
  select c.department_id, indexer.local_day(c.until), c.withdrawn, count(*)
  from licences.expiry_consent k
  join licences.consent c using (licence_id, department_id, purpose)
  group by 1, 2, 3;
  insert into licences.consent_expiry as r (department_id, day, withdrawn, consents)
  select department_id, day, withdrawn, sum(consents) from licences.consent_expiry_delta
  group by 1, 2, 3 having sum(consents) <> 0
  on conflict (department_id, day, withdrawn) do update set consents = r.consents + excluded.consents;
  -- A statement of its own: a row updated in a statement cannot also be deleted by it.
  delete from licences.consent_expiry r
  using (select distinct department_id, day, withdrawn from licences.consent_expiry_delta) k
  where r.department_id = k.department_id and r.day = k.day and r.withdrawn = k.withdrawn and r.consents = 0;
  delete from licences.consent_expiry_delta;
  delete from licences.expiry_consent;
end $$;

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'consent_expiry', 31, 'licences.mark_consent_expiry(bigint, bigint)', 'licences.refresh_consent_expiry(bigint, bigint)',
  array['licences.consent_expiry']::regclass[]
);

-- The consents the table holds now.
insert into licences.consent_expiry (department_id, day, withdrawn, consents)
select department_id, indexer.local_day(until), withdrawn, count(*) from licences.consent group by 1, 2, 3;

-- Consents per department (the one given the consent) and state at the chain's time, as
-- licences.consents.state says it. Today's expiry day is split by reading its consents, for the
-- departments whose rows of today row-level security lets the caller see. The time is read once
-- (a materialized CTE: inlined, indexer.chain_time() ran for every row), and department codes
-- are decoded for the result's few rows, not for every day's.
create view report.consents_per_state with (security_invoker = true) as
with now_ as materialized (
  select n.at, d.day,
         (d.day::timestamp - make_interval(secs => indexer.utc_offset())) at time zone 'UTC' as day_start
  from (select indexer.chain_time() as at) n
  cross join lateral (select indexer.local_day(n.at) as day) d
)
select s.department_id, indexer.code_text(s.department_id) as department_code, s.state,
       sum(s.consents)::bigint as consents
from (
  select e.department_id,
         case when e.withdrawn then 'Withdrawn' when e.day < n.day then 'Expired' else 'Live' end as state,
         sum(e.consents) as consents
  from licences.consent_expiry e, now_ n
  where e.withdrawn or e.day <> n.day
  group by 1, 2
  union all
  select e.department_id, t.state, t.consents
  from licences.consent_expiry e, now_ n
  cross join lateral (
    select case when c.until <= n.at then 'Expired' else 'Live' end as state, count(*) as consents
    from licences.consent c
    where not c.withdrawn and c.until >= n.day_start and c.until < n.day_start + interval '1 day'
      and c.department_id = e.department_id
    group by 1
  ) t
  where not e.withdrawn and e.day = n.day
) s
group by 1, 3;

alter table licences.consent_expiry enable row level security;
alter table licences.expiry_consent enable row level security;
alter table licences.consent_expiry_delta enable row level security;
-- The department given the consents (the licence's issuer sees them in licences.consents, not here).
create policy own on licences.consent_expiry for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));
grant select on licences.consent_expiry to govledger_reader;
-- The working tables are the writer's (the default privileges of 0040 granted them to readers).
revoke all on licences.expiry_consent, licences.consent_expiry_delta from govledger_reader;
