/**
 * `npm run bench:indexer`: the indexer's backfill throughput, realtime lag and memory, measured
 * end to end on this machine. Starts a Hardhat node on 127.0.0.1 and an embedded PostgreSQL,
 * generates at least 100,000 events through the real contracts (batch invoice issuance, then
 * claims), runs the indexer as `npm run indexer` runs it (the same command line, one plain Node
 * process) from the deploy block to the head, then measures the lag from a new block to its rows
 * being queryable. Memory: the peak RSS of the indexer's whole process tree (it and any process it
 * starts, sampled every 50 ms from /proc), which must stay within 250 MB. Writes
 * bench/results/indexer.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { encodeBytes32String, id } from "ethers";
import { network } from "hardhat";
import postgres from "postgres";

import { PARTICIPANT_KINDS, ROLES, ROOT } from "../deploy/lib/consortium.js";
import { deployGovledger, deploymentDir, summaryPath } from "../deploy/lib/deployment.js";
import { batchProof, buyerHash, type InvoiceItem, withIdentity } from "@govledger/contracts";
import { attachSystem } from "../deploy/lib/system.js";
import { startEmbeddedPostgres } from "../indexer/src/db/embedded.js";
import { freePort } from "../scripts/lib/ports.js";
import { DEMO_PARAMS } from "../test/fixtures.js";

const BATCHES = Number(process.env.BENCH_BATCHES ?? 200);
const BATCH_SIZE = 500;
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 1_000);
const LAG_SAMPLES = Number(process.env.BENCH_LAG_SAMPLES ?? 60);
const ISSUER = id("bench:indexer-issuer");
const RECEIVER = id("bench:indexer-receiver");
const CODE = encodeBytes32String("044031900222");

// The V8 flags `npm run indexer` ships with (package.json), unless BENCH_NODE_FLAGS says otherwise.
const indexerScript = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.indexer as string;
if (!indexerScript.startsWith("node ") || /&&|hardhat/.test(indexerScript)) {
  throw new Error(`npm run indexer must be one plain Node process, not "${indexerScript}"`);
}
const shippedFlags = indexerScript.split(" ").filter((word) => word.startsWith("--max-"));
const nodeFlags = process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? shippedFlags;

const TREE_RSS_BUDGET_MB = 250;
/** Whether this kernel keeps each thread's children list (CONFIG_PROC_CHILDREN), checked once. */
const CHILDREN_LISTS = existsSync(`/proc/self/task/${process.pid}/children`);

/**
 * `pid` and every process below it, from /proc (Linux): each thread's `children` list, a few reads
 * per sample (the sampler runs every 50 ms beside the indexer: reading every process's stat took
 * 0.5 s of CPU per backfill here). Kernels without those lists: every process's parent instead.
 */
function processTree(pid: number): number[] {
  if (!CHILDREN_LISTS) return processTreeByParents(pid);
  const tree: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const current = stack.pop()!;
    tree.push(current);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, "utf8").trim();
        if (children !== "") stack.push(...children.split(" ").map(Number));
      } catch {
        // the thread or its process ended meanwhile
      }
    }
  }
  return tree;
}

