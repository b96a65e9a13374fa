-- Construction-fund escrow read model: projects (every field of getProject and getLedger),
-- milestones, payment orders, payrolls, subcontractors and workers as ConstructionEscrow holds
-- them, and the escrow reports by the city's local day, kept by the indexer (framework:
-- 0010_read_model.sql, docs/reporting.md). Replaces the views of 0005 of the same names
-- (escrow.project_ledgers, report.project_balances, report.wages_paid), which computed every
-- project from all its events at read time, and kept the wage account after closeProject had
-- refunded it.

drop view report.project_balances;
drop view escrow.project_ledgers;
drop view report.wages_paid;

-- The decimals of every token a project is paid in. ERC-20 events do not carry them: the indexer
-- reads `decimals()` once per token (the settlement token at start, any other token when the
-- first ProjectCreated naming it is written) and keeps the answer here. Not chain data: no
-- block_number, so a rollback leaves it (a token's decimals do not change with a fork), and a
-- rebuild does not touch it. `decimals` is null when the token did not answer.
create table escrow.token (
  token bytea primary key,
  decimals smallint,
  read_at timestamptz not null default now()
);

-- A token amount in whole tokens: raw / 10^decimals, exact (the dividend is given `decimals`
-- places first, so the division keeps them all: 1 wei is 0.000000000000000001, not 0); null while
-- the decimals are unknown.
create function indexer.scaled(raw numeric, decimals smallint) returns numeric
language sql immutable parallel safe
return trim_scale(round(raw, decimals) / (10::numeric ^ decimals));

-- Lookups by key the recomputation makes (0005 indexed four tables by project only).
create index project_created_project on escrow.project_created (project_id);
create index project_closed_project on escrow.project_closed (project_id);
create index project_frozen_project on escrow.project_frozen (project_id);
create index project_unfrozen_project on escrow.project_unfrozen (project_id);
create index guarantee_deposited_project on escrow.guarantee_deposited (project_id);
create index guarantee_returned_project on escrow.guarantee_returned (project_id);
create index milestone_submitted_key on escrow.milestone_submitted (project_id, milestone_index);
create index milestone_released_key on escrow.milestone_released (project_id, milestone_index);
create index milestone_rejected_key on escrow.milestone_rejected (project_id, milestone_index);
create index payment_ordered_key on escrow.payment_ordered (project_id, order_id);
create index payment_order_paid_key on escrow.payment_order_paid (project_id, order_id);
create index payment_order_rejected_key on escrow.payment_order_rejected (project_id, order_id);
create index payroll_submitted_key on escrow.payroll_submitted (project_id, payroll_id);
create index payroll_approved_key on escrow.payroll_approved (project_id, payroll_id);
create index payroll_paid_key on escrow.payroll_paid (project_id, payroll_id);
create index payroll_rejected_key on escrow.payroll_rejected (project_id, payroll_id);
create index payroll_cancelled_key on escrow.payroll_cancelled (project_id, payroll_id);
create index subcontractor_added_key on escrow.subcontractor_added (project_id, subcontractor);
create index subcontractor_removed_key on escrow.subcontractor_removed (project_id, subcontractor);
create index worker_registered_key on escrow.worker_registered (project_id, worker);
-- The composite indexes serve lookups by project alone.
drop index escrow.milestone_released_project;
drop index escrow.payment_order_paid_project;
drop index escrow.payroll_paid_project;

-- State tables --------------------------------------------------------------------------------

-- One row per project: getProject's fields, then getLedger's.
create table escrow.project (
  project_id numeric(78, 0) primary key,
  bureau_id bytea not null,
  developer_id bytea not null,
  contractor_id bytea not null,
  supervisor_id bytea not null,
  bank_id bytea not null,
  token bytea not null,
  budget numeric(78, 0) not null,
  labour_share_bps integer not null,
  guarantee_amount numeric(78, 0) not null,
  guarantee_holding_period bigint not null,
  contract_hash bytea not null,
  milestone_count integer not null,
  state text not null,
  frozen boolean not null,
  guarantee_release_at timestamptz,
  payment_order_count bigint not null,
  payroll_count bigint not null,
  pending bigint not null,
  funded numeric(78, 0) not null,
  unreleased numeric(78, 0) not null,
  released numeric(78, 0) not null,
  payable_balance numeric(78, 0) not null,
  paid_out numeric(78, 0) not null,
  refunded numeric(78, 0) not null,
  wage_credited numeric(78, 0) not null,
  wage_balance numeric(78, 0) not null,
  wages_paid numeric(78, 0) not null,
  wages_owed numeric(78, 0) not null,
  guarantee_deposited numeric(78, 0) not null,
  guarantee_balance numeric(78, 0) not null,
  guarantee_paid_out numeric(78, 0) not null,
  guarantee_returned numeric(78, 0) not null,
  terms jsonb not null,
  created_at timestamptz not null,
  created_block bigint not null,
  closed_at timestamptz,
  settled_at timestamptz,
  updated_block bigint not null
);
create index project_state on escrow.project (state);

create table escrow.milestone (
  project_id numeric(78, 0) not null,
  milestone_index integer not null,
  amount numeric(78, 0) not null,
  due_date timestamptz not null,
  description_hash bytea not null,
  state text not null,
  evidence_hash bytea,
  submitted_at timestamptz,
  released_at timestamptz,
  to_wage_account numeric(78, 0),
  to_payable numeric(78, 0),
  rejections integer not null,
  rejected_at timestamptz,
  rejected_reason text,
  updated_block bigint not null,
  primary key (project_id, milestone_index)
);
create index milestone_state on escrow.milestone (state);

create table escrow.payment_order (
  project_id numeric(78, 0) not null,
  order_id numeric(78, 0) not null,
  payee_id bytea not null,
  contractor_id bytea not null,
  amount numeric(78, 0) not null,
  reference_hash bytea not null,
  state text not null,
  ordered_at timestamptz not null,
  paid_at timestamptz,
  paid_to bytea,
  rejected_at timestamptz,
  rejected_reason text,
  updated_block bigint not null,
  primary key (project_id, order_id)
);
create index payment_order_state on escrow.payment_order (state);

create table escrow.payroll (
  project_id numeric(78, 0) not null,
  payroll_id numeric(78, 0) not null,
  contractor_id bytea not null,
  period bigint not null,
  document_hash bytea not null,
  workers integer not null,
  total numeric(78, 0) not null,
  state text not null,
  submitted_at timestamptz not null,
  approved_at timestamptz,
  bank_id bytea,
  paid_at timestamptz,
  paid_by bytea,
  from_wage_account numeric(78, 0),
  from_guarantee numeric(78, 0),
  rejected_at timestamptz,
  cancelled_at timestamptz,
  reason text,
  updated_block bigint not null,
  primary key (project_id, payroll_id)
);
create index payroll_paid_at on escrow.payroll (paid_at) where paid_at is not null;

create table escrow.subcontractor (
  project_id numeric(78, 0) not null,
  subcontractor_id bytea not null,
  registered boolean not null,
  added_by bytea not null,
  added_at timestamptz not null,
  removed_by bytea,
  removed_at timestamptz,
  updated_block bigint not null,
  primary key (project_id, subcontractor_id)
);

create table escrow.worker (
  project_id numeric(78, 0) not null,
  worker bytea not null,
  identity_hash bytea not null,
  contractor_id bytea not null,
  registered_at timestamptz not null,
  registered_block bigint not null,
  primary key (project_id, worker)
);

-- Report tables: a project's rows are derived again from its events whenever it is touched (a
-- project has few events per day; its cumulative balances need all of them anyway).
create table escrow.project_day (
  project_id numeric(78, 0) not null,
  day date not null,
  funded numeric(78, 0) not null,
  guarantee_deposited numeric(78, 0) not null,
  released_to_wages numeric(78, 0) not null,
  released_to_payable numeric(78, 0) not null,
  paid_out numeric(78, 0) not null,
  payrolls_paid integer not null,
  wages_paid_from_wage_account numeric(78, 0) not null,
  wages_paid_from_guarantee numeric(78, 0) not null,
  refunded numeric(78, 0) not null,
  guarantee_returned numeric(78, 0) not null,
  payrolls_approved integer not null,
  approved numeric(78, 0) not null,
  payrolls_cancelled integer not null,
  cancelled numeric(78, 0) not null,
  -- at the end of the day
  wages_owed numeric(78, 0) not null,
  balance numeric(78, 0) not null,
  primary key (project_id, day)
);
create index project_day_day on escrow.project_day (day);

