-- Who may read what: row-level security for the dashboards (web/) and for departments' analysts
-- in SQL. The policies live on the TABLES; every view runs as its caller (security_invoker), so a
-- view shows exactly the rows of its tables the caller may see.
--
-- The department comes from one function, web.current_department():
--   * a department analyst's login role (web.analyst_roles, `npm run db -- grant-department`):
--     its own department, whatever settings it sets;
--   * the web server's role (govledger_web): the setting `govledger.department` (a department
--     code), set per transaction with SET LOCAL after the server authenticated the operator;
--   * anyone else: none, and then nothing department-scoped is visible.
-- A suspended department sees nothing department-scoped. One regulator department
-- (web.config.regulator_code, AUDIT unless changed with `npm run db -- set-regulator`) sees all.
--
-- The helper functions are SECURITY DEFINER (they run as the owner, who is not subject to these
-- policies): a policy that read a table guarded by a policy reading the first would recurse.
-- Policies call them through scalar subqueries `(select web.f())`, evaluated once per statement
-- rather than once per row (the invoice tables hold millions of rows).
--
-- Every table in the project's schemas gets RLS enabled here, including tables created by
-- migrations before this one that have no policy yet: those show no rows to anyone but the owner
-- until a policy is written (deny by default). test/web/rls.test.ts fails for a table without one.

