-- The projects each department has a part in, kept by the batch refresh (issue 11's last speed
-- figure: the construction bureau's project page). Until now every policy on a project's event
-- tables built the set again, once per statement and table, from escrow.project's party columns
-- (0091's web.department_projects(): 1.0-1.3 ms a call as the construction bureau at city scale,
-- which has a part in all 2,000 projects; the page's ledger reads about twenty event tables).
--
-- escrow.department_project holds one row per department and project it has a part in: the
-- bureau that created it, its bank and its regulator (the latest replacement's, else the terms',
-- as escrow.project's columns say since 0087), and each department that registered its
-- supervisor (gov.participant_registered, every registration row: the rule of the policies).
-- It is a read model of its own after escrow's and wage_day's (position 42), as 0076 keeps
-- escrow.wage_day without touching escrow's functions. Who has a part changes only when a
-- project is created, a vote replaces a party, or a participant that supervises a project is
-- registered; so its mark lists the projects of those events in the range (a forward batch's new
-- rows; a rollback's rows about to be deleted, while escrow.project still has the projects; a
-- rebuild's every project), and its refresh derives those projects' rows again from
-- escrow.project (as escrow's refresh left it) and the registrations. A rebuild gives the same
-- rows (test/indexer compares them through reorgs).

create table escrow.department_project (
  department_id bytea not null,
  project_id numeric(78, 0) not null,
  primary key (department_id, project_id)
);
-- The refresh deletes a project's rows by project.
create index department_project_project on escrow.department_project (project_id);

create unlogged table escrow.department_project_mark (project_id numeric(78, 0) not null);

create function escrow.mark_department_projects(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  insert into escrow.department_project_mark (project_id)
  select project_id from escrow.project_created where block_number between from_block and to_block
  union
  select project_id from escrow.project_party_replaced where block_number between from_block and to_block;
  if exists (select 1 from gov.participant_registered where block_number between from_block and to_block) then
    insert into escrow.department_project_mark (project_id)
    select p.project_id from escrow.project p
    where p.supervisor_id in (select r.participant_id from gov.participant_registered r
                              where r.block_number between from_block and to_block);
  end if;
end $$;

create function escrow.department_project_rows(ids numeric[]) returns table (department_id bytea, project_id numeric)
language sql stable as $$
  select distinct s.department_id, s.project_id from (
    select x.department_id, p.project_id
    from escrow.project p
    cross join lateral (values (p.bureau_id), (p.bank_id), (p.regulator_id)) x (department_id)
    where p.project_id = any (ids)
    union all
    select r.department_id, p.project_id
    from escrow.project p
    join gov.participant_registered r on r.participant_id = p.supervisor_id
    where p.project_id = any (ids)
  ) s
  where s.department_id is not null
$$;

create function escrow.refresh_department_projects(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  marked numeric[];
begin
  -- Most batches create no project and replace no party: one probe of an empty table.
  if not exists (select 1 from escrow.department_project_mark) then
    return;
  end if;
  marked := array(select distinct project_id from escrow.department_project_mark);
  delete from escrow.department_project where project_id = any (marked);
  insert into escrow.department_project (department_id, project_id)
  select department_id, project_id from escrow.department_project_rows(marked);
  delete from escrow.department_project_mark;
end $$;

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'department_project', 42, 'escrow.mark_department_projects(bigint, bigint)',
  'escrow.refresh_department_projects(bigint, bigint)', array['escrow.department_project']::regclass[]
);

-- The projects the tables hold now.
insert into escrow.department_project (department_id, project_id)
select department_id, project_id from escrow.department_project_rows(array(select project_id from escrow.project));

alter table escrow.department_project enable row level security;
alter table escrow.department_project_mark enable row level security;
-- A department reads its own projects; the regulator every department's.
create policy own on escrow.department_project for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));
grant select on escrow.department_project to govledger_reader;
-- The working table is the writer's (the default privileges of 0040 granted it to readers).
revoke all on escrow.department_project_mark from govledger_reader;

-- What the policies read: the caller's department's rows, along the primary key. A view its owner
-- runs (so escrow.department_project's own policy is not evaluated again inside every policy that
-- reads it: about 2 ms of the construction bureau's ledger), a security barrier so a caller's
-- conditions cannot see another department's rows; it shows the caller no more than the table's
-- policy above does.
create view web.department_project_keys with (security_barrier = true) as
select d.project_id from escrow.department_project d where d.department_id = (select web.current_department());
grant select on web.department_project_keys to govledger_reader;

-- Row-level security: every policy that named the department's projects reads the kept set,
-- `x in (select …)` hashed once per statement and table (0055), from the index instead of
-- building it from escrow.project (0091) or, through escrow.project's policy, scanning the
-- projects. Same projects, so each department sees the same rows (test/web's row-level security
-- tests list them per relation). As the construction bureau at city scale (EXPLAIN ANALYZE, the
-- minimum of 15, load 6-8): the project page's ledger 32 → 11 ms, its milestones 9.6 → 2.9 ms, its
-- payment orders 19 → 3.1 ms; a whole event table (100,000 payrolls submitted) 27 → 24 ms, as a
-- bank 29 → 17 ms.

-- escrow.project (0087's policy: its bureau, bank, regulator, or the supervisor's registrar).
drop policy project_party on escrow.project;
create policy project_party on escrow.project for select
  using ((select web.is_regulator()) or project_id in (select v.project_id from web.department_project_keys v));

do $$
declare t text;
begin
  -- The project's other state tables (0055: the projects escrow.project's policy shows).
  foreach t in array array['milestone', 'payment_order', 'subcontractor', 'worker', 'project_day'] loop
    execute format('drop policy project_party on escrow.%I', t);
    execute format('create policy project_party on escrow.%I for select using ((select web.is_regulator())
      or project_id in (select v.project_id from web.department_project_keys v))', t);
  end loop;
  foreach t in array array['payroll', 'payroll_state_count'] loop
    execute format('drop policy project_party_or_wages on escrow.%I', t);
    execute format('create policy project_party_or_wages on escrow.%I for select using ((select web.is_regulator())
      or (select web.current_department_has_role(60)) or project_id in (select v.project_id from web.department_project_keys v))', t);
  end loop;
  -- The event tables (0055, 0087: web.department_project_set()).
  foreach t in array array['project_created', 'project_funded', 'project_frozen', 'project_unfrozen',
                           'project_closed', 'subcontractor_added', 'subcontractor_removed', 'worker_registered',
                           'guarantee_deposited', 'guarantee_returned', 'milestone_submitted', 'milestone_released',
                           'milestone_rejected', 'payment_ordered', 'payment_order_paid', 'payment_order_rejected',
                           'project_party_replaced'] loop
    execute format('drop policy project_party on escrow.%I', t);
    execute format('create policy project_party on escrow.%I for select using ((select web.is_regulator())
      or project_id in (select v.project_id from web.department_project_keys v))', t);
  end loop;
  foreach t in array array['payroll_submitted', 'payroll_approved', 'payroll_paid', 'payroll_rejected',
                           'payroll_cancelled'] loop
    execute format('drop policy project_party_or_wages on escrow.%I', t);
    execute format('create policy project_party_or_wages on escrow.%I for select using ((select web.is_regulator())
      or (select web.current_department_has_role(60)) or project_id in (select v.project_id from web.department_project_keys v))', t);
  end loop;
end
$$;

-- The helpers that built the set: 0091's array and 0055's set (no policy calls them now) read the
-- kept rows; 0075's check for one project and 0087's gate probe the primary key.
create or replace function web.department_projects() returns numeric[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(d.project_id), '{}') from escrow.department_project d
  where d.department_id = (select web.current_department())
$$;

create or replace function web.department_project_set() returns setof numeric
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select d.project_id from escrow.department_project d where d.department_id = (select web.current_department())
$$;

create or replace function web.sees_project(id numeric, wages boolean) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select web.caller_bypasses_rls() or web.is_regulator() or (wages and web.current_department_has_role(60))
      or exists (select 1 from escrow.department_project d
                 where d.department_id = (select web.current_department()) and d.project_id = id)
$$;

-- False only where escrow.project's policy shows no row (0087's rule).
create or replace function web.sees_projects(wages boolean) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select web.is_regulator() or (wages and web.current_department_has_role(60)) or exists (
    select 1 from escrow.department_project d where d.department_id = (select web.current_department()))
$$;
