-- Failed attempts read model: every reverted transaction to the deployment, with its sender's
-- department or participant resolved as of its block when the row is written, the decoded call
-- arguments and the decoded error by parameter name with enum values by name (the writer decodes
-- both: raw.failed_transactions.function_args, error_fields). Replaces report.failed_attempts
-- of 0002 (same columns first), whose per-row lookups over a window view took 11 s at 30,000
-- attempts. Framework: 0010_read_model.sql.

alter table raw.failed_transactions add column function_args jsonb, add column error_fields jsonb;

create index operator_added_account on gov.operator_added (account, block_number);
create index operator_removed_account on gov.operator_removed (account, block_number);
create index participant_registered_account on gov.participant_registered (account, block_number);

create table gov.failed_attempt (
  failed_block bigint not null,
  tx_index integer not null,
  tx_hash bytea not null,
  failed_at timestamptz not null,
  sender bytea not null,
  department_id bytea,
  participant_id bytea,
  registrar_id bytea,
  contract bytea not null,
  contract_name text not null,
  function_name text,
  function_args jsonb,
  error_name text,
  error_args jsonb,
  error_fields jsonb,
  primary key (failed_block, tx_index)
);
create index failed_attempt_department on gov.failed_attempt (department_id, failed_at) where department_id is not null;
create index failed_attempt_registrar on gov.failed_attempt (registrar_id, failed_at) where registrar_id is not null;
create index failed_attempt_sender on gov.failed_attempt (sender, failed_at);
create index failed_attempt_time on gov.failed_attempt (failed_at);

-- Attempts per responsible department (the sender's, or the registrar of the sender's
-- participant; '\x' for senders of neither) and local day, kept by difference.
create table gov.failed_attempt_day (
  department_id bytea not null,
  day date not null,
  attempts bigint not null,
  by_operators bigint not null,
  by_participants bigint not null,
  primary key (department_id, day)
);
create index failed_attempt_day_day on gov.failed_attempt_day (day);

-- A failed attempt has no event but itself, keyed by its block: nothing to mark.
create function gov.mark_failed_attempts(from_block bigint, to_block bigint) returns void
language sql as $$ select $$;

create function gov.refresh_failed_attempts(from_block bigint, to_block bigint) returns void
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
    -- The department the sender operated for at the end of that block, if any.
    left join lateral (
      select x.department_id, x.added from (
        select a.department_id, a.block_number, a.log_index, true as added
        from gov.department_admitted a
        where a.block_number <= f.block_number
          and exists (select 1 from jsonb_array_elements_text(a.operators) o
                      where lower(o) = '0x' || encode(f.sender, 'hex'))
        union all
        select o.department_id, o.block_number, o.log_index, true
        from gov.operator_added o where o.account = f.sender and o.block_number <= f.block_number
        union all
        select o.department_id, o.block_number, o.log_index, false
        from gov.operator_removed o where o.account = f.sender and o.block_number <= f.block_number
      ) x
      order by x.block_number desc, x.log_index desc limit 1
    ) op on true
    left join lateral (
      select r.participant_id, r.department_id from gov.participant_registered r
      where r.account = f.sender and r.block_number <= f.block_number
        -- not once a vote made the account an operator's
        and not exists (select 1 from gov.participant_account_released x
                        where x.participant_id = r.participant_id and x.block_number <= f.block_number)
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

insert into indexer.read_models (name, position, mark, refresh, tables) values (
  'failed_attempts', 90, 'gov.mark_failed_attempts(bigint, bigint)', 'gov.refresh_failed_attempts(bigint, bigint)',
  array['gov.failed_attempt', 'gov.failed_attempt_day']::regclass[]
);

drop view report.failed_attempts;

create view report.failed_attempts as
select a.failed_block as block_number,
       a.failed_at as block_time,
       a.tx_hash,
       a.sender,
       a.department_id,
       a.participant_id,
       a.contract_name,
       a.function_name,
       a.error_name,
       a.error_args,
       a.tx_index,
       indexer.code_text(a.department_id) as department_code,
       a.registrar_id,
       indexer.code_text(a.registrar_id) as registrar_code,
       a.contract,
       a.function_args,
       a.error_fields
from gov.failed_attempt a;

create view report.failed_attempts_per_department as
select nullif(d.department_id, '\x'::bytea) as department_id,
       indexer.code_text(nullif(d.department_id, '\x'::bytea)) as department_code,
       d.day,
       d.attempts,
       d.by_operators,
       d.by_participants
from gov.failed_attempt_day d;
