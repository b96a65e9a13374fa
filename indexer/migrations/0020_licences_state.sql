-- E-licences read model: licences, their suspension intervals and dependencies, consents, every
-- use with whether the licence was valid at that moment, joint-approval templates, applications
-- and steps as LicenceRegistry and JointApprovals hold them, and the licence reports, kept by the
-- indexer (framework: 0010_read_model.sql, docs/reporting.md). Replaces the views of 0004 of the
-- same names (same columns, and more).

drop view licences.licences;
drop view licences.consents;
drop view licences.applications;
drop view licences.application_steps;
drop view report.licences_per_department;

-- Lookups the recomputation needs that 0004 did not index.
create index consent_granted_key on licences.consent_granted (licence_id, department_id, purpose);
create index consent_withdrawn_key on licences.consent_withdrawn (licence_id, department_id, purpose);
create index application_submitted_application on licences.application_submitted (application_id);
create index application_completed_application on licences.application_completed (application_id);
create index application_withdrawn_application on licences.application_withdrawn (application_id);
create index step_opened_application on licences.step_opened (application_id, step);
create index step_approved_application on licences.step_approved (application_id, step);
create index step_rejected_application on licences.step_rejected (application_id, step);
create index step_resubmitted_application on licences.step_resubmitted (application_id, step);
create index template_defined_template on licences.template_defined (template_id);
create index template_retired_template on licences.template_retired (template_id);
create index signed_consents_cancelled_holder on licences.signed_consents_cancelled (holder);

-- State tables --------------------------------------------------------------------------------

-- One row per licence. `standing` is where it stands by itself as stored (Active, Suspended or
-- Revoked); time decides Pending/Active/Expired at read time. deps_*: the same facts folded over
-- every licence it depends on, at any depth (null/true without dependencies), so that isValid and
-- the validity of a new use follow from one row: valid at t when standing and deps_ok are
-- Active/true and t lies in [greatest(valid_from, deps_valid_from), least(valid_until,
-- deps_valid_until)). changed_at / deps_changed_at: the latest change of standing or window, of
-- the licence and of its dependencies: a use after both is decided by this row alone.
create table licences.licence (
  licence_id bytea primary key,
  type_id bytea not null,
  department_id bytea not null,
  holder bytea not null,
  document_hash bytea not null,
  depends_on bytea[] not null,
  version integer not null,
  valid_from timestamptz not null,
  valid_until timestamptz not null,
  standing text not null,
  suspended_at timestamptz,
  suspensions integer not null,
  revoked_at timestamptz,
  revoked_by bytea,
  issued_at timestamptz not null,
  issued_block bigint not null,
  renewed_at timestamptz,
  changed_at timestamptz not null,
  deps_ok boolean not null default true,
  deps_revoked boolean not null default false,
  deps_valid_from timestamptz,
  deps_valid_until timestamptz,
  deps_changed_at timestamptz,
  updated_block bigint not null
);
-- Counts per status read these columns alone (index-only).
create index licence_status on licences.licence (standing, valid_from, valid_until);
create index licence_department on licences.licence (department_id, issued_at);
create index licence_holder on licences.licence (holder);

-- Its direct dependencies, and who depends on it (a change reaches every dependent).
create table licences.licence_dependency (
  licence_id bytea not null,
  dependency_id bytea not null,
  -- its place in the licence's dependsOn, from 1
  position integer not null,
  primary key (licence_id, dependency_id)
);
create index licence_dependency_dependency on licences.licence_dependency (dependency_id);

-- Suspension intervals as LicenceRegistry.suspensions lists them (number from 0).
create table licences.suspension (
  licence_id bytea not null,
  number integer not null,
  department_id bytea not null,
  reason bytea not null,
  started_at timestamptz not null,
  ended_at timestamptz,
  started_block bigint not null,
  ended_block bigint,
  primary key (licence_id, number)
);

-- One row per (licence, department, purpose) ever granted. granted_*: the latest grant;
-- changed_block/changed_log_index: the latest grant or withdrawal (a use after it relies on this row).
create table licences.consent (
  licence_id bytea not null,
  department_id bytea not null,
  purpose bytea not null,
  holder bytea not null,
  holder_participant bytea,
  until timestamptz not null,
  by_signature boolean not null,
  withdrawn boolean not null,
  granted_at timestamptz not null,
  granted_block bigint not null,
  granted_log_index bigint not null,
  withdrawn_at timestamptz,
  grants integer not null,
  changed_block bigint not null,
  changed_log_index bigint not null,
  primary key (licence_id, department_id, purpose)
);
create index consent_state on licences.consent (withdrawn, until);

-- Every use. valid_at_use: isValidAt(licence, used_at) as the contract answers it (fixed once
-- the block is written: only events at or before used_at decide it). consent_*: the grant in
-- force at the use for its department and purpose, if one was.
create table licences.licence_use (
  used_block bigint not null,
  used_log_index bigint not null,
  licence_id bytea not null,
  department_id bytea not null,
  purpose bytea not null,
  operator bytea not null,
  version integer not null,
  used_at timestamptz not null,
  tx_hash bytea not null,
  valid_at_use boolean not null,
  consent_block bigint,
  consent_log_index bigint,
  consent_until timestamptz,
  primary key (used_block, used_log_index)
);
create index licence_use_licence on licences.licence_use (licence_id, used_block desc, used_log_index desc);
create index licence_use_department on licences.licence_use (department_id, used_at);
create index licence_use_not_valid on licences.licence_use (used_block desc, used_log_index desc) where not valid_at_use;

