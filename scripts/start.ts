/**
 * `npm start`: the local consortium on embedded defaults. Starts a Hardhat node on 127.0.0.1
 * (port $GOVLEDGER_PORT, default 8545, or a free one if that is taken), deploys the system with
 * the demo parameters, runs the demo, then starts the indexer on an embedded PostgreSQL of its
 * own, prints the addresses and where to query, and runs until Ctrl-C, stopping everything it
 * started. The local chain is new every run, and so is its mirror.
 */
import { rmSync } from "node:fs";
import path from "node:path";

import { network } from "hardhat";

import { loadConsortiumParams, ROOT } from "../deploy/lib/consortium.js";
import { deployGovledger, deploymentDir, parametersFile, summaryPath } from "../deploy/lib/deployment.js";
import { attachSystem } from "../deploy/lib/system.js";
import { loadConfig } from "../indexer/src/cli/config.js";
import { createLogger } from "../indexer/src/cli/log.js";
import { startIndexer, type IndexerHandle } from "../indexer/src/indexer.js";
import { loadDashboardConfig } from "../web/src/config.js";
import { type DashboardHandle, startDashboard } from "../web/src/server.js";
import { runDemos } from "./demo/index.js";
import { freePort, isPortFree } from "./lib/ports.js";

async function portOr(wanted: number, what: string): Promise<number> {
  if (await isPortFree(wanted)) return wanted;
  const port = await freePort();
  console.log(`port ${wanted} on 127.0.0.1 is taken (${what}); using port ${port} instead`);
  return port;
}

const port = await portOr(Number(process.env.GOVLEDGER_PORT ?? 8545), "another node?");
const server = await network.createServer("default", "127.0.0.1", port);
const { address } = await server.listen();
const url = `http://${address}:${port}`;
console.log(`local chain (Hardhat node) listening on ${url}`);

const controller = new AbortController();
let indexer: IndexerHandle | undefined;
let dashboard: DashboardHandle | undefined;
let stopping = false;
async function stop(code: number): Promise<void> {
  // Only the first reason to stop counts (Ctrl-C aborts the indexer, which then ends too).
  if (stopping) return;
  {
    stopping = true;
    console.log("stopping the indexer, its database and the local chain");
    controller.abort();
    await dashboard?.close().catch(() => {});
    if (indexer) {
      await indexer.done.catch(() => {});
      await indexer.close();
    }
    await server.close();
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  const connection = await network.create<"l1">({ network: "localhost", override: { url } });
  // A fresh chain: an Ignition journal left by an earlier run would describe contracts that no
  // longer exist, and so would the mirror of an earlier run.
  const deploymentId = port === 8545 ? "localhost" : `localhost-${port}`;
  rmSync(deploymentDir(deploymentId), { recursive: true, force: true });
  const dataDir = path.join(ROOT, ".govledger", deploymentId, "postgres");
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
  const params = loadConsortiumParams(parametersFile("localhost"));
  const summary = await deployGovledger(connection, { deploymentId, params });
  await runDemos(await attachSystem(connection, summary));

  console.log("\ncontracts (chain id %d, from block %d):", summary.chainId, summary.startBlock);
  for (const [name, contract] of Object.entries(summary.contracts)) {
    console.log(`  ${name.padEnd(16)} ${contract.address}`);
  }
  console.log(`deployment summary: ${summaryPath(deploymentId)}`);

  const config = loadConfig({
    ...process.env,
    GOVLEDGER_RPC_URL: url,
    GOVLEDGER_WS_URL: `ws://${address}:${port}`,
    GOVLEDGER_DEPLOYMENT: summaryPath(deploymentId),
    GOVLEDGER_DATA_DIR: dataDir,
    GOVLEDGER_EMBEDDED_PG_PORT: String(
      await portOr(Number(process.env.GOVLEDGER_EMBEDDED_PG_PORT ?? 54329), "another PostgreSQL?"),
    ),
    GOVLEDGER_HTTP_PORT: String(await portOr(Number(process.env.GOVLEDGER_HTTP_PORT ?? 9464), "another indexer?")),
  });
  const log = createLogger();
  const quiet = { ...log, info: () => {} };
  indexer = await startIndexer(config, { log: quiet, signal: controller.signal });
  const running = indexer;
  running.done.catch((error: unknown) => {
    if (controller.signal.aborted) return;
    console.error(`indexer stopped: ${(error as Error).message}`);
    void stop(1);
  });
  const head = BigInt((await connection.provider.request({ method: "eth_blockNumber" })) as string);
  while (running.metrics.indexed < head) await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(`\nindexer: ${running.metrics.events} events mirrored into PostgreSQL, following the chain`);
  console.log(`  psql ${running.databaseUrl}`);
  console.log(`  try:  select * from report.invoice_totals_per_issuer_day;`);
  console.log(
    `  metrics http://127.0.0.1:${running.opsPort}/metrics  health http://127.0.0.1:${running.opsPort}/health`,
  );
  dashboard = await startDashboard(
    loadDashboardConfig({
      ...process.env,
      DATABASE_URL: running.databaseUrl,
      GOVLEDGER_RPC_URL: url,
      GOVLEDGER_DASHBOARD_PORT: String(
        await portOr(Number(process.env.GOVLEDGER_DASHBOARD_PORT ?? 8088), "another dashboard?"),
      ),
    }),
  );
  console.log(`\ndashboard: ${dashboard.url}  (sign in with a demo operator's key in a browser wallet; see README)`);
  console.log(`\nRPC: ${url}  (chain id ${summary.chainId}). Press Ctrl-C to stop.`);
} catch (error) {
  console.error(`npm start failed: ${(error as Error).message}`);
  await stop(1);
}
await server.afterClosed();
