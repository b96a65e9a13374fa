-- A vote that replaces a project's bank, regulator or human-resources department (0087) belongs in
-- the project's ledger on its page: web.project_event_blocks (0075) also returns the blocks of
-- escrow.project_party_replaced. Same visibility as the project's other events (the policy of
-- 0087's table, and sees_project here), so the department that lost the part no longer sees it.

create or replace function web.project_event_blocks(id numeric) returns bigint[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(distinct e.block_number), '{}') from (
    select b.block_number from (
      select block_number from escrow.project_created where project_id = id
      union all select block_number from escrow.project_funded where project_id = id
      union all select block_number from escrow.guarantee_deposited where project_id = id
      union all select block_number from escrow.milestone_submitted where project_id = id
      union all select block_number from escrow.milestone_released where project_id = id
      union all select block_number from escrow.milestone_rejected where project_id = id
      union all select block_number from escrow.payment_ordered where project_id = id
      union all select block_number from escrow.payment_order_paid where project_id = id
      union all select block_number from escrow.payment_order_rejected where project_id = id
      union all select block_number from escrow.project_frozen where project_id = id
      union all select block_number from escrow.project_unfrozen where project_id = id
      union all select block_number from escrow.project_closed where project_id = id
      union all select block_number from escrow.guarantee_returned where project_id = id
      union all select block_number from escrow.project_party_replaced where project_id = id
    ) b where (select web.sees_project(id, false))
    union all
    select b.block_number from (
      select block_number from escrow.payroll_submitted where project_id = id
      union all select block_number from escrow.payroll_approved where project_id = id
      union all select block_number from escrow.payroll_paid where project_id = id
      union all select block_number from escrow.payroll_rejected where project_id = id
      union all select block_number from escrow.payroll_cancelled where project_id = id
    ) b where (select web.sees_project(id, true))
  ) e
$$;
