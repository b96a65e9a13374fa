/**
 * `npm start`: the local consortium on embedded defaults. Starts a Hardhat node on 127.0.0.1
 * (port $GOVLEDGER_PORT, default 8545, or a free one if that is taken), deploys the system with
 * the demo parameters, runs the demo, then starts the indexer on an embedded PostgreSQL of its
 * own, prints the addresses, the demo accounts and where to query, and runs until Ctrl-C. The
 * local chain is new every run, and so is its mirror.
 *
 * Services start in order and stop in the reverse order (the API, the dashboards, the indexer's
 * workers and sync, then its PostgreSQL, then the chain): each one started adds itself to `services`. A second Ctrl-C
 * exits at once.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";

import { HDNodeWallet } from "ethers";
import { network } from "hardhat";

import { loadConsortiumParams, ROOT } from "../deploy/lib/consortium.js";
import { deployGovledger, deploymentDir, parametersFile, summaryPath } from "../deploy/lib/deployment.js";
import { attachSystem } from "../deploy/lib/system.js";
import { loadConfig } from "../indexer/src/cli/config.js";
import { createLogger } from "../indexer/src/cli/log.js";
import { startIndexer } from "../indexer/src/indexer.js";
import { loadDashboardConfig } from "../web/src/config.js";
import { startDashboard } from "../web/src/server.js";
import { loadApiConfig } from "../web/src/api/config.js";
import { startApi } from "../web/src/api/server.js";
import { runDemos } from "./demo/index.js";
import { freePort, isPortFree } from "./lib/ports.js";

/** Hardhat's default accounts: known to everyone, for a local chain only. */
const TEST_MNEMONIC = "test test test test test test test test test test test junk";

interface Service {
  name: string;
  stop(): Promise<void>;
}
const services: Service[] = [];

let stopping = false;
async function stop(code: number): Promise<void> {
  // Only the first reason to stop counts (Ctrl-C aborts the indexer, which then ends too).
  if (stopping) return;
  stopping = true;
  // A stop that hangs (it did once, for 85 s) must not need a SIGKILL.
  setTimeout(() => {
    console.error("npm start: stopping took over 20 s; exiting without a clean stop");
    process.exit(1);
  }, 20_000).unref();
  for (const service of services.reverse()) {
    console.log(`stopping ${service.name}`);
    try {
      await service.stop();
    } catch (error) {
      console.error(`npm start: stopping ${service.name} failed: ${(error as Error).message}`);
      code = 1;
    }
  }
  process.exit(code);
}
let signals = 0;
const onSignal = (name: string) => {
  if (++signals > 1) {
    console.error(`npm start: ${name} again: exiting without a clean stop`);
    process.exit(130);
  }
  void stop(0);
};
process.on("SIGINT", () => onSignal("SIGINT"));
process.on("SIGTERM", () => onSignal("SIGTERM"));

