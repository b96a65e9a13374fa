-- The licence and escrow read side at city scale (issue 11's and 14's speed figures,
-- `npm run bench:reports`, `npm run bench:graphql`): row-level security in 0044's form for the
-- licence and escrow relations, gates for departments that see none of a list's rows, the
-- payroll list in an index's order, and the dashboards' wage and use figures summed once. What
-- each department sees is unchanged (test/web's row-level security tests list the rows), with
-- one exception noted at escrow.payrolls below.

-- Row-level security ------------------------------------------------------------------------------

-- 1. Sets instead of arrays. `x = any (web.department_projects())` compared each row with every
-- element of an array built for the statement (a construction bureau's supervisors: 1,700
-- participants for each of 2,000 projects; an authority's licences: 90,000 for each event row).
-- `x in (select …)` is the same set, hashed once per statement (or probed by key, whichever the
-- planner finds cheaper). Tables whose own policy reads the set (the event tables the helpers
-- read) take it from a SECURITY DEFINER set-returning function: a policy reading its own table
-- would recurse (0040). The functions return exactly the arrays' elements.

create function web.department_project_set() returns setof numeric
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select unnest(web.department_projects()) $$;

create function web.department_application_set() returns setof numeric
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select distinct application_id from licences.step_opened where department_id = (select web.current_department())
$$;

-- 2. Gates. Walking an ordered index for a page, a department that sees none of a table's rows
-- read every row to find none (the tax bureau's page of licences: 200,000 licences, a page of
-- payrolls: 100,000). A policy's condition is checked on each row even when it involves no row,
-- but a view's or a query's `where (select gate())` on no row is checked once, before the scan
-- starts. These gates are false only where the policy shows no row of the table, and the views
-- skip them for whoever reads past row-level security, so the rows shown stay the same.
-- licences.licences, escrow.payrolls and invoices.invoices apply them below; the dashboard's
-- tables too (web/src/queries/tables.ts).

-- Whether the caller reads past row-level security (the owner, a BYPASSRLS role): then no gate
-- applies. Not SECURITY DEFINER: current_user is the caller's, the role row-level security
-- looks at (the owner inside 0050's public_* functions, which read these views).
create function web.reads_past_rls() returns boolean
language sql stable set search_path = pg_catalog, pg_temp
as $$
  select pg_has_role(current_user, (select relowner from pg_class where oid = 'escrow.project'::regclass), 'member')
      or coalesce((select rolbypassrls from pg_roles where rolname = current_user), false)
$$;

-- The regulator, or an authority that issued a licence.
create function web.sees_licences() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select web.is_regulator() or (
    -- along the department's index (EXISTS would drop the order and scan the table for none)
    select true from licences.licence where department_id = (select web.current_department())
    order by department_id, issued_block desc limit 1) is not null
$$;

-- The same for a project's tables: a part of some project, or, with `wages`, human resources.
create function web.sees_projects(wages boolean) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with me as (select web.current_department() as id)
  select web.is_regulator() or (wages and web.current_department_has_role(60)) or exists (
    select 1 from escrow.project p
    where p.bureau_id = (select id from me) or p.bank_id = (select id from me)
       or p.supervisor_id in (select r.participant_id from gov.participant_registered r where r.department_id = (select id from me)))
$$;

revoke execute on function web.department_project_set(), web.department_application_set(), web.sees_licences(),
  web.sees_projects(boolean) from public;
grant execute on function web.department_project_set(), web.department_application_set(), web.sees_licences(),
  web.sees_projects(boolean), web.reads_past_rls() to govledger_reader;

-- Licences: what happened to a licence follows the licences its department issued
-- (licence_issued's own policy: the regulator or the issuer; the rows web.department_licences()
-- collected).
do $$
declare t text;
begin
  foreach t in array array['licence_renewed', 'licence_suspended', 'licence_reinstated', 'licence_revoked'] loop
    execute format('drop policy issuer on licences.%I', t);
    execute format('create policy issuer on licences.%1$I for select using ((select web.is_regulator())
      or licence_id in (select i.licence_id from licences.licence_issued i where i.issuer = (select web.current_department())))', t);
  end loop;
  foreach t in array array['licence_used', 'consent_granted', 'consent_withdrawn'] loop
    execute format('drop policy user_or_issuer on licences.%I', t);
    execute format('create policy user_or_issuer on licences.%1$I for select using ((select web.is_regulator())
      or department_id = (select web.current_department())
      or licence_id in (select i.licence_id from licences.licence_issued i where i.issuer = (select web.current_department())))', t);
  end loop;
  foreach t in array array['application_submitted', 'application_completed', 'application_withdrawn',
                           'step_opened', 'step_approved', 'step_rejected', 'step_resubmitted',
                           'application', 'application_step'] loop
    execute format('drop policy step_owner on licences.%I', t);
    execute format('create policy step_owner on licences.%I for select using ((select web.is_regulator())
      or application_id in (select web.department_application_set()))', t);
  end loop;
end
$$;

-- Escrow: a project's parts, its supervisor's registrar by the hashed set of participants.
drop policy project_party on escrow.project;
create policy project_party on escrow.project for select
  using ((select web.is_regulator()) or bureau_id = (select web.current_department())
         or bank_id = (select web.current_department())
         or supervisor_id in (select r.participant_id from gov.participant_registered r
                              where r.department_id = (select web.current_department())));
-- The project's other state tables: the projects the caller sees (escrow.project's policy above,
-- the same parts 0043 spelled out again), hashed once.
do $$
declare t text;
begin
  foreach t in array array['milestone', 'payment_order', 'subcontractor', 'worker', 'project_day'] loop
    execute format('drop policy project_party on escrow.%I', t);
    execute format('create policy project_party on escrow.%I for select using ((select web.is_regulator())
      or project_id in (select p.project_id from escrow.project p))', t);
  end loop;
  foreach t in array array['payroll', 'payroll_state_count'] loop
    execute format('drop policy project_party_or_wages on escrow.%I', t);
    execute format('create policy project_party_or_wages on escrow.%I for select using ((select web.is_regulator())
      or (select web.current_department_has_role(60)) or project_id in (select p.project_id from escrow.project p))', t);
  end loop;
  -- The event tables: web.department_projects()'s projects (from the ProjectCreated events), as a set.
  foreach t in array array['project_created', 'project_funded', 'project_frozen', 'project_unfrozen',
                           'project_closed', 'subcontractor_added', 'subcontractor_removed', 'worker_registered',
                           'guarantee_deposited', 'guarantee_returned', 'milestone_submitted', 'milestone_released',
                           'milestone_rejected', 'payment_ordered', 'payment_order_paid', 'payment_order_rejected'] loop
    execute format('drop policy project_party on escrow.%I', t);
    execute format('create policy project_party on escrow.%I for select using ((select web.is_regulator())
      or project_id in (select web.department_project_set()))', t);
  end loop;
  foreach t in array array['payroll_submitted', 'payroll_approved', 'payroll_paid', 'payroll_rejected',
                           'payroll_cancelled'] loop
    execute format('drop policy project_party_or_wages on escrow.%I', t);
    execute format('create policy project_party_or_wages on escrow.%I for select using ((select web.is_regulator())
      or (select web.current_department_has_role(60)) or project_id in (select web.department_project_set()))', t);
  end loop;
end
$$;

-- Wages for human resources (0047's web.wages_owed(); 0066 replaces its per-day function with a
-- view): the supervisor's registrar by the hashed set too (uncorrelated, so hashed once: a set
-- keyed by the subquery's column would be read again per project).
create or replace function web.wages_owed() returns table (
  project_id numeric, state text, contractor bytea, bank_id bytea, wages_owed numeric, token_decimals smallint,
  wage_account_balance numeric, guarantee_balance numeric)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select p.project_id, p.state, p.contractor_id, p.bank_id, p.wages_owed, t.decimals, p.wage_balance, p.guarantee_balance
  from escrow.project p
  left join escrow.token t on t.token = p.token
  -- offset 0: kept a subquery, evaluated once (pulled up, its functions ran for every project)
  cross join (select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60) as everything,
                     web.current_department() as department offset 0) me
  where p.wages_owed > 0
    and (me.everything or p.bureau_id = me.department or p.bank_id = me.department
         or p.supervisor_id in (select r.participant_id from gov.participant_registered r where r.department_id = (select web.current_department())))
$$;

-- The licence and payroll lists ---------------------------------------------------------------------

-- The licences, gated (2. above). Same columns as in 0020.
create or replace view licences.licences with (security_invoker = true) as
select l.licence_id,
       l.type_id,
       l.department_id as issuer,
       l.holder,
       to_jsonb(array(select '0x' || encode(d, 'hex') from unnest(l.depends_on) d)) as depends_on,
       l.issued_at,
       l.version::bigint as version,
       l.document_hash,
       extract(epoch from l.valid_from)::numeric(78, 0) as valid_from,
       extract(epoch from l.valid_until)::numeric(78, 0) as valid_until,
       l.standing = 'Revoked' as revoked,
       l.standing = 'Suspended' as suspended,
       l.deps_revoked as dependency_revoked,
       case
         when l.standing <> 'Active' then l.standing
         when now.at < l.valid_from then 'Pending'
         when now.at >= l.valid_until then 'Expired'
         else 'Active'
       end as status,
       l.department_id,
       indexer.code_text(l.department_id) as department_code,
       indexer.code_text(l.type_id) as type_code,
       l.valid_from as valid_from_at,
       l.valid_until as valid_until_at,
       l.standing = 'Active' and l.deps_ok
         and greatest(l.valid_from, l.deps_valid_from) <= now.at and now.at < least(l.valid_until, l.deps_valid_until)
         as valid,
       l.deps_ok and (l.deps_valid_from is null or l.deps_valid_from <= now.at)
         and (l.deps_valid_until is null or now.at < l.deps_valid_until) as dependencies_valid,
       l.depends_on as dependency_ids,
       l.suspended_at,
       l.suspensions,
       l.revoked_at,
       l.revoked_by = '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea as revoked_by_consortium,
       l.renewed_at,
       l.issued_block,
       l.updated_block
from licences.licence l
cross join (select (select indexer.chain_time()) as at) now
-- (a department that issued no licence: no scan)
where (select web.reads_past_rls() or web.sees_licences());

-- escrow.payrolls joined escrow.project for the token's decimals, so a page in any order but the
-- project's joined every visible payroll before taking its rows, and it showed human resources
-- no payroll at all (it reads every payroll but no project row, 0047), where the table and
-- report.wages_paid show it every one. The decimals come from the definer function 0047 made for
-- report.wages_paid, one lookup per row shown; the rows are the table's (its policy: the
-- project's parts, human resources and the regulator), gated (2. above). Same columns as in 0030.
create or replace view escrow.payrolls with (security_invoker = true) as
select r.project_id,
       r.payroll_id,
       r.state,
       r.period,
       r.contractor_id,
       r.document_hash,
       r.workers,
       r.total,
       indexer.scaled(r.total, web.project_token_decimals(r.project_id)) as total_scaled,
       r.submitted_at,
       r.approved_at,
       r.bank_id,
       indexer.code_text(r.bank_id) as bank_code,
       r.paid_at,
       r.paid_by,
       indexer.code_text(r.paid_by) as paid_by_code,
       r.from_wage_account,
       r.from_guarantee,
       r.rejected_at,
       r.cancelled_at,
       r.reason,
       r.updated_block
from escrow.payroll r
where (select web.reads_past_rls() or web.sees_projects(true));

-- Payrolls newest paid first (the GraphQL list, report.wages_paid by time) along one index, ties
-- in key order. Not partial: a filter on the state does not tell the planner that paid_at is set.
-- Replaces the index on paid_at alone (the same number of indexes for the writer to keep).
create index payroll_paid_order on escrow.payroll (paid_at desc, project_id desc, payroll_id desc);
drop index escrow.payroll_paid_at;

-- The escrow dashboard's wage figures --------------------------------------------------------------

-- Wages paid (count and sum) and owed, and wages paid and owed per day, summed over the projects
-- the caller may see wages of: the same rule as the payroll tables and 0047's functions (whoever
-- bypasses row-level security, the regulator, human resources, a project's parts). Summed here,
-- as their owner, because human resources may not read the projects whose tokens scale them:
-- through report.wages_paid and report.wages_per_project_day the dashboard scaled each of
-- 100,000 payrolls and 105,000 project days (seconds). Per day the amounts are summed per token
-- before scaling (scaling is linear: the same sums).
create function web.wage_figures() returns table (payrolls bigint, wages_paid numeric, wages_owed numeric)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with me as materialized (
    select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60) as everything,
           web.current_department() as department),
  projects as (
    select p.project_id, p.wages_owed, t.decimals
    from escrow.project p left join escrow.token t on t.token = p.token, me
    where me.everything or p.bureau_id = me.department or p.bank_id = me.department
       or p.supervisor_id in (select r.participant_id from gov.participant_registered r where r.department_id = (select web.current_department())))
  select coalesce((select sum(c.payrolls) from escrow.payroll_state_count c join projects p using (project_id) where c.state = 'Paid'), 0)::bigint,
         coalesce((select sum(indexer.scaled(c.total, p.decimals)) from escrow.payroll_state_count c join projects p using (project_id)
                   where c.state = 'Paid'), 0),
         coalesce((select sum(indexer.scaled(p.wages_owed, p.decimals)) from projects p where p.wages_owed > 0), 0)
