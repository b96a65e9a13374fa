-- The invoice report lists at city scale for departments that see few or none of their rows
-- (issues 11 and 14: the /reports page and the GraphQL report lists, `npm run bench:reports`).
-- What each department sees is unchanged: the policies of 0044 stay as they are.
--
-- 1. Gates in 0055's form (see its note 2.) on the four report views over invoices.issuer_day and
-- invoices.receiver_day. Their policies check each row against the department's participants,
-- so a department that registered no issuer or receiver read all 241,000 issuer days and 65,000
-- receiver days (its first page walked the day index to the end) to find none: 25-45 ms on a
-- quiet machine, 150-330 ms at load 12. A view's `where (select gate())` is checked once, before
-- the scan. The union of per-department halves tried before (README, /reports) is not needed:
-- the departments that see these rows at all see most of them (the tax bureau registered every
-- issuer and receiver), so the ordered walk stays right for them. A department that registered a
-- few of many issuers would still walk the day index past the others' rows to fill its page (no
-- such department in the bench's city); the halves would answer that case.
--
-- 2. Indexes in the lists' order. invoice_totals_per_issuer_day shows the 21,000 issuer days with
-- an issuance of 241,000 (claims and reimbursements fill the rest): its count and its first page
-- read them from an index of their own, where they read the table or the covering index of 0044.
-- The receiver days get a covering index like 0044's for the issuer days.

-- web.sees_invoices() of 0055 probed the invoice index once per participant the department
-- registered (1,700 probes for the construction bureau, which registered supervisors and no
-- issuer: 5 ms). The rollup of 0044/0052 holds a row for each registering department, day and
-- state with invoices > 0 (refresh_invoices deletes the rows it takes to zero), in the same
-- transaction as the invoices, and counts an issuer for the department that registered it, the
-- one invoices.invoice's policy names: a row for the department exactly when it sees an
-- invoice. One probe of its primary key.
create or replace function web.sees_invoices() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select web.is_regulator()
      or exists (select 1 from invoices.department_day_state where registrar_id = (select web.current_department()))
$$;

-- The participants a department registered, by key: the first probe of the gate below, and the
-- set every invoice policy (0044) hashes per statement, read from this index instead of the
-- whole table (7,200 registrations: 0.3 ms for the construction bureau's 1,700 where the scan
-- took 0.8, nothing to read for a department that registered none).
create index participant_registered_department on gov.participant_registered (department_id, participant_id);

-- True when a participant the department registered received a reimbursement: exactly when
-- invoices.receiver_day's policy shows it a row. The department's participants, read by key from
-- the index above, probed in receiver_day's primary key as one array (one sorted pass through
-- the index: 1-4 ms for the construction bureau's 1,700 supervisors, none a receiver; a probe
-- per participant took 3-6 ms, a walk over the city's 400 receivers 4-13 ms); nothing to probe
-- for a department that registered none.
create function web.sees_receiver_days() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select web.is_regulator() or exists (
    select 1 from invoices.receiver_day
    where receiver_id = any (array(select r.participant_id from gov.participant_registered r
                                   where r.department_id = (select web.current_department()))))
$$;
revoke execute on function web.sees_receiver_days() from public;
grant execute on function web.sees_receiver_days() to govledger_reader;

create index issuer_day_issued on invoices.issuer_day (day, issuer_id)
  include (issued, issued_amount, issued_tax) where issued > 0;

-- The receiver days in the lists' order, from the index alone, as 0044 did for the issuer days:
-- the index on day alone fetched each row of the newest days from the table and sorted them by
-- receiver (the tax bureau's first page: 3-4 ms where it took 7-9). Replaces it.
create index receiver_day_day_covering on invoices.receiver_day (day, receiver_id)
  include (reimbursed, reimbursed_amount);
drop index invoices.receiver_day_day;

-- Same columns as in 0011; gated like invoices.invoices (0055): no gate for whoever reads past
-- row-level security (0050's public reads run as the owner, whose department is none).
create or replace view report.invoices_per_issuer_day with (security_invoker = true) as
select r.issuer_id, r.day, r.issued, r.issued_amount, indexer.yuan(r.issued_amount) as issued_amount_yuan,
       r.issued_tax, indexer.yuan(r.issued_tax) as issued_tax_yuan, r.claimed, r.claimed_amount,
       indexer.yuan(r.claimed_amount) as claimed_amount_yuan, r.reimbursed, r.reimbursed_amount,
       indexer.yuan(r.reimbursed_amount) as reimbursed_amount_yuan
from invoices.issuer_day r
where (select web.reads_past_rls() or web.sees_invoices());

create or replace view report.reimbursements_per_receiver_day with (security_invoker = true) as
select r.receiver_id, r.day, r.reimbursed, r.reimbursed_amount, indexer.yuan(r.reimbursed_amount) as reimbursed_amount_yuan
from invoices.receiver_day r
where (select web.reads_past_rls() or web.sees_receiver_days());

create or replace view report.invoice_totals_per_issuer_day with (security_invoker = true) as
select issuer_id, day, issued as invoices, issued_amount as amount, issued_tax as tax
from invoices.issuer_day
where issued > 0 and (select web.reads_past_rls() or web.sees_invoices());

create or replace view report.invoice_reimbursements_per_receiver_day with (security_invoker = true) as
select receiver_id, day, reimbursed as invoices, reimbursed_amount as amount
from invoices.receiver_day
where (select web.reads_past_rls() or web.sees_receiver_days());
