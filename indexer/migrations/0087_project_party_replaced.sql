-- A vote replaces a project's bank, regulator or human-resources department
-- (ConstructionEscrow.replaceParty, ProjectPartyReplaced): a reorganised, suspended or merged
-- department must not leave its projects locked. The event's table; escrow.project's party
-- columns follow the latest replacement (else the terms) in the same batch and on rollback; the
-- row-level security sets follow them, so the new department sees the project and the old one
-- no longer does (unless it holds another part).

create table escrow.project_party_replaced (
  project_id numeric(78,0),
  previous_party bytea,
  new_party bytea,
  -- IConstructionEscrow.ProjectParty: 0 Bank, 1 Regulator, 2 HumanResources
  party bigint,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create index project_party_replaced_project on escrow.project_party_replaced (project_id, party, block_number, log_index);
alter table escrow.project_party_replaced enable row level security;
-- As the project's other event tables (0055): the projects the department has a part in now.
create policy project_party on escrow.project_party_replaced for select
  using ((select web.is_regulator()) or project_id in (select web.department_project_set()));
grant select on escrow.project_party_replaced to govledger_reader;

-- 0068 generated regulator_id and human_resources_id from the terms; a replacement changes them,
-- so they become plain columns (values kept) set by escrow.refresh_parties below. bank_id was one.
alter table escrow.project
  alter column regulator_id drop expression,
  alter column human_resources_id drop expression;

-- The marked projects' parties: the latest replacement of each part, else the terms (what
-- getProject reports). Run after escrow.refresh: its full derivation writes the terms' bank and
-- leaves the other two null. A replacement also counts as the project's update. Rows already
-- right are not written (most batches replace nothing).
create function escrow.refresh_parties(ids numeric[]) returns void
language sql as $$
  with parties as (
    select k.ctid as row_id,
           coalesce(b.new_party, decode(substr(k.terms ->> 'bank', 3), 'hex')) as bank_id,
           coalesce(r.new_party, decode(substr(k.terms ->> 'regulator', 3), 'hex')) as regulator_id,
           coalesce(h.new_party, decode(substr(k.terms ->> 'humanResources', 3), 'hex')) as human_resources_id,
           greatest(k.updated_block, b.block_number, r.block_number, h.block_number) as updated_block
    from escrow.project k
    left join lateral (select x.new_party, x.block_number from escrow.project_party_replaced x
                       where x.project_id = k.project_id and x.party = 0
                       order by x.block_number desc, x.log_index desc limit 1) b on true
    left join lateral (select x.new_party, x.block_number from escrow.project_party_replaced x
                       where x.project_id = k.project_id and x.party = 1
                       order by x.block_number desc, x.log_index desc limit 1) r on true
    left join lateral (select x.new_party, x.block_number from escrow.project_party_replaced x
                       where x.project_id = k.project_id and x.party = 2
                       order by x.block_number desc, x.log_index desc limit 1) h on true
    where k.project_id = any(ids)
  )
  update escrow.project p set
    bank_id = s.bank_id,
    regulator_id = s.regulator_id,
    human_resources_id = s.human_resources_id,
    updated_block = s.updated_block
  from parties s
  where p.ctid = s.row_id
    and (p.bank_id, p.regulator_id, p.human_resources_id, p.updated_block)
        is distinct from (s.bank_id, s.regulator_id, s.human_resources_id, s.updated_block);
$$;

-- The escrow read model's mark and refresh (0030/0031, registered in indexer.read_models) with
-- the replacements added: a replacement marks its project; the marked projects' parties are set
-- after the rest of the refresh (which empties the marks, so they are read first).
create function escrow.mark_with_parties(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  perform escrow.mark(from_block, to_block);
  insert into escrow.dirty_project (project_id)
  select project_id from escrow.project_party_replaced where block_number between from_block and to_block
  on conflict do nothing;
end $$;

create function escrow.refresh_with_parties(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  marked numeric[] := array(select project_id from escrow.dirty_project);
begin
  perform escrow.refresh(from_block, to_block);
  if cardinality(marked) > 0 then
    perform escrow.refresh_parties(marked);
  end if;
end $$;

update indexer.read_models
set mark = 'escrow.mark_with_parties(bigint, bigint)'::regprocedure,
    refresh = 'escrow.refresh_with_parties(bigint, bigint)'::regprocedure
where name = 'escrow';

-- 0068's web.department_projects() (the event tables' set) read the bank and the regulator
-- from the ProjectCreated terms; they come from escrow.project now, which follows replacements
-- in the same batch. The bureau and the supervisor's registrar as before.
create or replace function web.department_projects() returns numeric[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  with d as (select web.current_department() as id)
  select coalesce(array_agg(s.project_id), '{}') from (
    select p.project_id from escrow.project_created p
    where p.department_id = (select id from d)
       or exists (
         select 1 from gov.participant_registered r
         where r.department_id = (select id from d)
           and p.terms ->> 'supervisor' = '0x' || encode(r.participant_id, 'hex'))
    union
    select k.project_id from escrow.project k
    where k.bank_id = (select id from d) or k.regulator_id = (select id from d)
  ) s
$$;
