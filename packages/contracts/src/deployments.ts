/**
 * Where govledger is deployed: the deployment summaries deploy/lib/deployment.ts writes to
 * deploy/deployments/<deployment id>/govledger.json, as they were when this package was built.
 */
import type { Hex } from "./abi-encode.js";
import type { ContractName } from "./generated/abis.js";
import { summaries } from "./generated/deployments.js";

/** The contracts of one deployment, by the deployment module's result names. */
export type ContractKey =
  | "manager"
  | "registry"
  | "governor"
  | "validatorSet"
  | "invoiceLedger"
  | "settlementToken"
  | "escrow"
  | "licenceRegistry"
  | "jointApprovals";

export interface DeployedContract {
  /** The artifact's name: the key of `abis`. */
  contractName: ContractName;
  address: Hex;
  /** The block it was deployed in. */
  startBlock: number;
}

export interface DeploymentSummary {
  network: string;
  chainId: number;
  deploymentId: string;
  /** The first block that can hold an event of this deployment: where an indexer starts. */
  startBlock: number;
  contracts: Record<ContractKey, DeployedContract>;
}

/** The deployments this package was built with, by deployment id (`localhost` is `npm start`'s). */
export const deployments: Readonly<Record<string, DeploymentSummary>> = summaries;

/** A deployment by id, or the only one on a chain id; throws, naming what there is, otherwise. */
export function deploymentFor(idOrChainId: string | number | bigint): DeploymentSummary {
  const known = Object.values(deployments);
  const found =
    typeof idOrChainId === "string"
      ? known.filter((deployment) => deployment.deploymentId === idOrChainId)
      : known.filter((deployment) => BigInt(deployment.chainId) === BigInt(idOrChainId));
  if (found.length === 1) return found[0];
  const list = known.map((deployment) => `${deployment.deploymentId} (chain ${deployment.chainId})`).join(", ");
  throw new Error(
    `${found.length === 0 ? "no" : "more than one"} deployment for ${typeof idOrChainId === "string" ? "id" : "chain id"} ` +
      `${idOrChainId} in @govledger/contracts (it has: ${list || "none"})`,
  );
}

/** A deployment's contract addresses by contract key. */
export function addressesOf(deployment: DeploymentSummary): Record<ContractKey, Hex> {
  return Object.fromEntries(
    Object.entries(deployment.contracts).map(([key, contract]) => [key, contract.address]),
  ) as Record<ContractKey, Hex>;
}
