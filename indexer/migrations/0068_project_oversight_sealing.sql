-- A project names the project regulator and the human-resources department that alone may
-- freeze, unfreeze and close it and draw on its guarantee (ProjectTerms.regulator and
-- .humanResources, issue 15's leftover from the issue 12 review). escrow.project keeps the terms
-- whole, so the two ids are generated from them: the write path (0030/0031 functions) needs no
-- change. Null for a project created before the contract named them (none on a chain deployed
-- with this contract).

alter table escrow.project
  add column regulator_id bytea generated always as (decode(substr(terms ->> 'regulator', 3), 'hex')) stored,
  add column human_resources_id bytea generated always as (decode(substr(terms ->> 'humanResources', 3), 'hex')) stored;

-- Same columns as 0030's, the two new ones (with their readable codes) at the end. OR REPLACE
-- resets a view's options: security_invoker is stated again (0043).
create or replace view escrow.projects with (security_invoker = true) as
select p.project_id,
       p.state,
       p.frozen,
       p.bureau_id,
       indexer.code_text(p.bureau_id) as bureau_code,
       p.developer_id,
       p.contractor_id,
       p.supervisor_id,
       p.bank_id,
       indexer.code_text(p.bank_id) as bank_code,
       p.token,
       t.decimals as token_decimals,
       p.budget,
       indexer.scaled(p.budget, t.decimals) as budget_scaled,
       p.labour_share_bps,
       p.guarantee_amount,
       indexer.scaled(p.guarantee_amount, t.decimals) as guarantee_amount_scaled,
       p.guarantee_holding_period,
       p.contract_hash,
       p.milestone_count,
       p.payment_order_count,
       p.payroll_count,
       p.pending,
       p.funded,
       indexer.scaled(p.funded, t.decimals) as funded_scaled,
       p.unreleased,
       indexer.scaled(p.unreleased, t.decimals) as unreleased_scaled,
       p.released,
       indexer.scaled(p.released, t.decimals) as released_scaled,
       p.payable_balance,
       indexer.scaled(p.payable_balance, t.decimals) as payable_balance_scaled,
       p.paid_out,
       indexer.scaled(p.paid_out, t.decimals) as paid_out_scaled,
       p.refunded,
       indexer.scaled(p.refunded, t.decimals) as refunded_scaled,
       p.wage_credited,
       indexer.scaled(p.wage_credited, t.decimals) as wage_credited_scaled,
       p.wage_balance,
       indexer.scaled(p.wage_balance, t.decimals) as wage_balance_scaled,
       p.wages_paid,
       indexer.scaled(p.wages_paid, t.decimals) as wages_paid_scaled,
       p.wages_owed,
       indexer.scaled(p.wages_owed, t.decimals) as wages_owed_scaled,
       p.guarantee_deposited,
       indexer.scaled(p.guarantee_deposited, t.decimals) as guarantee_deposited_scaled,
       p.guarantee_balance,
       indexer.scaled(p.guarantee_balance, t.decimals) as guarantee_balance_scaled,
       p.guarantee_paid_out,
       indexer.scaled(p.guarantee_paid_out, t.decimals) as guarantee_paid_out_scaled,
       p.guarantee_returned,
       indexer.scaled(p.guarantee_returned, t.decimals) as guarantee_returned_scaled,
       p.created_at,
       p.created_block,
       p.closed_at,
       p.guarantee_release_at,
       p.settled_at,
       p.updated_block,
       p.regulator_id,
       indexer.code_text(p.regulator_id) as regulator_code,
       p.human_resources_id,
       indexer.code_text(p.human_resources_id) as human_resources_code
from escrow.project p
left join escrow.token t on t.token = p.token;

-- Row-level security. The project regulator a project names is one of its parts: it may freeze and close the
-- project, so its department sees the project as the bureau, the bank and the supervisor's
-- registrar do (issue 11: "the projects where it has that part"). The human-resources department
-- a project names keeps what every department holding HUMAN_RESOURCES sees (the wages of every
-- project, 0043/0047) and no more: issue 11 keeps the rest of a project from human resources.
--
-- Replaces 0051's web.department_projects() (event tables, 0040), 0055's project_party policy on
-- escrow.project, 0055's web.sees_projects() and web.wages_owed() and 0066's web.wage_days, each with the regulator
-- added and nothing else changed.

create or replace function web.department_projects() returns numeric[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with d as (select web.current_department() as id)
  select coalesce(array_agg(p.project_id), '{}') from escrow.project_created p
  where p.department_id = (select id from d)
     or p.terms ->> 'bank' = '0x' || encode((select id from d), 'hex')
     or p.terms ->> 'regulator' = '0x' || encode((select id from d), 'hex')
     or exists (
       select 1 from gov.participant_registered r
       where r.department_id = (select id from d)
         and p.terms ->> 'supervisor' = '0x' || encode(r.participant_id, 'hex'))
$$;

-- escrow.project's policy in 0055's form (the supervisor's registrar by the hashed set), with the
-- regulator. The project's other state tables need no change: since 0055 their policies show the
-- projects escrow.project's policy shows; the event tables follow web.department_projects().
drop policy project_party on escrow.project;
create policy project_party on escrow.project for select
  using ((select web.is_regulator()) or bureau_id = (select web.current_department())
         or bank_id = (select web.current_department())
         or regulator_id = (select web.current_department())
         or supervisor_id in (select r.participant_id from gov.participant_registered r
                              where r.department_id = (select web.current_department())));

-- 0055's gate, with the regulator: false only where escrow.project's policy above shows no row.
create or replace function web.sees_projects(wages boolean) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with me as (select web.current_department() as id)
  select web.is_regulator() or (wages and web.current_department_has_role(60)) or exists (
    select 1 from escrow.project p
    where p.bureau_id = (select id from me) or p.bank_id = (select id from me) or p.regulator_id = (select id from me)
       or p.supervisor_id in (select r.participant_id from gov.participant_registered r where r.department_id = (select id from me)))
$$;

create or replace function web.wages_owed() returns table (
  project_id numeric, state text, contractor bytea, bank_id bytea, wages_owed numeric, token_decimals smallint,
  wage_account_balance numeric, guarantee_balance numeric)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select p.project_id, p.state, p.contractor_id, p.bank_id, p.wages_owed, t.decimals, p.wage_balance, p.guarantee_balance
  from escrow.project p
  left join escrow.token t on t.token = p.token
  -- offset 0: kept a subquery, evaluated once (0055)
  cross join (select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60) as everything,
                     web.current_department() as department offset 0) me
  where p.wages_owed > 0
    and (me.everything or p.bureau_id = me.department or p.bank_id = me.department or p.regulator_id = me.department
         or p.supervisor_id in (select r.participant_id from gov.participant_registered r where r.department_id = (select web.current_department())))
$$;

-- 0066 (merged from another branch) serves report.wages_per_project_day from the view
-- web.wage_days instead of 0047's function: the same rule there, with the regulator, and the
-- supervisor's registrar by the hashed set as 0055 does it. OR REPLACE resets a view's options:
-- security_barrier is stated again.
create or replace view web.wage_days with (security_barrier = true) as
select d.project_id, d.day, d.payrolls_paid, d.wages_paid_from_wage_account, d.wages_paid_from_guarantee,
       t.decimals as token_decimals, d.payrolls_approved, d.approved, d.payrolls_cancelled, d.cancelled, d.wages_owed
from escrow.project_day d
join escrow.project p using (project_id)
left join escrow.token t on t.token = p.token
where (select web.caller_bypasses_rls() or web.is_regulator() or web.current_department_has_role(60))
   or p.bureau_id = (select web.current_department())
   or p.bank_id = (select web.current_department())
   or p.regulator_id = (select web.current_department())
   or p.supervisor_id in (select r.participant_id from gov.participant_registered r
                          where r.department_id = (select web.current_department()))
order by d.project_id, d.day;

grant select on web.wage_days to govledger_reader;

-- Sealing changes (issue 15's leftover): the validator set emits ValidatorSealingChanged for
-- every node whose sealing an admission, suspension or reinstatement changed, and the registry
-- ValidatorSetLinked when it starts reporting to a set. Every department reads governance (0040).
create table gov.validator_sealing_changed (
  validator bytea,
  department_id bytea,
  changed_department bytea,
  sealing boolean,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create index validator_sealing_changed_validator on gov.validator_sealing_changed (validator, block_number);
create table gov.validator_set_linked (
  validator_set bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
do $$
declare t text;
begin
  foreach t in array array['validator_sealing_changed', 'validator_set_linked'] loop
    execute format('alter table gov.%I enable row level security', t);
    execute format('create policy everyone on gov.%I for select using (true)', t);
    execute format('grant select on gov.%I to govledger_reader', t);
  end loop;
end
$$;

-- A validator's state shows whether it seals (the rule of getValidators and of
-- gov.sealing_validators: its department active, or no node's department active) and its last
-- recorded sealing change since it joined, with the department whose change caused it. Same
-- columns as 0013's, these at the end.
create or replace view gov.validators with (security_invoker = true) as
select v.validator, v.department_id, v.added_block, indexer.code_text(v.department_id) as department_code, v.added_at,
       coalesce(d.active, false)
         or not exists (select 1 from gov.validator w join gov.departments e on e.department_id = w.department_id
                        where e.active) as sealing,
       c.block_number as sealing_changed_block,
       c.block_time as sealing_changed_at,
       c.changed_department as sealing_changed_by,
       indexer.code_text(c.changed_department) as sealing_changed_by_code
from gov.validator v
left join gov.departments d on d.department_id = v.department_id
left join lateral (
  select s.block_number, s.block_time, s.changed_department from gov.validator_sealing_changed s
  where s.validator = v.validator and s.block_number >= v.added_block
  order by s.block_number desc, s.log_index desc limit 1
) c on true;