function processTreeByParents(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 2nd field after the parenthesised command name.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const current = stack.pop()!;
    tree.push(current);
    stack.push(...(children.get(current) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) each process has used so far, by pid. */
function cpuSeconds(pids: number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks.set(pid, (Number(fields[11]) + Number(fields[12])) / 100); // utime, stime (USER_HZ 100)
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/** RSS in kB of `pid` and every process below it, from /proc (Linux). */
function treeRssKb(pid: number): number {
  let total = 0;
  for (const current of processTree(pid)) {
    try {
      total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${current}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

// ---- chain and events ------------------------------------------------------------------------
const port = await freePort();
const server = await network.createServer("default", "127.0.0.1", port);
await server.listen();
const rpcUrl = `http://127.0.0.1:${port}`;
const connection = await network.create<"l1">({ network: "localhost", override: { url: rpcUrl } });
const deploymentId = `bench-indexer-${port}`;
const summary = await deployGovledger(connection, { deploymentId, params: DEMO_PARAMS });
const { contracts, accounts } = await attachSystem(connection, summary);
const { registry, invoiceLedger: ledger } = contracts;
const [issuer, receiver, buyer] = [accounts.enterprises[0], accounts.enterprises[1], accounts.stranger];
for (const [participantId, account, role] of [
  [ISSUER, issuer, ROLES.INVOICE_ISSUER],
  [RECEIVER, receiver, ROLES.INVOICE_RECEIVER],
] as const) {
  await (
    await registry
      .connect(accounts.tax)
      .registerParticipant(participantId, account.address, PARTICIPANT_KINDS.indexOf("Enterprise"))
  ).wait();
  await (await registry.connect(accounts.tax).grantParticipantRole(participantId, role)).wait();
}
await (
  await ledger.connect(accounts.tax).setIssuerRules(ISSUER, {
    enabled: true,
    maxAmount: 10n ** 12n,
    periodAmountQuota: 10n ** 20n,
    periodCountQuota: 10_000_000n,
  })
).wait();

const item = (number: bigint): InvoiceItem => ({
  number,
  buyer: buyerHash(buyer.address, id(`salt:${number}`)),
  amount: 100_000n + number,
  tax: 6_000n,
  documentHash: id(`document:${number}`),
});
const generationStart = Date.now();
const batches: ReturnType<typeof withIdentity>[] = [];
let nonce = await issuer.getNonce();
// Several batches per block, as a busy consortium block would carry.
await connection.provider.request({ method: "evm_setAutomine", params: [false] });
for (let b = 0; b < BATCHES; b++) {
  const items = Array.from({ length: BATCH_SIZE }, (_, i) => item(BigInt(b * BATCH_SIZE + i + 1)));
  batches.push(withIdentity(ISSUER, CODE, items));
  await ledger.connect(issuer).issueBatch(CODE, items, { nonce: nonce++, gasLimit: 6_000_000 });
  if (b % 4 === 3) await connection.provider.request({ method: "evm_mine" });
}
let buyerNonce = await buyer.getNonce();
for (let c = 0; c < CLAIMS; c++) {
  const batch = batches[c % batches.length];
  const index = Math.floor(c / batches.length);
  await ledger
    .connect(buyer)
    .claim(batch[index], batchProof(batch, index), id(`salt:${batch[index].number}`), RECEIVER, {
      nonce: buyerNonce++,
      gasLimit: 300_000,
    });
  if (c % 50 === 49) await connection.provider.request({ method: "evm_mine" });
}
await connection.provider.request({ method: "evm_mine" });
await connection.provider.request({ method: "evm_setAutomine", params: [true] });
const head = BigInt((await connection.provider.request({ method: "eth_blockNumber" })) as string);
console.log(
  `generated ${BATCHES} batches of ${BATCH_SIZE} invoices and ${CLAIMS} claims up to block ${head} in ${((Date.now() - generationStart) / 1000).toFixed(1)} s`,
);

// ---- database and indexer --------------------------------------------------------------------
const dataDir = mkdtempSync(path.join(tmpdir(), "govledger-bench-"));
chmodSync(dataDir, 0o755);
const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "data"), port: await freePort() });
const sql = postgres(pg.url, { max: 2, onnotice: () => {} });
// BENCH_PROFILE=1: where the backfill's time goes (CPU seconds per process, PL/pgSQL functions).
const PROFILE = Boolean(process.env.BENCH_PROFILE);
if (PROFILE) {
  await sql`alter system set track_functions = 'pl'`;
  await sql`select pg_reload_conf()`;
}
/** CPU seconds so far of the indexer's tree, PostgreSQL's processes, and this process (the node). */
const cpuNow = (indexerPid: number) => {
  const indexer = new Set(processTree(indexerPid));
  const mine = processTree(process.pid).filter((pid) => !indexer.has(pid));
  const sum = (ticks: Map<number, number>) => [...ticks.values()].reduce((a, b) => a + b, 0);
  const postgresPids = mine.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("postgres");
    } catch {
      return false;
    }
  });
  return {
    indexer: sum(cpuSeconds([...indexer])),
    postgres: sum(cpuSeconds(postgresPids)),
    node: sum(cpuSeconds([process.pid])),
  };
};

