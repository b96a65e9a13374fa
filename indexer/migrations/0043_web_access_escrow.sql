-- Row-level security for the escrow read model (0030): the same rules as 0040's for the escrow
-- event tables. A database that had 0040 before 0030 arrived has RLS off on these tables, the
-- readers' privilege on the unlogged working tables and views running as their owner: this
-- does 0040's generic steps again (each is idempotent).
--
-- A project's parts come from the project row itself (its construction bureau, its bank, its
-- supervisor, whose registrar reads it) rather than from web.department_projects(), which reads
-- every ProjectCreated event's terms; the project's other tables look their project up by its
-- primary key.

do $$
declare t record;
begin
  for t in select n.nspname as schemaname, c.relname as tablename, c.relkind, c.relpersistence
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p', 'v') and n.nspname in ('escrow', 'report') loop
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

create policy project_party on escrow.project for select
  using ((select web.is_regulator()) or bureau_id = (select web.current_department())
         or bank_id = (select web.current_department())
         or supervisor_id = any ((select web.registered_participants())::bytea[]));

-- A project's milestones, orders, subcontractors, workers and daily figures: its parts.
do $$
declare t text;
begin
  foreach t in array array['milestone', 'payment_order', 'subcontractor', 'worker', 'project_day'] loop
    execute format('create policy project_party on escrow.%1$I for select using ((select web.is_regulator())
      or exists (select 1 from escrow.project p where p.project_id = %1$I.project_id and (p.bureau_id = (select web.current_department())
        or p.bank_id = (select web.current_department()) or p.supervisor_id = any ((select web.registered_participants())::bytea[]))))', t);
  end loop;
  -- Wages: also every department holding HUMAN_RESOURCES (60).
  foreach t in array array['payroll', 'payroll_state_count'] loop
    execute format('create policy project_party_or_wages on escrow.%1$I for select using ((select web.is_regulator())
      or (select web.current_department_has_role(60))
      or exists (select 1 from escrow.project p where p.project_id = %1$I.project_id and (p.bureau_id = (select web.current_department())
        or p.bank_id = (select web.current_department()) or p.supervisor_id = any ((select web.registered_participants())::bytea[]))))', t);
  end loop;
end
$$;

-- A token's decimals: no department data.
create policy everyone on escrow.token for select using (true);

-- Human resources reads every project's payrolls but not the projects themselves: the wages view
-- takes the token's decimals from a definer function instead of joining escrow.project (which
-- would hide every row from it). One lookup per payroll by primary key.
create function web.project_token_decimals(project numeric) returns smallint
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select t.decimals from escrow.project p join escrow.token t on t.token = p.token where p.project_id = project
$$;
grant execute on function web.project_token_decimals(numeric) to govledger_reader;

create or replace view report.wages_paid with (security_invoker = true) as
select r.project_id, r.payroll_id, r.period, r.contractor_id as contractor, r.total, r.paid_by, r.from_wage_account,
       r.from_guarantee, r.paid_at, r.workers, indexer.local_day(r.paid_at) as day,
       indexer.scaled(r.total, web.project_token_decimals(r.project_id)) as total_scaled
from escrow.payroll r
where r.state = 'Paid';
