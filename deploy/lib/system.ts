/**
 * Typed handles on a deployed system: its contracts (typechain types through ethers) and, on the
 * demo and test networks, the named accounts of deploy/parameters/localhost.json. Used by the
 * `npm start` demo, the tests and the benchmarks; each domain adds its contracts here.
 */
import type { NetworkConnection } from "hardhat/types/network";

import type { DeploymentSummary } from "./deployment.js";

export async function attachSystem(connection: NetworkConnection<"l1">, summary: DeploymentSummary) {
  const { ethers } = connection;
  const all = await ethers.getSigners();
  const at = summary.contracts;
  return {
    summary,
    contracts: {
      manager: await ethers.getContractAt("AccessManager", at.manager.address),
      registry: await ethers.getContractAt("ConsortiumRegistry", at.registry.address),
      governor: await ethers.getContractAt("ConsortiumGovernor", at.governor.address),
      validatorSet: await ethers.getContractAt("ValidatorSet", at.validatorSet.address),
      invoiceLedger: await ethers.getContractAt("InvoiceLedger", at.invoiceLedger.address),
      settlementToken: await ethers.getContractAt("SettlementToken", at.settlementToken.address),
      escrow: await ethers.getContractAt("ConstructionEscrow", at.escrow.address),
      licenceRegistry: await ethers.getContractAt("LicenceRegistry", at.licenceRegistry.address),
      jointApprovals: await ethers.getContractAt("JointApprovals", at.jointApprovals.address),
    },
    /** Demo accounts: 0 deploys; 1-7 operate the departments; 8-9 belong to nobody; 10-15 are
     * enterprises (see scripts/demo/governance.ts); 16-19 are validator node addresses. */
    accounts: {
      all,
      deployer: all[0],
      tax: all[1],
      samr: all[2],
      cons: all[3],
      fire: all[4],
      bank: all[5],
      hrss: all[6],
      audit: all[7],
      stranger: all[8],
      newcomer: all[9],
      enterprises: all.slice(10, 16),
    },
  };
}

export type System = Awaited<ReturnType<typeof attachSystem>>;