create table escrow.payroll_state_count (
  project_id numeric(78, 0) not null,
  state text not null,
  payrolls integer not null,
  total numeric(78, 0) not null,
  primary key (project_id, state)
);

-- Marks (empty between transactions).
create unlogged table escrow.dirty_project (project_id numeric(78, 0) primary key);
create unlogged table escrow.dirty_milestone (project_id numeric(78, 0), milestone_index integer,
  primary key (project_id, milestone_index));
create unlogged table escrow.dirty_payment_order (project_id numeric(78, 0), order_id numeric(78, 0),
  primary key (project_id, order_id));
create unlogged table escrow.dirty_payroll (project_id numeric(78, 0), payroll_id numeric(78, 0),
  primary key (project_id, payroll_id));
create unlogged table escrow.dirty_subcontractor (project_id numeric(78, 0), subcontractor bytea,
  primary key (project_id, subcontractor));
create unlogged table escrow.dirty_worker (project_id numeric(78, 0), worker bytea,
  primary key (project_id, worker));

-- Marking -------------------------------------------------------------------------------------

create function escrow.mark(from_block bigint, to_block bigint) returns void
language sql as $$
  -- Every escrow event changes its project's ledger, counts, state or report rows.
  insert into escrow.dirty_project (project_id)
  select project_id from escrow.project_created where block_number between from_block and to_block
  union select project_id from escrow.project_funded where block_number between from_block and to_block
  union select project_id from escrow.guarantee_deposited where block_number between from_block and to_block
  union select project_id from escrow.guarantee_returned where block_number between from_block and to_block
  union select project_id from escrow.milestone_submitted where block_number between from_block and to_block
  union select project_id from escrow.milestone_released where block_number between from_block and to_block
  union select project_id from escrow.milestone_rejected where block_number between from_block and to_block
  union select project_id from escrow.payment_ordered where block_number between from_block and to_block
  union select project_id from escrow.payment_order_paid where block_number between from_block and to_block
  union select project_id from escrow.payment_order_rejected where block_number between from_block and to_block
  union select project_id from escrow.payroll_submitted where block_number between from_block and to_block
  union select project_id from escrow.payroll_approved where block_number between from_block and to_block
  union select project_id from escrow.payroll_paid where block_number between from_block and to_block
  union select project_id from escrow.payroll_rejected where block_number between from_block and to_block
  union select project_id from escrow.payroll_cancelled where block_number between from_block and to_block
  union select project_id from escrow.project_frozen where block_number between from_block and to_block
  union select project_id from escrow.project_unfrozen where block_number between from_block and to_block
  union select project_id from escrow.project_closed where block_number between from_block and to_block
  on conflict do nothing;

  insert into escrow.dirty_milestone (project_id, milestone_index)
  select c.project_id, m.i::integer - 1
  from escrow.project_created c cross join jsonb_array_elements(c.milestones) with ordinality m(v, i)
  where c.block_number between from_block and to_block
  union select project_id, milestone_index::integer from escrow.milestone_submitted where block_number between from_block and to_block
  union select project_id, milestone_index::integer from escrow.milestone_released where block_number between from_block and to_block
  union select project_id, milestone_index::integer from escrow.milestone_rejected where block_number between from_block and to_block
  on conflict do nothing;

  insert into escrow.dirty_payment_order (project_id, order_id)
  select project_id, order_id from escrow.payment_ordered where block_number between from_block and to_block
  union select project_id, order_id from escrow.payment_order_paid where block_number between from_block and to_block
  union select project_id, order_id from escrow.payment_order_rejected where block_number between from_block and to_block
  on conflict do nothing;

  insert into escrow.dirty_payroll (project_id, payroll_id)
  select project_id, payroll_id from escrow.payroll_submitted where block_number between from_block and to_block
  union select project_id, payroll_id from escrow.payroll_approved where block_number between from_block and to_block
  union select project_id, payroll_id from escrow.payroll_paid where block_number between from_block and to_block
  union select project_id, payroll_id from escrow.payroll_rejected where block_number between from_block and to_block
  union select project_id, payroll_id from escrow.payroll_cancelled where block_number between from_block and to_block
  on conflict do nothing;

  insert into escrow.dirty_subcontractor (project_id, subcontractor)
  select project_id, subcontractor from escrow.subcontractor_added where block_number between from_block and to_block
  union select project_id, subcontractor from escrow.subcontractor_removed where block_number between from_block and to_block
  on conflict do nothing;

  insert into escrow.dirty_worker (project_id, worker)
  select project_id, worker from escrow.worker_registered where block_number between from_block and to_block
  on conflict do nothing;
