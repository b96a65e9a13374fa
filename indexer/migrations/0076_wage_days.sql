-- The escrow dashboard's wages per day at city scale (issue 11, `npm run bench:reports`: /escrow
-- took 100-460 ms at p95 as the regulator, human resources and the construction bureau, most of
-- it web.wages_per_day() summing 105,000 project days each time). escrow.wage_day keeps the
-- city's wages per local day and settlement token; web.wages_per_day() reads its few hundred
-- rows for whoever sees every project, and sums the project days of the projects it sees for
-- anyone else, as before.
--
-- Kept by the batch refresh as a read model of its own after escrow's (position 41), as 0065
-- keeps licences.consent_expiry, without touching escrow's functions: a day's rows are summed
-- again from escrow.project_day for each day whose project days the batch or rollback may have
-- changed. Its mark, which runs after escrow's mark and before any refresh, lists those days
-- (a forward batch: the days of its escrow events, the only project days the batch writes; a
-- rollback or a rebuild: every day of the projects escrow's mark listed, before and, in the
-- refresh, after). A rebuild empties the table first, so every day is summed once. Costs, in a
-- batch that touches a project, the range's escrow events (read by block) and a sum of each
-- listed day's project days (a few hundred rows a day, along project_day_day).

create table escrow.wage_day (
  -- indexer.local_day of the events, as escrow.project_day.day
  day date not null,
  token bytea not null,
  -- sums over the day's project days of the projects paid in this token
  wages_paid numeric(78, 0) not null,
  wages_owed numeric(78, 0) not null,
  primary key (day, token)
);

create unlogged table escrow.wage_day_mark (day date not null);
create unlogged table escrow.wage_day_project (project_id numeric(78, 0) not null);

create function escrow.mark_wage_days(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  if not exists (select 1 from escrow.dirty_project) then
    return;
  end if;
  if to_block = 9223372036854775807 then
    -- A rollback or a rebuild: escrow's refresh derives every day of these projects again.
    insert into escrow.wage_day_project (project_id) select project_id from escrow.dirty_project;
    insert into escrow.wage_day_mark (day)
    select distinct d.day from escrow.project_day d join escrow.dirty_project k using (project_id);
    return;
  end if;
  -- A forward batch: the project days it writes are those of its own events (the tables
  -- escrow.refresh_project_days(from, to) folds).
  insert into escrow.wage_day_mark (day)
  select distinct indexer.local_day(e.block_time) from (
    select block_time from escrow.project_funded where block_number between from_block and to_block
    union all select block_time from escrow.guarantee_deposited where block_number between from_block and to_block
    union all select block_time from escrow.milestone_released where block_number between from_block and to_block
    union all select block_time from escrow.payment_order_paid where block_number between from_block and to_block
    union all select block_time from escrow.payroll_paid where block_number between from_block and to_block
    union all select block_time from escrow.project_closed where block_number between from_block and to_block
    union all select block_time from escrow.guarantee_returned where block_number between from_block and to_block
    union all select block_time from escrow.payroll_approved where block_number between from_block and to_block
    union all select block_time from escrow.payroll_cancelled where block_number between from_block and to_block
  ) e;
end $$;

create function escrow.refresh_wage_days(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  if not exists (select 1 from escrow.wage_day_mark) and not exists (select 1 from escrow.wage_day_project) then
    return;
  end if;
  -- The listed projects' days as escrow's refresh left them.
  insert into escrow.wage_day_mark (day)
  select distinct d.day from escrow.project_day d join escrow.wage_day_project k using (project_id);
  delete from escrow.wage_day w where w.day in (select day from escrow.wage_day_mark);
  insert into escrow.wage_day (day, token, wages_paid, wages_owed)
  select d.day, p.token, sum(d.wages_paid_from_wage_account + d.wages_paid_from_guarantee), sum(d.wages_owed)
  from escrow.project_day d
  join escrow.project p using (project_id)
  where d.day in (select day from escrow.wage_day_mark)
  group by 1, 2;
  delete from escrow.wage_day_mark;
  delete from escrow.wage_day_project;
end $$;

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'wage_day', 41, 'escrow.mark_wage_days(bigint, bigint)', 'escrow.refresh_wage_days(bigint, bigint)',
  array['escrow.wage_day']::regclass[]
);

-- The days the tables hold now.
insert into escrow.wage_day (day, token, wages_paid, wages_owed)
select d.day, p.token, sum(d.wages_paid_from_wage_account + d.wages_paid_from_guarantee), sum(d.wages_owed)
from escrow.project_day d
join escrow.project p using (project_id)
group by 1, 2;

alter table escrow.wage_day enable row level security;
alter table escrow.wage_day_mark enable row level security;
alter table escrow.wage_day_project enable row level security;
-- Every project's wages: the regulator and human resources (0047), as web.wage_days shows them.
create policy every_project on escrow.wage_day for select
  using ((select web.is_regulator()) or (select web.current_department_has_role(60)));
grant select on escrow.wage_day to govledger_reader;
-- The working tables are the writer's (the default privileges of 0040 granted them to readers).
revoke all on escrow.wage_day_mark, escrow.wage_day_project from govledger_reader;

-- 0055's function, with the city's days for a caller that sees every project (the regulator,
-- human resources, whoever reads past row-level security, or a department that is a part of
-- every project: the construction bureau of a city with one): the same sums, per day and
-- token's decimals before scaling, as the project days give. Anyone else: 0055's sum, with the
-- regulator a project names among its parts (0068 added it to web.wage_days, whose rows the
-- chart sums, and to escrow.project's policy, but not here).
create or replace function web.wages_per_day() returns table (day date, wages_paid numeric, wages_owed numeric)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with me as materialized (
    select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60) as everything,
           web.current_department() as department),
  projects as materialized (
    select p.project_id, t.decimals
    from escrow.project p left join escrow.token t on t.token = p.token, me
    where me.everything or p.bureau_id = me.department or p.bank_id = me.department or p.regulator_id = me.department
       or p.supervisor_id in (select r.participant_id from gov.participant_registered r where r.department_id = (select web.current_department()))),
  city as materialized (
    select (select everything from me) or (select count(*) from projects) = (select count(*) from escrow.project) as whole)
  select s.day, sum(indexer.scaled(s.paid, s.decimals)), sum(indexer.scaled(s.owed, s.decimals))
  from (
    select w.day, t.decimals, sum(w.wages_paid) as paid, sum(w.wages_owed) as owed
    from escrow.wage_day w left join escrow.token t on t.token = w.token
    where (select whole from city)
    group by 1, 2
    union all
    select d.day, p.decimals, sum(d.wages_paid_from_wage_account + d.wages_paid_from_guarantee), sum(d.wages_owed)
    from escrow.project_day d join projects p using (project_id)
    where not (select whole from city)
    group by 1, 2
  ) s
  group by 1
$$;
