/**
 * Runs the Ignition deployment for a network connection and writes the deployment summary that
 * the indexer and dApps read: `deploy/deployments/<deploymentId>/govledger.json`, beside
 * Ignition's own journal and `deployed_addresses.json`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { ContractKey, DeploymentSummary, Hex } from "@govledger/contracts";
import type { NetworkConnection } from "hardhat/types/network";

import { buildGovledgerModule } from "../modules/govledger.js";
import { type ConsortiumParams, loadConsortiumParams, ROOT } from "./consortium.js";

/** The summary's type is the contracts package's: dApps read these files through it. */
export type { DeploymentSummary };

export const DEPLOYMENTS_DIR = path.join(ROOT, "deploy", "deployments");

export function deploymentDir(deploymentId: string): string {
  return path.join(DEPLOYMENTS_DIR, deploymentId);
}

export function summaryPath(deploymentId: string): string {
  return path.join(deploymentDir(deploymentId), "govledger.json");
}

export function readSummary(file: string): DeploymentSummary {
  if (!existsSync(file)) throw new Error(`no deployment summary at ${file}: deploy first (npm run deploy)`);
  return JSON.parse(readFileSync(file, "utf8")) as DeploymentSummary;
}

/** The parameters file for a network: $GOVLEDGER_PARAMETERS, else deploy/parameters/<network>.json. */
export function parametersFile(networkName: string): string {
  if (process.env.GOVLEDGER_PARAMETERS) return path.resolve(process.env.GOVLEDGER_PARAMETERS);
  const file = path.join(ROOT, "deploy", "parameters", `${networkName}.json`);
  if (!existsSync(file)) {
    throw new Error(`no parameters for network "${networkName}": write ${file} or set GOVLEDGER_PARAMETERS`);
  }
  return file;
}

/**
 * The block each future was mined in, from Ignition's journal: so a resumed deployment still
 * reports the block of its first contract, not of the resume.
 */
function journalBlocks(deploymentId: string): Map<string, number> {
  const blocks = new Map<string, number>();
  const journal = path.join(deploymentDir(deploymentId), "journal.jsonl");
  if (!existsSync(journal)) return blocks;
  for (const line of readFileSync(journal, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const message = JSON.parse(line) as { futureId?: string; receipt?: { blockNumber?: number } };
    if (message.futureId !== undefined && typeof message.receipt?.blockNumber === "number") {
      blocks.set(message.futureId, message.receipt.blockNumber);
    }
  }
  return blocks;
}

export async function deployGovledger(
  connection: NetworkConnection<"l1">,
  options: { deploymentId: string; params?: ConsortiumParams; displayUi?: boolean },
): Promise<DeploymentSummary> {
  const params = options.params ?? loadConsortiumParams(parametersFile(connection.networkName));
  const firstBlock = Number(await connection.provider.request({ method: "eth_blockNumber" })) + 1;
  const module = buildGovledgerModule(params);
  const contracts = await connection.ignition.deploy(module, {
    deploymentId: options.deploymentId,
    displayUi: options.displayUi ?? false,
  });
  const authority = await contracts.validatorSet.authority();
  if (authority !== (await contracts.manager.getAddress())) {
    throw new Error(
      `the validator set at ${await contracts.validatorSet.getAddress()} trusts ${authority}, not this deployment's ` +
        `AccessManager ${await contracts.manager.getAddress()}: deploy from the account the genesis was made for, ` +
        "as its first transaction",
    );
  }
  const chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
  const blocks = journalBlocks(options.deploymentId);
  const summary: DeploymentSummary = {
    network: connection.networkName,
    chainId,
    deploymentId: options.deploymentId,
    startBlock: 0,
    contracts: {} as DeploymentSummary["contracts"],
  };
  for (const [name, contract] of Object.entries(contracts)) {
    const future = module.results[name as keyof typeof module.results];
    summary.contracts[name as ContractKey] = {
      contractName: future.contractName as DeploymentSummary["contracts"][ContractKey]["contractName"],
      address: (await contract.getAddress()) as Hex,
      startBlock: blocks.get(future.id) ?? firstBlock,
    };
  }
  summary.startBlock = Math.min(...Object.values(summary.contracts).map((contract) => contract.startBlock));
  if (existsSync(deploymentDir(options.deploymentId))) {
    writeFileSync(summaryPath(options.deploymentId), `${JSON.stringify(summary, null, 2)}\n`);
  }
  return summary;
}