$$;

create function web.wages_per_day() returns table (day date, wages_paid numeric, wages_owed numeric)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with me as materialized (
    select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60) as everything,
           web.current_department() as department),
  projects as (
    select p.project_id, t.decimals
    from escrow.project p left join escrow.token t on t.token = p.token, me
    where me.everything or p.bureau_id = me.department or p.bank_id = me.department
       or p.supervisor_id in (select r.participant_id from gov.participant_registered r where r.department_id = (select web.current_department())))
  select s.day, sum(indexer.scaled(s.paid, s.decimals)), sum(indexer.scaled(s.owed, s.decimals))
  from (
    select d.day, p.decimals, sum(d.wages_paid_from_wage_account + d.wages_paid_from_guarantee) as paid, sum(d.wages_owed) as owed
    from escrow.project_day d join projects p using (project_id)
    group by 1, 2
  ) s
  group by 1
$$;

revoke execute on function web.wage_figures(), web.wages_per_day() from public;
grant execute on function web.wage_figures(), web.wages_per_day() to govledger_reader;

-- Uses and consents of an authority's licences (0042): the licence's issuer probed by key for each
-- row checked, not hashed. A page of uses checks a hundred rows, and the planner, costing the
-- policy for all 2,000,000, hashed the market regulator's 90,000 licences first (100-300 ms a
-- page); the dashboard counts at most 10,000 rows. A department that issued no licence (the tax
-- bureau: its own 130,000 uses) skips the probe (the gate of 2.). Same rows: the licence is read
-- as the caller (the regulator or its issuer), as 0042's `exists` read it.
drop policy user_or_issuer on licences.licence_use;
create policy user_or_issuer on licences.licence_use for select
  using ((select web.is_regulator()) or department_id = (select web.current_department())
         or ((select web.sees_licences()) and (
           select l.department_id from licences.licence l where l.licence_id = licence_use.licence_id
         ) = (select web.current_department())));
