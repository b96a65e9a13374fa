-- Human resources sees the wages and owed wages of every project, and nothing else of projects
-- (issue 11). report.wages_owed and report.wages_per_project_day read escrow.project and
-- escrow.project_day, whose policies (0043) show a project only to its parts: a policy there for
-- HUMAN_RESOURCES (60) would show it every project's whole row (budget, balances, money in and
-- out) through every relation built on them, since a policy cannot pick columns.
--
-- So these two reports take their rows from SECURITY DEFINER functions that return the wage
-- columns only and apply the same rule as the payroll tables (0043: the regulator, a department
-- holding HUMAN_RESOURCES, or a part of the project), for SQL users (grant-department) and the
-- web server alike; the views stay security_invoker like every other. Same columns as in 0030.

-- Whoever reads the tables past row-level security anyway (their owner, a superuser, a role with
-- BYPASSRLS: the indexer, a DBA in psql) reads these reports whole too, as before. session_user:
-- inside a SECURITY DEFINER function current_user is the owner.
create function web.caller_bypasses_rls() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select pg_has_role(session_user, (select relowner from pg_class where oid = 'escrow.project'::regclass), 'member')
      or coalesce((select rolbypassrls from pg_roles where rolname = session_user), false)
$$;

create function web.wages_owed() returns table (
  project_id numeric, state text, contractor bytea, bank_id bytea, wages_owed numeric, token_decimals smallint,
  wage_account_balance numeric, guarantee_balance numeric)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select p.project_id, p.state, p.contractor_id, p.bank_id, p.wages_owed, t.decimals, p.wage_balance, p.guarantee_balance
  from escrow.project p
  left join escrow.token t on t.token = p.token
  cross join (select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60) as everything,
                     web.current_department() as department, web.registered_participants() as participants) me
  where p.wages_owed > 0
    and (me.everything or p.bureau_id = me.department or p.bank_id = me.department or p.supervisor_id = any (me.participants))
$$;

create function web.wages_per_project_day() returns table (
  project_id numeric, day date, payrolls_paid integer, wages_paid_from_wage_account numeric,
  wages_paid_from_guarantee numeric, token_decimals smallint, payrolls_approved integer, approved numeric,
  payrolls_cancelled integer, cancelled numeric, wages_owed numeric)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select d.project_id, d.day, d.payrolls_paid, d.wages_paid_from_wage_account, d.wages_paid_from_guarantee, t.decimals,
         d.payrolls_approved, d.approved, d.payrolls_cancelled, d.cancelled, d.wages_owed
  from escrow.project_day d
  join escrow.project p using (project_id)
  left join escrow.token t on t.token = p.token
  cross join (select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60) as everything,
                     web.current_department() as department, web.registered_participants() as participants) me
  where me.everything or p.bureau_id = me.department or p.bank_id = me.department or p.supervisor_id = any (me.participants)
$$;

revoke execute on function web.caller_bypasses_rls(), web.wages_owed(), web.wages_per_project_day() from public;
grant execute on function web.caller_bypasses_rls(), web.wages_owed(), web.wages_per_project_day() to govledger_reader;

create or replace view report.wages_per_project_day with (security_invoker = true) as
select d.project_id::numeric(78, 0), d.day, d.payrolls_paid, d.wages_paid_from_wage_account::numeric(78, 0),
       d.wages_paid_from_guarantee::numeric(78, 0),
       d.wages_paid_from_wage_account + d.wages_paid_from_guarantee as wages_paid,
       indexer.scaled(d.wages_paid_from_wage_account + d.wages_paid_from_guarantee, d.token_decimals) as wages_paid_scaled,
       d.payrolls_approved, d.approved::numeric(78, 0), d.payrolls_cancelled, d.cancelled::numeric(78, 0),
       d.wages_owed::numeric(78, 0), indexer.scaled(d.wages_owed, d.token_decimals) as wages_owed_scaled
from web.wages_per_project_day() d;

create or replace view report.wages_owed with (security_invoker = true) as
select w.project_id::numeric(78, 0), w.state, w.contractor, w.bank_id, indexer.code_text(w.bank_id) as bank_code,
       w.wages_owed::numeric(78, 0), indexer.scaled(w.wages_owed, w.token_decimals) as wages_owed_scaled,
       w.wage_account_balance::numeric(78, 0), w.guarantee_balance::numeric(78, 0)
from web.wages_owed() w;

-- The dashboards' licence list, newest first, pages along these indexes (keyset) instead of
-- sorting every licence a department may see: the regulator's, and an authority's (its policy,
-- or the department filter, is department_id = …).
create index licence_issued_order on licences.licence (issued_block desc, licence_id desc);
create index licence_department_order on licences.licence (department_id, issued_block desc, licence_id desc);
