/**
 * The reports benchmark's database: an embedded PostgreSQL (the indexer's, with its defaults)
 * migrated like the indexer migrates and filled through the indexer's batch writer with the
 * synthetic chain (synthetic-chain.ts). A built database is kept under
 * `.govledger/bench-reports/<key>/`, keyed by the generator version, the scale, the migrations
 * and the writer's code, so rerunning the queries does not rebuild it.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { Logger as WorkerLogger, runMigrations as migrateWorker } from "graphile-worker";

import { ROOT } from "../../deploy/lib/consortium.js";
import { connectDatabase, createWriter } from "../../indexer/src/db/client.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../indexer/src/db/embedded.js";
import { migrate, MIGRATIONS_DIR } from "../../indexer/src/db/migrate.js";
import { rebuildReadModels, writeBatch } from "../../indexer/src/db/store.js";
import { freePort } from "../../scripts/lib/ports.js";
import { chainBatches, GENERATOR_VERSION, planChain, type PlannedCounts, type Scale } from "./synthetic-chain.js";

export interface BuildFigures {
  key: string;
  scale: Scale;
  counts: PlannedCounts;
  events: number;
  transactions: number;
  batches: number;
  planSeconds: number;
  writeSeconds: number;
  eventsPerSecond: number;
  analyzeSeconds: number;
  peakRssMb: number;
  databaseMb: number;
  /** "per batch" (writeBatch keeps the state tables) or "rebuilt once" (--defer-read-models). */
  readModels: string;
  /** With --defer-read-models: the indexer's rebuildReadModels over the whole chain. */
  readModelRebuildSeconds: number | null;
  builtAt: string;
}

export const CACHE_ROOT = path.join(ROOT, ".govledger", "bench-reports");

/**
 * Who the read-side benchmarks sign in as: the tax bureau (it registered every invoice issuer:
 * all 1,000,000 invoices through its row-level security; licence uses of its own, no project),
 * the regulator (everything), the market regulator (the largest licence authority), the
 * construction bureau (every project) and human resources (every payroll, no project row).
 */
export const BENCH_DEPARTMENTS = ["TAX", "AUDIT", "SAMR", "CONS", "HRSS"];