drop policy user_or_issuer on licences.consent;
create policy user_or_issuer on licences.consent for select
  using ((select web.is_regulator()) or department_id = (select web.current_department())
         or ((select web.sees_licences()) and (
           select l.department_id from licences.licence l where l.licence_id = consent.licence_id
         ) = (select web.current_department())));

-- The invoice list for GraphQL, gated as the licences are (2.): a department that registered no
-- invoice issuer walked all 1,000,000 invoices for an empty page (1.5-2.7 s). True when one of
-- the participants it registered issued an invoice: exactly when invoices.invoice's policy (0044)
-- shows it one. Same columns as in 0011.
create function web.sees_invoices() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select web.is_regulator() or exists (
    select 1 from gov.participant_registered r
    where r.department_id = (select web.current_department())
      and exists (select 1 from invoices.invoice i where i.issuer_id = r.participant_id))
$$;
revoke execute on function web.sees_invoices() from public;
grant execute on function web.sees_invoices() to govledger_reader;

create or replace view invoices.invoices with (security_invoker = true) as
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
from invoices.invoice i
where (select web.reads_past_rls() or web.sees_invoices());

-- The licence dashboard's count of uses: the regulator's and a non-issuing department's from the
-- daily counts (every use is counted for the department that made it); an authority's counted up
-- to `cap` rows under the policy's rule (its own uses and those of its licences), with its
-- licences hashed once: the policy above probes per row, right for a page, slow for 10,000 rows.
create function web.licence_use_counts(cap integer) returns table (uses bigint, not_valid bigint)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with me as materialized (
    select web.caller_bypasses_rls() or web.is_regulator() as everything, web.current_department() as id,
           web.sees_licences() as issuer)
  select case when me.everything or not me.issuer
           then (select coalesce(sum(d.used), 0) from licences.department_day d where me.everything or d.department_id = me.id)
           else (select count(*) from (
             select from licences.licence_use u
             where u.department_id = (select web.current_department())
                or u.licence_id in (select l.licence_id from licences.licence l where l.department_id = (select web.current_department()))
             limit cap) c) end::bigint,
         case when me.everything or not me.issuer
           then (select coalesce(sum(d.used_not_valid), 0) from licences.department_day d where me.everything or d.department_id = me.id)
           else (select count(*) from licences.licence_use u
                 where not u.valid_at_use
                   and (u.department_id = (select web.current_department())
                        or u.licence_id in (select l.licence_id from licences.licence l where l.department_id = (select web.current_department())))) end::bigint
  from me
$$;
revoke execute on function web.licence_use_counts(integer) from public;
grant execute on function web.licence_use_counts(integer) to govledger_reader;
