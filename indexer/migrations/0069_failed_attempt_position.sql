-- A failed attempt is attributed to the department (or participant) the sender belonged to when
-- its transaction ran, not at the end of its block (0012 compared block numbers only): an
-- operator added by a later transaction of the same block made an earlier failure count as that
-- department's. Events carry their log index, failed transactions their transaction index;
-- raw.events maps one to the other. Only events of the failure's own block need the lookup
-- (one primary-key probe each), so the common case stays a plain comparison.

-- Whether the event at (event_block, event_log) ran before the transaction at (tx_block,
-- tx_position). (Parameter names differ from raw.events' columns, which would shadow them.)
create function gov.precedes(event_block bigint, event_log bigint, tx_block bigint, tx_position integer)
returns boolean
language sql stable as $$
  select event_block < tx_block
      or (event_block = tx_block
          and exists (select 1 from raw.events e
                      where e.block_number = event_block and e.log_index = event_log and e.tx_index < tx_position))
$$;

create or replace function gov.refresh_failed_attempts(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  shift interval := make_interval(secs => indexer.utc_offset());
  subtracted bigint;
begin
  -- Rows of the range already kept are those a rollback removed (a batch's range is new).
  with gone as (
    delete from gov.failed_attempt where failed_block between from_block and to_block returning *
  ),
  counts as (
    select coalesce(department_id, registrar_id, '\x'::bytea) as department_id,
           ((failed_at at time zone 'UTC') + shift)::date as day,
           count(*) as attempts,
           count(*) filter (where department_id is not null) as by_operators,
           count(*) filter (where department_id is null and participant_id is not null) as by_participants
    from gone group by 1, 2
  )
  update gov.failed_attempt_day r
  set attempts = r.attempts - c.attempts, by_operators = r.by_operators - c.by_operators,
      by_participants = r.by_participants - c.by_participants
  from counts c
  where r.department_id = c.department_id and r.day = c.day;
  get diagnostics subtracted = row_count;
  if subtracted > 0 then
    delete from gov.failed_attempt_day where attempts = 0;
  end if;

  with added as (
    insert into gov.failed_attempt
    select f.block_number, f.tx_index, f.tx_hash, f.block_time, f.sender,
           case when op.added then op.department_id end,
           p.participant_id, p.department_id,
           f.contract, f.contract_name, f.function_name, f.function_args, f.error_name, f.error_args, f.error_fields
    from raw.failed_transactions f
    -- The department the sender operated for when the transaction ran, if any.
    left join lateral (
      select x.department_id, x.added from (
        select a.department_id, a.block_number, a.log_index, true as added
        from gov.department_admitted a
        where a.block_number <= f.block_number and gov.precedes(a.block_number, a.log_index, f.block_number, f.tx_index)
          and exists (select 1 from jsonb_array_elements_text(a.operators) o
                      where lower(o) = '0x' || encode(f.sender, 'hex'))
        union all
        select o.department_id, o.block_number, o.log_index, true
        from gov.operator_added o
        where o.account = f.sender and o.block_number <= f.block_number and gov.precedes(o.block_number, o.log_index, f.block_number, f.tx_index)
        union all
        select o.department_id, o.block_number, o.log_index, false
        from gov.operator_removed o
        where o.account = f.sender and o.block_number <= f.block_number and gov.precedes(o.block_number, o.log_index, f.block_number, f.tx_index)
      ) x
      order by x.block_number desc, x.log_index desc limit 1
    ) op on true
    left join lateral (
      select r.participant_id, r.department_id from gov.participant_registered r
      where r.account = f.sender and r.block_number <= f.block_number and gov.precedes(r.block_number, r.log_index, f.block_number, f.tx_index)
        -- not once a vote made the account an operator's
        and not exists (select 1 from gov.participant_account_released x
                        where x.participant_id = r.participant_id
                          and x.block_number <= f.block_number and gov.precedes(x.block_number, x.log_index, f.block_number, f.tx_index))
      order by r.block_number desc, r.log_index desc limit 1
    ) p on true
    where f.block_number between from_block and to_block
    returning *
  )
  insert into gov.failed_attempt_day as r (department_id, day, attempts, by_operators, by_participants)
  select coalesce(department_id, registrar_id, '\x'::bytea), ((failed_at at time zone 'UTC') + shift)::date,
         count(*), count(*) filter (where department_id is not null),
         count(*) filter (where department_id is null and participant_id is not null)
  from added group by 1, 2
  on conflict (department_id, day) do update set
    attempts = r.attempts + excluded.attempts,
    by_operators = r.by_operators + excluded.by_operators,
    by_participants = r.by_participants + excluded.by_participants;
end $$;