$$;

-- Recomputing ---------------------------------------------------------------------------------
-- Each entity is deleted and derived again from all its events, looked up by key (one index
-- probe per table and key; `offset 0` keeps the planner from flattening the lateral subqueries
-- into joins sized by its guess of the dirty table). An entity none of whose events remain is
-- not inserted again.

create function escrow.refresh_projects() returns void
language sql as $$
  delete from escrow.project r using escrow.dirty_project d where r.project_id = d.project_id;

  insert into escrow.project
  select c.project_id,
         c.department_id,
         decode(substr(c.terms->>'developer', 3), 'hex'),
         decode(substr(c.terms->>'contractor', 3), 'hex'),
         decode(substr(c.terms->>'supervisor', 3), 'hex'),
         decode(substr(c.terms->>'bank', 3), 'hex'),
         decode(substr(lower(c.terms->>'token'), 3), 'hex'),
         (c.terms->>'budget')::numeric,
         (c.terms->>'labourShareBps')::integer,
         (c.terms->>'guaranteeAmount')::numeric,
         (c.terms->>'guaranteeHoldingPeriod')::bigint,
         decode(substr(c.terms->>'contractHash', 3), 'hex'),
         jsonb_array_length(c.milestones),
         case when gr.amount is not null then 'Settled' when cl.refunded is not null then 'Closed' else 'Open' end,
         coalesce(fz.frozen, false),
         to_timestamp(cl.release_at::double precision),
         coalesce(po.ordered, 0),
         coalesce(pr.submitted, 0),
         ms.pending + coalesce(po.pending, 0) + coalesce(pr.pending, 0),
         coalesce(f.funded, 0),
         -- closeProject refunds the unreleased money, the wage account and the payable balance
         -- and zeroes them; nothing credits them again once the project is no longer open.
         case when cl.refunded is null then coalesce(f.funded, 0) - coalesce(ms.released, 0) else 0 end,
         coalesce(ms.released, 0),
         case when cl.refunded is null then coalesce(ms.to_payable, 0) - coalesce(po.paid_out, 0) else 0 end,
         coalesce(po.paid_out, 0),
         coalesce(cl.refunded, 0),
         coalesce(ms.to_wages, 0),
         case when cl.refunded is null then coalesce(ms.to_wages, 0) - coalesce(pr.from_wage_account, 0) else 0 end,
         coalesce(pr.from_wage_account, 0),
         coalesce(pr.approved, 0) - coalesce(pr.from_wage_account, 0) - coalesce(pr.from_guarantee, 0)
           - coalesce(pr.cancelled, 0),
         coalesce(g.deposited, 0),
         coalesce(g.deposited, 0) - coalesce(pr.from_guarantee, 0) - coalesce(gr.amount, 0),
         coalesce(pr.from_guarantee, 0),
         coalesce(gr.amount, 0),
         c.terms,
         c.block_time,
         c.block_number,
         cl.block_time,
         gr.block_time,
         greatest(c.block_number, f.block_number, g.block_number, gr.block_number, ms.block_number,
                  po.block_number, pr.block_number, fz.block_number, cl.block_number)
  from escrow.dirty_project d
  join lateral (
    select * from escrow.project_created k where k.project_id = d.project_id limit 1
  ) c on true
  cross join lateral (
    select sum(amount) as funded, max(block_number) as block_number
    from escrow.project_funded k where k.project_id = d.project_id offset 0
  ) f
  cross join lateral (
    select sum(amount) as deposited, max(block_number) as block_number
    from escrow.guarantee_deposited k where k.project_id = d.project_id offset 0
  ) g
  left join lateral (
    select amount, block_time, block_number from escrow.guarantee_returned k where k.project_id = d.project_id limit 1
  ) gr on true
  left join lateral (
    select refunded, guarantee_release_at as release_at, block_time, block_number
    from escrow.project_closed k where k.project_id = d.project_id limit 1
  ) cl on true
  cross join lateral (
    select (select count(*) from escrow.milestone_submitted k where k.project_id = d.project_id)
             - count(*) as pending,
           sum(to_wage_account + to_payable) filter (where released) as released,
           sum(to_wage_account) filter (where released) as to_wages,
           sum(to_payable) filter (where released) as to_payable,
           greatest(max(block_number), (select max(block_number) from escrow.milestone_submitted k
                                         where k.project_id = d.project_id)) as block_number
    from (
      select true as released, to_wage_account, to_payable, block_number
      from escrow.milestone_released k where k.project_id = d.project_id
      union all
      select false, 0, 0, block_number from escrow.milestone_rejected k where k.project_id = d.project_id
    ) decided
  ) ms
  cross join lateral (
    select (select count(*) from escrow.payment_ordered k where k.project_id = d.project_id) as ordered,
           (select count(*) from escrow.payment_ordered k where k.project_id = d.project_id)
             - (select count(*) from escrow.payment_order_paid k where k.project_id = d.project_id)
             - (select count(*) from escrow.payment_order_rejected k where k.project_id = d.project_id) as pending,
           (select sum(amount) from escrow.payment_order_paid k where k.project_id = d.project_id) as paid_out,
           greatest(
             (select max(block_number) from escrow.payment_ordered k where k.project_id = d.project_id),
             (select max(block_number) from escrow.payment_order_paid k where k.project_id = d.project_id),
             (select max(block_number) from escrow.payment_order_rejected k where k.project_id = d.project_id)
           ) as block_number
  ) po
  cross join lateral (
    select s.submitted,
           s.submitted - a.approved - r.rejected as pending,
           a.total as approved,
           p.from_wage_account,
           p.from_guarantee,
           x.total as cancelled,
           greatest(s.block_number, a.block_number, p.block_number, r.block_number, x.block_number) as block_number
    from (select count(*) as submitted, max(block_number) as block_number
          from escrow.payroll_submitted k where k.project_id = d.project_id) s,
         (select count(*) as approved, sum(total) as total, max(block_number) as block_number
          from escrow.payroll_approved k where k.project_id = d.project_id) a,
         (select sum(from_wage_account) as from_wage_account, sum(from_guarantee) as from_guarantee,
                 max(block_number) as block_number
          from escrow.payroll_paid k where k.project_id = d.project_id) p,
         (select count(*) as rejected, max(block_number) as block_number
          from escrow.payroll_rejected k where k.project_id = d.project_id) r,
         (select sum(total) as total, max(block_number) as block_number
          from escrow.payroll_cancelled k where k.project_id = d.project_id) x
  ) pr
  left join lateral (
    select e.frozen, e.block_number from (
      select true as frozen, block_number, log_index from escrow.project_frozen k where k.project_id = d.project_id
      union all
      select false, block_number, log_index from escrow.project_unfrozen k where k.project_id = d.project_id
    ) e order by e.block_number desc, e.log_index desc limit 1
  ) fz on true;
