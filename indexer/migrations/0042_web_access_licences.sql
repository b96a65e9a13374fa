-- Row-level security for the licence read model (0020): the same rules as 0040's for the
-- licence event tables. On a fresh database 0020 runs before 0040, which already enabled RLS on
-- these tables, withdrew the readers' privilege on the unlogged working tables and made the views
-- run as their caller; a database that had 0040 before 0020 arrived did not, so this does it
-- again (each step is idempotent).
--
-- Predicates use the state row's own department column where it has one (licence.department_id
-- is the issuer; a suspension's department_id is the issuer too: LicenceRegistry lets only the
-- issuer suspend), or look the licence up by its primary key, rather than web.department_licences(),
-- which builds the array of every licence a department issued (200,000 at city scale).

do $$
declare t record;
begin
  for t in select n.nspname as schemaname, c.relname as tablename, c.relkind, c.relpersistence
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p', 'v') and n.nspname in ('licences', 'report') loop
    if t.relkind = 'v' then
      execute format('alter view %I.%I set (security_invoker = true)', t.schemaname, t.tablename);
    else
      execute format('alter table %I.%I enable row level security', t.schemaname, t.tablename);
      if t.relpersistence = 'u' then
        execute format('revoke all on %I.%I from govledger_reader', t.schemaname, t.tablename);
      end if;
    end if;
  end loop;
end
$$;

-- An authority sees the licences it issued, their dependencies and suspensions, and the report
-- rows of its licences.
create policy issuer on licences.licence for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));
create policy issuer on licences.licence_dependency for select
  using ((select web.is_regulator()) or exists (
    select 1 from licences.licence l
    where l.licence_id = licence_dependency.licence_id and l.department_id = (select web.current_department())));
create policy issuer on licences.suspension for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));
create policy issuer on licences.status_count for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));
-- A department's day: licences it issued and uses it made, both its own.
create policy own on licences.department_day for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()));

-- Uses and consents: the department that used the licence or was given the consent, and the
-- licence's issuer.
create policy user_or_issuer on licences.licence_use for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()) or exists (
    select 1 from licences.licence l
    where l.licence_id = licence_use.licence_id and l.department_id = (select web.current_department())));
create policy user_or_issuer on licences.consent for select
  using ((select web.is_regulator()) or department_id = (select web.current_department()) or exists (
    select 1 from licences.licence l
    where l.licence_id = consent.licence_id and l.department_id = (select web.current_department())));

-- Joint applications: the departments owning a step that has opened (as for the step events;
-- application_step also lists steps still Locked, which do not yet show the application).
create policy step_owner on licences.application for select
  using ((select web.is_regulator()) or application_id = any ((select web.department_applications())::numeric[]));
create policy step_owner on licences.application_step for select
  using ((select web.is_regulator()) or application_id = any ((select web.department_applications())::numeric[]));

-- The catalogue is set by vote, and the chain's time carries no department data: everyone.
create policy everyone on licences.template for select using (true);
create policy everyone on licences.status_clock for select using (true);
