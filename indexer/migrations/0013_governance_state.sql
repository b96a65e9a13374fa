-- Governance read model: departments, operators, participants and the roles they hold now,
-- validators, proposals with their votes, AccessManager role members and function roles, and
-- paused contracts, kept by the indexer (framework: 0010_read_model.sql). Replaces the views of
-- 0002 of the same names with views over the state tables (same first columns). Volumes are
-- small (tens of departments, thousands of participants): every marked key is recomputed by
-- index lookups.

-- Names the SQL shows for enum values and role ids (the indexer also writes them at start, from
-- the compiled contracts: these rows are today's).
create table indexer.names (
  kind text not null,
  value numeric not null,
  name text not null,
  primary key (kind, value)
);
insert into indexer.names (kind, value, name)
select 'DepartmentKind', ordinality - 1, name
from unnest(array['Other', 'TaxAuthority', 'MarketRegulator', 'ConstructionBureau', 'FireBrigade', 'HumanResources',
  'Bank', 'Auditor', 'Environment', 'HealthAuthority']) with ordinality as n(name)
union all
select 'ParticipantKind', ordinality - 1, name
from unnest(array['Enterprise', 'Organisation', 'Individual']) with ordinality as n(name)
union all
select 'Role', value, name
from (values (0, 'ADMIN'), (1, 'GUARDIAN'), (10, 'TAX_AUTHORITY'), (20, 'LICENCE_AUTHORITY'), (21, 'LICENCE_USER'),
  (22, 'LICENCE_WORKFLOW'), (30, 'MARKET_REGULATOR'), (40, 'CONSTRUCTION_BUREAU'), (41, 'PROJECT_REGULATOR'), (50, 'BANK'),
  (60, 'HUMAN_RESOURCES'), (70, 'AUDITOR'), (100, 'INVOICE_ISSUER'), (101, 'INVOICE_RECEIVER'), (110, 'DEVELOPER'),
  (111, 'CONTRACTOR'), (112, 'SUPERVISOR'), (113, 'SUBCONTRACTOR'), (18446744073709551615, 'PUBLIC')) r(value, name);

create function indexer.name_of(kind text, value numeric) returns text
language sql stable parallel safe
return (select n.name from indexer.names n where n.kind = name_of.kind and n.value = name_of.value);

-- Lookups by key on the event tables.
create index department_admitted_department on gov.department_admitted (department_id);
create index department_suspended_department on gov.department_suspended (department_id);
create index department_reinstated_department on gov.department_reinstated (department_id);
create index operator_added_department on gov.operator_added (department_id);
create index operator_removed_department on gov.operator_removed (department_id);
create index department_role_granted_department on gov.department_role_granted (department_id);
create index department_role_revoked_department on gov.department_role_revoked (department_id);
create index participant_registered_participant on gov.participant_registered (participant_id);
create index participant_suspended_participant on gov.participant_suspended (participant_id);
create index participant_reinstated_participant on gov.participant_reinstated (participant_id);
create index participant_role_granted_participant on gov.participant_role_granted (participant_id);
create index participant_role_revoked_participant on gov.participant_role_revoked (participant_id);
create index participant_account_released_participant on gov.participant_account_released (participant_id);
create index validator_added_validator on gov.validator_added (validator);
create index validator_removed_validator on gov.validator_removed (validator);
create index proposal_created_proposal on gov.proposal_created (proposal_id);
create index vote_cast_proposal on gov.vote_cast (proposal_id);
create index proposal_succeeded_proposal on gov.proposal_succeeded (proposal_id);
create index proposal_executed_proposal on gov.proposal_executed (proposal_id);
create index proposal_cancelled_proposal on gov.proposal_cancelled (proposal_id);
create index role_granted_member on access.role_granted (role_id, account);
create index role_revoked_member on access.role_revoked (role_id, account);
create index target_function_role_target on access.target_function_role_updated (target, selector);
create index paused_contract on gov.paused (contract);
create index unpaused_contract on gov.unpaused (contract);

-- State tables --------------------------------------------------------------------------------

create table gov.department (
  department_id bytea primary key,
  name text not null,
  kind integer not null,
  active boolean not null,
  operators bytea[] not null,
  roles bigint[] not null,
  admitted_at timestamptz not null,
  admitted_block bigint not null,
  updated_block bigint not null
);

create table gov.participant (
  participant_id bytea primary key,
  account bytea not null,
  registrar_id bytea not null,
  kind integer not null,
  active boolean not null,
  roles bigint[] not null,
  registered_at timestamptz not null,
  registered_block bigint not null,
  -- a vote made its account an operator's: inactive for good, without an account
  released_block bigint,
  updated_block bigint not null
);
create index participant_account on gov.participant (account);
create index participant_registrar on gov.participant (registrar_id);

-- The roles in a participant's list, with the department that last granted each (held by its
-- account only while the participant is active).
create table gov.participant_role (
  participant_id bytea not null,
  role_id bigint not null,
  granted_by bytea not null,
  granted_at timestamptz not null,
  primary key (participant_id, role_id)
);

