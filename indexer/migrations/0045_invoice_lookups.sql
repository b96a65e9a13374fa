-- Two invoice lookups that row-level security made slow at city scale (bench:reports).
--
-- 1. invoices.credit_notes read the chain's time once per statement. 0014 meant to: its
-- `(select indexer.chain_time() as now)` is pulled up into the query and the function inlined,
-- so the time was still read for each row (a count of 20,746 notes per state: 107 ms at p50 at
-- city scale). A scalar subquery is evaluated once (an InitPlan), as licences.licences does.
-- Same columns as in 0011; `create or replace` resets the view's options, so it runs as its
-- caller again explicitly (row-level security, 0040).

create or replace view invoices.credit_notes with (security_invoker = true) as
select n.credit_note_id,
       n.invoice_id,
       n.issuer_id,
       n.code,
       indexer.code_text(n.code) as code_text,
       n.number,
       n.amount,
       indexer.yuan(n.amount) as amount_yuan,
       n.tax,
       indexer.yuan(n.tax) as tax_yuan,
       n.document_hash,
       case
         when n.issued_state = 'Applied' or n.confirmed_at is not null then 'Applied'
         when n.lapses_at <= t.now then 'Lapsed'
         else 'Pending'
       end as state,
       n.confirmed_at is not null as confirmed,
       n.issued_state,
       n.lapses_at,
       n.confirmed_by,
       n.confirmed_at,
       n.issued_at,
       n.issued_block,
       n.updated_block
from invoices.credit_note n
cross join (select (select indexer.chain_time()) as now) t;

-- 2. An invoice number without an issuer. Under row-level security PostgreSQL applies a filter
-- whose operator is not leakproof (numeric equality is not) only after the policy, so the number
-- index of 0044 went unused and every invoice the department reads was compared (a second for
-- the tax bureau). This function finds the numbered invoices by that index, keeping those the
-- caller's department may read by the same rule as the policies (web.current_department(), the
-- regulator); the caller's query still applies its policies on top. Called as an InitPlan,
-- `invoice_id = any ((select web.numbered_invoices(n))::bytea[])` is an index lookup by id.
create function web.numbered_invoices(n numeric) returns bytea[]
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(v.invoice_id), '{}') from invoices.invoice v
  where v.number = n
    and ((select web.is_regulator()) or v.issuer_id in (
      select r.participant_id from gov.participant_registered r where r.department_id = (select web.current_department())))
$$;
grant execute on function web.numbered_invoices(numeric) to govledger_reader;