async function portOr(wanted: number, what: string): Promise<number> {
  if (await isPortFree(wanted)) return wanted;
  const port = await freePort();
  console.log(`port ${wanted} on 127.0.0.1 is taken (${what}); using port ${port} instead`);
  return port;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const relative = (file: string) => path.relative(process.cwd(), file) || ".";

const port = await portOr(Number(process.env.GOVLEDGER_PORT ?? 8545), "another node?");
const server = await network.createServer("default", "127.0.0.1", port);
const { address } = await server.listen();
services.push({ name: "the local chain", stop: () => server.close() });
const url = `http://${address}:${port}`;
console.log(`local chain (Hardhat node) listening on ${url}`);

try {
  const connection = await network.create<"l1">({ network: "localhost", override: { url } });
  // A fresh chain: an Ignition journal left by an earlier run would describe contracts that no
  // longer exist, and so would the mirror of an earlier run.
  const deploymentId = port === 8545 ? "localhost" : `localhost-${port}`;
  rmSync(deploymentDir(deploymentId), { recursive: true, force: true });
  const dataDir = path.join(ROOT, ".govledger", deploymentId, "postgres");
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
  const params = loadConsortiumParams(parametersFile("localhost"));
  const deployStart = Date.now();
  console.log(`deploying the consortium (${params.departments.length} departments) with Hardhat Ignition...`);
  const deploying = setInterval(() => console.log(`  still deploying (${seconds(deployStart)})`), 2_000);
  const summary = await deployGovledger(connection, { deploymentId, params }).finally(() => clearInterval(deploying));
  console.log(`deployed ${Object.keys(summary.contracts).length} contracts in ${seconds(deployStart)}`);
  const system = await attachSystem(connection, summary);
  await runDemos(system);

  console.log("\ncontracts (chain id %d, from block %d):", summary.chainId, summary.startBlock);
  for (const [name, contract] of Object.entries(summary.contracts)) {
    console.log(`  ${name.padEnd(16)} ${contract.address}`);
  }
  console.log(`deployment summary: ${relative(summaryPath(deploymentId))}`);
  printOperators(params.departments);

  const settings = {
    ...process.env,
    GOVLEDGER_RPC_URL: url,
    GOVLEDGER_WS_URL: `ws://${address}:${port}`,
    GOVLEDGER_DEPLOYMENT: summaryPath(deploymentId),
    GOVLEDGER_DATA_DIR: dataDir,
    GOVLEDGER_EMBEDDED_PG_PORT: String(
      await portOr(Number(process.env.GOVLEDGER_EMBEDDED_PG_PORT ?? 54329), "another PostgreSQL?"),
    ),
    GOVLEDGER_HTTP_PORT: String(await portOr(Number(process.env.GOVLEDGER_HTTP_PORT ?? 9464), "another indexer?")),
  };
  const config = loadConfig(settings);
  const log = createLogger();
  const quiet = { ...log, info: () => {} };
  const indexStart = Date.now();
  let lastProgress = 0;
  console.log("\nindexer: starting an embedded PostgreSQL and mirroring the chain into it...");
  const controller = new AbortController();
  const start = async () => {
    // A port found free a moment ago can be taken by another program before PostgreSQL binds it:
    // then another free port.
    for (let attempt = 1; ; attempt++) {
      try {
        return await startIndexer(config, options);
      } catch (error) {
        const taken = /could not create any TCP\/IP sockets|Address already in use/.test((error as Error).message);
        if (!taken || attempt === 3 || controller.signal.aborted) throw error;
        const again = await freePort();
        console.log(
          `port ${config.embeddedPort} was taken meanwhile (another PostgreSQL?); using port ${again} instead`,
        );
        config.embeddedPort = again;
      }
    }
  };
  const options: Parameters<typeof startIndexer>[1] = {
    log: quiet,
    signal: controller.signal,
    onProgress: (metrics) => {
      if (metrics.indexed >= metrics.head || Date.now() - lastProgress < 1_000) return;
      lastProgress = Date.now();
      console.log(`  indexer: block ${metrics.indexed} of ${metrics.head}, ${metrics.events} events`);
    },
  };
  const starting = start();
  // Registered before it has started: a Ctrl-C now must still stop the PostgreSQL it is starting.
  services.push({
    name: "the indexer (workers and sync, then its PostgreSQL)",
    async stop() {
      controller.abort();
      const started = await starting.catch(() => undefined);
      await started?.done.catch(() => {});
      await started?.close();
    },
  });
  const indexer = await starting;
  indexer.done.catch((error: unknown) => {
    if (controller.signal.aborted) return;
    console.error(`npm start: the indexer stopped: ${(error as Error).message}`);
    void stop(1);
  });
  const head = BigInt((await connection.provider.request({ method: "eth_blockNumber" })) as string);
  while (indexer.metrics.indexed < head) await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(
    `indexer: ${indexer.metrics.events} events of ${head} blocks mirrored into PostgreSQL in ${seconds(indexStart)}, following the chain`,
  );
  console.log(`  psql ${indexer.databaseUrl}`);
  console.log(`  try:  select * from report.invoice_totals_per_issuer_day;`);
  console.log(
    `  metrics http://127.0.0.1:${indexer.opsPort}/metrics  health http://127.0.0.1:${indexer.opsPort}/health  ready http://127.0.0.1:${indexer.opsPort}/ready`,
  );
  console.log("  a second indexer on the same chain and database (it waits as a hot standby), from another terminal:");
  console.log(
    `    GOVLEDGER_RPC_URL=${url} GOVLEDGER_DEPLOYMENT=${relative(summaryPath(deploymentId))} ` +
      `DATABASE_URL=${indexer.databaseUrl} GOVLEDGER_HTTP_PORT=0 npm run indexer`,
  );
  // The dashboards and the API read as one web role (the password file of the database they
  // serve, set on the role once) and share the session key, so that a dashboard sign-in also
  // opens GraphQL in the same browser.
  const web = {
    ...process.env,
    DATABASE_URL: indexer.databaseUrl,
    GOVLEDGER_RPC_URL: url,
    // The password file beside the embedded database it serves (both go at the next start).
    GOVLEDGER_DATA_DIR: dataDir,
    GOVLEDGER_SESSION_SECRET: process.env.GOVLEDGER_SESSION_SECRET || randomBytes(32).toString("hex"),
  };
  const dashboard = await startDashboard(
    loadDashboardConfig({
      ...web,
      GOVLEDGER_DASHBOARD_PORT: String(
        await portOr(Number(process.env.GOVLEDGER_DASHBOARD_PORT ?? 8088), "another dashboard?"),
      ),
    }),
  );
  services.push({ name: "the dashboards", stop: () => dashboard.close() });
  console.log(`\ndashboard: ${dashboard.url}  (sign in with a demo operator's key in a browser wallet; see README)`);
  const api = await startApi(
    loadApiConfig({
      ...web,
      GOVLEDGER_API_PORT: String(await portOr(Number(process.env.GOVLEDGER_API_PORT ?? 8089), "another API?")),
    }),
  );
  services.push({ name: "the API", stop: () => api.close() });
  console.log(
    `GraphQL:   ${api.url}/graphql  (GraphiQL in a browser; signed in to the dashboard, or a token: npm run db -- issue-token)`,
  );
  console.log(`read API:  ${api.url}/api/invoices/<issuer>/<code>/<number>  ${api.url}/api/licences/<licence id>`);
  console.log(`\nRPC: ${url}  (chain id ${summary.chainId}). Press Ctrl-C to stop.`);
} catch (error) {
  console.error(`npm start failed: ${(error as Error).message}`);
  await stop(1);
}
await server.afterClosed();

/** The department operators' accounts and keys, as `hardhat node` prints its accounts. */
function printOperators(departments: { code: string; operators: string[] }[]): void {
  const keys = new Map<string, string>();
  for (let i = 0; i < 20; i++) {
    const wallet = HDNodeWallet.fromPhrase(TEST_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
    keys.set(wallet.address.toLowerCase(), wallet.privateKey);
  }
  console.log("\ndepartment operator accounts (Hardhat's well-known test keys: never use them on a real chain):");
  for (const department of departments) {
    for (const operator of department.operators) {
      const key = keys.get(operator.toLowerCase());
      console.log(`  ${department.code.padEnd(6)} ${operator}  key ${key ?? "(not a test-mnemonic account)"}`);
    }
  }
}
