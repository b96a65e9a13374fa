-- Issue 10: a first backfill writes the big state tables without their secondary indexes and
-- builds them once it has caught up with the head (as Ponder creates its indexes after the
-- historical sync). Of the refresh's 42 ticks (10 ms) for a 16,000-invoice batch, the five
-- secondary indexes of invoices.invoice cost about 19 (README, bench:indexer); built once over
-- 100,000 rows they cost a fraction of that. No write path reads them: every refresh, mark and
-- rollback finds invoices.invoice's rows by its primary key (the constraints' indexes are never
-- deferred). The dashboards' and reports' queries read the same rows without them, slower.
--
-- indexer.deferred_index is the one place the definitions live while the indexes are absent:
-- filled here from the live catalog, captured again from the catalog each time the indexes are
-- dropped (a later migration that redefines one is taken as it is then), and extended then with
-- any index a later migration added to a listed table. A migration never runs while indexes are
-- dropped: migrate() restores them first (indexer.restore_deferred_indexes), so a migration that
-- drops or alters one finds it. The sync loop (sync/engine.ts, db/indexes.ts) decides when to
-- drop them (indexer.defer_indexes) and builds them with CREATE INDEX CONCURRENTLY at the head.

create table indexer.deferred_index (
  -- Schema-qualified, as to_regclass takes it.
  name text primary key,
  table_name text not null,
  -- pg_get_indexdef() as the index was when last seen live.
  definition text not null,
  -- The table was clustered on it (0060's `cluster invoices.invoice using invoice_issued_at`):
  -- the mark is set again after the build.
  clustered boolean not null default false,
  -- Null: the index exists. Otherwise it was dropped for a backfill and is rebuilt at the head.
  dropped_at timestamptz
);

-- The secondary indexes of the tables a backfill writes most, not backing a constraint.
create function indexer.deferrable_indexes(tables text[])
returns table (name text, table_name text, definition text, clustered boolean)
language sql stable as $$
  select format('%I.%I', n.nspname, c.relname), i.indrelid::regclass::text, pg_get_indexdef(i.indexrelid),
         i.indisclustered
  from pg_index i
  join pg_class c on c.oid = i.indexrelid
  join pg_namespace n on n.oid = c.relnamespace
  where i.indrelid = any (select to_regclass(t) from unnest(tables) t)
    and not exists (select from pg_constraint k where k.conindid = i.indexrelid)
    and i.indisvalid
$$;

insert into indexer.deferred_index (name, table_name, definition, clustered)
select * from indexer.deferrable_indexes(array['invoices.invoice']);

-- Drops the deferred indexes for a backfill (run by the writer in a transaction of its own);
-- returns how many are absent. Indexes already marked absent have whatever a build left of them
-- dropped too (a half-built, invalid one; a whole one whose mark was not cleared yet): all are
-- built again at the head. With live false (a backfill resumed after a stop) only those leftovers
-- are dealt with: an invalid one is dropped, a valid one kept and its mark cleared.
create function indexer.defer_indexes(live boolean default true) returns integer
language plpgsql as $$
declare
  r record;
  idx record;
  present boolean;
begin
  if live then
    -- Indexes a later migration added to a listed table join the list.
    insert into indexer.deferred_index (name, table_name, definition, clustered)
    select * from indexer.deferrable_indexes(array(select distinct table_name from indexer.deferred_index))
    on conflict (name) do nothing;
  end if;
  for r in select * from indexer.deferred_index where live or dropped_at is not null order by name for update loop
    select pg_get_indexdef(i.indexrelid) as definition, i.indisclustered as clustered, i.indisvalid as valid
    into idx
    from pg_index i where i.indexrelid = to_regclass(r.name);
    present := found;
    if r.dropped_at is null then
      if not present then
        -- A later migration dropped it: nothing to build.
        delete from indexer.deferred_index where name = r.name;
        continue;
      end if;
      update indexer.deferred_index
      set definition = idx.definition, clustered = idx.clustered, dropped_at = now()
      where name = r.name;
    elsif not live and present and idx.valid then
      update indexer.deferred_index set dropped_at = null where name = r.name;
      continue;
    end if;
    execute format('drop index if exists %s', r.name);
  end loop;
  return (select count(*) from indexer.deferred_index where dropped_at is not null);
end $$;

-- Builds every dropped index inside the caller's transaction (plain CREATE INDEX: the table's
-- writes wait for it). Used by migrate() before it applies a migration; the sync loop builds
-- them concurrently instead. Returns how many it built.
create function indexer.restore_deferred_indexes() returns integer
language plpgsql as $$
declare
  r record;
  built integer := 0;
begin
  for r in select * from indexer.deferred_index where dropped_at is not null order by name for update loop
    execute format('drop index if exists %s', r.name);
    execute r.definition;
    if r.clustered then
      execute format('alter table %s cluster on %I', r.table_name, (parse_ident(r.name))[2]);
    end if;
    update indexer.deferred_index set dropped_at = null where name = r.name;
    built := built + 1;
  end loop;
  return built;
end $$;