$$;

create function escrow.refresh_milestones() returns void
language sql as $$
  delete from escrow.milestone r using escrow.dirty_milestone d
  where r.project_id = d.project_id and r.milestone_index = d.milestone_index;

  insert into escrow.milestone
  select d.project_id,
         d.milestone_index,
         (t.v->>'amount')::numeric,
         to_timestamp((t.v->>'dueDate')::double precision),
         decode(substr(t.v->>'descriptionHash', 3), 'hex'),
         coalesce(last.kind, 'Pending'),
         sub.evidence_hash,
         sub.block_time,
         rel.block_time,
         rel.to_wage_account,
         rel.to_payable,
         coalesce(rej.rejections, 0),
         rej.block_time,
         rej.reason,
         greatest(c.block_number, sub.block_number, rel.block_number, rej.block_number)
  from escrow.dirty_milestone d
  join lateral (
    select * from escrow.project_created k where k.project_id = d.project_id limit 1
  ) c on true
  join lateral (select c.milestones->d.milestone_index as v) t on t.v is not null
  left join lateral (
    select evidence_hash, block_time, block_number, log_index from escrow.milestone_submitted k
    where k.project_id = d.project_id and k.milestone_index = d.milestone_index
    order by block_number desc, log_index desc limit 1
  ) sub on true
  left join lateral (
    select to_wage_account, to_payable, block_time, block_number, log_index from escrow.milestone_released k
    where k.project_id = d.project_id and k.milestone_index = d.milestone_index limit 1
  ) rel on true
  left join lateral (
    select count(*) over () as rejections, reason, block_time, block_number, log_index from escrow.milestone_rejected k
    where k.project_id = d.project_id and k.milestone_index = d.milestone_index
    order by block_number desc, log_index desc limit 1
  ) rej on true
  -- the milestone's state follows its latest event
  left join lateral (
    select e.kind from (
      select 'Submitted' as kind, sub.block_number as block_number, sub.log_index as log_index
      union all select 'Released', rel.block_number, rel.log_index
      union all select 'Rejected', rej.block_number, rej.log_index
    ) e where e.block_number is not null
    order by e.block_number desc, e.log_index desc
    limit 1
  ) last on true;
