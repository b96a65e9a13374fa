/**
 * The indexer CLI as an operator runs it (a child process, `npm run indexer`'s command), on
 * faults around it: a taken port, a database that restarts or times statements out, a SIGKILL
 * that leaves its embedded PostgreSQL running.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import postgres from "postgres";

import { freePort, isPortFree } from "../../scripts/lib/ports.js";
import {
  type Chain,
  checkpointOf,
  configFor,
  type Database,
  dump,
  generateActivity,
  indexToHead,
  spawnIndexer,
  startChain,
  startDatabase,
  waitUntil,
} from "./harness.js";

const lines = (output: string) => output.split("\n").filter((line) => line.trim() !== "");
const errorLines = (output: string) => lines(output).filter((line) => /"level":"error"|^\s+at /.test(line));

describe("indexer: as a process", function () {
  this.timeout(360_000);
  let db: Database;
  let chain: Chain;
  let head: bigint;
  let reference: string;

  before(async function () {
    db = await startDatabase();
    chain = await startChain({ demo: false });
    await generateActivity(chain, 60, 2);
    head = BigInt((await chain.provider.request({ method: "eth_blockNumber" })) as string);
    const url = await db.create();
    await indexToHead(configFor(chain, url));
    reference = await dump(url);
  });
  after(async function () {
    await chain?.close();
    await db?.stop();
  });

  const envFor = (databaseUrl: string, extra: Record<string, string> = {}) => ({
    GOVLEDGER_RPC_URL: chain.url,
    GOVLEDGER_DEPLOYMENT: chain.deploymentFile,
    GOVLEDGER_CONFIRMATIONS: "4",
    DATABASE_URL: databaseUrl,
    ...extra,
  });

  it("exits with code 1 and one error line within 10 s when its HTTP port is taken", async function () {
    const taken = await freePort();
    const blocker = net.createServer().listen(taken, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    try {
      const started = Date.now();
      const indexer = spawnIndexer(envFor(await db.create(), { GOVLEDGER_HTTP_PORT: String(taken) }));
      const timer = setTimeout(() => indexer.child.kill("SIGKILL"), 15_000);
      const code = await indexer.exited;
      clearTimeout(timer);
      expect(code, indexer.output()).to.equal(1);
      expect(Date.now() - started).to.be.lessThan(10_000);
      const errors = errorLines(indexer.output());
      expect(errors, indexer.output()).to.have.lengthOf(1);
      expect(errors[0]).to.include(`127.0.0.1:${taken}`).and.include("GOVLEDGER_HTTP_PORT");
    } finally {
      blocker.close();
    }
  });

  it("stays alive through four PostgreSQL restarts and a statement timeout, and ends with the same database", async function () {
    // Jobs in flight when the database goes away: graphile-worker then fails to record their
    // outcome and its runner stops with an error (before, an unhandled rejection: a crash).
    const department = `0x${"ab".repeat(32)}`;
    const keys: string[] = [];
    const hook = http.createServer((request, response) => {
      keys.push(request.headers["idempotency-key"] as string);
      request.resume();
      setTimeout(() => response.writeHead(503).end(), 300);
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    const webhooks = JSON.stringify({ [department]: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/` });
    const url = await db.create();
    const name = new URL(url).pathname.slice(1);
    // Small ranges keep the backfill going while the database comes and goes.
    const indexer = spawnIndexer(
      envFor(url, { GOVLEDGER_MAX_SPAN: "2", GOVLEDGER_POLL_MS: "50", GOVLEDGER_WEBHOOKS: webhooks }),
    );
    try {
      await waitUntil(async () => (await checkpointOf(url)) > 5n, 60_000, "some progress");
      const jobs = postgres(url, { max: 1, onnotice: () => {} });
      await jobs`select graphile_worker.add_job('notify_department',
          json_build_object('departmentId', ${department}::text, 'kind', 'Test', 'key', 'job-' || n, 'data', '{}'::json),
          job_key => 'job-' || n, max_attempts => 1000)
        from generate_series(1, 40) as n`;
      await jobs.end();
      for (let restart = 0; restart < 4; restart++) {
        await new Promise((resolve) => setTimeout(resolve, 400 + restart * 200));
        await db.restart();
        expect(indexer.child.exitCode, indexer.output()).to.equal(null);
      }
      // Every statement of every new session is cancelled for a while, then allowed again.
      const admin = postgres(db.adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`alter database ${name} set statement_timeout = '1ms'`);
        await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name}`;
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(indexer.child.exitCode, indexer.output()).to.equal(null);
        await admin.unsafe(`alter database ${name} reset statement_timeout`);
        await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name}`;
      } finally {
        await admin.end();
      }
      await waitUntil(async () => (await checkpointOf(url)) === head, 60_000, "the head, after the faults").catch(
        (error: Error) => {
          throw new Error(`${error.message}:\n${indexer.output()}`);
        },
      );
      // The job runner works again: a job queued now is delivered.
      const jobs2 = postgres(url, { max: 1, onnotice: () => {} });
      await jobs2`select graphile_worker.add_job('notify_department',
          json_build_object('departmentId', ${department}::text, 'kind', 'Test', 'key', 'after', 'data', '{}'::json))`;
      await jobs2.end();
      await waitUntil(async () => keys.includes("after"), 60_000, "a job queued after the faults to run").catch(
        (error: Error) => {
          throw new Error(`${error.message}:\n${indexer.output().split("\n").slice(-30).join("\n")}`);
        },
      );
      expect(indexer.child.exitCode, indexer.output()).to.equal(null);
      expect(indexer.output()).to.include("retrying");
    } finally {
      indexer.child.kill("SIGINT");
      hook.close();
    }
    expect(await indexer.exited, indexer.output()).to.equal(0);
    expect(indexer.output()).to.not.include("unexpected error");
    expect(await dump(url)).to.equal(reference);
  });

  it("restarts on its own after each of three SIGKILLs in embedded mode, stopping the PostgreSQL left behind", async function () {
    const dataDir = mkdtempSync(path.join(tmpdir(), "govledger-embedded-"));
    chmodSync(dataDir, 0o755); // as root, the server runs as `postgres`
    const port = await freePort();
    const url = `postgres://postgres:govledger@127.0.0.1:${port}/govledger`;
    const env = envFor("", {
      GOVLEDGER_DATA_DIR: path.join(dataDir, "pg"),
      GOVLEDGER_EMBEDDED_PG_PORT: String(port),
      GOVLEDGER_MAX_SPAN: "2",
    });
    delete (env as Record<string, string>).DATABASE_URL;
    try {
      let reached = -1n;
      for (let kill = 0; kill < 3; kill++) {
        const indexer = spawnIndexer(env);
        try {
          await waitUntil(
            async () => (await checkpointOf(url)) > reached,
            60_000,
            `progress after start ${kill + 1}:\n${indexer.output()}`,
          );
          if (kill > 0)
            expect(indexer.output()).to.match(/stopped the PostgreSQL \(pid \d+\) an earlier run left running/);
        } finally {
          indexer.child.kill("SIGKILL");
        }
        await indexer.exited;
        reached = await checkpointOf(url);
        expect(reached).to.be.lessThan(head);
      }
      const last = spawnIndexer(env);
      try {
        await waitUntil(async () => (await checkpointOf(url)) === head, 90_000, `the head:\n${last.output()}`);
        expect(last.output()).to.match(/stopped the PostgreSQL \(pid \d+\)/);
      } finally {
        last.child.kill("SIGINT");
      }
      expect(await last.exited, last.output()).to.equal(0);
      expect(await isPortFree(port), "the embedded PostgreSQL stopped").to.equal(true);
      expect(existsSync(path.join(dataDir, "pg", "postmaster.pid"))).to.equal(false);
      expect(errorLines(last.output()), last.output()).to.deep.equal([]);
    } finally {
      // A failed run must not leave its server behind.
      const pidFile = path.join(dataDir, "pg", "postmaster.pid");
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, "utf8").split("\n")[0]), "SIGQUIT");
        } catch {
          // already gone
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
