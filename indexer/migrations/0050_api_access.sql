-- The integrators' API (web/src/api/): service tokens, the credit notes' transactions, and what
-- the read API answers without sign-in because the chain answers it to anyone.

-- Bearer tokens a department issues to its services (`npm run db -- issue-token`, or a signed-in
-- operator through POST /api/tokens). Only the SHA-256 of the token is kept: the token itself is
-- shown once. A revoked token stays listed (who had access, until when) and fails at the next
-- request, since every request looks its hash up again.
create table web.api_tokens (
  token_id bigint generated always as identity primary key,
  department_code text not null,
  label text not null check (label ~ '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$'),
  token_hash bytea not null unique check (length(token_hash) = 32),
  created_by text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
-- One live token per department and label, so that `revoke-token <dept> <label>` names one.
create unique index api_tokens_live_label on web.api_tokens (department_code, label) where revoked_at is null;

-- The API server runs as govledger_web: it looks tokens up, and a signed-in operator issues and
-- revokes its own department's (checked by the server; analysts' roles get nothing here).
grant select, insert on web.api_tokens to govledger_web;
grant update (revoked_at) on web.api_tokens to govledger_web;

-- Every transaction of a credit note (issued, confirmed by the receiving company), as
-- invoices.state_history lists an invoice's: the GraphQL relation invoice -> credit notes ->
-- transactions. Runs as its caller, so the credit note tables' policies apply.
create view invoices.credit_note_history with (security_invoker = true) as
select credit_note_id, invoice_id, 'Issued' as event, null::bytea as actor, block_number, log_index, block_time, tx_hash
from invoices.credit_note_issued
union all
select credit_note_id, invoice_id, 'Confirmed', receiver_id, block_number, log_index, block_time, tx_hash
from invoices.credit_note_confirmed;
grant select on invoices.credit_note_history to govledger_reader;

-- Public reads for dApps. Everything these return is in the chain's events and view functions,
-- which every node of the consortium answers to anyone: an invoice's fields and state
-- (InvoiceIssued, getInvoice), the batch it was issued in (what a claim or verifyInvoice must
-- prove), a licence's record, versions and suspensions (getLicence, versionWindow,
-- suspensions). They run as the owner (past row-level security) and answer one entity at a time.

create function web.public_invoice(invoice_id bytea) returns setof invoices.invoices
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select * from invoices.invoices i where i.invoice_id = $1 $$;

-- The invoices of the batch that issued `invoice_id`, in log order (the leaves' order, as the
-- ledger hashed them). A batch is one transaction: one block, one root.
create function web.public_invoice_batch(invoice_id bytea)
returns table (issuer_id bytea, code bytea, number numeric, buyer bytea, amount numeric, tax numeric,
               document_hash bytea, batch_root bytea, block_number bigint, log_index bigint, tx_hash bytea)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select b.issuer_id, b.code, b.number, b.buyer, b.amount, b.tax, b.document_hash, b.batch_root,
         b.block_number, b.log_index, b.tx_hash
  from invoices.invoice_issued i
  join invoices.invoice_issued b on b.block_number = i.block_number and b.batch_root = i.batch_root
  where i.invoice_id = $1
  order by b.log_index
$$;

create function web.public_licence(licence_id bytea) returns setof licences.licences
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select * from licences.licences l where l.licence_id = $1 $$;

create function web.public_licence_versions(licence_id bytea) returns setof licences.licence_versions
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select * from licences.licence_versions v where v.licence_id = $1 order by v.version $$;

create function web.public_licence_suspensions(licence_id bytea) returns setof licences.suspensions
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select * from licences.suspensions s where s.licence_id = $1 order by s.number $$;

revoke execute on function web.public_invoice(bytea), web.public_invoice_batch(bytea), web.public_licence(bytea),
  web.public_licence_versions(bytea), web.public_licence_suspensions(bytea) from public;
grant execute on function web.public_invoice(bytea), web.public_invoice_batch(bytea), web.public_licence(bytea),
  web.public_licence_versions(bytea), web.public_licence_suspensions(bytea) to govledger_web;