create table gov.validator (
  validator bytea primary key,
  department_id bytea not null,
  added_at timestamptz not null,
  added_block bigint not null
);

create table gov.proposal (
  proposal_id numeric(78, 0) primary key,
  proposer_id bytea not null,
  proposer_account bytea not null,
  description text not null,
  calls jsonb not null,
  eligible integer not null,
  required integer not null,
  yes integer not null,
  no integer not null,
  vote_end timestamptz not null,
  ready_at timestamptz,
  expires_at timestamptz,
  executed_at timestamptz,
  cancelled_at timestamptz,
  proposed_at timestamptz not null,
  proposed_block bigint not null,
  updated_block bigint not null
);

create table gov.proposal_vote (
  proposal_id numeric(78, 0) not null,
  department_id bytea not null,
  voter bytea not null,
  support boolean not null,
  voted_at timestamptz not null,
  primary key (proposal_id, department_id)
);

create table access.role_member (
  role_id numeric(78, 0) not null,
  account bytea not null,
  execution_delay bigint not null,
  since timestamptz not null,
  primary key (role_id, account)
);
create index role_member_account on access.role_member (account);

create table access.function_role (
  target bytea not null,
  selector bytea not null,
  role_id numeric(78, 0) not null,
  set_at timestamptz not null,
  primary key (target, selector)
);

create table gov.pause_state (
  contract bytea primary key,
  paused boolean not null,
  by_account bytea,
  changed_at timestamptz not null
);

create unlogged table gov.dirty_department (department_id bytea not null);
create unlogged table gov.dirty_participant (participant_id bytea not null);
create unlogged table gov.dirty_validator (validator bytea not null);
create unlogged table gov.dirty_proposal (proposal_id numeric not null);
create unlogged table access.dirty_role_member (role_id numeric not null, account bytea not null);
create unlogged table access.dirty_function_role (target bytea not null, selector bytea not null);
create unlogged table gov.dirty_pause (contract bytea not null);

