-- E-invoices mirror (schema invoices) and the tables every pausable domain contract shares
-- (gov.paused, gov.unpaused). One typed table per event; views of current state; reports.

create schema if not exists invoices;

create table invoices.credit_note_confirmed (
  credit_note_id bytea,
  invoice_id bytea,
  receiver_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.credit_note_issued (
  credit_note_id bytea,
  invoice_id bytea,
  issuer_id bytea,
  code bytea,
  number numeric(78,0),
  amount numeric(78,0),
  tax numeric(78,0),
  document_hash bytea,
  state bigint,
  lapses_at numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_batch_issued (
  batch_root bytea,
  issuer_id bytea,
  code bytea,
  count numeric(78,0),
  total_amount numeric(78,0),
  period bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_claimed (
  invoice_id bytea,
  issuer_id bytea,
  claimant bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_credited (
  invoice_id bytea,
  credit_note_id bytea,
  amount numeric(78,0),
  credited numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_frozen (
  invoice_id bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_issued (
  invoice_id bytea,
  issuer_id bytea,
  batch_root bytea,
  code bytea,
  number numeric(78,0),
  buyer bytea,
  amount numeric(78,0),
  tax numeric(78,0),
  document_hash bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_locked (
  invoice_id bytea,
  receiver_id bytea,
  reimbursable numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_reimbursed (
  invoice_id bytea,
  receiver_id bytea,
  amount numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_unfrozen (
  invoice_id bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_unlocked (
  invoice_id bytea,
  receiver_id bytea,
  reason bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.invoice_voided (
  invoice_id bytea,
  issuer_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.issuer_frozen (
  issuer_id bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.issuer_rules_set (
  issuer_id bytea,
  department_id bytea,
  enabled boolean,
  max_amount numeric(78,0),
  period_amount_quota numeric(78,0),
  period_count_quota bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table invoices.issuer_unfrozen (
  issuer_id bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.paused (
  account bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.unpaused (
  account bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);

-- Lookups by invoice: the issuance table is the big one; the transition tables are sparse.
create index invoice_issued_invoice on invoices.invoice_issued (invoice_id);
create index invoice_claimed_invoice on invoices.invoice_claimed (invoice_id);
create index invoice_locked_invoice on invoices.invoice_locked (invoice_id);
create index invoice_unlocked_invoice on invoices.invoice_unlocked (invoice_id);
create index invoice_reimbursed_invoice on invoices.invoice_reimbursed (invoice_id);
create index invoice_voided_invoice on invoices.invoice_voided (invoice_id);
create index invoice_credited_invoice on invoices.invoice_credited (invoice_id);
create index invoice_frozen_invoice on invoices.invoice_frozen (invoice_id);
create index invoice_unfrozen_invoice on invoices.invoice_unfrozen (invoice_id);

-- Every transition of every invoice, in chain order: the state history.
create view invoices.state_history as
select invoice_id, 'Issued' as state, null::bytea as actor, block_number, log_index, block_time, tx_hash from invoices.invoice_issued
union all select invoice_id, 'Claimed', claimant, block_number, log_index, block_time, tx_hash from invoices.invoice_claimed
union all select invoice_id, 'Locked', receiver_id, block_number, log_index, block_time, tx_hash from invoices.invoice_locked
union all select invoice_id, 'Claimed', receiver_id, block_number, log_index, block_time, tx_hash from invoices.invoice_unlocked
union all select invoice_id, 'Reimbursed', receiver_id, block_number, log_index, block_time, tx_hash from invoices.invoice_reimbursed
union all select invoice_id, 'Voided', issuer_id, block_number, log_index, block_time, tx_hash from invoices.invoice_voided;

-- Each invoice as it stands now.
create view invoices.invoices as
select i.invoice_id,
       i.issuer_id,
       i.code,
       i.number,
       i.buyer,
       i.amount,
       i.tax,
       i.document_hash,
       i.batch_root,
       i.block_time as issued_at,
       coalesce(s.state, 'Issued') as state,
       coalesce((select max(c.credited) from invoices.invoice_credited c where c.invoice_id = i.invoice_id), 0) as credited,
       coalesce((select sum(r.amount) from invoices.invoice_reimbursed r where r.invoice_id = i.invoice_id), 0) as reimbursed,
       coalesce(f.frozen, false) as frozen
from invoices.invoice_issued i
left join lateral (
  select h.state from invoices.state_history h
  where h.invoice_id = i.invoice_id and h.state <> 'Issued'
  order by h.block_number desc, h.log_index desc limit 1
) s on true
left join lateral (
  select e.frozen from (
    select block_number, log_index, true as frozen from invoices.invoice_frozen where invoice_id = i.invoice_id
    union all
    select block_number, log_index, false from invoices.invoice_unfrozen where invoice_id = i.invoice_id
  ) e order by e.block_number desc, e.log_index desc limit 1
) f on true;

-- Issuing rules in force per issuer.
create view invoices.issuer_rules as
select distinct on (issuer_id) issuer_id, department_id, enabled, max_amount, period_amount_quota, period_count_quota,
       block_number as set_block, block_time as set_at
from invoices.issuer_rules_set
order by issuer_id, block_number desc, log_index desc;

-- Reports --------------------------------------------------------------------------------------

create view report.invoice_totals_per_issuer_day as
select i.issuer_id,
       (date_trunc('day', i.block_time at time zone 'UTC'))::date as day,
       count(*) as invoices,
       sum(i.amount) as amount,
       sum(i.tax) as tax
from invoices.invoice_issued i
group by 1, 2;

create view report.invoice_reimbursements_per_receiver_day as
select r.receiver_id,
       (date_trunc('day', r.block_time at time zone 'UTC'))::date as day,
       count(*) as invoices,
       sum(r.amount) as amount
from invoices.invoice_reimbursed r
group by 1, 2;