let child: ChildProcess | undefined;
let output = "";
let results: Record<string, number | string> = {};
try {
  const started = Date.now();
  let syncStartedAt = 0;
  let cpuAtStart: ReturnType<typeof cpuNow> | undefined;
  child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", "indexer/src/cli/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      GOVLEDGER_RPC_URL: rpcUrl,
      GOVLEDGER_WS_URL: `ws://127.0.0.1:${port}`,
      GOVLEDGER_DEPLOYMENT: summaryPath(deploymentId),
      DATABASE_URL: pg.url,
      GOVLEDGER_HTTP_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const onOutput = (chunk: Buffer) => {
    output += chunk;
    if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
    if (syncStartedAt === 0 && output.includes('"sync started"')) {
      syncStartedAt = Date.now();
      if (PROFILE) cpuAtStart = cpuNow(child!.pid!);
    }
  };
  let peakTreeKb = 0;
  const sampler = setInterval(() => {
    if (child?.pid !== undefined && child.exitCode === null) peakTreeKb = Math.max(peakTreeKb, treeRssKb(child.pid));
  }, 50);
  child.once("exit", () => clearInterval(sampler));
  child.stdout!.on("data", onOutput);
  child.stderr!.on("data", onOutput);
  const checkpoint = async () => {
    const [row] = await sql`select block_number from indexer.checkpoint`.catch(() => []);
    return row ? BigInt(row.block_number) : -1n;
  };
  while ((await checkpoint()) < head) {
    if (child.exitCode !== null) throw new Error(`the indexer exited:\n${output}`);
    if (Date.now() - started > 30 * 60_000) throw new Error("backfill took over 30 minutes");
    await sleep(20);
  }
  const backfillSeconds = (Date.now() - syncStartedAt) / 1000;
  if (PROFILE && cpuAtStart !== undefined) {
    const end = cpuNow(child.pid!);
    console.log(
      `backfill CPU seconds: indexer ${(end.indexer - cpuAtStart.indexer).toFixed(2)}, ` +
        `postgres ${(end.postgres - cpuAtStart.postgres).toFixed(2)}, ` +
        `this process (node, EDR) ${(end.node - cpuAtStart.node).toFixed(2)}`,
    );
    const functions = await sql`select schemaname || '.' || funcname as name, calls,
        round(total_time::numeric, 1) as total_ms, round(self_time::numeric, 1) as self_ms
      from pg_stat_user_functions order by self_time desc limit 20`;
    console.table(functions.map((row) => ({ ...row })));
  }
  const [{ n: events }] = await sql`select count(*)::int as n from raw.events`;
  console.log(`backfill: ${events} events in ${backfillSeconds.toFixed(2)} s`);

  // Realtime: a new block with one event, until its row can be read.
  const lags: number[] = [];
  let next = BigInt(BATCHES * BATCH_SIZE + 1);
  for (let i = 0; i < LAG_SAMPLES; i++) {
    await sleep(50 + Math.random() * 100);
    const tx = await ledger.connect(issuer).issue(CODE, item(next++));
    await tx.wait();
    const minedAt = performance.now();
    const hash = tx.hash.slice(2);
    for (;;) {
      const [row] = await sql`select 1 from raw.events where tx_hash = decode(${hash}, 'hex')`;
      if (row) break;
      if (performance.now() - minedAt > 10_000) throw new Error("a realtime block took over 10 s to index");
      await sleep(1);
    }
    lags.push(performance.now() - minedAt);
  }
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  results = {
    events,
    blocks: Number(head),
    backfillSeconds: Number(backfillSeconds.toFixed(3)),
    eventsPerSecond: Math.round(events / backfillSeconds),
    realtimeLagMsP50: Number(percentile(lags, 50).toFixed(1)),
    realtimeLagMsP95: Number(percentile(lags, 95).toFixed(1)),
    peakRssMb: Math.round(peakKb / 1024),
    peakTreeRssMb: Math.round(Math.max(peakTreeKb, peakKb) / 1024),
    nodeFlags: nodeFlags.join(" "),
  };
} finally {
  if (child && child.exitCode === null) {
    child.kill("SIGINT");
    await new Promise((resolve) => child!.once("exit", resolve));
  }
  await sql.end();
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await connection.close();
  await server.close();
  rmSync(deploymentDir(deploymentId), { recursive: true, force: true });
}

console.log(JSON.stringify(results, null, 2));
if (Number(results.peakTreeRssMb) > TREE_RSS_BUDGET_MB) {
  console.error(
    `the indexer's process tree peaked at ${results.peakTreeRssMb} MB, over its ${TREE_RSS_BUDGET_MB} MB budget`,
  );
  process.exitCode = 1;
}
const out = path.join(ROOT, "bench", "results", "indexer.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`written ${path.relative(ROOT, out)}`);
