-- Governance mirror: the AccessManager (schema access) and the registry, governor and validator
-- set (schema gov), one typed table per event (columns from the ABI, see
-- indexer/src/handlers/rows.ts), then views of the current state and of history.

create schema if not exists access;
create schema if not exists gov;

create table access.operation_canceled (
  operation_id bytea,
  nonce bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.operation_executed (
  operation_id bytea,
  nonce bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.operation_scheduled (
  operation_id bytea,
  nonce bigint,
  schedule bigint,
  caller bytea,
  target bytea,
  data bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.role_admin_changed (
  role_id numeric(78,0),
  admin numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.role_grant_delay_changed (
  role_id numeric(78,0),
  delay bigint,
  since bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.role_granted (
  role_id numeric(78,0),
  account bytea,
  delay bigint,
  since bigint,
  new_member boolean,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.role_guardian_changed (
  role_id numeric(78,0),
  guardian numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.role_label (
  role_id numeric(78,0),
  label text,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.role_revoked (
  role_id numeric(78,0),
  account bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.target_admin_delay_updated (
  target bytea,
  delay bigint,
  since bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.target_closed (
  target bytea,
  closed boolean,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table access.target_function_role_updated (
  target bytea,
  selector bytea,
  role_id numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.authority_updated (
  authority bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.department_admitted (
  department_id bytea,
  name text,
  kind bigint,
  operators jsonb,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.department_reinstated (
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.department_role_granted (
  department_id bytea,
  role_id numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.department_role_revoked (
  department_id bytea,
  role_id numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.department_suspended (
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.operator_added (
  department_id bytea,
  account bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.operator_removed (
  department_id bytea,
  account bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.participant_registered (
  participant_id bytea,
  account bytea,
  department_id bytea,
  kind bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.participant_reinstated (
  participant_id bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.participant_role_granted (
  participant_id bytea,
  role_id numeric(78,0),
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.participant_role_revoked (
  participant_id bytea,
  role_id numeric(78,0),
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.participant_suspended (
  participant_id bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.proposal_cancelled (
  proposal_id numeric(78,0),
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.proposal_created (
  proposal_id numeric(78,0),
  department_id bytea,
  proposer bytea,
  calls jsonb,
  description text,
  vote_end numeric(78,0),
  required bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.proposal_executed (
  proposal_id numeric(78,0),
  department_id bytea,
  executor bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.proposal_succeeded (
  proposal_id numeric(78,0),
  ready_at numeric(78,0),
  expires_at numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.role_administrator_set (
  role_id numeric(78,0),
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.validator_added (
  validator bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.validator_removed (
  validator bytea,
  department_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.vote_cast (
  proposal_id numeric(78,0),
  department_id bytea,
  voter bytea,
  support boolean,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create table gov.voting_rules_changed (
  rules jsonb,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);

-- Current state ------------------------------------------------------------------------------

create view gov.departments as
select a.department_id,
       a.name,
       a.kind,
       coalesce(s.active, true) as active,
       a.block_number as admitted_block,
       a.block_time as admitted_at
from gov.department_admitted a
left join lateral (
  select e.active
  from (
    select block_number, log_index, false as active from gov.department_suspended where department_id = a.department_id
    union all
    select block_number, log_index, true from gov.department_reinstated where department_id = a.department_id
  ) e
  order by e.block_number desc, e.log_index desc
  limit 1
) s on true;

-- Which account acted for which department, over which blocks (to_block null: still does).
create view gov.operator_history as
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
select department_id, account, block_number as from_block, next_block as to_block
from ordered
where added;

create view gov.operators as
select department_id, account from gov.operator_history where to_block is null;

create view gov.participants as
select r.participant_id,
       r.account,
       r.department_id as registrar,
       r.kind,
       coalesce(s.active, true) as active,
       r.block_number as registered_block,
       r.block_time as registered_at
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
) s on true;

create view gov.validators as
select a.validator, a.department_id, a.block_number as added_block
from gov.validator_added a
where not exists (
  select 1 from gov.validator_removed r
  where r.validator = a.validator and (r.block_number, r.log_index) > (a.block_number, a.log_index)
);

create view gov.proposals as
select p.proposal_id,
       p.department_id as proposer,
       p.proposer as proposer_account,
       p.description,
       p.calls,
       p.required,
       (select count(*) from gov.vote_cast v where v.proposal_id = p.proposal_id and v.support) as yes,
       (select count(*) from gov.vote_cast v where v.proposal_id = p.proposal_id and not v.support) as no,
       case
         when exists (select 1 from gov.proposal_executed x where x.proposal_id = p.proposal_id) then 'Executed'
         when exists (select 1 from gov.proposal_cancelled x where x.proposal_id = p.proposal_id) then 'Cancelled'
         when exists (select 1 from gov.proposal_succeeded x where x.proposal_id = p.proposal_id
                       and to_timestamp(x.expires_at) <= indexer.chain_time()) then 'Expired'
         when exists (select 1 from gov.proposal_succeeded x where x.proposal_id = p.proposal_id) then 'Succeeded'
         when to_timestamp(p.vote_end) <= indexer.chain_time() then 'Defeated'
         else 'Active'
       end as status,
       to_timestamp(p.vote_end) as vote_end,
       p.block_number as proposed_block,
       p.block_time as proposed_at
from gov.proposal_created p;

-- A department's current roles, and a participant's (from the registry's own events).
create view gov.department_roles as
select g.department_id, g.role_id
from gov.department_role_granted g
where not exists (
  select 1 from gov.department_role_revoked r
  where r.department_id = g.department_id and r.role_id = g.role_id
    and (r.block_number, r.log_index) > (g.block_number, g.log_index)
);

create view gov.participant_roles as
select g.participant_id, g.role_id, g.department_id as granted_by
from gov.participant_role_granted g
where not exists (
  select 1 from gov.participant_role_revoked r
  where r.participant_id = g.participant_id and r.role_id = g.role_id
    and (r.block_number, r.log_index) > (g.block_number, g.log_index)
);

-- Reports ------------------------------------------------------------------------------------

-- Failed attempts with the sender's department (or participant) as of the block.
create view report.failed_attempts as
select f.block_number,
       f.block_time,
       f.tx_hash,
       f.sender,
       coalesce(
         (select h.department_id from gov.operator_history h
          where h.account = f.sender and h.from_block <= f.block_number
            and (h.to_block is null or h.to_block > f.block_number)
          order by h.from_block desc limit 1),
         null
       ) as department_id,
       (select p.participant_id from gov.participant_registered p
        where p.account = f.sender and p.block_number <= f.block_number limit 1) as participant_id,
       f.contract_name,
       f.function_name,
       f.error_name,
       f.error_args
from raw.failed_transactions f;