create schema if not exists web;

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'govledger_reader') then
    create role govledger_reader nologin;
  end if;
  -- The web server's login role: owns nothing; its password is set by whoever runs the server
  -- (web/src/db.ts sets a fresh one when the server is given the owner's DATABASE_URL).
  if not exists (select 1 from pg_roles where rolname = 'govledger_web') then
    create role govledger_web login;
  end if;
  -- Roles are cluster-wide: a second database on the same server finds them made. Creating them
  -- needs CREATEROLE once; a DBA may create both beforehand instead (README, Dashboards).
  if not pg_has_role('govledger_web', 'govledger_reader', 'member') then
    grant govledger_reader to govledger_web;
  end if;
end
$$;

create table web.config (
  singleton boolean primary key default true check (singleton),
  regulator_code text not null default 'AUDIT'
);
insert into web.config default values;

-- Login roles of department analysts (created by `npm run db -- grant-department <code>`).
create table web.analyst_roles (
  role_name text primary key,
  department_code text not null,
  created_at timestamptz not null default now()
);

-- Sign-In with Ethereum nonces: each used once (deleted when used), valid until expires_at. In
-- the database so that several web servers agree on which nonces are spent.
create table web.siwe_nonces (
  nonce text primary key,
  expires_at timestamptz not null
);
create index siwe_nonces_expiry on web.siwe_nonces (expires_at);

create function web.code_to_id(code text) returns bytea
language sql immutable strict
as $$ select decode(rpad(encode(convert_to(code, 'UTF8'), 'hex'), 64, '0'), 'hex') $$;

create function web.department_code(department_id bytea) returns text
language sql immutable strict
as $$ select convert_from(rtrim(department_id, '\x00'::bytea), 'UTF8') $$;

create function web.department_active(department_id bytea) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select exists (select 1 from gov.department_admitted a where a.department_id = $1)
     and coalesce((
       select e.active from (
         select block_number, log_index, false as active from gov.department_suspended where department_id = $1
         union all
         select block_number, log_index, true from gov.department_reinstated where department_id = $1
       ) e order by e.block_number desc, e.log_index desc limit 1), true)
$$;

create function web.current_department() returns bytea
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with chosen as (
    select case
      when exists (select 1 from web.analyst_roles where role_name = session_user)
        then (select web.code_to_id(department_code) from web.analyst_roles where role_name = session_user)
      when pg_has_role(session_user, 'govledger_web', 'member')
        then web.code_to_id(nullif(current_setting('govledger.department', true), ''))
    end as id
  )
  select id from chosen where id is not null and web.department_active(id)
$$;

create function web.is_regulator() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select coalesce(web.current_department() = (select web.code_to_id(regulator_code) from web.config), false) $$;

-- Departments holding a role now (HUMAN_RESOURCES = 60 sees every project's wages).
create function web.current_department_has_role(role numeric) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select exists (
    select 1 from gov.department_role_granted g
    where g.department_id = web.current_department() and g.role_id = role
      and not exists (
        select 1 from gov.department_role_revoked r
        where r.department_id = g.department_id and r.role_id = g.role_id
          and (r.block_number, r.log_index) > (g.block_number, g.log_index)))
$$;

-- The participants (enterprises) the current department registered: the tax bureau's invoice
-- issuers, the construction bureau's contractors and supervisors.
create function web.registered_participants() returns bytea[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(participant_id), '{}') from gov.participant_registered
  where department_id = web.current_department()
$$;

-- Accounts whose failed attempts the current department sees: its operators (past and present)
-- and the participants it registered.
create function web.department_accounts() returns bytea[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(account), '{}') from (
    select decode(substr(op, 3), 'hex') as account
    from gov.department_admitted a, jsonb_array_elements_text(a.operators) op
    where a.department_id = web.current_department()
    union
    select account from gov.operator_added where department_id = web.current_department()
    union
    select account from gov.participant_registered where department_id = web.current_department()
  ) accounts
$$;

-- Projects where the current department has a part: it opened the project (construction
-- bureau), is its bank, or registered its supervisor.
create function web.department_projects() returns numeric[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(p.project_id), '{}') from escrow.project_created p
  where p.department_id = web.current_department()
     or p.terms ->> 'bank' = '0x' || encode(web.current_department(), 'hex')
     or exists (
       select 1 from gov.participant_registered r
       where r.department_id = web.current_department()
         and p.terms ->> 'supervisor' = '0x' || encode(r.participant_id, 'hex'))
$$;

-- Applications with a step owned by the current department.
create function web.department_applications() returns numeric[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(distinct application_id), '{}') from licences.step_opened
  where department_id = web.current_department()
$$;

-- Licences the current department issued.
create function web.department_licences() returns bytea[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(licence_id), '{}') from licences.licence_issued
  where issuer = web.current_department()
$$;

-- Grants -------------------------------------------------------------------------------------

grant usage on schema raw, gov, access, invoices, licences, escrow, report, web, indexer to govledger_reader;
grant select on all tables in schema raw, gov, access, invoices, licences, escrow, report to govledger_reader;
-- The indexer's own tables hold no department data (checkpoint, source, settings, the names of
-- enum values and roles the views read); graphile_worker's jobs stay private.
grant select on all tables in schema indexer to govledger_reader;
grant select on web.config, web.analyst_roles to govledger_reader;
grant execute on all functions in schema web to govledger_reader;
grant select, insert, delete on web.siwe_nonces to govledger_web;
alter default privileges in schema raw, gov, access, invoices, licences, escrow, report
  grant select on tables to govledger_reader;

-- Every view runs as its caller, so it honours the policies below.
do $$
declare v record;
begin
  for v in select schemaname, viewname from pg_views
           where schemaname in ('raw', 'gov', 'access', 'invoices', 'licences', 'escrow', 'report') loop
    execute format('alter view %I.%I set (security_invoker = true)', v.schemaname, v.viewname);
  end loop;
end
$$;

-- Row-level security on every table of the project's schemas (deny by default). The read
-- model's unlogged working tables (keys marked during a batch, empty between transactions) are
-- the writer's alone: readers get no privilege on them at all.
do $$
declare t record;
begin
  for t in select n.nspname as schemaname, c.relname as tablename, c.relpersistence
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p')
             and n.nspname in ('raw', 'gov', 'access', 'invoices', 'licences', 'escrow', 'report') loop
    execute format('alter table %I.%I enable row level security', t.schemaname, t.tablename);
    if t.relpersistence = 'u' then
      execute format('revoke all on %I.%I from govledger_reader', t.schemaname, t.tablename);
    end if;
  end loop;
end
$$;

-- Policies -----------------------------------------------------------------------------------

-- Chain structure: public to every reader (blocks carry no business data).
create policy everyone on raw.blocks for select using (true);
-- Raw events hold every event's arguments, so only the regulator reads them; departments read
-- the typed tables, whose policies know what each row is about.
create policy regulator on raw.events for select using ((select web.is_regulator()));
create policy own_attempts on raw.failed_transactions for select
  using ((select web.is_regulator()) or sender = any ((select web.department_accounts())::bytea[]));

-- Failed attempts as the read model keeps them (0012): the sender's department, or the
-- department that registered the sender's participant (the tax bureau for its issuers).
create policy own_attempts on gov.failed_attempt for select
  using ((select web.is_regulator()) or department_id = (select web.current_department())
         or registrar_id = (select web.current_department()));
create policy own_attempts on gov.failed_attempt_day for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));

