/**
 * `npm start`: the local consortium on embedded defaults. Starts a Hardhat node on 127.0.0.1
 * (port $GOVLEDGER_PORT, default 8545, or a free one if that is taken), deploys the system with
 * the demo parameters, runs the demo, prints the addresses, and runs until Ctrl-C, stopping
 * everything it started.
 */
import { rmSync } from "node:fs";

import { network } from "hardhat";

import { loadConsortiumParams } from "../deploy/lib/consortium.js";
import { deployGovledger, deploymentDir, parametersFile, summaryPath } from "../deploy/lib/deployment.js";
import { attachSystem } from "../deploy/lib/system.js";
import { runDemos } from "./demo/index.js";
import { freePort, isPortFree } from "./lib/ports.js";

const wanted = Number(process.env.GOVLEDGER_PORT ?? 8545);
let port = wanted;
if (!(await isPortFree(wanted))) {
  port = await freePort();
  console.log(`port ${wanted} on 127.0.0.1 is taken (another node?); using port ${port} instead`);
}

const server = await network.createServer("default", "127.0.0.1", port);
const { address } = await server.listen();
const url = `http://${address}:${port}`;
console.log(`local chain (Hardhat node) listening on ${url}`);

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log("stopping the local chain");
    await server.close();
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  const connection = await network.create<"l1">({ network: "localhost", override: { url } });
  // A fresh chain: an Ignition journal left by an earlier run would describe contracts that no
  // longer exist.
  const deploymentId = port === 8545 ? "localhost" : `localhost-${port}`;
  rmSync(deploymentDir(deploymentId), { recursive: true, force: true });
  const params = loadConsortiumParams(parametersFile("localhost"));
  const summary = await deployGovledger(connection, { deploymentId, params });
  await runDemos(await attachSystem(connection, summary));

  console.log("\ncontracts (chain id %d, from block %d):", summary.chainId, summary.startBlock);
  for (const [name, contract] of Object.entries(summary.contracts)) {
    console.log(`  ${name.padEnd(16)} ${contract.address}`);
  }
  console.log(`deployment summary: ${summaryPath(deploymentId)}`);
  console.log(`\nRPC: ${url}  (chain id ${summary.chainId}). Press Ctrl-C to stop.`);
} catch (error) {
  console.error(`npm start failed: ${(error as Error).message}`);
  await stop(1);
}
await server.afterClosed();
