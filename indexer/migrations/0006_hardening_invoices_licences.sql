-- Contract hardening of issue 12 (invoices and licences): the event changes the indexer mirrors.
--
-- InvoiceLedger: a claim now names the receiving company that alone may lock the invoice
-- (InvoiceClaimed gains receiver_id), and the buyer may name another one before it is locked
-- (InvoiceReceiverChanged, new). Handler tables keep the ABI's column order (a test compares
-- them), so invoice_claimed is rebuilt rather than altered; the views over it are recreated
-- unchanged. Rows of a deployment indexed before this change keep a null receiver_id.

drop view invoices.invoices;
drop view invoices.state_history;

create table invoices.invoice_claimed_v2 (
  invoice_id bytea,
  issuer_id bytea,
  claimant bytea,
  receiver_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
insert into invoices.invoice_claimed_v2 (invoice_id, issuer_id, claimant, block_number, log_index, tx_hash, block_time, contract)
select invoice_id, issuer_id, claimant, block_number, log_index, tx_hash, block_time, contract from invoices.invoice_claimed;
drop table invoices.invoice_claimed;
alter table invoices.invoice_claimed_v2 rename to invoice_claimed;
alter index invoices.invoice_claimed_v2_pkey rename to invoice_claimed_pkey;
create index invoice_claimed_invoice on invoices.invoice_claimed (invoice_id);
create index invoice_claimed_receiver on invoices.invoice_claimed (receiver_id);

create table invoices.invoice_receiver_changed (
  invoice_id bytea,
  receiver_id bytea,
  claimant bytea,
  previous_receiver_id bytea,
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
create index invoice_receiver_changed_invoice on invoices.invoice_receiver_changed (invoice_id);

-- As in 0003.
create view invoices.state_history as
select invoice_id, 'Issued' as state, null::bytea as actor, block_number, log_index, block_time, tx_hash from invoices.invoice_issued
union all select invoice_id, 'Claimed', claimant, block_number, log_index, block_time, tx_hash from invoices.invoice_claimed
union all select invoice_id, 'Locked', receiver_id, block_number, log_index, block_time, tx_hash from invoices.invoice_locked
union all select invoice_id, 'Claimed', receiver_id, block_number, log_index, block_time, tx_hash from invoices.invoice_unlocked
union all select invoice_id, 'Reimbursed', receiver_id, block_number, log_index, block_time, tx_hash from invoices.invoice_reimbursed
union all select invoice_id, 'Voided', issuer_id, block_number, log_index, block_time, tx_hash from invoices.invoice_voided;

create view invoices.invoices as
select i.invoice_id,
       i.issuer_id,
       i.code,
       i.number,
       i.buyer,
       i.amount,
       i.tax,
       i.document_hash,
       i.batch_root,
       i.block_time as issued_at,
       coalesce(s.state, 'Issued') as state,
       coalesce((select max(c.credited) from invoices.invoice_credited c where c.invoice_id = i.invoice_id), 0) as credited,
       coalesce((select sum(r.amount) from invoices.invoice_reimbursed r where r.invoice_id = i.invoice_id), 0) as reimbursed,
       coalesce(f.frozen, false) as frozen
from invoices.invoice_issued i
left join lateral (
  select h.state from invoices.state_history h
  where h.invoice_id = i.invoice_id and h.state <> 'Issued'
  order by h.block_number desc, h.log_index desc limit 1
) s on true
left join lateral (
  select e.frozen from (
    select block_number, log_index, true as frozen from invoices.invoice_frozen where invoice_id = i.invoice_id
    union all
    select block_number, log_index, false from invoices.invoice_unfrozen where invoice_id = i.invoice_id
  ) e order by e.block_number desc, e.log_index desc limit 1
) f on true;

-- LicenceRegistry: a holder cancels the consents it signed and nobody submitted yet, whether or
-- not a consent is live (SignedConsentsCancelled, new). Licence ids of `issue` are now derived
-- from the issuing department and its reference; LicenceIssued is unchanged.
create table licences.signed_consents_cancelled (
  holder bytea,
  holder_participant bytea,
  nonce numeric(78,0),
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  contract bytea not null,
  primary key (block_number, log_index)
);
