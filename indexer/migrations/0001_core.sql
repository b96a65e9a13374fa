-- Core of the indexer: what chain and deployment this database mirrors, how far it got, and the
-- raw layer (blocks, every decoded event, failed transactions). Every table that holds chain data
-- has a block_number column: a reorg rollback deletes the rows above the fork from all of them.

create schema if not exists indexer;
create schema if not exists raw;

-- One row: the chain and deployment this database belongs to. A different chain id or
-- deployment refuses to start rather than mixing two chains in one database.
create table indexer.source (
  singleton boolean primary key default true check (singleton),
  chain_id bigint not null,
  deployment jsonb not null,
  created_at timestamptz not null default now()
);

-- The last block whose rows are all written; moves in the same transaction as the rows.
create table indexer.checkpoint (
  singleton boolean primary key default true check (singleton),
  block_number bigint not null,
  block_hash bytea not null,
  updated_at timestamptz not null default now()
);

create table raw.blocks (
  block_number bigint primary key,
  hash bytea not null,
  parent_hash bytea not null,
  block_time timestamptz not null,
  event_count integer not null
);

create table raw.events (
  block_number bigint not null,
  log_index bigint not null,
  tx_hash bytea not null,
  tx_index integer not null,
  contract bytea not null,
  contract_name text not null,
  event_name text not null,
  args jsonb not null,
  primary key (block_number, log_index)
);

-- Transactions to the consortium's contracts that reverted: attempts regulators need to see.
-- The sender's department or participant is joined from the governance tables as of the block
-- (see report.failed_attempts).
create table raw.failed_transactions (
  block_number bigint not null,
  tx_index integer not null,
  tx_hash bytea not null,
  block_time timestamptz not null,
  sender bytea not null,
  contract bytea not null,
  contract_name text not null,
  function_name text,
  error_name text,
  error_args jsonb,
  primary key (block_number, tx_index)
);

create schema if not exists report;

-- "Now" as the chain sees it: the time of the newest indexed block. Status views that depend on
-- time (expiry, voting periods) use it, so they agree with the contracts' own view functions
-- rather than with the database server's clock.
create function indexer.chain_time() returns timestamptz
language sql stable
as $$ select coalesce((select block_time from raw.blocks order by block_number desc limit 1), now()) $$;
