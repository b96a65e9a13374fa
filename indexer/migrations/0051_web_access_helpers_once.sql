-- Row-level security's helper functions (0040) evaluate the caller's department once per
-- statement instead of once per row they scan. Each compared a column with
-- web.current_department() in its WHERE clause; PostgreSQL calls a STABLE function there for every
-- row, and that function reads web.analyst_roles, the role membership and the department's
-- admission and suspensions each time: at city scale web.registered_participants() took 0.8 s of
-- the tax bureau's 0.8 s first page of invoices (7,200 participants scanned), web.department_projects()
-- 1.4 s. As a scalar subquery the department is an InitPlan, computed once (8 ms for the same
-- array). Same results: the department cannot change within a statement.

create or replace function web.current_department_has_role(role numeric) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select exists (
    select 1 from gov.department_role_granted g
    where g.department_id = (select web.current_department()) and g.role_id = role
      and not exists (
        select 1 from gov.department_role_revoked r
        where r.department_id = g.department_id and r.role_id = g.role_id
          and (r.block_number, r.log_index) > (g.block_number, g.log_index)))
$$;

create or replace function web.registered_participants() returns bytea[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(participant_id), '{}') from gov.participant_registered
  where department_id = (select web.current_department())
$$;

create or replace function web.department_accounts() returns bytea[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with d as (select web.current_department() as id)
  select coalesce(array_agg(account), '{}') from (
    select decode(substr(op, 3), 'hex') as account
    from gov.department_admitted a, jsonb_array_elements_text(a.operators) op
    where a.department_id = (select id from d)
    union
    select account from gov.operator_added where department_id = (select id from d)
    union
    select account from gov.participant_registered where department_id = (select id from d)
  ) accounts
$$;

create or replace function web.department_projects() returns numeric[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with d as (select web.current_department() as id)
  select coalesce(array_agg(p.project_id), '{}') from escrow.project_created p
  where p.department_id = (select id from d)
     or p.terms ->> 'bank' = '0x' || encode((select id from d), 'hex')
     or exists (
       select 1 from gov.participant_registered r
       where r.department_id = (select id from d)
         and p.terms ->> 'supervisor' = '0x' || encode(r.participant_id, 'hex'))
$$;

create or replace function web.department_applications() returns numeric[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(distinct application_id), '{}') from licences.step_opened
  where department_id = (select web.current_department())
$$;

create or replace function web.department_licences() returns bytea[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(licence_id), '{}') from licences.licence_issued
  where issuer = (select web.current_department())
$$;