create table licences.template (
  template_id bytea primary key,
  licence_type bytea not null,
  department_id bytea not null,
  licence_step integer not null,
  steps jsonb not null,
  step_count integer not null,
  active boolean not null,
  defined_at timestamptz not null,
  retired_at timestamptz,
  updated_block bigint not null
);

create table licences.application (
  application_id numeric(78, 0) primary key,
  template_id bytea not null,
  applicant bytea not null,
  applicant_participant bytea,
  document_hash bytea not null,
  depends_on bytea[] not null,
  status text not null,
  approved integer not null,
  open integer not null,
  rejected integer not null,
  licence_id bytea,
  submitted_at timestamptz not null,
  completed_at timestamptz,
  withdrawn_at timestamptz,
  updated_block bigint not null
);
create index application_applicant on licences.application (applicant);
create index application_status on licences.application (status);

-- Every step of every application, Locked ones included (as stepState answers).
create table licences.application_step (
  application_id numeric(78, 0) not null,
  step integer not null,
  code bytea not null,
  department_id bytea not null,
  state text not null,
  opened_at timestamptz,
  decided_at timestamptz,
  result_hash bytea,
  reason bytea,
  operator bytea,
  resubmissions integer not null,
  updated_block bigint not null,
  primary key (application_id, step)
);
create index application_step_open on licences.application_step (department_id, state);

-- Per department and local day, kept by difference: licences it issued, uses it made (and of
-- those, uses of licences not valid at the time), suspensions and revocations of its licences.
create table licences.department_day (
  department_id bytea not null,
  day date not null,
  issued bigint not null,
  used bigint not null,
  used_not_valid bigint not null,
  suspended bigint not null,
  revoked bigint not null,
  revoked_by_consortium bigint not null,
  primary key (department_id, day)
);
create index department_day_day on licences.department_day (day);

-- Licences per department, type and status at the chain's time (the time of the newest block
-- refreshed: licences.status_clock), kept by difference: a refresh takes out the old status of
-- the licences it recomputes and of those whose window starts or ends between the previous
-- chain time and the new one (either way: a rollback moves it back), and adds their status now.
create table licences.status_count (
  department_id bytea not null,
  type_id bytea not null,
  status text not null,
  licences bigint not null,
  primary key (department_id, type_id, status)
);
create table licences.status_clock (
  singleton boolean primary key default true check (singleton),
  at timestamptz
);
insert into licences.status_clock default values;
create index licence_active_until on licences.licence (valid_until) where standing = 'Active';
create index licence_active_from on licences.licence (valid_from) where standing = 'Active';

-- Marks ---------------------------------------------------------------------------------------

create unlogged table licences.dirty_licence (licence_id bytea not null, fresh boolean not null);
create unlogged table licences.dirty_consent (licence_id bytea not null, department_id bytea not null, purpose bytea not null);
create unlogged table licences.dirty_application (application_id numeric(78, 0) not null);
create unlogged table licences.dirty_template (template_id bytea not null);
-- Report contributions taken out and put back in one refresh, summed at its end.
create unlogged table licences.department_day_delta (
  department_id bytea not null,
  at timestamptz not null,
  issued integer not null,
  used integer not null,
  used_not_valid integer not null,
  suspended integer not null,
  revoked integer not null,
  revoked_by_consortium integer not null
);
-- The rows of marked licences while their report contributions are taken out or added, and the
-- issuance events of the licences being recomputed.
create unlogged table licences.marked_licence (like licences.licence);
-- Licences whose status only time changed since the last refresh (window start or end crossed).
create unlogged table licences.crossing_licence (like licences.licence);
create unlogged table licences.status_delta (department_id bytea not null, type_id bytea not null, status text not null,
  licences integer not null);

-- getLicence's status of a licence standing as stored, at time `at`.
create function licences.status_at(standing text, valid_from timestamptz, valid_until timestamptz, at timestamptz)
returns text
language sql immutable parallel safe
return case
  when standing <> 'Active' then standing
  when at < valid_from then 'Pending'
  when at >= valid_until then 'Expired'
  else 'Active'
end;
create unlogged table licences.issued_licence (like licences.licence_issued);

create function licences.mark(from_block bigint, to_block bigint) returns void
language sql as $$
  insert into licences.dirty_licence (licence_id, fresh)
  select licence_id, bool_or(fresh) from (
    select licence_id, true as fresh from licences.licence_issued where block_number between from_block and to_block
    union all select licence_id, false from licences.licence_renewed where block_number between from_block and to_block
    union all select licence_id, false from licences.licence_suspended where block_number between from_block and to_block
    union all select licence_id, false from licences.licence_reinstated where block_number between from_block and to_block
    union all select licence_id, false from licences.licence_revoked where block_number between from_block and to_block
  ) touched
  group by licence_id;

  insert into licences.dirty_consent (licence_id, department_id, purpose)
  select licence_id, department_id, purpose from licences.consent_granted where block_number between from_block and to_block
  union select licence_id, department_id, purpose from licences.consent_withdrawn where block_number between from_block and to_block;

  insert into licences.dirty_application (application_id)
  select application_id from licences.application_submitted where block_number between from_block and to_block
  union select application_id from licences.application_completed where block_number between from_block and to_block
  union select application_id from licences.application_withdrawn where block_number between from_block and to_block
  union select application_id from licences.step_opened where block_number between from_block and to_block
  union select application_id from licences.step_approved where block_number between from_block and to_block
  union select application_id from licences.step_rejected where block_number between from_block and to_block
  union select application_id from licences.step_resubmitted where block_number between from_block and to_block;

  insert into licences.dirty_template (template_id)
  select template_id from licences.template_defined where block_number between from_block and to_block
  union select template_id from licences.template_retired where block_number between from_block and to_block;
