-- The read model's framework: state tables (one row per entity the contracts hold) derived from
-- the per-event tables, kept in the same transaction as each batch's event rows, returned to the
-- common ancestor's state by a reorg rollback, and rebuildable from scratch. The per-event tables
-- stay the source of truth. See docs/reporting.md, "Adding a domain".
--
-- A domain registers itself with one row of indexer.read_models and provides two functions:
--   mark(from_block bigint, to_block bigint): records, in the domain's own dirty tables, the key
--     of every entity that an event row of blocks [from_block, to_block] touches;
--   refresh(from_block bigint, to_block bigint): recomputes every marked entity from the event
--     tables alone, set-based (an entity whose events are all gone is deleted), then clears the
--     marks. The range is the one mark() saw: an entity created in it has all its events in it,
--     so refresh may read those from the range's rows instead of looking each key up.
-- The writer (indexer/src/db/store.ts) calls indexer.refresh_read_models(from, to) after the
-- COPY of a batch; a rollback calls indexer.mark_read_models(fork + 1, max) before deleting the
-- rows above the fork and indexer.refresh_marked_read_models(fork + 1, max) after. State tables have no
-- block_number column (a rollback deletes from every table that has one): they say
-- updated_block, issued_block and so on.

-- Deployment parameters the SQL needs. utc_offset: the city's offset from UTC in seconds
-- (InvoiceLedger.utcOffset(), written by the indexer at start; +8 h until then). Report days and
-- invoice quota periods are local.
create table indexer.settings (
  singleton boolean primary key default true check (singleton),
  utc_offset integer not null default 28800 check (utc_offset between -43200 and 50400)
);
insert into indexer.settings default values;

create table indexer.read_models (
  name text primary key,
  -- refreshed in this order: a domain may read the state tables of a domain before it
  position integer not null unique,
  mark regprocedure not null,
  refresh regprocedure not null,
  -- its state tables: emptied by a rebuild, compared with a rebuild by the tests
  tables regclass[] not null
);

create function indexer.mark_read_models(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  model record;
begin
  for model in select mark from indexer.read_models order by position loop
    execute format('select %s($1, $2)', model.mark::regproc) using from_block, to_block;
  end loop;
end $$;

create function indexer.refresh_marked_read_models(from_block bigint, to_block bigint) returns void
language plpgsql as $$
declare
  model record;
begin
  for model in select refresh from indexer.read_models order by position loop
    execute format('select %s($1, $2)', model.refresh::regproc) using from_block, to_block;
  end loop;
end $$;

-- After a batch of blocks [from_block, to_block] is written.
create function indexer.refresh_read_models(from_block bigint, to_block bigint) returns void
language plpgsql as $$
begin
  perform indexer.mark_read_models(from_block, to_block);
  perform indexer.refresh_marked_read_models(from_block, to_block);
end $$;

-- Empties every state table and derives it again from all event rows. Same result as the
-- incremental path (the tests compare the two).
create function indexer.rebuild_read_models() returns void
language plpgsql as $$
declare
  model record;
  target regclass;
begin
  for model in select * from indexer.read_models order by position loop
    foreach target in array model.tables loop
      execute format('delete from %s', target);
    end loop;
  end loop;
  perform indexer.refresh_read_models(-1, 9223372036854775807);
end $$;

-- Readable values -------------------------------------------------------------------------------

-- A bytes32 code (department, invoice code) as text: "FIRE" for \x4649524500...; null when the
-- bytes are not zero-padded printable ASCII (a hash, say). Plain SQL, so it is inlined: lists of
-- thousands of rows call it per row.
create function indexer.code_text(code bytea) returns text
language sql immutable parallel safe
return (
  select case when t <> '' and t !~ '[\\[:cntrl:]]' then t end
  from (select encode(rtrim(code, '\x00'::bytea), 'escape') as t) e
);

-- Fen to yuan.
create function indexer.yuan(fen numeric) returns numeric(20, 2)
language sql immutable parallel safe
return round(fen / 100, 2);

create function indexer.utc_offset() returns integer
language sql stable parallel safe
return (select utc_offset from indexer.settings);

-- The city's local calendar day of a moment.
create function indexer.local_day(at timestamptz) returns date
language sql stable parallel safe
return ((at at time zone 'UTC') + make_interval(secs => indexer.utc_offset()))::date;

-- InvoiceLedger.periodOf: months since January 1970 in local time.
create function indexer.period_of(at timestamptz) returns integer
language sql stable parallel safe
return (
  select ((extract(year from l) - 1970) * 12 + extract(month from l) - 1)::integer
  from (select (at at time zone 'UTC') + make_interval(secs => indexer.utc_offset()) as l) local
);
