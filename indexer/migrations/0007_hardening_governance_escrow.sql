-- Security review (issue 12), governance and escrow: the events the fixes added, and views of
-- what they change. Per-event tables follow the generic handler's layout (indexer/src/handlers/rows.ts).

-- ValidatorSet.setRegistry: the registry whose departments' state decides which nodes seal.
create table gov.validator_registry_set (
  registry bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);

-- ConstructionEscrow.removeSubcontractor (the project's own bureau).
create table escrow.subcontractor_removed (
  project_id numeric(78,0),
  subcontractor bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);

-- ConstructionEscrow.cancelPayroll: an approved payroll the bank cancelled (its claims stay in
-- escrow.payroll_submitted).
create table escrow.payroll_cancelled (
  project_id numeric(78,0),
  payroll_id numeric(78,0),
  bank bytea,
  total numeric(78,0),
  reason text,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);

-- The nodes that seal blocks: ValidatorSet.getValidators leaves out the nodes of suspended
-- departments, unless that would leave none.
create view gov.sealing_validators as
select v.validator, v.department_id, v.added_block
from gov.validators v
left join gov.departments d on d.department_id = v.department_id
where coalesce(d.active, false)
   or not exists (
     select 1 from gov.validators w join gov.departments e on e.department_id = w.department_id where e.active
   );

-- Subcontractors registered on each project now (added and not removed since).
create view escrow.project_subcontractors as
select a.project_id, a.subcontractor, a.department_id as added_by, a.block_number as added_block
from escrow.subcontractor_added a
where not exists (
  select 1 from escrow.subcontractor_removed r
  where r.project_id = a.project_id and r.subcontractor = a.subcontractor
    and (r.block_number, r.log_index) > (a.block_number, a.log_index)
);

-- Wage claims the bank cancelled, worker by worker, for follow-up by human resources.
create view report.cancelled_wage_claims as
select c.project_id, c.payroll_id, s.period, s.contractor, c.bank, c.reason, c.block_time as cancelled_at,
       w.worker, a.amount::numeric(78,0) as amount
from escrow.payroll_cancelled c
join escrow.payroll_submitted s on s.project_id = c.project_id and s.payroll_id = c.payroll_id
cross join lateral jsonb_array_elements_text(s.workers) with ordinality as w(worker, n)
join lateral jsonb_array_elements_text(s.amounts) with ordinality as a(amount, m) on a.m = w.n;

-- ConsortiumRegistry: a vote made a participant's account an operator's (admitDepartment or
-- addOperator); the participant is left suspended without an account.
create table gov.participant_account_released (
  participant_id bytea,
  account bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);

-- gov.participants as in 0002, with a participant whose account was released shown inactive
-- (it can never be reinstated) and the release's block in a new last column.
create or replace view gov.participants as
select r.participant_id,
       r.account,
       r.department_id as registrar,
       r.kind,
       coalesce(s.active, true) and x.block_number is null as active,
       r.block_number as registered_block,
       r.block_time as registered_at,
       x.block_number as released_block
from gov.participant_registered r
left join lateral (
  select e.active
  from (
    select block_number, log_index, false as active from gov.participant_suspended where participant_id = r.participant_id
    union all
    select block_number, log_index, true from gov.participant_reinstated where participant_id = r.participant_id
  ) e
  order by e.block_number desc, e.log_index desc
  limit 1
) s on true
left join gov.participant_account_released x on x.participant_id = r.participant_id;