$$;

-- isValidAt, from the event tables -------------------------------------------------------------

-- LicenceRegistry.isValidAt(licence, at) from the events alone, for a use the state row cannot
-- decide (its licence or a dependency changed at or after the use's time, in the same block or a
-- later one of the batch). Follows _isValidAt: revoked at or before `at`; the window of the
-- latest version recorded at or before `at`; the last suspension interval starting at or before
-- `at`, open or ending after it; then every dependency, recursively (depth at most 4).
create function licences.valid_at(licence bytea, at timestamptz) returns boolean
language plpgsql stable as $$
declare
  issued record;
  renewed record;
  suspended record;
  dependency text;
  seconds numeric := extract(epoch from at);
begin
  select * into issued from licences.licence_issued where licence_id = licence limit 1;
  if not found then
    return false;
  end if;
  if exists (select 1 from licences.licence_revoked where licence_id = licence and block_time <= at) then
    return false;
  end if;
  select * into renewed from licences.licence_renewed
  where licence_id = licence and block_time <= at order by block_number desc, log_index desc limit 1;
  if found then
    if seconds < renewed.valid_from or seconds >= renewed.valid_until then
      return false;
    end if;
  elsif seconds < issued.valid_from or seconds >= issued.valid_until then
    return false;
  end if;
  select * into suspended from licences.licence_suspended
  where licence_id = licence and block_time <= at order by block_number desc, log_index desc limit 1;
  if found and not exists (
    select 1 from (
      select r.block_time from licences.licence_reinstated r
      where r.licence_id = licence and (r.block_number, r.log_index) > (suspended.block_number, suspended.log_index)
      order by r.block_number, r.log_index limit 1
    ) ended where ended.block_time <= at
  ) then
    return false;
  end if;
  for dependency in select jsonb_array_elements_text(issued.depends_on) loop
    if not licences.valid_at(decode(substr(dependency, 3), 'hex'), at) then
      return false;
    end if;
  end loop;
  return true;
end $$;

-- The consent grant in force for (licence, department, purpose) just before event
-- (block, log_index): the latest grant or withdrawal before it, if a grant not yet run out at `at`.
create function licences.consent_before(licence bytea, department bytea, purpose_ bytea, block bigint, log bigint,
  at timestamptz) returns licences.consent_granted
language sql stable as $$
  select g.* from (
    select e.block_number, e.log_index, true as granted from licences.consent_granted e
    where e.licence_id = licence and e.department_id = department and e.purpose = purpose_
      and (e.block_number, e.log_index) < (block, log)
    union all
    select e.block_number, e.log_index, false from licences.consent_withdrawn e
    where e.licence_id = licence and e.department_id = department and e.purpose = purpose_
      and (e.block_number, e.log_index) < (block, log)
    order by 1 desc, 2 desc limit 1
  ) latest
  join licences.consent_granted g on g.block_number = latest.block_number and g.log_index = latest.log_index
  where latest.granted and to_timestamp(g.until::double precision) > at
$$;

-- Recomputing ---------------------------------------------------------------------------------

-- Adds a report contribution (subtracted with sign -1).
create function licences.add_licence_contributions(sign integer) returns void
language sql as $$
  insert into licences.department_day_delta
  select department_id, issued_at, sign, 0, 0, 0, 0, 0
  from licences.marked_licence
  union all
  select department_id, revoked_at, 0, 0, 0, 0, sign,
         case when revoked_by = '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea then sign else 0 end
  from licences.marked_licence where revoked_at is not null
  union all
  select l.department_id, s.started_at, 0, 0, 0, sign, 0, 0
  from licences.marked_licence l join licences.suspension s using (licence_id);
$$;