create function gov.mark(from_block bigint, to_block bigint) returns void
language sql as $$
  insert into gov.dirty_department
  select department_id from gov.department_admitted where block_number between from_block and to_block
  union select department_id from gov.department_suspended where block_number between from_block and to_block
  union select department_id from gov.department_reinstated where block_number between from_block and to_block
  union select department_id from gov.operator_added where block_number between from_block and to_block
  union select department_id from gov.operator_removed where block_number between from_block and to_block
  union select department_id from gov.department_role_granted where block_number between from_block and to_block
  union select department_id from gov.department_role_revoked where block_number between from_block and to_block;

  insert into gov.dirty_participant
  select participant_id from gov.participant_registered where block_number between from_block and to_block
  union select participant_id from gov.participant_suspended where block_number between from_block and to_block
  union select participant_id from gov.participant_reinstated where block_number between from_block and to_block
  union select participant_id from gov.participant_role_granted where block_number between from_block and to_block
  union select participant_id from gov.participant_role_revoked where block_number between from_block and to_block
  union select participant_id from gov.participant_account_released where block_number between from_block and to_block;

  insert into gov.dirty_validator
  select validator from gov.validator_added where block_number between from_block and to_block
  union select validator from gov.validator_removed where block_number between from_block and to_block;

  insert into gov.dirty_proposal
  select proposal_id from gov.proposal_created where block_number between from_block and to_block
  union select proposal_id from gov.vote_cast where block_number between from_block and to_block
  union select proposal_id from gov.proposal_succeeded where block_number between from_block and to_block
  union select proposal_id from gov.proposal_executed where block_number between from_block and to_block
  union select proposal_id from gov.proposal_cancelled where block_number between from_block and to_block;

  insert into access.dirty_role_member
  select role_id, account from access.role_granted where block_number between from_block and to_block
  union select role_id, account from access.role_revoked where block_number between from_block and to_block;

  insert into access.dirty_function_role
  select distinct target, selector from access.target_function_role_updated where block_number between from_block and to_block;

  insert into gov.dirty_pause
  select contract from gov.paused where block_number between from_block and to_block
  union select contract from gov.unpaused where block_number between from_block and to_block;
$$;

