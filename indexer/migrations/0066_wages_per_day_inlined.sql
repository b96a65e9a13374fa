-- report.wages_per_project_day at city scale (issue 10, `npm run bench:reports`: its first page
-- took 440-680 ms). 0047 reads it through a SECURITY DEFINER function, which PostgreSQL never
-- inlines: every read produced all 105,282 project days before the view sorted them for 100, and
-- ran the access rule's functions once per project. The same rows and the same rule, through a
-- view that runs as its owner (as the function did, past the tables' row-level security, which
-- shows human resources no project row) and is inlined: a page reads along the primary key. As a
-- security barrier, a caller's conditions run only on rows the rule let through, so a leaky
-- function in a WHERE sees no other project's wages. The rule's functions run once per statement.
-- In schema web, beside 0047's functions: the relations users query run as their caller.
create view web.wage_days with (security_barrier = true) as
select d.project_id, d.day, d.payrolls_paid, d.wages_paid_from_wage_account, d.wages_paid_from_guarantee,
       t.decimals as token_decimals, d.payrolls_approved, d.approved, d.payrolls_cancelled, d.cancelled, d.wages_owed
from escrow.project_day d
join escrow.project p using (project_id)
left join escrow.token t on t.token = p.token
where (select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60))
   or p.bureau_id = (select web.current_department())
   or p.bank_id = (select web.current_department())
   or p.supervisor_id = any ((select web.registered_participants())::bytea[])
-- A barrier view is planned on its own, for all its rows (a hash join and a sort of every day for
-- a page of 100: 90 ms); in key order it is a merge join along the primary keys that a LIMIT stops.
order by d.project_id, d.day;

grant select on web.wage_days to govledger_reader;

-- Same columns as in 0030 and 0047.
create or replace view report.wages_per_project_day with (security_invoker = true) as
select d.project_id::numeric(78, 0), d.day, d.payrolls_paid, d.wages_paid_from_wage_account::numeric(78, 0),
       d.wages_paid_from_guarantee::numeric(78, 0),
       d.wages_paid_from_wage_account + d.wages_paid_from_guarantee as wages_paid,
       indexer.scaled(d.wages_paid_from_wage_account + d.wages_paid_from_guarantee, d.token_decimals) as wages_paid_scaled,
       d.payrolls_approved, d.approved::numeric(78, 0), d.payrolls_cancelled, d.cancelled::numeric(78, 0),
       d.wages_owed::numeric(78, 0), indexer.scaled(d.wages_owed, d.token_decimals) as wages_owed_scaled
from web.wage_days d;

drop function web.wages_per_project_day();
