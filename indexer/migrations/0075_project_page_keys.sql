-- A project's page at city scale (issue 11, `npm run bench:reports`: /escrow/projects/:id took
-- 290-960 ms at p95 as the regulator, human resources and the construction bureau). Under
-- row-level security PostgreSQL applies a filter before the policy only when its operator is
-- leakproof, and numeric equality is not: `project_id = 2000` ran after the policy on every row
-- of the eighteen event tables of the ledger and of the milestone, payment order and payroll
-- tables (100,000 payrolls for a page of twenty). bigint and tid equality are leakproof, so these
-- functions find the project's rows by their indexes on project_id, as their owner, and hand the
-- caller keys it can use under its policies: the blocks of the project's events (the event
-- tables' primary key leads with block_number) and the row addresses of its state rows (a TID
-- scan). The caller's query still applies every policy and still compares project_id, so what a
-- department sees is unchanged; the functions add nothing it could not see (no keys for a
-- project whose rows its policies hide: the rule of those policies, checked once).
--
-- A row address is only meaningful within one snapshot: STABLE functions read their caller's,
-- so the addresses are those of the rows the calling statement sees.

-- Whether the caller's policies show it this project's rows: escrow.project's and its tables'
-- (0055, 0068: the regulator, a part of the project by web.department_projects()) or, with
-- `wages`, the payroll tables' (human resources too). Whoever reads past row-level security too.
create function web.sees_project(id numeric, wages boolean) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select web.caller_bypasses_rls() or web.is_regulator() or (wages and web.current_department_has_role(60))
      or id in (select web.department_project_set())
$$;

-- The blocks of a project's events in the tables of its ledger (web/src/queries/dashboards.ts,
-- projectTimeline): `block_number = any(...)` is an index condition on each table's primary key.
create function web.project_event_blocks(id numeric) returns bigint[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(distinct e.block_number), '{}') from (
    select b.block_number from (
      select block_number from escrow.project_created where project_id = id
      union all select block_number from escrow.project_funded where project_id = id
      union all select block_number from escrow.guarantee_deposited where project_id = id
      union all select block_number from escrow.milestone_submitted where project_id = id
      union all select block_number from escrow.milestone_released where project_id = id
      union all select block_number from escrow.milestone_rejected where project_id = id
      union all select block_number from escrow.payment_ordered where project_id = id
      union all select block_number from escrow.payment_order_paid where project_id = id
      union all select block_number from escrow.payment_order_rejected where project_id = id
      union all select block_number from escrow.project_frozen where project_id = id
      union all select block_number from escrow.project_unfrozen where project_id = id
      union all select block_number from escrow.project_closed where project_id = id
      union all select block_number from escrow.guarantee_returned where project_id = id
    ) b where (select web.sees_project(id, false))
    union all
    select b.block_number from (
      select block_number from escrow.payroll_submitted where project_id = id
      union all select block_number from escrow.payroll_approved where project_id = id
      union all select block_number from escrow.payroll_paid where project_id = id
      union all select block_number from escrow.payroll_rejected where project_id = id
      union all select block_number from escrow.payroll_cancelled where project_id = id
    ) b where (select web.sees_project(id, true))
  ) e
$$;

-- The row addresses of a project's milestones, payment orders and payrolls (the project page's
-- tables): `ctid = any(...)` is a TID scan.
create function web.project_milestone_rows(id numeric) returns tid[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(m.ctid), '{}') from escrow.milestone m
  where m.project_id = id and (select web.sees_project(id, false))
$$;

create function web.project_payment_order_rows(id numeric) returns tid[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(o.ctid), '{}') from escrow.payment_order o
  where o.project_id = id and (select web.sees_project(id, false))
$$;

create function web.project_payroll_rows(id numeric) returns tid[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(r.ctid), '{}') from escrow.payroll r
  where r.project_id = id and (select web.sees_project(id, true))
$$;

revoke execute on function web.sees_project(numeric, boolean), web.project_event_blocks(numeric),
  web.project_milestone_rows(numeric), web.project_payment_order_rows(numeric), web.project_payroll_rows(numeric)
  from public;
grant execute on function web.sees_project(numeric, boolean), web.project_event_blocks(numeric),
  web.project_milestone_rows(numeric), web.project_payment_order_rows(numeric), web.project_payroll_rows(numeric)
  to govledger_reader;