create function gov.refresh(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  -- Departments: admitted, then suspended/reinstated; operators and roles by their last change.
  delete from gov.department d using gov.dirty_department k where d.department_id = k.department_id;
  insert into gov.department
  select a.department_id, a.name, a.kind,
         coalesce(s.active, true),
         coalesce(o.operators, '{}'),
         coalesce(r.roles, '{}'),
         a.block_time, a.block_number,
         greatest(a.block_number, s.block_number, o.block_number, r.block_number)
  from (select distinct department_id from gov.dirty_department) k
  join lateral (
    select * from gov.department_admitted e where e.department_id = k.department_id
    order by e.block_number, e.log_index limit 1
  ) a on true
  left join lateral (
    select x.active, x.block_number from (
      select false as active, block_number, log_index from gov.department_suspended where department_id = k.department_id
      union all
      select true, block_number, log_index from gov.department_reinstated where department_id = k.department_id
    ) x order by x.block_number desc, x.log_index desc limit 1
  ) s on true
  left join lateral (
    select array_agg(c.account order by c.account) filter (where c.added) as operators, max(c.block_number) as block_number
    from (
      select distinct on (h.account) h.account, h.added, h.block_number from (
        select decode(substr(op, 3), 'hex') as account, true as added, e.block_number, e.log_index
        from gov.department_admitted e, jsonb_array_elements_text(e.operators) op where e.department_id = k.department_id
        union all
        select account, true, block_number, log_index from gov.operator_added where department_id = k.department_id
        union all
        select account, false, block_number, log_index from gov.operator_removed where department_id = k.department_id
      ) h order by h.account, h.block_number desc, h.log_index desc
    ) c
  ) o on true
  left join lateral (
    select array_agg(c.role_id order by c.role_id) filter (where c.granted) as roles, max(c.block_number) as block_number
    from (
      select distinct on (h.role_id) h.role_id, h.granted, h.block_number from (
        select role_id::bigint, true as granted, block_number, log_index from gov.department_role_granted where department_id = k.department_id
        union all
        select role_id::bigint, false, block_number, log_index from gov.department_role_revoked where department_id = k.department_id
      ) h order by h.role_id, h.block_number desc, h.log_index desc
    ) c
  ) r on true;
  delete from gov.dirty_department;

  -- Participants and the roles in their lists.
  delete from gov.participant p using gov.dirty_participant k where p.participant_id = k.participant_id;
  delete from gov.participant_role p using gov.dirty_participant k where p.participant_id = k.participant_id;
  insert into gov.participant_role
  select l.participant_id, l.role_id, l.department_id, l.block_time
  from (
    select distinct on (h.participant_id, h.role_id) h.*
    from (select distinct participant_id from gov.dirty_participant) k
    join lateral (
      select participant_id, role_id::bigint, department_id, true as granted, block_number, log_index, block_time
      from gov.participant_role_granted where participant_id = k.participant_id
      union all
      select participant_id, role_id::bigint, department_id, false, block_number, log_index, block_time
      from gov.participant_role_revoked where participant_id = k.participant_id
    ) h on true
    order by h.participant_id, h.role_id, h.block_number desc, h.log_index desc
  ) l
  where l.granted;
  insert into gov.participant
  select r.participant_id, r.account, r.department_id, r.kind,
         coalesce(s.active, true) and x.block_number is null,
         coalesce((select array_agg(pr.role_id order by pr.role_id) from gov.participant_role pr
                   where pr.participant_id = r.participant_id), '{}'),
         r.block_time, r.block_number,
         x.block_number,
         greatest(r.block_number, s.block_number, x.block_number)
  from (select distinct participant_id from gov.dirty_participant) k
  join lateral (
    select * from gov.participant_registered e where e.participant_id = k.participant_id
    order by e.block_number, e.log_index limit 1
  ) r on true
  left join lateral (
    select x.active, x.block_number from (
      select false as active, block_number, log_index from gov.participant_suspended where participant_id = k.participant_id
      union all
      select true, block_number, log_index from gov.participant_reinstated where participant_id = k.participant_id
    ) x order by x.block_number desc, x.log_index desc limit 1
  ) s on true
  left join lateral (
    select e.block_number from gov.participant_account_released e where e.participant_id = k.participant_id
    order by e.block_number limit 1
  ) x on true;
  delete from gov.participant_role pr where not exists (
    select 1 from gov.participant p where p.participant_id = pr.participant_id)
    and pr.participant_id in (select participant_id from gov.dirty_participant);
  delete from gov.dirty_participant;

  -- Validators: in the set if their last event added them.
  delete from gov.validator v using gov.dirty_validator k where v.validator = k.validator;
  insert into gov.validator
  select x.validator, x.department_id, x.block_time, x.block_number
  from (select distinct validator from gov.dirty_validator) k
  join lateral (
    select h.* from (
      select validator, department_id, true as added, block_number, log_index, block_time
      from gov.validator_added where validator = k.validator
      union all
      select validator, department_id, false, block_number, log_index, block_time
      from gov.validator_removed where validator = k.validator
    ) h order by h.block_number desc, h.log_index desc limit 1
  ) x on true
  where x.added;
  delete from gov.dirty_validator;

  -- Proposals and votes. `eligible`: the departments active when it was made (block order).
  delete from gov.proposal p using gov.dirty_proposal k where p.proposal_id = k.proposal_id;
  delete from gov.proposal_vote p using gov.dirty_proposal k where p.proposal_id = k.proposal_id;
  insert into gov.proposal_vote
  select v.proposal_id, v.department_id, v.voter, v.support, v.block_time
  from (select distinct proposal_id from gov.dirty_proposal) k
  join gov.vote_cast v on v.proposal_id = k.proposal_id;
  insert into gov.proposal
  select c.proposal_id, c.department_id, c.proposer, c.description, c.calls,
         (select count(*) from gov.department_admitted a
          where (a.block_number, a.log_index) < (c.block_number, c.log_index)
            and coalesce((
              select x.active from (
                select false as active, block_number, log_index from gov.department_suspended s where s.department_id = a.department_id
                union all
                select true, block_number, log_index from gov.department_reinstated s where s.department_id = a.department_id
              ) x where (x.block_number, x.log_index) < (c.block_number, c.log_index)
              order by x.block_number desc, x.log_index desc limit 1), true))::integer,
         c.required,
         (select count(*) from gov.proposal_vote v where v.proposal_id = c.proposal_id and v.support)::integer,
         (select count(*) from gov.proposal_vote v where v.proposal_id = c.proposal_id and not v.support)::integer,
         to_timestamp(c.vote_end::double precision),
         (select to_timestamp(s.ready_at::double precision) from gov.proposal_succeeded s where s.proposal_id = c.proposal_id limit 1),
         (select to_timestamp(s.expires_at::double precision) from gov.proposal_succeeded s where s.proposal_id = c.proposal_id limit 1),
         (select e.block_time from gov.proposal_executed e where e.proposal_id = c.proposal_id limit 1),
         (select e.block_time from gov.proposal_cancelled e where e.proposal_id = c.proposal_id limit 1),
         c.block_time, c.block_number,
         greatest(c.block_number,
           (select max(v.block_number) from gov.vote_cast v where v.proposal_id = c.proposal_id),
           (select max(e.block_number) from gov.proposal_succeeded e where e.proposal_id = c.proposal_id),
           (select max(e.block_number) from gov.proposal_executed e where e.proposal_id = c.proposal_id),
           (select max(e.block_number) from gov.proposal_cancelled e where e.proposal_id = c.proposal_id))
  from (select distinct proposal_id from gov.dirty_proposal) k
  join gov.proposal_created c on c.proposal_id = k.proposal_id;
  delete from gov.dirty_proposal;

  -- AccessManager role members: a member if their last event granted the role.
  delete from access.role_member m using access.dirty_role_member k where m.role_id = k.role_id and m.account = k.account;
  insert into access.role_member
  select x.role_id, x.account, x.delay, to_timestamp(x.since::double precision)
  from (select distinct role_id, account from access.dirty_role_member) k
  join lateral (
    select h.* from (
      select role_id, account, delay, since, true as granted, block_number, log_index
      from access.role_granted where role_id = k.role_id and account = k.account
      union all
      select role_id, account, null, null, false, block_number, log_index
      from access.role_revoked where role_id = k.role_id and account = k.account
    ) h order by h.block_number desc, h.log_index desc limit 1
  ) x on true
  where x.granted;
  delete from access.dirty_role_member;

  delete from access.function_role f using access.dirty_function_role k where f.target = k.target and f.selector = k.selector;
  insert into access.function_role
  select x.target, x.selector, x.role_id, x.block_time
  from (select distinct target, selector from access.dirty_function_role) k
  join lateral (
    select * from access.target_function_role_updated e where e.target = k.target and e.selector = k.selector
    order by e.block_number desc, e.log_index desc limit 1
  ) x on true;
  delete from access.dirty_function_role;

  delete from gov.pause_state p using gov.dirty_pause k where p.contract = k.contract;
  insert into gov.pause_state
  select x.contract, x.paused, x.account, x.block_time
  from (select distinct contract from gov.dirty_pause) k
  join lateral (
    select h.* from (
      select contract, true as paused, account, block_number, log_index, block_time from gov.paused where contract = k.contract
      union all
      select contract, false, account, block_number, log_index, block_time from gov.unpaused where contract = k.contract
    ) h order by h.block_number desc, h.log_index desc limit 1
  ) x on true;
  delete from gov.dirty_pause;
end $$;

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'governance', 10, 'gov.mark(bigint, bigint)', 'gov.refresh(bigint, bigint)',
  array['gov.department', 'gov.participant', 'gov.participant_role', 'gov.validator', 'gov.proposal',
        'gov.proposal_vote', 'access.role_member', 'access.function_role', 'gov.pause_state']::regclass[]
);