/** What the cached database depends on: a change to any of these builds a new one. */
export function cacheKey(scale: Scale): string {
  const hash = createHash("sha256");
  hash.update(`generator ${GENERATOR_VERSION}\n${JSON.stringify(scale)}\n`);
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(`${file}\n`).update(readFileSync(path.join(MIGRATIONS_DIR, file)));
  }
  // The writer and the handlers decide what a batch writes (state tables included).
  for (const dir of ["indexer/src/db", "indexer/src/handlers"]) {
    for (const file of readdirSync(path.join(ROOT, dir)).sort()) {
      if (file.endsWith(".ts")) hash.update(`${dir}/${file}\n`).update(readFileSync(path.join(ROOT, dir, file)));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

export interface ReportsDatabase {
  url: string;
  figures: BuildFigures;
  stop(): Promise<void>;
}

const silentWorkerLog = new WorkerLogger(() => () => {});

async function startAt(dataDir: string): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  // As root the server runs as the `postgres` user, which must be able to reach its folder.
  for (let dir = dataDir; dir.startsWith(ROOT) && dir !== ROOT; dir = path.dirname(dir)) chmodSync(dir, 0o755);
  return startEmbeddedPostgres({ dataDir: path.join(dataDir, "data"), port: await freePort() });
}

/**
 * The database for `scale`: the cached one if it was built completely, otherwise a new build
 * (older builds of the same scale are removed: at city scale each takes several GB). With
 * `reuse`, the newest complete build of this scale is taken whatever code built it, and only the
 * migrations it lacks are applied: a build takes half an hour at city scale, and a change to the
 * read side (an index, a summary table a migration fills) needs no new one.
 */
export async function openReportsDatabase(
  scale: Scale,
  options: {
    rebuild?: boolean;
    reuse?: boolean;
    deferReadModels?: boolean;
    log?: (line: string) => void;
    signal?: AbortSignal;
  } = {},
): Promise<ReportsDatabase> {
  const log = options.log ?? ((line: string) => console.log(line));
  const key = cacheKey(scale);
  const builds = completeBuilds(scale);
  const cached = builds.find((b) => b.key === key) ?? (options.reuse ? builds[0] : undefined);
  if (!options.rebuild && cached) {
    const dir = path.join(CACHE_ROOT, cached.key);
    log(
      `using the database built ${cached.figures.builtAt} (${dir}` +
        (cached.key === key ? "; --rebuild to build a new one)" : ", built by other code: --reuse)"),
    );
    const pg = await startAt(dir);
    try {
      const sql = connectDatabase(pg.url, { max: 1 });
      try {
        const applied = await migrate(sql);
        if (applied.length > 0) {
          log(`applied ${applied.join(", ")}; vacuum analyze`);
          await sql`vacuum analyze`;
        }
      } finally {
        await sql.end();
      }
    } catch (error) {
      await pg.stop();
      throw error;
    }
    return { url: pg.url, figures: cached.figures, stop: () => pg.stop() };
  }
  // Builds of this scale go (at city scale each takes several GB); other scales stay, and so does
  // a folder whose server is running (another run building it).
  for (const old of existsSync(CACHE_ROOT) ? readdirSync(CACHE_ROOT) : []) {
    const oldDir = path.join(CACHE_ROOT, old);
    const figures = readFigures(oldDir);
    const sameScale = figures !== null && JSON.stringify(figures.scale) === JSON.stringify(scale);
    const abandoned = figures === null && !existsSync(path.join(oldDir, "data", "postmaster.pid"));
    if (sameScale || abandoned) rmSync(oldDir, { recursive: true, force: true });
  }
  const dir = path.join(CACHE_ROOT, key);
  const pg = await startAt(dir);
  try {
    const figures = await build(pg.url, scale, key, log, options.signal, options.deferReadModels);
    writeFileSync(path.join(dir, "build.json"), `${JSON.stringify(figures, null, 2)}\n`);
    return { url: pg.url, figures, stop: () => pg.stop() };
  } catch (error) {
    await pg.stop();
    throw error;
  }
}

function readFigures(dir: string): BuildFigures | null {
  const file = path.join(dir, "build.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as BuildFigures) : null;
}

/** Complete builds of `scale`, newest first. */
function completeBuilds(scale: Scale): { key: string; figures: BuildFigures }[] {
  if (!existsSync(CACHE_ROOT)) return [];
  return readdirSync(CACHE_ROOT)
    .map((key) => ({ key, figures: readFigures(path.join(CACHE_ROOT, key)) }))
    .filter((b): b is { key: string; figures: BuildFigures } => b.figures !== null)
    .filter((b) => JSON.stringify(b.figures.scale) === JSON.stringify(scale))
    .sort((a, b) => b.figures.builtAt.localeCompare(a.figures.builtAt));
}

/** Migrates like the indexer, then writes every batch of the synthetic chain with writeBatch. */
export async function build(
  url: string,
  scale: Scale,
  key: string,
  log: (line: string) => void,
  signal?: AbortSignal,
  deferReadModels = false,
): Promise<BuildFigures> {
  const sql = connectDatabase(url, { max: 1 });
  const writer = createWriter(url);
  try {
    await migrate(sql);
    await migrateWorker({ connectionString: url, logger: silentWorkerLog });

    let started = performance.now();
    // Deferred: the registry of read models is emptied while the batches are written (so
    // writeBatch's refresh has nothing to do), then restored and every state table derived once
    // by the indexer's own rebuild. The result is the same (test/bench/synthetic-chain.test.ts
    // compares the per-batch tables with a rebuild); only the write figures differ.
    if (deferReadModels) {
      await sql`create table indexer.deferred_read_models as select * from indexer.read_models`;
      await sql`delete from indexer.read_models`;
    }
    const plan = planChain(scale);
    const planSeconds = (performance.now() - started) / 1000;
    log(`planned ${plan.counts.transactions.toLocaleString("en")} transactions in ${planSeconds.toFixed(1)} s`);

    started = performance.now();
    let events = 0;
    let transactions = 0;
    let batches = 0;
    let lastReport = started;
    let lastEvents = 0;
    let invoices = 0;
    // One batch in flight while the next is built: PostgreSQL works while this thread generates.
    let writing: Promise<void> = Promise.resolve();
    for (const batch of chainBatches(plan)) {
      if (batch === null) {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) throw new Error("build interrupted: the partial database is discarded on the next run");
        continue;
      }
      await writing;
      writing = writeBatch(writer.transact, batch);
      events += batch.events;
      transactions += batch.transactions;
      invoices += batch.invoices;
      batches++;
      const now = performance.now();
      if (now - lastReport > 15_000) {
        // Events/s so far and over the last interval: the per-batch refresh must not slow down as
        // the tables grow (issue 10).
        const seconds = (now - started) / 1000;
        const recent = (events - lastEvents) / ((now - lastReport) / 1000);
        lastReport = now;
        lastEvents = events;
        log(
          `  ${events.toLocaleString("en")} events, ${invoices.toLocaleString("en")} invoices, block ${batch.next.blockNumber}, ` +
            `${seconds.toFixed(0)} s, ${Math.round(events / seconds).toLocaleString("en")} events/s ` +
            `(last 15 s: ${Math.round(recent).toLocaleString("en")}), rss ${process.memoryUsage().rss >> 20} MB`,
        );
      }
    }
    await writing;
    const writeSeconds = (performance.now() - started) / 1000;
    log(
      `wrote ${events.toLocaleString("en")} events in ${batches.toLocaleString("en")} batches in ${writeSeconds.toFixed(1)} s ` +
        `(${Math.round(events / writeSeconds).toLocaleString("en")} events/s)`,
    );

    let readModelRebuildSeconds: number | null = null;
    if (deferReadModels) {
      started = performance.now();
      await sql`insert into indexer.read_models select * from indexer.deferred_read_models`;
      await sql`drop table indexer.deferred_read_models`;
      await rebuildReadModels(writer.transact);
      readModelRebuildSeconds = round((performance.now() - started) / 1000);
      log(`read models rebuilt from the event tables in ${readModelRebuildSeconds} s`);
    }

    // What autovacuum would have done by the time anyone reads: statistics for the planner.
    started = performance.now();
    await sql`vacuum analyze`;
    const analyzeSeconds = (performance.now() - started) / 1000;
    const [{ bytes }] = await sql`select pg_database_size(current_database())::bigint as bytes`;
    return {
      key,
      scale,
      counts: plan.counts,
      events,
      transactions,
      batches,
      planSeconds: round(planSeconds),
      writeSeconds: round(writeSeconds),
      eventsPerSecond: Math.round(events / writeSeconds),
      analyzeSeconds: round(analyzeSeconds),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      databaseMb: Math.round(Number(bytes) / 2 ** 20),
      readModels: deferReadModels ? "rebuilt once" : "per batch",
      readModelRebuildSeconds,
      builtAt: new Date().toISOString(),
    };
  } finally {
    await writer.end();
    await sql.end();
  }
}

const round = (value: number) => Math.round(value * 10) / 10;