$$;

create function escrow.refresh_payment_orders() returns void
language sql as $$
  delete from escrow.payment_order r using escrow.dirty_payment_order d
  where r.project_id = d.project_id and r.order_id = d.order_id;

  insert into escrow.payment_order
  select d.project_id, d.order_id, o.payee, o.contractor, o.amount, o.reference_hash,
         case when p.block_time is not null then 'Paid' when r.block_time is not null then 'Rejected' else 'Ordered' end,
         o.block_time, p.block_time, p.account, r.block_time, r.reason,
         greatest(o.block_number, p.block_number, r.block_number)
  from escrow.dirty_payment_order d
  join lateral (
    select * from escrow.payment_ordered k where k.project_id = d.project_id and k.order_id = d.order_id limit 1
  ) o on true
  left join lateral (
    select * from escrow.payment_order_paid k where k.project_id = d.project_id and k.order_id = d.order_id limit 1
  ) p on true
  left join lateral (
    select * from escrow.payment_order_rejected k where k.project_id = d.project_id and k.order_id = d.order_id limit 1
  ) r on true;
$$;

create function escrow.refresh_payrolls() returns void
language sql as $$
  delete from escrow.payroll r using escrow.dirty_payroll d
  where r.project_id = d.project_id and r.payroll_id = d.payroll_id;

  insert into escrow.payroll
  select d.project_id, d.payroll_id, s.contractor, s.period::bigint, s.document_hash,
         jsonb_array_length(s.workers), s.total,
         case
           when p.block_time is not null then 'Paid'
           when x.block_time is not null then 'Cancelled'
           when r.block_time is not null then 'Rejected'
           when a.block_time is not null then 'Approved'
           else 'Submitted'
         end,
         s.block_time, a.block_time, coalesce(a.bank, r.bank), p.block_time, p.department_id,
         p.from_wage_account, p.from_guarantee, r.block_time, x.block_time, coalesce(r.reason, x.reason),
         greatest(s.block_number, a.block_number, p.block_number, r.block_number, x.block_number)
  from escrow.dirty_payroll d
  join lateral (
    select * from escrow.payroll_submitted k where k.project_id = d.project_id and k.payroll_id = d.payroll_id limit 1
  ) s on true
  left join lateral (
    select * from escrow.payroll_approved k where k.project_id = d.project_id and k.payroll_id = d.payroll_id limit 1
  ) a on true
  left join lateral (
    select * from escrow.payroll_paid k where k.project_id = d.project_id and k.payroll_id = d.payroll_id limit 1
  ) p on true
  left join lateral (
    select * from escrow.payroll_rejected k where k.project_id = d.project_id and k.payroll_id = d.payroll_id limit 1
  ) r on true
  left join lateral (
    select * from escrow.payroll_cancelled k where k.project_id = d.project_id and k.payroll_id = d.payroll_id limit 1
  ) x on true;
