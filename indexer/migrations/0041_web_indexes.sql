-- Indexes for the dashboards' queries (web/src/queries).

-- The invoice list pages newest first: a page reads its own rows along this index instead of
-- sorting every invoice the department may see.
create index invoice_issued_at on invoices.invoice (issued_at desc, invoice_id desc);