create function licences.refresh_licences(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  before timestamptz := (select at from licences.status_clock);
  now_ timestamptz := indexer.chain_time();
  low timestamptz := least(coalesce(before, now_), now_);
  high timestamptz := greatest(coalesce(before, now_), now_);
begin
  -- Licences no event touched whose status time alone changed between the two chain times.
  delete from licences.crossing_licence;
  if low < high then
    insert into licences.crossing_licence
    select l.* from licences.licence l
    where l.standing = 'Active' and l.valid_from > low and l.valid_from <= high
      and not exists (select 1 from licences.dirty_licence d where d.licence_id = l.licence_id)
    union
    select l.* from licences.licence l
    where l.standing = 'Active' and l.valid_until > low and l.valid_until <= high
      and not exists (select 1 from licences.dirty_licence d where d.licence_id = l.licence_id);
    insert into licences.status_delta
    select department_id, type_id, licences.status_at(standing, valid_from, valid_until, before), -1
    from licences.crossing_licence
    union all
    select department_id, type_id, licences.status_at(standing, valid_from, valid_until, now_), 1
    from licences.crossing_licence;
  end if;
  -- Most batches of a busy chain touch no licence and cross no window: a few probes, no writes
  -- but the clock's.
  if not exists (select 1 from licences.dirty_licence) and not exists (select 1 from licences.status_delta) then
    update licences.status_clock set at = now_ where at is distinct from now_;
    return;
  end if;

  -- The rows to recompute or drop: licences issued before the range, and licences marked as
  -- issued in it that no longer are (a rollback removed them). Their contributions out.
  delete from licences.marked_licence;
  insert into licences.marked_licence
  select l.* from licences.dirty_licence d
  cross join lateral (select * from licences.licence k where k.licence_id = d.licence_id limit 1) l
  where not d.fresh
  union all
  select l.* from licences.licence l
  where l.licence_id in (
    select d.licence_id from licences.dirty_licence d where d.fresh
    except
    select e.licence_id from licences.licence_issued e where e.block_number between from_block and to_block
  );
  if found then
    perform licences.add_licence_contributions(-1);
    insert into licences.status_delta
    select department_id, type_id, licences.status_at(standing, valid_from, valid_until, before), -1
    from licences.marked_licence;
    delete from licences.suspension s using licences.marked_licence m where s.licence_id = m.licence_id;
    delete from licences.licence_dependency s using licences.marked_licence m where s.licence_id = m.licence_id;
    delete from licences.licence l using licences.marked_licence m where l.licence_id = m.licence_id;
  end if;

  -- Issued rows: the range's own (every licence issued in it is marked fresh), and those of
  -- licences issued before it, one probe each.
  delete from licences.issued_licence;
  insert into licences.issued_licence
  select e.* from licences.licence_issued e where e.block_number between from_block and to_block
  union all
  select e.* from licences.dirty_licence d
  cross join lateral (select * from licences.licence_issued k where k.licence_id = d.licence_id limit 1 offset 0) e
  where not d.fresh;

  insert into licences.suspension
  select s.licence_id,
         (row_number() over (partition by s.licence_id order by s.block_number, s.log_index) - 1)::integer,
         s.issuer, s.reason, s.block_time, r.block_time, s.block_number, r.block_number
  from licences.issued_licence i
  join licences.licence_suspended s on s.licence_id = i.licence_id
  left join lateral (
    select x.block_time, x.block_number from licences.licence_reinstated x
    where x.licence_id = s.licence_id and (x.block_number, x.log_index) > (s.block_number, s.log_index)
    order by x.block_number, x.log_index limit 1
  ) r on true;

  insert into licences.licence_dependency (licence_id, dependency_id, position)
  select i.licence_id, decode(substr(d.value, 3), 'hex'), d.ordinality::integer
  from licences.issued_licence i cross join lateral jsonb_array_elements_text(i.depends_on) with ordinality d;

  insert into licences.licence
    (licence_id, type_id, department_id, holder, document_hash, depends_on, version, valid_from, valid_until, standing,
     suspended_at, suspensions, revoked_at, revoked_by, issued_at, issued_block, renewed_at, changed_at, updated_block)
  select i.licence_id, i.type_id, i.issuer, i.holder,
         coalesce(r.document_hash, i.document_hash),
         coalesce((select array_agg(decode(substr(d, 3), 'hex') order by o) from jsonb_array_elements_text(i.depends_on)
                   with ordinality x(d, o)), '{}'),
         coalesce(r.version, 1),
         to_timestamp(coalesce(r.valid_from, i.valid_from)::double precision),
         to_timestamp(coalesce(r.valid_until, i.valid_until)::double precision),
         case when v.block_time is not null then 'Revoked' when s.open then 'Suspended' else 'Active' end,
         case when s.open then s.started_at end,
         coalesce(s.count, 0),
         v.block_time,
         v.department_id,
         i.block_time,
         i.block_number,
         r.block_time,
         greatest(i.block_time, r.block_time, s.changed_at, v.block_time),
         greatest(i.block_number, r.block_number, s.changed_block, v.block_number)
  from licences.issued_licence i
  left join lateral (
    select * from licences.licence_renewed n where n.licence_id = i.licence_id
    order by n.block_number desc, n.log_index desc limit 1
  ) r on true
  left join lateral (
    select count(*)::integer as count,
           (array_agg(x.ended_at is null order by x.number desc))[1] as open,
           (array_agg(x.started_at order by x.number desc))[1] as started_at,
           max(greatest(x.started_at, x.ended_at)) as changed_at,
           max(greatest(x.started_block, x.ended_block)) as changed_block
    from licences.suspension x where x.licence_id = i.licence_id
  ) s on true
  left join lateral (
    select * from licences.licence_revoked k where k.licence_id = i.licence_id
    order by k.block_number, k.log_index limit 1
  ) v on true;

  -- Every licence depending on a changed one, at any depth, folds its dependencies again.
  with recursive up(licence_id) as (
    select licence_id from licences.dirty_licence
    union
    select p.licence_id from up join licences.licence_dependency p on p.dependency_id = up.licence_id
  ),
  targets as (
    select l.licence_id from up join licences.licence l using (licence_id) where cardinality(l.depends_on) > 0
  ),
  down(target, member) as (
    select t.licence_id, d.dependency_id from targets t join licences.licence_dependency d using (licence_id)
    union
    select down.target, d.dependency_id from down join licences.licence_dependency d on d.licence_id = down.member
  ),
  folded as (
    select down.target,
           bool_and(m.standing = 'Active') as ok,
           bool_or(m.standing = 'Revoked') as revoked,
           max(m.valid_from) as valid_from,
           min(m.valid_until) as valid_until,
           max(m.changed_at) as changed_at
    from down join licences.licence m on m.licence_id = down.member
    group by down.target
  )
  update licences.licence l set
    deps_ok = f.ok,
    deps_revoked = f.revoked,
    deps_valid_from = f.valid_from,
    deps_valid_until = f.valid_until,
    deps_changed_at = f.changed_at
  from folded f
  where l.licence_id = f.target;

  delete from licences.marked_licence;
  insert into licences.marked_licence
  select l.* from licences.dirty_licence d join licences.licence l using (licence_id);
  perform licences.add_licence_contributions(1);
  insert into licences.status_delta
  select department_id, type_id, licences.status_at(standing, valid_from, valid_until, now_), 1
  from licences.marked_licence;

  insert into licences.status_count as r
  select department_id, type_id, status, sum(licences) from licences.status_delta group by 1, 2, 3
  on conflict (department_id, type_id, status) do update set licences = r.licences + excluded.licences;
  delete from licences.status_count r
  using (select distinct department_id, type_id, status from licences.status_delta) k
  where r.department_id = k.department_id and r.type_id = k.type_id and r.status = k.status and r.licences = 0;
  update licences.status_clock set at = now_ where at is distinct from now_;

  delete from licences.status_delta;
  delete from licences.crossing_licence;
  delete from licences.marked_licence;
  delete from licences.issued_licence;
  delete from licences.dirty_licence;
end $$;

create function licences.refresh_consents() returns void
language sql as $$
  with computed as (
    select d.licence_id, d.department_id, d.purpose, g.holder, g.holder_participant,
           to_timestamp(g.until::double precision) as until, g.by_signature,
           coalesce((w.block_number, w.log_index) > (g.block_number, g.log_index), false) as withdrawn,
           g.block_time as granted_at, g.block_number as granted_block, g.log_index as granted_log_index,
           case when (w.block_number, w.log_index) > (g.block_number, g.log_index) then w.block_time end as withdrawn_at,
           g.grants,
           greatest(g.block_number, w.block_number) as changed_block,
           case when (w.block_number, w.log_index) > (g.block_number, g.log_index) then w.log_index else g.log_index end
             as changed_log_index
    from licences.dirty_consent d
    cross join lateral (
      select e.*, count(*) over ()::integer as grants from licences.consent_granted e
      where e.licence_id = d.licence_id and e.department_id = d.department_id and e.purpose = d.purpose
      order by e.block_number desc, e.log_index desc limit 1
    ) g
    left join lateral (
      select e.* from licences.consent_withdrawn e
      where e.licence_id = d.licence_id and e.department_id = d.department_id and e.purpose = d.purpose
      order by e.block_number desc, e.log_index desc limit 1
    ) w on true
  ),
  gone as (
    delete from licences.consent c using licences.dirty_consent d
    where c.licence_id = d.licence_id and c.department_id = d.department_id and c.purpose = d.purpose
      and not exists (select 1 from computed k
                      where k.licence_id = d.licence_id and k.department_id = d.department_id and k.purpose = d.purpose)
  )
  insert into licences.consent as c select * from computed
  on conflict (licence_id, department_id, purpose) do update set
    holder = excluded.holder,
    holder_participant = excluded.holder_participant,
    until = excluded.until,
    by_signature = excluded.by_signature,
    withdrawn = excluded.withdrawn,
    granted_at = excluded.granted_at,
    granted_block = excluded.granted_block,
    granted_log_index = excluded.granted_log_index,
    withdrawn_at = excluded.withdrawn_at,
    grants = excluded.grants,
    changed_block = excluded.changed_block,
    changed_log_index = excluded.changed_log_index;

  delete from licences.dirty_consent;
$$;

-- Uses: the range's rows are new (a batch) or gone (a rollback). A new use is decided by its
-- licence's row when neither the licence nor a dependency changed at or after its time, and by
-- its consent's row when no grant or withdrawal followed it; otherwise from the events.
create function licences.refresh_uses(from_block bigint, to_block bigint) returns void
language sql as $$
  with gone as (
    delete from licences.licence_use u
    where u.used_block between from_block and to_block
      and not exists (select 1 from licences.licence_used e where e.block_number = u.used_block and e.log_index = u.used_log_index)
    returning u.department_id, u.used_at, u.valid_at_use
  )
  insert into licences.department_day_delta
  select department_id, used_at, 0, -1, case when valid_at_use then 0 else -1 end, 0, 0, 0 from gone;

  with decided as materialized (
    select e.block_number, e.log_index, e.licence_id, e.department_id, e.purpose, e.operator, e.version, e.block_time,
           e.tx_hash,
           case
             when l.licence_id is null then false
             when greatest(l.changed_at, l.deps_changed_at) < e.block_time then
               l.standing = 'Active' and l.deps_ok
               and greatest(l.valid_from, l.deps_valid_from) <= e.block_time
               and e.block_time < least(l.valid_until, l.deps_valid_until)
             else licences.valid_at(e.licence_id, e.block_time)
           end as valid_at_use,
           c.licence_id is null or (c.changed_block, c.changed_log_index) < (e.block_number, e.log_index) as consent_known,
           case when not c.withdrawn and c.until > e.block_time then c.granted_block end as consent_block,
           case when not c.withdrawn and c.until > e.block_time then c.granted_log_index end as consent_log_index,
           case when not c.withdrawn and c.until > e.block_time then c.until end as consent_until,
           -- Called only when the consent's row cannot decide (CASE does not evaluate the other branch).
           case when c.licence_id is not null and (c.changed_block, c.changed_log_index) >= (e.block_number, e.log_index)
             then licences.consent_before(e.licence_id, e.department_id, e.purpose, e.block_number, e.log_index,
               e.block_time)
           end as grant_before
    from licences.licence_used e
    left join licences.licence l on l.licence_id = e.licence_id
    left join licences.consent c on c.licence_id = e.licence_id and c.department_id = e.department_id and c.purpose = e.purpose
    where e.block_number between from_block and to_block
  ),
  inserted as (
    insert into licences.licence_use
    select d.block_number, d.log_index, d.licence_id, d.department_id, d.purpose, d.operator, d.version, d.block_time,
           d.tx_hash, d.valid_at_use,
           case when d.consent_known then d.consent_block else (d.grant_before).block_number end,
           case when d.consent_known then d.consent_log_index else (d.grant_before).log_index end,
           case when d.consent_known then d.consent_until
                else to_timestamp((d.grant_before).until::double precision) end
    from decided d
    returning department_id, used_at, valid_at_use
  )
  insert into licences.department_day_delta
  select department_id, used_at, 0, 1, case when valid_at_use then 0 else 1 end, 0, 0, 0 from inserted;
$$;

create function licences.refresh_templates() returns void
language sql as $$
  delete from licences.template t using licences.dirty_template d where t.template_id = d.template_id;

  with computed as (
    select t.template_id, t.licence_type, t.issuer, t.licence_step::integer, t.steps, jsonb_array_length(t.steps),
           r.block_time is null, t.block_time, r.block_time, greatest(t.block_number, r.block_number)
    from licences.dirty_template d
    cross join lateral (
      select * from licences.template_defined k where k.template_id = d.template_id
      order by k.block_number, k.log_index limit 1
    ) t
    left join lateral (
      select * from licences.template_retired k where k.template_id = d.template_id
      order by k.block_number, k.log_index limit 1
    ) r on true
  )
  insert into licences.template select * from computed;

  delete from licences.dirty_template;
$$;

create function licences.refresh_applications() returns void
language sql as $$
  delete from licences.application_step s using licences.dirty_application d where s.application_id = d.application_id;
  delete from licences.application a using licences.dirty_application d where a.application_id = d.application_id;

  -- Each step's state: that of its latest event (opened or resubmitted: Open), Locked if none.
  insert into licences.application_step
  select a.application_id, s.step, decode(substr(n.definition->>'code', 3), 'hex'),
         decode(substr(n.definition->>'departmentId', 3), 'hex'),
         coalesce(last.state, 'Locked'),
         opened.block_time,
         case when last.state in ('Approved', 'Rejected') then last.block_time end,
         case when last.state = 'Approved' then last.hash end,
         case when last.state = 'Rejected' then last.hash end,
         case when last.state in ('Approved', 'Rejected') then last.operator end,
         coalesce(resubmitted.count, 0),
         greatest(a.block_number, last.block_number)
  from licences.dirty_application d
  cross join lateral (
    select * from licences.application_submitted k where k.application_id = d.application_id limit 1
  ) a
  cross join lateral (
    select * from licences.template_defined k where k.template_id = a.template_id
    order by k.block_number, k.log_index limit 1
  ) t
  cross join lateral jsonb_array_elements(t.steps) with ordinality n(definition, ordinal)
  cross join lateral (select (n.ordinal - 1)::integer as step) s
  left join lateral (
    select * from (
      select 'Open' as state, e.block_number, e.log_index, e.block_time, null::bytea as hash, null::bytea as operator
      from licences.step_opened e where e.application_id = a.application_id and e.step = s.step
      union all
      select 'Approved', e.block_number, e.log_index, e.block_time, e.result_hash, e.operator
      from licences.step_approved e where e.application_id = a.application_id and e.step = s.step
      union all
      select 'Rejected', e.block_number, e.log_index, e.block_time, e.reason, e.operator
      from licences.step_rejected e where e.application_id = a.application_id and e.step = s.step
      union all
      select 'Open', e.block_number, e.log_index, e.block_time, null, null
      from licences.step_resubmitted e where e.application_id = a.application_id and e.step = s.step
    ) events order by block_number desc, log_index desc limit 1
  ) last on true
  left join lateral (
    select e.block_time from licences.step_opened e where e.application_id = a.application_id and e.step = s.step
    order by e.block_number desc, e.log_index desc limit 1
  ) opened on true
  left join lateral (
    select count(*)::integer as count from licences.step_resubmitted e
    where e.application_id = a.application_id and e.step = s.step
  ) resubmitted on true;

  insert into licences.application
  select a.application_id, a.template_id, a.applicant, a.applicant_participant, a.document_hash,
         coalesce((select array_agg(decode(substr(x.d, 3), 'hex') order by x.o)
                   from jsonb_array_elements_text(a.depends_on) with ordinality x(d, o)), '{}'),
         case when c.block_time is not null then 'Completed' when w.block_time is not null then 'Withdrawn'
              else 'InProgress' end,
         coalesce(m.approved, 0), coalesce(m.open, 0), coalesce(m.rejected, 0),
         c.licence_id,
         a.block_time, c.block_time, w.block_time,
         greatest(a.block_number, c.block_number, w.block_number, m.updated_block)
  from licences.dirty_application d
  cross join lateral (
    select * from licences.application_submitted k where k.application_id = d.application_id limit 1
  ) a
  left join lateral (
    select * from licences.application_completed k where k.application_id = d.application_id limit 1
  ) c on true
  left join lateral (
    select * from licences.application_withdrawn k where k.application_id = d.application_id limit 1
  ) w on true
  left join lateral (
    select coalesce(sum(1 << s.step) filter (where s.state = 'Approved'), 0)::integer as approved,
           coalesce(sum(1 << s.step) filter (where s.state = 'Open'), 0)::integer as open,
           coalesce(sum(1 << s.step) filter (where s.state = 'Rejected'), 0)::integer as rejected,
           max(s.updated_block) as updated_block
    from licences.application_step s where s.application_id = d.application_id
  ) m on true;

  delete from licences.dirty_application;
$$;

-- The report contributions of one refresh, summed into the report table; groups left at zero go.
create function licences.apply_report_delta() returns void
language plpgsql as $$
declare
  shift interval := make_interval(secs => indexer.utc_offset());
begin
  insert into licences.department_day as r
  select department_id, ((at at time zone 'UTC') + shift)::date, sum(issued), sum(used), sum(used_not_valid),
         sum(suspended), sum(revoked), sum(revoked_by_consortium)
  from licences.department_day_delta group by 1, 2
  on conflict (department_id, day) do update set
    issued = r.issued + excluded.issued,
    used = r.used + excluded.used,
    used_not_valid = r.used_not_valid + excluded.used_not_valid,
    suspended = r.suspended + excluded.suspended,
    revoked = r.revoked + excluded.revoked,
    revoked_by_consortium = r.revoked_by_consortium + excluded.revoked_by_consortium;

  delete from licences.department_day r
  using (select distinct department_id, ((at at time zone 'UTC') + shift)::date as day from licences.department_day_delta) k
  where r.department_id = k.department_id and r.day = k.day
    and r.issued = 0 and r.used = 0 and r.suspended = 0 and r.revoked = 0;

  delete from licences.department_day_delta;
end $$;

-- Each part only when its marks (or the range's uses) say it has something to do: every batch of
-- every domain comes through here.
create function licences.refresh(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  perform licences.refresh_licences(from_block, to_block);
  if exists (select 1 from licences.dirty_consent) then
    perform licences.refresh_consents();
  end if;
  if exists (select 1 from licences.licence_used where block_number between from_block and to_block)
     or exists (select 1 from licences.licence_use where used_block between from_block and to_block) then
    perform licences.refresh_uses(from_block, to_block);
  end if;
  if exists (select 1 from licences.dirty_template) then
    perform licences.refresh_templates();
  end if;
  if exists (select 1 from licences.dirty_application) then
    perform licences.refresh_applications();
  end if;
  if exists (select 1 from licences.department_day_delta) then
    perform licences.apply_report_delta();
  end if;
end $$;

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'licences', 30, 'licences.mark(bigint, bigint)', 'licences.refresh(bigint, bigint)',
  array['licences.licence', 'licences.licence_dependency', 'licences.suspension', 'licences.consent',
        'licences.licence_use', 'licences.template', 'licences.application', 'licences.application_step',
        'licences.department_day', 'licences.status_count']::regclass[]
);

-- The public relations --------------------------------------------------------------------------

-- Status and validity follow from the chain's time (indexer.chain_time(), the newest indexed
-- block), as getLicence and isValid answer at that block.
create view licences.licences as
select l.licence_id,
       l.type_id,
       l.department_id as issuer,
       l.holder,
       to_jsonb(array(select '0x' || encode(d, 'hex') from unnest(l.depends_on) d)) as depends_on,
       l.issued_at,
       l.version::bigint as version,
       l.document_hash,
       extract(epoch from l.valid_from)::numeric(78, 0) as valid_from,
       extract(epoch from l.valid_until)::numeric(78, 0) as valid_until,
       l.standing = 'Revoked' as revoked,
       l.standing = 'Suspended' as suspended,
       l.deps_revoked as dependency_revoked,
       case
         when l.standing <> 'Active' then l.standing
         when now.at < l.valid_from then 'Pending'
         when now.at >= l.valid_until then 'Expired'
         else 'Active'
       end as status,
       l.department_id,
       indexer.code_text(l.department_id) as department_code,
       indexer.code_text(l.type_id) as type_code,
       l.valid_from as valid_from_at,
       l.valid_until as valid_until_at,
       l.standing = 'Active' and l.deps_ok
         and greatest(l.valid_from, l.deps_valid_from) <= now.at and now.at < least(l.valid_until, l.deps_valid_until)
         as valid,
       l.deps_ok and (l.deps_valid_from is null or l.deps_valid_from <= now.at)
         and (l.deps_valid_until is null or now.at < l.deps_valid_until) as dependencies_valid,
       l.depends_on as dependency_ids,
       l.suspended_at,
       l.suspensions,
       l.revoked_at,
       l.revoked_by = '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea as revoked_by_consortium,
       l.renewed_at,
       l.issued_block,
       l.updated_block
from licences.licence l
cross join (select (select indexer.chain_time()) as at) now;

create view licences.suspensions as
select s.licence_id, s.number, s.department_id, indexer.code_text(s.department_id) as department_code,
       indexer.code_text(s.reason) as reason_code, s.reason, s.started_at, s.ended_at, s.ended_at is null as open,
       s.started_block, s.ended_block
from licences.suspension s;

-- Every version's window, as versionWindow answers: superseded_at is the next renewal's time.
create view licences.licence_versions as
select v.licence_id, v.version, v.document_hash, v.valid_from as valid_from_at, v.valid_until as valid_until_at,
       v.recorded_at,
       lead(v.recorded_at) over (partition by v.licence_id order by v.version) as superseded_at
from (
  select licence_id, 1 as version, document_hash, to_timestamp(valid_from::double precision) as valid_from,
         to_timestamp(valid_until::double precision) as valid_until, block_time as recorded_at
  from licences.licence_issued
  union all
  select licence_id, version::integer, document_hash, to_timestamp(valid_from::double precision),
         to_timestamp(valid_until::double precision), block_time
  from licences.licence_renewed
) v;

-- Consents: Live (until in the future), Expired (ran out) or Withdrawn, at the chain's time,
-- as consentUntil and hasConsent answer (consentUntil is 0 once withdrawn).
create view licences.consents as
select c.licence_id,
       c.department_id,
       c.purpose,
       c.holder,
       case when c.withdrawn then null else extract(epoch from c.until)::numeric(78, 0) end as until,
       c.by_signature,
       not c.withdrawn as granted,
       c.changed_block as block_number,
       coalesce(c.withdrawn_at, c.granted_at) as block_time,
       case when c.withdrawn then 'Withdrawn' when c.until <= now.at then 'Expired' else 'Live' end as state,
       indexer.code_text(c.department_id) as department_code,
       indexer.code_text(c.purpose) as purpose_code,
       c.holder_participant,
       c.until as until_at,
       c.granted_at,
       c.withdrawn_at,
       c.grants
from licences.consent c
cross join (select (select indexer.chain_time()) as at) now;

-- Nonces a holder used up with cancelSignedConsents: signatures made with them are void.
create view licences.cancelled_signed_consents as
select holder, holder_participant, nonce, block_time as cancelled_at, block_number, tx_hash
from licences.signed_consents_cancelled;

create view licences.licence_uses as
select u.licence_id,
       u.department_id,
       indexer.code_text(u.department_id) as department_code,
       u.purpose,
       indexer.code_text(u.purpose) as purpose_code,
       u.operator,
       u.version,
       u.used_at,
       u.used_block,
       u.used_log_index,
       u.tx_hash,
       u.valid_at_use,
       u.consent_until is not null as consent_in_force,
       u.consent_until,
       u.consent_block,
       u.consent_log_index
from licences.licence_use u;

create view licences.templates as
select t.template_id, indexer.code_text(t.template_id) as template_code, t.licence_type,
       indexer.code_text(t.licence_type) as licence_type_code, t.department_id,
       indexer.code_text(t.department_id) as department_code, t.licence_step, t.step_count, t.steps, t.active,
       t.defined_at, t.retired_at, t.updated_block
from licences.template t;

create view licences.applications as
select a.application_id,
       a.template_id,
       a.applicant,
       a.applicant_participant,
       a.submitted_at,
       a.status,
       a.licence_id,
       indexer.code_text(a.template_id) as template_code,
       a.document_hash,
       a.depends_on,
       a.approved,
       a.open,
       a.rejected,
       a.completed_at,
       a.withdrawn_at,
       a.updated_block
from licences.application a;

create view licences.application_steps as
select s.application_id,
       s.step::bigint as step,
       s.department_id,
       s.state,
       s.updated_block as block_number,
       coalesce(s.decided_at, s.opened_at) as block_time,
       s.code,
       indexer.code_text(s.code) as code_text,
       indexer.code_text(s.department_id) as department_code,
       s.opened_at,
       s.decided_at,
       s.result_hash,
       s.reason,
       s.operator,
       s.resubmissions
from licences.application_step s;

-- Reports (days are the city's local days) ---------------------------------------------------------

create view report.licences_per_department_day as
select r.department_id, indexer.code_text(r.department_id) as department_code, r.day, r.issued, r.used,
       r.used_not_valid, r.suspended, r.revoked, r.revoked_by_consortium
from licences.department_day r;

-- The name of 0004, kept: totals per department (revocations now counted for the licence's
-- issuer, a consortium vote's included).
create view report.licences_per_department as
select r.department_id, sum(r.issued)::bigint as issued, sum(r.revoked)::bigint as revoked, sum(r.used)::bigint as used,
       indexer.code_text(r.department_id) as department_code, sum(r.suspended)::bigint as suspended,
       sum(r.used_not_valid)::bigint as used_not_valid, sum(r.revoked_by_consortium)::bigint as revoked_by_consortium
from licences.department_day r
group by r.department_id;

-- Counts per status without reading the licences: `select status, sum(licences) ... group by status`.
create view report.licences_per_status as
select s.department_id, indexer.code_text(s.department_id) as department_code, s.type_id,
       indexer.code_text(s.type_id) as type_code, s.status, s.licences
from licences.status_count s;

-- The regulator's check: uses of licences that were not valid at the time (should be empty).
create view report.licence_uses_not_valid as
select u.licence_id, l.department_id as issuer_department_id, u.department_id,
       indexer.code_text(u.department_id) as department_code, u.purpose, u.operator, u.version, u.used_at,
       indexer.local_day(u.used_at) as day, u.used_block, u.used_log_index, u.tx_hash
from licences.licence_use u
left join licences.licence l using (licence_id)
where not u.valid_at_use;