$$;

create function escrow.refresh_subcontractors() returns void
language sql as $$
  delete from escrow.subcontractor r using escrow.dirty_subcontractor d
  where r.project_id = d.project_id and r.subcontractor_id = d.subcontractor;

  insert into escrow.subcontractor
  select d.project_id, d.subcontractor,
         rm.block_number is null or (a.block_number, a.log_index) > (rm.block_number, rm.log_index),
         a.department_id, a.block_time,
         case when rm.block_number is not null and (rm.block_number, rm.log_index) > (a.block_number, a.log_index)
              then rm.department_id end,
         case when rm.block_number is not null and (rm.block_number, rm.log_index) > (a.block_number, a.log_index)
              then rm.block_time end,
         greatest(a.block_number, rm.block_number)
  from escrow.dirty_subcontractor d
  join lateral (
    select * from escrow.subcontractor_added k where k.project_id = d.project_id and k.subcontractor = d.subcontractor
    order by block_number desc, log_index desc limit 1
  ) a on true
  left join lateral (
    select * from escrow.subcontractor_removed k where k.project_id = d.project_id and k.subcontractor = d.subcontractor
    order by block_number desc, log_index desc limit 1
  ) rm on true;
$$;

create function escrow.refresh_workers() returns void
language sql as $$
  delete from escrow.worker r using escrow.dirty_worker d where r.project_id = d.project_id and r.worker = d.worker;

  insert into escrow.worker
  select d.project_id, d.worker, w.identity_hash, w.contractor, w.block_time, w.block_number
  from escrow.dirty_worker d
  join lateral (
    select * from escrow.worker_registered k where k.project_id = d.project_id and k.worker = d.worker limit 1
  ) w on true;
