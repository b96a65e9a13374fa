-- invoices.credit_notes read the chain's time once per statement. 0014 meant to: its
-- `(select indexer.chain_time() as now)` is pulled up into the query and the function inlined,
-- so the time was still read for each row (a count of 20,746 notes per state: 107 ms at p50 at
-- city scale). A scalar subquery is evaluated once (an InitPlan), as licences.licences does.
-- Same columns as in 0011.

create or replace view invoices.credit_notes as
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
