/**
 * The read side's secondary indexes a first backfill goes without (0099, db/indexes.ts): absent
 * while it runs, built at the head as their definitions say, and repaired after a SIGKILL in the
 * middle of the backfill or of a build. The state tables equal a rebuild throughout.
 */
import { expect } from "chai";
import postgres from "postgres";

import { createWriter } from "../../indexer/src/db/client.js";
import { migrate } from "../../indexer/src/db/migrate.js";
import { rollbackTo } from "../../indexer/src/db/store.js";
import { startIndexer } from "../../indexer/src/indexer.js";
import {
  type Chain,
  checkpointOf,
  configFor,
  type Database,
  dump,
  generateActivity,
  indexToHead,
  killMidBackfill,
  silentLog,
  spawnIndexer,
  startChain,
  startDatabase,
  waitUntil,
} from "./harness.js";
import { expectSameAsRebuild } from "./readmodel.js";

interface Definition {
  name: string;
  definition: string;
  clustered: boolean;
}

/** The deferred indexes as the catalog has them now: present, valid, definition, cluster mark. */
async function catalog(sql: postgres.Sql) {
  return sql<
    {
      name: string;
      absent: boolean;
      present: boolean;
      valid: boolean | null;
      definition: string | null;
      clustered: boolean | null;
    }[]
  >`
    select d.name, d.dropped_at is not null as absent, i.indexrelid is not null as present, i.indisvalid as valid,
           pg_get_indexdef(i.indexrelid) as definition, i.indisclustered as clustered
    from indexer.deferred_index d left join pg_index i on i.indexrelid = to_regclass(d.name)
    order by d.name`;
}

describe("indexer: deferred indexes", function () {
  this.timeout(300_000);
  let db: Database;
  let chain: Chain;
  let migrated: Definition[];
  let reference: string;

  before(async function () {
    db = await startDatabase();
    chain = await startChain();
    // Well past DEFER_INDEXES_BLOCKS, with the demo's invoices in it.
    await generateActivity(chain, 100, 0);
    // The definitions as the migrations leave them, in a database nothing was indexed into.
    const sql = postgres(await db.create(), { max: 1, onnotice: () => {} });
    try {
      await migrate(sql);
      migrated = [
        ...(await sql<Definition[]>`select name, definition, clustered from indexer.deferred_index order by name`),
      ];
    } finally {
      await sql.end();
    }
    expect(migrated.map((d) => d.name)).to.include.members([
      "invoices.invoice_issued_at",
      "invoices.invoice_state_issued",
      "invoices.invoice_number_text_issued",
    ]);
  });
  after(async function () {
    await chain?.close();
    await db?.stop();
  });

  const expectBuilt = async (sql: postgres.Sql) => {
    const rows = await catalog(sql);
    expect(
      rows.map(({ name, absent, present, valid, definition, clustered }) => ({
        name,
        absent,
        present,
        valid,
        definition,
        clustered,
      })),
    ).to.deep.equal(
      migrated.map(({ name, definition, clustered }) => ({
        name,
        absent: false,
        present: true,
        valid: true,
        definition,
        clustered,
      })),
    );
  };

  it("goes without them during a first backfill and builds each at the head as defined, valid; the state equals a rebuild", async function () {
    const url = await db.create();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const seen: number[] = [];
    const controller = new AbortController();
    const indexer = await startIndexer(configFor(chain, url, { GOVLEDGER_MAX_SPAN: "20" }), {
      log: silentLog,
      signal: controller.signal,
      untilHead: true,
      startWorker: false,
      afterWrite: async () => {
        const [row] = await sql`select count(*)::int as n from indexer.deferred_index d
          join pg_index i on i.indexrelid = to_regclass(d.name)`;
        seen.push(row.n);
      },
    });
    try {
      await indexer.done;
      expect(seen.length).to.be.greaterThan(3);
      expect(
        seen.every((n) => n === 0),
        `indexes present during the backfill: ${seen}`,
      ).to.equal(true);
      expect(indexer.metrics.absentIndexes).to.equal(0);
      await expectBuilt(sql);
      const [{ n }] = await sql`select count(*)::int as n from invoices.invoice`;
      expect(n).to.be.greaterThan(0);
      await expectSameAsRebuild(sql);
      reference = await dump(url);
    } finally {
      controller.abort();
      await indexer.close();
      await sql.end();
    }
  });

  it("stays without them after a SIGKILL mid-backfill (a rebuild and a rollback work), and the next start builds them", async function () {
    const url = await db.create();
    await killMidBackfill(chain, url, 2n, "half the backfill");
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const writer = createWriter(url);
    try {
      const rows = await catalog(sql);
      expect(rows.map((r) => [r.name, r.absent, r.present])).to.deep.equal(migrated.map((d) => [d.name, true, false]));
      await expectSameAsRebuild(sql);
      // A rollback of ten blocks, without the indexes.
      const killedAt = await checkpointOf(url);
      const [tip] =
        await sql`select encode(hash, 'hex') as hash from raw.blocks where block_number = ${killedAt.toString()}`;
      const [fork] =
        await sql`select encode(hash, 'hex') as hash from raw.blocks where block_number = ${(killedAt - 10n).toString()}`;
      await rollbackTo(
        writer.transact,
        { blockNumber: killedAt, blockHash: tip.hash },
        { blockNumber: killedAt - 10n, blockHash: fork.hash },
      );
      expect(await checkpointOf(url)).to.equal(killedAt - 10n);
      await expectSameAsRebuild(sql);
      await indexToHead(configFor(chain, url, { GOVLEDGER_MAX_SPAN: "7" }));
      await expectBuilt(sql);
      expect(await dump(url)).to.equal(reference);
    } finally {
      await writer.end();
      await sql.end();
    }
  });

  it("drops the index a SIGKILL left half-built (invalid) and builds it again at the next start", async function () {
    const url = await db.create();
    // An open snapshot makes CREATE INDEX CONCURRENTLY wait after its index is entered, invalid.
    const holder = postgres(url, { max: 1, onnotice: () => {} });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = holder.begin("isolation level repeatable read", async (tx) => {
      await tx`select 1`;
      await released;
    });
    const first = spawnIndexer({
      GOVLEDGER_RPC_URL: chain.url,
      GOVLEDGER_DEPLOYMENT: chain.deploymentFile,
      DATABASE_URL: url,
    });
    try {
      await waitUntil(
        async () => {
          const [row] = await sql`select count(*)::int as n from pg_stat_activity
            where query ilike 'create index concurrently%' and wait_event_type = 'Lock'`;
          return row.n > 0;
        },
        120_000,
        "an index build waiting on the open snapshot",
      );
    } finally {
      first.child.kill("SIGKILL");
      await first.exited;
    }
    try {
      // The build's backend dies with the crash (as when the database goes down with the indexer).
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'create index concurrently%'`;
      release();
      await held;
      await waitUntil(
        async () => {
          const [row] =
            await sql`select count(*)::int as n from pg_stat_activity where query ilike 'create index concurrently%'`;
          return row.n === 0;
        },
        10_000,
        "the build's backend to end",
      );
      const halfBuilt = (await catalog(sql)).filter((r) => r.present && !r.valid);
      expect(halfBuilt).to.have.length(1);
      expect(halfBuilt[0].absent).to.equal(true);
      await indexToHead(configFor(chain, url));
      await expectBuilt(sql);
      expect(await dump(url)).to.equal(reference);
    } finally {
      release();
      await holder.end();
      await sql.end();
    }
  });
});
