-- The licence dashboard's count of uses for a licence authority at city scale (issue 11,
-- `npm run bench:reports`: /licences and /licences/uses took 100-180 ms at p95 as the market
-- regulator and the construction bureau). 0055's web.licence_use_counts() counts an authority's
-- uses (its own and those of the licences it issued) at read time, up to 10,001 of them and all
-- of those not valid at use, out of 2,000,000: no count per issuing department was kept.
-- licences.issuer_use keeps the uses per issuing department and using department; the
-- authority's count is the sum of its few rows, exact.
--
-- Kept by the batch refresh as a read model of its own after the licences (position 32), as 0065
-- keeps licences.consent_expiry, without touching theirs. A use row is written once, when its
-- LicenceUsed event is folded, and only a rollback deletes it (licences.refresh_uses, 0031): the
-- mark, which runs before any refresh, takes out the uses the range holds (none in a forward
-- batch; in a rollback, those about to go), and the refresh puts in those it holds after the
-- licences' refresh. A rebuild empties the table first, so it counts every use once. Costs a
-- range scan of the batch's uses and an upsert of the few rows they fall in.

create table licences.issuer_use (
  -- the licence's issuer (licences.licence.department_id); '\x' for a use of a licence not in
  -- licences.licence (counted for the department that used it only, as the policy does)
  issuer_id bytea not null,
  -- the department that used it
  department_id bytea not null,
  uses bigint not null,
  uses_not_valid bigint not null,
  primary key (issuer_id, department_id)
);
create index issuer_use_department on licences.issuer_use (department_id);

create unlogged table licences.issuer_use_delta (
  issuer_id bytea not null,
  department_id bytea not null,
  uses bigint not null,
  uses_not_valid bigint not null
);

-- The uses of blocks [from_block, to_block] the table holds now, per issuer and user, times `sign`.
create function licences.issuer_use_range(from_block bigint, to_block bigint, sign integer) returns void
language sql as $$
  insert into licences.issuer_use_delta (issuer_id, department_id, uses, uses_not_valid)
  select coalesce(l.department_id, '\x'::bytea), u.department_id, sign * count(*), sign * count(*) filter (where not u.valid_at_use)
  from licences.licence_use u
  left join lateral (select k.department_id from licences.licence k where k.licence_id = u.licence_id offset 0) l on true
  where u.used_block between from_block and to_block
  group by 1, 2;
$$;

create function licences.mark_issuer_uses(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  perform licences.issuer_use_range(from_block, to_block, -1);
end $$;

create function licences.refresh_issuer_uses(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  perform licences.issuer_use_range(from_block, to_block, 1);
  if not exists (select 1 from licences.issuer_use_delta) then
    return;
  end if;
  insert into licences.issuer_use as r (issuer_id, department_id, uses, uses_not_valid)
  select issuer_id, department_id, sum(uses), sum(uses_not_valid) from licences.issuer_use_delta
  group by 1, 2 having sum(uses) <> 0 or sum(uses_not_valid) <> 0
  on conflict (issuer_id, department_id) do update
    set uses = r.uses + excluded.uses, uses_not_valid = r.uses_not_valid + excluded.uses_not_valid;
  -- A statement of its own: a row updated in a statement cannot also be deleted by it.
  delete from licences.issuer_use r
  using (select distinct issuer_id, department_id from licences.issuer_use_delta) k
  where r.issuer_id = k.issuer_id and r.department_id = k.department_id and r.uses = 0;
  delete from licences.issuer_use_delta;
end $$;

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'issuer_use', 32, 'licences.mark_issuer_uses(bigint, bigint)', 'licences.refresh_issuer_uses(bigint, bigint)',
  array['licences.issuer_use']::regclass[]
);

-- The uses the table holds now.
insert into licences.issuer_use (issuer_id, department_id, uses, uses_not_valid)
select coalesce(l.department_id, '\x'::bytea), u.department_id, count(*), count(*) filter (where not u.valid_at_use)
from licences.licence_use u
left join licences.licence l using (licence_id)
group by 1, 2;

alter table licences.issuer_use enable row level security;
alter table licences.issuer_use_delta enable row level security;
-- The issuer and the user, as licences.licence_use's policy shows each its uses.
create policy issuer_or_user on licences.issuer_use for select
  using ((select web.is_regulator()) or issuer_id = (select web.current_department())
         or department_id = (select web.current_department()));
grant select on licences.issuer_use to govledger_reader;
-- The working table is the writer's (the default privileges of 0040 granted it to readers).
revoke all on licences.issuer_use_delta from govledger_reader;

-- 0055's function, with an authority's uses from licences.issuer_use: the rows where it issued
-- the licence or used it (a use counts once: it has one row). The same rule as the policy on
-- licences.licence_use (its own uses, and those of the licences it issued), exact where 0055
-- counted up to `cap`; `cap` stays for the callers.
create or replace function web.licence_use_counts(cap integer) returns table (uses bigint, not_valid bigint)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with me as materialized (
    select web.caller_bypasses_rls() or web.is_regulator() as everything, web.current_department() as id,
           web.sees_licences() as issuer)
  select case when me.everything or not me.issuer
           then (select coalesce(sum(d.used), 0) from licences.department_day d where me.everything or d.department_id = me.id)
           else (select coalesce(sum(i.uses), 0) from licences.issuer_use i where i.issuer_id = me.id or i.department_id = me.id)
         end::bigint,
         case when me.everything or not me.issuer
           then (select coalesce(sum(d.used_not_valid), 0) from licences.department_day d where me.everything or d.department_id = me.id)
           else (select coalesce(sum(i.uses_not_valid), 0) from licences.issuer_use i where i.issuer_id = me.id or i.department_id = me.id)
         end::bigint
  from me
$$;