-- The public relations (the names of 0002, same first columns) ------------------------------------

drop view gov.sealing_validators;
drop view gov.operators;
drop view gov.departments;
drop view gov.participants;
drop view gov.validators;
drop view gov.proposals;
drop view gov.department_roles;
drop view gov.participant_roles;

create view gov.departments as
select d.department_id, d.name, d.kind::bigint as kind, d.active, d.admitted_block, d.admitted_at,
       indexer.code_text(d.department_id) as department_code,
       indexer.name_of('DepartmentKind', d.kind) as kind_name,
       d.operators, d.roles, d.updated_block
from gov.department d;

create view gov.operators as
select d.department_id, o.account, indexer.code_text(d.department_id) as department_code
from gov.department d, unnest(d.operators) o(account);

create view gov.department_roles as
select d.department_id, r.role_id, indexer.code_text(d.department_id) as department_code,
       indexer.name_of('Role', r.role_id) as role_name, d.active as held
from gov.department d, unnest(d.roles) r(role_id);

create view gov.participants as
select p.participant_id, p.account, p.registrar_id as registrar, p.kind::bigint as kind, p.active, p.registered_block, p.registered_at,
       p.released_block,
       indexer.code_text(p.registrar_id) as registrar_code,
       indexer.name_of('ParticipantKind', p.kind) as kind_name,
       p.roles,
       case when p.active then p.roles else '{}' end as held_roles,
       p.updated_block
