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
