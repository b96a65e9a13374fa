-- The integrators' API (web/src/api/) offers no `totalCount` on the invoice lists: that is
-- count(*) under row-level security over every invoice a department reads (seconds at 1,000,000
-- invoices). This is the count it offers instead, from the per-department rollup the invoice
-- dashboard's headline figures read (report.invoices_per_department_day, 0044): a few rows a day.
-- It runs as its caller, so a department counts what the rollup's policy lets it see.
create function report.invoice_count(states text[] default null, from_day date default null,
                                     until_day date default null) returns bigint
language sql stable security invoker parallel safe as $$
  select coalesce(sum(r.invoices), 0)::bigint
  from report.invoices_per_department_day r
  where (states is null or r.state = any (states))
    and (from_day is null or r.day >= from_day)
    and (until_day is null or r.day <= until_day)
$$;
comment on function report.invoice_count(text[], date, date) is
  'How many invoices the caller reads, optionally only those in `states` and issued from `fromDay` until `untilDay` (local days, both included), from the per-department rollup: cheap at any size.';
grant execute on function report.invoice_count(text[], date, date) to govledger_reader;
