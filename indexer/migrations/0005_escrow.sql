-- Construction-fund escrow mirror (schema escrow): projects, milestones, payment orders,
-- payrolls, guarantee, and the settlement token's transfers; views of balances; reports.

create schema if not exists escrow;

create table escrow.approval (
  owner bytea,
  spender bytea,
  value numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.deposit_burned (
  department_id bytea,
  account bytea,
  amount numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.deposit_minted (
  department_id bytea,
  account bytea,
  amount numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.eip712_domain_changed (
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.guarantee_deposited (
  project_id numeric(78,0),
  contractor bytea,
  amount numeric(78,0),
  balance numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.guarantee_returned (
  project_id numeric(78,0),
  contractor bytea,
  account bytea,
  amount numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.milestone_rejected (
  project_id numeric(78,0),
  milestone_index numeric(78,0),
  supervisor bytea,
  reason text,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.milestone_released (
  project_id numeric(78,0),
  milestone_index numeric(78,0),
  supervisor bytea,
  to_wage_account numeric(78,0),
  to_payable numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.milestone_submitted (
  project_id numeric(78,0),
  milestone_index numeric(78,0),
  contractor bytea,
  evidence_hash bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.payment_order_paid (
  project_id numeric(78,0),
  order_id numeric(78,0),
  payee bytea,
  supervisor bytea,
  account bytea,
  amount numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.payment_order_rejected (
  project_id numeric(78,0),
  order_id numeric(78,0),
  supervisor bytea,
  reason text,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.payment_ordered (
  project_id numeric(78,0),
  order_id numeric(78,0),
  payee bytea,
  contractor bytea,
  amount numeric(78,0),
  reference_hash bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.payroll_approved (
  project_id numeric(78,0),
  payroll_id numeric(78,0),
  bank bytea,
  total numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.payroll_paid (
  project_id numeric(78,0),
  payroll_id numeric(78,0),
  department_id bytea,
  from_wage_account numeric(78,0),
  from_guarantee numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.payroll_rejected (
  project_id numeric(78,0),
  payroll_id numeric(78,0),
  bank bytea,
  reason text,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.payroll_submitted (
  project_id numeric(78,0),
  payroll_id numeric(78,0),
  contractor bytea,
  period numeric(78,0),
  document_hash bytea,
  workers jsonb,
  amounts jsonb,
  total numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.project_closed (
  project_id numeric(78,0),
  department_id bytea,
  developer bytea,
  account bytea,
  refunded numeric(78,0),
  guarantee_release_at numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.project_created (
  project_id numeric(78,0),
  department_id bytea,
  contractor bytea,
  terms jsonb,
  milestones jsonb,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.project_frozen (
  project_id numeric(78,0),
  department_id bytea,
  reason text,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.project_funded (
  project_id numeric(78,0),
  developer bytea,
  "from" bytea,
  amount numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.project_unfrozen (
  project_id numeric(78,0),
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.subcontractor_added (
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
create table escrow.transfer (
  "from" bytea,
  "to" bytea,
  value numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table escrow.worker_registered (
  project_id numeric(78,0),
  worker bytea,
  contractor bytea,
  identity_hash bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);

create index project_funded_project on escrow.project_funded (project_id);
create index milestone_released_project on escrow.milestone_released (project_id);
create index payment_order_paid_project on escrow.payment_order_paid (project_id);
create index payroll_paid_project on escrow.payroll_paid (project_id);

-- Every project's ledger rebuilt from its events alone: money in = money out + balance.
create view escrow.project_ledgers as
select p.project_id,
       p.department_id as opened_by,
       p.contractor,
       p.terms,
       coalesce((select sum(amount) from escrow.project_funded x where x.project_id = p.project_id), 0) as funded,
       coalesce((select sum(amount) from escrow.guarantee_deposited x where x.project_id = p.project_id), 0) as guarantee_deposited,
       coalesce((select sum(to_wage_account) from escrow.milestone_released x where x.project_id = p.project_id), 0) as released_to_wages,
       coalesce((select sum(to_payable) from escrow.milestone_released x where x.project_id = p.project_id), 0) as released_to_payable,
       coalesce((select sum(from_wage_account) from escrow.payroll_paid x where x.project_id = p.project_id), 0) as wages_paid_from_wage_account,
       coalesce((select sum(from_guarantee) from escrow.payroll_paid x where x.project_id = p.project_id), 0) as wages_paid_from_guarantee,
       coalesce((select sum(amount) from escrow.payment_order_paid x where x.project_id = p.project_id), 0) as paid_out,
       coalesce((select sum(refunded) from escrow.project_closed x where x.project_id = p.project_id), 0) as refunded,
       coalesce((select sum(amount) from escrow.guarantee_returned x where x.project_id = p.project_id), 0) as guarantee_returned,
       exists (select 1 from escrow.project_closed x where x.project_id = p.project_id) as closed,
       coalesce((
         select e.frozen from (
           select block_number, log_index, true as frozen from escrow.project_frozen where project_id = p.project_id
           union all
           select block_number, log_index, false from escrow.project_unfrozen where project_id = p.project_id
         ) e order by e.block_number desc, e.log_index desc limit 1
       ), false) as frozen
from escrow.project_created p;

-- Reports --------------------------------------------------------------------------------------

create view report.project_balances as
select project_id, opened_by, contractor, closed, frozen,
       funded + guarantee_deposited as money_in,
       wages_paid_from_wage_account + wages_paid_from_guarantee + paid_out + refunded + guarantee_returned as money_out,
       funded + guarantee_deposited
         - (wages_paid_from_wage_account + wages_paid_from_guarantee + paid_out + refunded + guarantee_returned) as balance,
       released_to_wages - wages_paid_from_wage_account as wage_account_balance,
       guarantee_deposited - wages_paid_from_guarantee - guarantee_returned as guarantee_balance
from escrow.project_ledgers;

create view report.wages_paid as
select s.project_id, s.payroll_id, s.period, s.contractor, s.total,
       p.department_id as paid_by, p.from_wage_account, p.from_guarantee, p.block_time as paid_at,
       jsonb_array_length(s.workers) as workers
from escrow.payroll_paid p
join escrow.payroll_submitted s on s.project_id = p.project_id and s.payroll_id = p.payroll_id;