$$;

-- Per project and local day: money moved, payrolls decided, and the balances at the day's end.
create function escrow.refresh_project_days() returns void
language sql as $$
  delete from escrow.project_day r using escrow.dirty_project d where r.project_id = d.project_id;

  insert into escrow.project_day
  select project_id, day, funded, guarantee_deposited, released_to_wages, released_to_payable, paid_out,
         payrolls_paid, from_wage, from_guarantee, refunded, guarantee_returned, payrolls_approved, approved,
         payrolls_cancelled, cancelled,
         sum(approved - from_wage - from_guarantee - cancelled) over w,
         sum(funded + guarantee_deposited - paid_out - from_wage - from_guarantee - refunded - guarantee_returned) over w
  from (
    select d.project_id, ((e.block_time at time zone 'UTC') + make_interval(secs => indexer.utc_offset()))::date as day,
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

create function escrow.refresh_payroll_state_counts() returns void
language sql as $$
  delete from escrow.payroll_state_count r using escrow.dirty_project d where r.project_id = d.project_id;

  insert into escrow.payroll_state_count
  select p.project_id, p.state, count(*)::integer, sum(p.total)
  from escrow.dirty_project d join escrow.payroll p on p.project_id = d.project_id
  group by 1, 2;
$$;

create function escrow.refresh(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  -- Most batches touch no project: one probe of an empty table, then nothing.
  if exists (select 1 from escrow.dirty_project) then
    perform escrow.refresh_projects();
    perform escrow.refresh_milestones();
    perform escrow.refresh_payment_orders();
    perform escrow.refresh_payrolls();
    perform escrow.refresh_project_days();
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

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'escrow', 40, 'escrow.mark(bigint, bigint)', 'escrow.refresh(bigint, bigint)',
  array['escrow.project', 'escrow.milestone', 'escrow.payment_order', 'escrow.payroll', 'escrow.subcontractor',
        'escrow.worker', 'escrow.project_day', 'escrow.payroll_state_count']::regclass[]
);

-- The public relations --------------------------------------------------------------------------

create view escrow.projects as
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
       p.updated_block
from escrow.project p
left join escrow.token t on t.token = p.token;

create view escrow.milestones as
select m.project_id,
       m.milestone_index,
       m.state,
       m.amount,
       indexer.scaled(m.amount, t.decimals) as amount_scaled,
       m.due_date,
       m.description_hash,
       m.evidence_hash,
       m.submitted_at,
       m.released_at,
       m.to_wage_account,
       m.to_payable,
       m.rejections,
       m.rejected_at,
       m.rejected_reason,
       m.updated_block
from escrow.milestone m
join escrow.project p using (project_id)
left join escrow.token t on t.token = p.token;

create view escrow.payment_orders as
select o.project_id,
       o.order_id,
       o.state,
       o.payee_id,
       o.contractor_id,
       o.amount,
       indexer.scaled(o.amount, t.decimals) as amount_scaled,
       o.reference_hash,
       o.ordered_at,
       o.paid_at,
       o.paid_to,
       o.rejected_at,
       o.rejected_reason,
       o.updated_block
from escrow.payment_order o
join escrow.project p using (project_id)
left join escrow.token t on t.token = p.token;

create view escrow.payrolls as
select r.project_id,
       r.payroll_id,
       r.state,
       r.period,
       r.contractor_id,
       r.document_hash,
       r.workers,
       r.total,
       indexer.scaled(r.total, t.decimals) as total_scaled,
       r.submitted_at,
       r.approved_at,
       r.bank_id,
       indexer.code_text(r.bank_id) as bank_code,
       r.paid_at,
       r.paid_by,
       indexer.code_text(r.paid_by) as paid_by_code,
       r.from_wage_account,
       r.from_guarantee,
       r.rejected_at,
       r.cancelled_at,
       r.reason,
       r.updated_block
from escrow.payroll r
join escrow.project p using (project_id)
left join escrow.token t on t.token = p.token;

create view escrow.subcontractors as
select s.project_id, s.subcontractor_id, s.registered, s.added_by, indexer.code_text(s.added_by) as added_by_code,
       s.added_at, s.removed_by, indexer.code_text(s.removed_by) as removed_by_code, s.removed_at, s.updated_block
from escrow.subcontractor s;

create view escrow.workers as
select w.project_id, w.worker, w.identity_hash, w.contractor_id, w.registered_at, w.registered_block
from escrow.worker w;

-- The names of 0005, kept.
create view escrow.project_ledgers as
select p.project_id,
       p.bureau_id as opened_by,
       p.contractor_id as contractor,
       p.terms,
       p.funded,
       p.guarantee_deposited,
       p.wage_credited as released_to_wages,
       p.released - p.wage_credited as released_to_payable,
       p.wages_paid as wages_paid_from_wage_account,
       p.guarantee_paid_out as wages_paid_from_guarantee,
       p.paid_out,
       p.refunded,
       p.guarantee_returned,
       p.state <> 'Open' as closed,
       p.frozen
from escrow.project p;

create view report.project_balances as
select p.project_id,
       p.bureau_id as opened_by,
       p.contractor_id as contractor,
       p.state <> 'Open' as closed,
       p.frozen,
       p.funded + p.guarantee_deposited as money_in,
       p.wages_paid + p.guarantee_paid_out + p.paid_out + p.refunded + p.guarantee_returned as money_out,
       p.unreleased + p.wage_balance + p.payable_balance + p.guarantee_balance as balance,
       p.wage_balance as wage_account_balance,
       p.guarantee_balance,
       p.state,
       p.unreleased,
       p.payable_balance,
       p.wages_owed,
       p.token,
       t.decimals as token_decimals,
       indexer.scaled(p.unreleased + p.wage_balance + p.payable_balance + p.guarantee_balance, t.decimals) as balance_scaled,
       indexer.scaled(p.wage_balance, t.decimals) as wage_account_balance_scaled,
       indexer.scaled(p.wages_owed, t.decimals) as wages_owed_scaled
from escrow.project p
left join escrow.token t on t.token = p.token;

create view report.wages_paid as
select r.project_id, r.payroll_id, r.period, r.contractor_id as contractor, r.total, r.paid_by, r.from_wage_account,
       r.from_guarantee, r.paid_at, r.workers, indexer.local_day(r.paid_at) as day,
       indexer.scaled(r.total, t.decimals) as total_scaled
from escrow.payroll r
join escrow.project p using (project_id)
left join escrow.token t on t.token = p.token
where r.state = 'Paid';

create view report.project_balances_per_day as
select d.project_id, d.day, d.funded, d.guarantee_deposited, d.released_to_wages, d.released_to_payable, d.paid_out,
       d.wages_paid_from_wage_account, d.wages_paid_from_guarantee, d.refunded, d.guarantee_returned,
       d.funded + d.guarantee_deposited as money_in,
       d.paid_out + d.wages_paid_from_wage_account + d.wages_paid_from_guarantee + d.refunded + d.guarantee_returned
         as money_out,
       d.balance,
       indexer.scaled(d.balance, t.decimals) as balance_scaled
from escrow.project_day d
join escrow.project p using (project_id)
left join escrow.token t on t.token = p.token;

create view report.wages_per_project_day as
select d.project_id, d.day, d.payrolls_paid, d.wages_paid_from_wage_account, d.wages_paid_from_guarantee,
       d.wages_paid_from_wage_account + d.wages_paid_from_guarantee as wages_paid,
       indexer.scaled(d.wages_paid_from_wage_account + d.wages_paid_from_guarantee, t.decimals) as wages_paid_scaled,
       d.payrolls_approved, d.approved, d.payrolls_cancelled, d.cancelled, d.wages_owed,
       indexer.scaled(d.wages_owed, t.decimals) as wages_owed_scaled
from escrow.project_day d
join escrow.project p using (project_id)
left join escrow.token t on t.token = p.token;

create view report.wages_owed as
select p.project_id, p.state, p.contractor_id as contractor, p.bank_id, indexer.code_text(p.bank_id) as bank_code,
       p.wages_owed, indexer.scaled(p.wages_owed, t.decimals) as wages_owed_scaled,
       p.wage_balance as wage_account_balance, p.guarantee_balance
from escrow.project p
left join escrow.token t on t.token = p.token
where p.wages_owed > 0;

create view report.payrolls_per_state as
select c.project_id, c.state, c.payrolls, c.total
from escrow.payroll_state_count c;
