-- The projects the current department has a part in (web.department_projects, last 0087), from
-- escrow.project alone: its bureau (the creating department, as project_created.department_id),
-- bank, regulator and supervisor columns are the state table's, kept in the same batch as the
-- events and following replacements (0087). 0087 also scanned the creation events and parsed
-- each one's JSON terms for the supervisor. Every policy on a project's tables calls this once per
-- statement and table, about twenty times for one project page. As the construction bureau (2,000
-- projects) at city scale: 3.0 → 1.0-1.3 ms a call; the page's ledger 45 → 31 ms, its data calls
-- about 100 → 80 ms in all. Same rows for every department (test/web's row-level security tests
-- list them per relation).
create or replace function web.department_projects() returns numeric[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with d as (select web.current_department() as id)
  select coalesce(array_agg(k.project_id), '{}') from escrow.project k
  where k.bureau_id = (select id from d)
     or k.bank_id = (select id from d)
     or k.regulator_id = (select id from d)
     or k.supervisor_id in (select r.participant_id from gov.participant_registered r
                            where r.department_id = (select id from d))
$$;
