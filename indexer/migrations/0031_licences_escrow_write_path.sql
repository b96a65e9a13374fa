-- The licence and escrow read models' write path at city scale (issue 10; see 0015 for
-- invoices). Numbered after 0030 because it replaces functions of 0020 and 0030 (0015-0019 run
-- before them on a new database). EXPLAIN (ANALYZE, BUFFERS) of a batch's refresh on
-- bench:reports' chain showed the walk over dependencies hashing the whole licence and dependency
-- tables each batch; it now probes by key from the marked licences. Same results (the read-model
-- tests compare every batch with a rebuild and with the contracts' views).

create or replace function licences.refresh_licences(from_block bigint, to_block bigint) returns void
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

  -- Every licence depending on a changed one, at any depth, folds its dependencies again. Each
  -- step is an index probe per licence (lateral, offset 0): the planner cannot size a recursive
  -- walk, and guessed thousands of rows, so it hashed the whole licence and dependency tables
  -- twice a batch (199 ms at 30,000 licences, growing with the table).
  with recursive up(licence_id) as (
    select licence_id from licences.dirty_licence
    union
    select p.licence_id from up cross join lateral (
      select x.licence_id from licences.licence_dependency x where x.dependency_id = up.licence_id offset 0
    ) p
  ),
  targets as (
    select l.licence_id from up cross join lateral (
      select k.licence_id from licences.licence k
      where k.licence_id = up.licence_id and cardinality(k.depends_on) > 0 offset 0
    ) l
  ),
  down(target, member) as (
    select t.licence_id, d.dependency_id from targets t cross join lateral (
      select x.dependency_id from licences.licence_dependency x where x.licence_id = t.licence_id offset 0
    ) d
    union
    select down.target, d.dependency_id from down cross join lateral (
      select x.dependency_id from licences.licence_dependency x where x.licence_id = down.member offset 0
    ) d
  ),
  folded as (
    select down.target,
           bool_and(m.standing = 'Active') as ok,
           bool_or(m.standing = 'Revoked') as revoked,
           max(m.valid_from) as valid_from,
           min(m.valid_until) as valid_until,
           max(m.changed_at) as changed_at
    from down cross join lateral (
      select k.standing, k.valid_from, k.valid_until, k.changed_at from licences.licence k
      where k.licence_id = down.member offset 0
    ) m
    group by down.target
  ),
  -- The rows to change, found by key too (an UPDATE ... FROM would hash the table again).
  changed as (
    select l.ctid as row_id, f.* from folded f cross join lateral (
      select k.ctid from licences.licence k where k.licence_id = f.target offset 0
    ) l
  )
  update licences.licence l set
    deps_ok = c.ok,
    deps_revoked = c.revoked,
    deps_valid_from = c.valid_from,
    deps_valid_until = c.valid_until,
    deps_changed_at = c.changed_at
  from changed c
  where l.ctid = c.row_id;

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

-- A batch's licence uses with their licence's and consent's rows by key (one probe each): joined
-- as sets, the planner hashed all 200,000 licences and 160,000 consents for a batch's few hundred
-- uses (282 ms a batch at 470,000 invoices into bench:reports' chain).
create or replace function licences.refresh_uses(from_block bigint, to_block bigint) returns void
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
    left join lateral (select * from licences.licence k where k.licence_id = e.licence_id offset 0) l on true
    left join lateral (
      select * from licences.consent k
      where k.licence_id = e.licence_id and k.department_id = e.department_id and k.purpose = e.purpose offset 0
    ) c on true
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

-- Payroll counts of the marked projects by key, not by hashing every payroll.
create or replace function escrow.refresh_payroll_state_counts() returns void
language sql as $$
  delete from escrow.payroll_state_count r using escrow.dirty_project d where r.project_id = d.project_id;

  insert into escrow.payroll_state_count
  select p.project_id, p.state, count(*)::integer, sum(p.total)
  from escrow.dirty_project d
  cross join lateral (select k.project_id, k.state, k.total from escrow.payroll k where k.project_id = d.project_id offset 0) p
  group by 1, 2;
$$;

-- The local day of each escrow event with the city's offset read once per statement (an
-- uncorrelated subquery), not once per event row: indexer.utc_offset() is not inlined (it reads
-- a table), and a batch's touched projects fold thousands of events.
create or replace function escrow.refresh_project_days() returns void
language sql as $$
  delete from escrow.project_day r using escrow.dirty_project d where r.project_id = d.project_id;

  insert into escrow.project_day
  select project_id, day, funded, guarantee_deposited, released_to_wages, released_to_payable, paid_out,
         payrolls_paid, from_wage, from_guarantee, refunded, guarantee_returned, payrolls_approved, approved,
         payrolls_cancelled, cancelled,
         sum(approved - from_wage - from_guarantee - cancelled) over w,
         sum(funded + guarantee_deposited - paid_out - from_wage - from_guarantee - refunded - guarantee_returned) over w
  from (
    select d.project_id, ((e.block_time at time zone 'UTC') + (select make_interval(secs => indexer.utc_offset())))::date as day,
           sum(e.funded) as funded, sum(e.guarantee_deposited) as guarantee_deposited,
           sum(e.to_wages) as released_to_wages, sum(e.to_payable) as released_to_payable, sum(e.paid_out) as paid_out,
           count(*) filter (where e.kind = 'paid')::integer as payrolls_paid,
           sum(e.from_wage) as from_wage, sum(e.from_guarantee) as from_guarantee, sum(e.refunded) as refunded,
           sum(e.guarantee_returned) as guarantee_returned,
           count(*) filter (where e.kind = 'approved')::integer as payrolls_approved, sum(e.approved) as approved,
           count(*) filter (where e.kind = 'cancelled')::integer as payrolls_cancelled, sum(e.cancelled) as cancelled
    from escrow.dirty_project d
    cross join lateral (
      select * from (
        select 'funded' as kind, block_time, amount as funded, 0::numeric as guarantee_deposited, 0::numeric as to_wages,
               0::numeric as to_payable, 0::numeric as paid_out, 0::numeric as from_wage, 0::numeric as from_guarantee,
               0::numeric as refunded, 0::numeric as guarantee_returned, 0::numeric as approved, 0::numeric as cancelled
        from escrow.project_funded k where k.project_id = d.project_id
        union all select 'guarantee', block_time, 0, amount, 0, 0, 0, 0, 0, 0, 0, 0, 0
        from escrow.guarantee_deposited k where k.project_id = d.project_id
        union all select 'released', block_time, 0, 0, to_wage_account, to_payable, 0, 0, 0, 0, 0, 0, 0
        from escrow.milestone_released k where k.project_id = d.project_id
        union all select 'order', block_time, 0, 0, 0, 0, amount, 0, 0, 0, 0, 0, 0
        from escrow.payment_order_paid k where k.project_id = d.project_id
        union all select 'paid', block_time, 0, 0, 0, 0, 0, from_wage_account, from_guarantee, 0, 0, 0, 0
        from escrow.payroll_paid k where k.project_id = d.project_id
        union all select 'closed', block_time, 0, 0, 0, 0, 0, 0, 0, refunded, 0, 0, 0
        from escrow.project_closed k where k.project_id = d.project_id
        union all select 'returned', block_time, 0, 0, 0, 0, 0, 0, 0, 0, amount, 0, 0
        from escrow.guarantee_returned k where k.project_id = d.project_id
        union all select 'approved', block_time, 0, 0, 0, 0, 0, 0, 0, 0, 0, total, 0
        from escrow.payroll_approved k where k.project_id = d.project_id
        union all select 'cancelled', block_time, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, total
        from escrow.payroll_cancelled k where k.project_id = d.project_id
      ) u offset 0
    ) e
    group by 1, 2
  ) days
  window w as (partition by project_id order by day);
$$;

-- A forward batch's project days from its own events: every stored day of a project is at or
-- before the day of the range's first event of it (block times never go back), so the range adds
-- to the project's latest stored day or opens later ones, and the end-of-day balances run on from
-- that latest day. Rewriting every day of each touched project grew with the project's age (a
-- batch rewrote ~90 days of ~110 projects halfway through bench:reports' chain). A range open to
-- the top (rollback, rebuild) still derives every day from all events.
create function escrow.refresh_project_days(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  shift interval := make_interval(secs => indexer.utc_offset());
begin
  if to_block = 9223372036854775807 then
    perform escrow.refresh_project_days();
    return;
  end if;
  with range_days as (
    select e.project_id, ((e.block_time at time zone 'UTC') + shift)::date as day,
           sum(e.funded) as funded, sum(e.guarantee_deposited) as guarantee_deposited,
           sum(e.to_wages) as released_to_wages, sum(e.to_payable) as released_to_payable, sum(e.paid_out) as paid_out,
           count(*) filter (where e.kind = 'paid')::integer as payrolls_paid,
           sum(e.from_wage) as from_wage, sum(e.from_guarantee) as from_guarantee, sum(e.refunded) as refunded,
           sum(e.guarantee_returned) as guarantee_returned,
           count(*) filter (where e.kind = 'approved')::integer as payrolls_approved, sum(e.approved) as approved,
           count(*) filter (where e.kind = 'cancelled')::integer as payrolls_cancelled, sum(e.cancelled) as cancelled
    from (
      select 'funded' as kind, project_id, block_time, amount as funded, 0::numeric as guarantee_deposited,
             0::numeric as to_wages, 0::numeric as to_payable, 0::numeric as paid_out, 0::numeric as from_wage,
             0::numeric as from_guarantee, 0::numeric as refunded, 0::numeric as guarantee_returned,
             0::numeric as approved, 0::numeric as cancelled
      from escrow.project_funded where block_number between from_block and to_block
      union all select 'guarantee', project_id, block_time, 0, amount, 0, 0, 0, 0, 0, 0, 0, 0, 0
      from escrow.guarantee_deposited where block_number between from_block and to_block
      union all select 'released', project_id, block_time, 0, 0, to_wage_account, to_payable, 0, 0, 0, 0, 0, 0, 0
      from escrow.milestone_released where block_number between from_block and to_block
      union all select 'order', project_id, block_time, 0, 0, 0, 0, amount, 0, 0, 0, 0, 0, 0
      from escrow.payment_order_paid where block_number between from_block and to_block
      union all select 'paid', project_id, block_time, 0, 0, 0, 0, 0, from_wage_account, from_guarantee, 0, 0, 0, 0
      from escrow.payroll_paid where block_number between from_block and to_block
      union all select 'closed', project_id, block_time, 0, 0, 0, 0, 0, 0, 0, refunded, 0, 0, 0
      from escrow.project_closed where block_number between from_block and to_block
      union all select 'returned', project_id, block_time, 0, 0, 0, 0, 0, 0, 0, 0, amount, 0, 0
      from escrow.guarantee_returned where block_number between from_block and to_block
      union all select 'approved', project_id, block_time, 0, 0, 0, 0, 0, 0, 0, 0, 0, total, 0
      from escrow.payroll_approved where block_number between from_block and to_block
      union all select 'cancelled', project_id, block_time, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, total
      from escrow.payroll_cancelled where block_number between from_block and to_block
    ) e
    group by 1, 2
  ),
  -- Each touched project's latest stored day, one probe each.
  latest as (
    select p.project_id, l.* from (select distinct project_id from range_days) p
    left join lateral (
      select k.day, k.funded, k.guarantee_deposited, k.released_to_wages, k.released_to_payable, k.paid_out,
             k.payrolls_paid, k.wages_paid_from_wage_account, k.wages_paid_from_guarantee, k.refunded,
             k.guarantee_returned, k.payrolls_approved, k.approved, k.payrolls_cancelled, k.cancelled, k.wages_owed,
             k.balance
      from escrow.project_day k where k.project_id = p.project_id order by k.day desc limit 1
    ) l on true
  )
  insert into escrow.project_day as r
  select d.project_id, d.day,
         d.funded + coalesce(s.funded, 0),
         d.guarantee_deposited + coalesce(s.guarantee_deposited, 0),
         d.released_to_wages + coalesce(s.released_to_wages, 0),
         d.released_to_payable + coalesce(s.released_to_payable, 0),
         d.paid_out + coalesce(s.paid_out, 0),
         d.payrolls_paid + coalesce(s.payrolls_paid, 0),
         d.from_wage + coalesce(s.wages_paid_from_wage_account, 0),
         d.from_guarantee + coalesce(s.wages_paid_from_guarantee, 0),
         d.refunded + coalesce(s.refunded, 0),
         d.guarantee_returned + coalesce(s.guarantee_returned, 0),
         d.payrolls_approved + coalesce(s.payrolls_approved, 0),
         d.approved + coalesce(s.approved, 0),
         d.payrolls_cancelled + coalesce(s.payrolls_cancelled, 0),
         d.cancelled + coalesce(s.cancelled, 0),
         coalesce(l.wages_owed, 0) + sum(d.approved - d.from_wage - d.from_guarantee - d.cancelled) over w,
         coalesce(l.balance, 0)
           + sum(d.funded + d.guarantee_deposited - d.paid_out - d.from_wage - d.from_guarantee - d.refunded
                 - d.guarantee_returned) over w
  from range_days d
  join latest l using (project_id)
  -- the stored values of the day the range continues (s), none for a later day
  left join latest s on s.project_id = d.project_id and s.day = d.day
  window w as (partition by d.project_id order by d.day)
  on conflict (project_id, day) do update set
    funded = excluded.funded,
    guarantee_deposited = excluded.guarantee_deposited,
    released_to_wages = excluded.released_to_wages,
    released_to_payable = excluded.released_to_payable,
    paid_out = excluded.paid_out,
    payrolls_paid = excluded.payrolls_paid,
    wages_paid_from_wage_account = excluded.wages_paid_from_wage_account,
    wages_paid_from_guarantee = excluded.wages_paid_from_guarantee,
    refunded = excluded.refunded,
    guarantee_returned = excluded.guarantee_returned,
    payrolls_approved = excluded.payrolls_approved,
    approved = excluded.approved,
    payrolls_cancelled = excluded.payrolls_cancelled,
    cancelled = excluded.cancelled,
    wages_owed = excluded.wages_owed,
    balance = excluded.balance;
end $$;

-- A forward batch's projects that have a row already: the row plus the range's events (every
-- column of the ledger is a running sum, a count or the one closing/settling event), instead of
-- summing all of a project's events again (a batch probed ~20 event tables per project, each
-- reading the project's whole history). New projects (all their events are in the range) and a
-- range open to the top (rollback, rebuild) take the full derivation.
create function escrow.refresh_projects(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  continued numeric[];
begin
  if to_block = 9223372036854775807 then
    perform escrow.refresh_projects();
    return;
  end if;
  continued := array(
    select d.project_id from escrow.dirty_project d
    where exists (select 1 from escrow.project p where p.project_id = d.project_id)
  );
  -- The full derivation for the others alone (it works on the marked projects).
  delete from escrow.dirty_project where project_id = any(continued);
  perform escrow.refresh_projects();
  insert into escrow.dirty_project (project_id) select unnest(continued);

  with events as (
    select project_id, block_number, log_index, 'funded' as kind, amount as funded, 0::numeric as deposited,
           0::numeric as to_wages, 0::numeric as to_payable, 0::numeric as paid_out, 0::numeric as from_wage,
           0::numeric as from_guarantee, 0::numeric as approved, 0::numeric as cancelled, 0 as pending, 0 as ordered,
           0 as submitted, null::numeric as refunded, null::numeric as release_at, null::numeric as returned,
           null::timestamptz as at
    from escrow.project_funded where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'deposited', 0, amount, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null
    from escrow.guarantee_deposited where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'returned', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, amount, block_time
    from escrow.guarantee_returned where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'closed', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, refunded, guarantee_release_at, null, block_time
    from escrow.project_closed where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'milestone', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, null, null, null, null
    from escrow.milestone_submitted where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'released', 0, 0, to_wage_account, to_payable, 0, 0, 0, 0, 0, -1, 0, 0, null, null, null, null
    from escrow.milestone_released where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'rejected', 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, null, null, null, null
    from escrow.milestone_rejected where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'ordered', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, null, null, null, null
    from escrow.payment_ordered where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'order paid', 0, 0, 0, 0, amount, 0, 0, 0, 0, -1, 0, 0, null, null, null, null
    from escrow.payment_order_paid where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'order rejected', 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, null, null, null, null
    from escrow.payment_order_rejected where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'payroll', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, null, null, null, null
    from escrow.payroll_submitted where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'approved', 0, 0, 0, 0, 0, 0, 0, total, 0, -1, 0, 0, null, null, null, null
    from escrow.payroll_approved where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'paid', 0, 0, 0, 0, 0, from_wage_account, from_guarantee, 0, 0, 0, 0, 0, null, null, null, null
    from escrow.payroll_paid where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'payroll rejected', 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, null, null, null, null
    from escrow.payroll_rejected where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'cancelled', 0, 0, 0, 0, 0, 0, 0, 0, total, 0, 0, 0, null, null, null, null
    from escrow.payroll_cancelled where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'frozen', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null
    from escrow.project_frozen where block_number between from_block and to_block
    union all select project_id, block_number, log_index, 'unfrozen', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null
    from escrow.project_unfrozen where block_number between from_block and to_block
  ),
  range as (
    select project_id, sum(funded) as funded, sum(deposited) as deposited, sum(to_wages) as to_wages,
           sum(to_payable) as to_payable, sum(paid_out) as paid_out, sum(from_wage) as from_wage,
           sum(from_guarantee) as from_guarantee, sum(approved) as approved, sum(cancelled) as cancelled,
           sum(pending) as pending, sum(ordered) as ordered, sum(submitted) as submitted,
           max(refunded) as refunded, max(release_at) as release_at, max(at) filter (where kind = 'closed') as closed_at,
           max(returned) as returned, max(at) filter (where kind = 'returned') as returned_at,
           (array_agg(kind order by block_number desc, log_index desc) filter (where kind in ('frozen', 'unfrozen')))[1]
             as last_freeze,
           max(block_number) as block_number
    from events
    where project_id = any(continued)
    group by project_id
  ),
  -- The stored rows by key (ctid), one probe each: an UPDATE ... FROM may hash the whole table.
  rows as (
    select p.ctid as row_id, p.*, r.funded as r_funded, r.deposited as r_deposited, r.to_wages as r_to_wages,
           r.to_payable as r_to_payable, r.paid_out as r_paid_out, r.from_wage as r_from_wage,
           r.from_guarantee as r_from_guarantee, r.approved as r_approved, r.cancelled as r_cancelled,
           r.pending as r_pending, r.ordered as r_ordered, r.submitted as r_submitted, r.refunded as r_refunded,
           r.release_at as r_release_at, r.closed_at as r_closed_at, r.returned as r_returned,
           r.returned_at as r_returned_at, r.last_freeze as r_last_freeze, r.block_number as r_block_number
    from range r
    cross join lateral (select k.ctid, k.* from escrow.project k where k.project_id = r.project_id offset 0) p
  ),
  sums as (
    select x.*,
           x.closed_at is not null or x.r_closed_at is not null as closed_now,
           x.funded + x.r_funded as n_funded,
           x.released + x.r_to_wages + x.r_to_payable as n_released,
           x.wage_credited + x.r_to_wages as n_wage_credited,
           x.paid_out + x.r_paid_out as n_paid_out,
           x.wages_paid + x.r_from_wage as n_wages_paid,
           x.guarantee_deposited + x.r_deposited as n_guarantee_deposited,
           x.guarantee_paid_out + x.r_from_guarantee as n_guarantee_paid_out,
           x.guarantee_returned + coalesce(x.r_returned, 0) as n_guarantee_returned
    from rows x
  )
  update escrow.project p set
    state = case
      when s.settled_at is not null or s.r_returned_at is not null then 'Settled'
      when s.closed_now then 'Closed'
      else 'Open'
    end,
    frozen = case when s.r_last_freeze is null then s.frozen else s.r_last_freeze = 'frozen' end,
    guarantee_release_at = coalesce(s.guarantee_release_at, to_timestamp(s.r_release_at::double precision)),
    payment_order_count = s.payment_order_count + s.r_ordered,
    payroll_count = s.payroll_count + s.r_submitted,
    pending = s.pending + s.r_pending,
    funded = s.n_funded,
    -- closeProject refunds the unreleased money, the wage account and the payable balance and
    -- zeroes them (as in refresh_projects()).
    unreleased = case when s.closed_now then 0 else s.n_funded - s.n_released end,
    released = s.n_released,
    payable_balance = case when s.closed_now then 0 else s.n_released - s.n_wage_credited - s.n_paid_out end,
    paid_out = s.n_paid_out,
    refunded = s.refunded + coalesce(s.r_refunded, 0),
    wage_credited = s.n_wage_credited,
    wage_balance = case when s.closed_now then 0 else s.n_wage_credited - s.n_wages_paid end,
    wages_paid = s.n_wages_paid,
    wages_owed = s.wages_owed + s.r_approved - s.r_from_wage - s.r_from_guarantee - s.r_cancelled,
    guarantee_deposited = s.n_guarantee_deposited,
    guarantee_balance = s.n_guarantee_deposited - s.n_guarantee_paid_out - s.n_guarantee_returned,
    guarantee_paid_out = s.n_guarantee_paid_out,
    guarantee_returned = s.n_guarantee_returned,
    closed_at = coalesce(s.closed_at, s.r_closed_at),
    settled_at = coalesce(s.settled_at, s.r_returned_at),
    updated_block = greatest(s.updated_block, s.r_block_number)
  from sums s
  where p.ctid = s.row_id;
end $$;

create or replace function escrow.refresh(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  -- Most batches touch no project: one probe of an empty table, then nothing.
  if exists (select 1 from escrow.dirty_project) then
    perform escrow.refresh_projects(from_block, to_block);
    perform escrow.refresh_milestones();
    perform escrow.refresh_payment_orders();
    perform escrow.refresh_payrolls();
    perform escrow.refresh_project_days(from_block, to_block);
    perform escrow.refresh_payroll_state_counts();
  end if;
  perform escrow.refresh_subcontractors();
  perform escrow.refresh_workers();
  delete from escrow.dirty_project;
  delete from escrow.dirty_milestone;
  delete from escrow.dirty_payment_order;
  delete from escrow.dirty_payroll;
  delete from escrow.dirty_subcontractor;
  delete from escrow.dirty_worker;
end $$;
