-- Keys for the GraphQL API's views (web/src/api/graphql.ts names them with @primaryKey smart
-- tags: nodeId, a lookup by key, cursors in a stable order). Three views had no column set that
-- is unique on every chain; each gains one, or loses the row that doubled it. Same columns
-- otherwise, in the same order (a column goes at the end); docs/reporting.md lists them.

-- A payroll may list a worker twice (ConstructionEscrow.submitPayroll does not refuse it): the
-- entry's position in the payroll tells the claims apart. From 0007's definition.
create or replace view report.cancelled_wage_claims with (security_invoker = true) as
select c.project_id, c.payroll_id, s.period, s.contractor, c.bank, c.reason, c.block_time as cancelled_at,
       w.worker, a.amount::numeric(78,0) as amount, w.n as entry
from escrow.payroll_cancelled c
join escrow.payroll_submitted s on s.project_id = c.project_id and s.payroll_id = c.payroll_id
cross join lateral jsonb_array_elements_text(s.workers) with ordinality as w(worker, n)
join lateral jsonb_array_elements_text(s.amounts) with ordinality as a(amount, m) on a.m = w.n;

-- A participant whose account a vote gave to an operator keeps the account in gov.participant
-- (released_block set) but no longer holds it on chain: the account's roles are the operator's
-- (and, once the operator is removed, those of a participant registered with it later, which
-- made two rows for one member). From 0013's definition.
create or replace view access.role_members with (security_invoker = true) as
select m.role_id, indexer.name_of('Role', m.role_id) as role_name, m.account, m.execution_delay, m.since,
       d.department_id, indexer.code_text(d.department_id) as department_code, p.participant_id
from access.role_member m
left join gov.operators d on d.account = m.account
left join gov.participant p on p.account = m.account and p.released_block is null;

-- An account may be added, removed and added again in one block (one proposal's calls): the
-- log index of the change that added it tells those spans apart. From 0002's definition.
create or replace view gov.operator_history with (security_invoker = true) as
with changes as (
  select a.department_id, decode(substr(op, 3), 'hex') as account, a.block_number, a.log_index, true as added
  from gov.department_admitted a, jsonb_array_elements_text(a.operators) as op
  union all
  select department_id, account, block_number, log_index, true from gov.operator_added
  union all
  select department_id, account, block_number, log_index, false from gov.operator_removed
),
ordered as (
  select *, lead(block_number) over (partition by account order by block_number, log_index) as next_block
  from changes
)
select department_id, account, block_number as from_block, next_block as to_block, log_index as from_log_index
from ordered
where added;