from gov.participant p;

-- Roles a participant holds now: none while it is suspended (the registry revoked them).
create view gov.participant_roles as
select r.participant_id, r.role_id, r.granted_by, indexer.name_of('Role', r.role_id) as role_name,
       indexer.code_text(r.granted_by) as granted_by_code, r.granted_at
from gov.participant_role r
join gov.participant p using (participant_id)
where p.active;

create view gov.validators as
select v.validator, v.department_id, v.added_block, indexer.code_text(v.department_id) as department_code, v.added_at
from gov.validator v;

-- State as ConsortiumGovernor.state answers it at the chain's time.
create view gov.proposals as
select p.proposal_id,
       p.proposer_id as proposer,
       p.proposer_account,
       p.description,
       p.calls,
       p.required::bigint as required,
       p.yes::bigint as yes,
       p.no::bigint as no,
       case
         when p.executed_at is not null then 'Executed'
         when p.cancelled_at is not null then 'Cancelled'
         when p.ready_at is not null then case when indexer.chain_time() < p.expires_at then 'Succeeded' else 'Expired' end
         when p.eligible - p.no < p.required or indexer.chain_time() >= p.vote_end then 'Defeated'
         else 'Active'
       end as status,
       p.vote_end,
       p.proposed_block,
       p.proposed_at,
       indexer.code_text(p.proposer_id) as proposer_code,
       p.eligible,
       p.ready_at,
       p.expires_at,
       p.executed_at,
       p.cancelled_at,
       p.updated_block
from gov.proposal p;

create view gov.proposal_votes as
select v.proposal_id, v.department_id, indexer.code_text(v.department_id) as department_code, v.voter, v.support, v.voted_at
from gov.proposal_vote v;

create view access.role_members as
select m.role_id, indexer.name_of('Role', m.role_id) as role_name, m.account, m.execution_delay, m.since,
       d.department_id, indexer.code_text(d.department_id) as department_code, p.participant_id
from access.role_member m
left join gov.operators d on d.account = m.account
left join gov.participant p on p.account = m.account;

create view access.function_roles as
select f.target, f.selector, f.role_id, indexer.name_of('Role', f.role_id) as role_name, f.set_at
from access.function_role f;

create view gov.paused_contracts as
select s.contract, s.by_account, s.changed_at as paused_at
from gov.pause_state s
where s.paused;

-- As in 0007, over the views above: the nodes that seal (getValidators), leaving out those of
-- suspended departments unless that would leave none. gov.validators is the whole set
-- (allValidators).
create view gov.sealing_validators as
select v.validator, v.department_id, v.added_block
from gov.validators v
left join gov.departments d on d.department_id = v.department_id
where coalesce(d.active, false)
   or not exists (
     select 1 from gov.validators w join gov.departments e on e.department_id = w.department_id where e.active
   );