-- Governance (members, participants, proposals, votes, validators, roles) and the access
-- manager: every department.
do $$
declare t record;
begin
  for t in select schemaname, tablename from pg_tables
           where schemaname in ('gov', 'access') and tablename not in ('failed_attempt', 'failed_attempt_day')
             and not exists (select 1 from pg_policies p where p.schemaname = pg_tables.schemaname and p.tablename = pg_tables.tablename) loop
    execute format('create policy everyone on %I.%I for select using (true)', t.schemaname, t.tablename);
  end loop;
end
$$;

-- E-invoices: the department that registered the issuer sees its invoices, rules, freezes and
-- credit notes; transitions that name only the invoice follow the invoice's issuance row.
do $$
declare t text;
begin
  foreach t in array array['invoice_issued', 'invoice_batch_issued', 'invoice_claimed', 'invoice_voided',
                           'issuer_rules_set', 'issuer_frozen', 'issuer_unfrozen', 'credit_note_issued'] loop
    execute format('create policy issuer_registrar on invoices.%I for select using ((select web.is_regulator())
      or issuer_id = any ((select web.registered_participants())::bytea[]))', t);
  end loop;
  foreach t in array array['invoice_locked', 'invoice_unlocked', 'invoice_reimbursed', 'invoice_credited',
                           'invoice_frozen', 'invoice_unfrozen', 'credit_note_confirmed', 'invoice_receiver_changed'] loop
    execute format('create policy issuer_registrar on invoices.%I for select using ((select web.is_regulator())
      or invoice_id in (select i.invoice_id from invoices.invoice_issued i))', t);
  end loop;
end
$$;
-- The invoice read model (0011): invoices, credit notes and report rows by issuer; an issuer's
-- row also to the department that set its rules; a receiving company's daily reimbursements to
-- the department that registered that company.
do $$
declare t text;
begin
  foreach t in array array['invoice', 'credit_note', 'issuer_day', 'state_count'] loop
    execute format('create policy issuer_registrar on invoices.%I for select using ((select web.is_regulator())
      or issuer_id = any ((select web.registered_participants())::bytea[]))', t);
  end loop;
end
$$;
create policy issuer_registrar on invoices.issuer for select
  using ((select web.is_regulator()) or issuer_id = any ((select web.registered_participants())::bytea[])
         or department_id = (select web.current_department()));
create policy receiver_registrar on invoices.receiver_day for select
  using ((select web.is_regulator()) or receiver_id = any ((select web.registered_participants())::bytea[]));

-- E-licences: the catalogue (types, trusted issuers, templates) is set by vote: every department.
create policy everyone on licences.licence_type_set for select using (true);
create policy everyone on licences.trusted_issuer_set for select using (true);
create policy everyone on licences.template_defined for select using (true);
create policy everyone on licences.template_retired for select using (true);
create policy everyone on licences.eip712_domain_changed for select using (true);
-- An authority sees the licences it issued and everything that happened to them.
create policy issuer on licences.licence_issued for select
  using ((select web.is_regulator()) or issuer = (select web.current_department()));
create policy issuer on licences.licence_renewed for select
  using ((select web.is_regulator()) or licence_id = any ((select web.department_licences())::bytea[]));
create policy issuer on licences.licence_suspended for select
  using ((select web.is_regulator()) or licence_id = any ((select web.department_licences())::bytea[]));
create policy issuer on licences.licence_reinstated for select
  using ((select web.is_regulator()) or licence_id = any ((select web.department_licences())::bytea[]));
create policy issuer on licences.licence_revoked for select
  using ((select web.is_regulator()) or licence_id = any ((select web.department_licences())::bytea[]));
-- Uses: the department that used the licence, and the licence's issuer.
create policy user_or_issuer on licences.licence_used for select
  using ((select web.is_regulator()) or department_id = (select web.current_department())
         or licence_id = any ((select web.department_licences())::bytea[]));
-- Consents: the department the consent was given to, and the licence's issuer.
create policy user_or_issuer on licences.consent_granted for select
  using ((select web.is_regulator()) or department_id = (select web.current_department())
         or licence_id = any ((select web.department_licences())::bytea[]));
create policy user_or_issuer on licences.consent_withdrawn for select
  using ((select web.is_regulator()) or department_id = (select web.current_department())
         or licence_id = any ((select web.department_licences())::bytea[]));
-- A holder cancelling the consents it signed and nobody submitted names no department: every
-- department that uses licences (LICENCE_USER = 21) may hold such a signature.
create policy licence_users on licences.signed_consents_cancelled for select
  using ((select web.is_regulator()) or (select web.current_department_has_role(21)));
-- Joint applications: the departments owning one of its steps.
do $$
declare t text;
begin
  foreach t in array array['application_submitted', 'application_completed', 'application_withdrawn',
                           'step_opened', 'step_approved', 'step_rejected', 'step_resubmitted'] loop
    execute format('create policy step_owner on licences.%I for select using ((select web.is_regulator())
      or application_id = any ((select web.department_applications())::numeric[]))', t);
  end loop;
end
$$;

-- Construction-fund escrow: the parts of a project (construction bureau, bank, the supervisor's
-- registrar) see the whole project; human resources sees every project's wages.
do $$
declare t text;
begin
  foreach t in array array['project_created', 'project_funded', 'project_frozen', 'project_unfrozen',
                           'project_closed', 'subcontractor_added', 'subcontractor_removed', 'worker_registered',
                           'guarantee_deposited',
                           'guarantee_returned', 'milestone_submitted', 'milestone_released',
                           'milestone_rejected', 'payment_ordered', 'payment_order_paid',
                           'payment_order_rejected'] loop
    execute format('create policy project_party on escrow.%I for select using ((select web.is_regulator())
      or project_id = any ((select web.department_projects())::numeric[]))', t);
  end loop;
  foreach t in array array['payroll_submitted', 'payroll_approved', 'payroll_paid', 'payroll_rejected',
                           'payroll_cancelled'] loop
    execute format('create policy project_party_or_wages on escrow.%I for select using ((select web.is_regulator())
      or (select web.current_department_has_role(60)) or project_id = any ((select web.department_projects())::numeric[]))', t);
  end loop;
end
$$;
-- The settlement token: deposits and withdrawals by the bank that made them; transfers and
-- allowances (accounts only) to the regulator.
create policy bank on escrow.deposit_minted for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));
create policy bank on escrow.deposit_burned for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));
create policy regulator on escrow.transfer for select using ((select web.is_regulator()));
create policy regulator on escrow.approval for select using ((select web.is_regulator()));
create policy everyone on escrow.eip712_domain_changed for select using (true);
