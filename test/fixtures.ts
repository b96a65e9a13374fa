/**
 * Shared fixtures: the whole system deployed through the real Ignition module with the demo
 * parameters (deploy/parameters/localhost.json, whose accounts are the simulated network's
 * default accounts).
 */
import path from "node:path";

import type { ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { codeToId, loadConsortiumParams, ROOT } from "../deploy/lib/consortium.js";
import { deployGovledger } from "../deploy/lib/deployment.js";
import { attachSystem, type System } from "../deploy/lib/system.js";

export const DEMO_PARAMS = loadConsortiumParams(path.join(ROOT, "deploy", "parameters", "localhost.json"));

export const TAX = codeToId("TAX");
export const SAMR = codeToId("SAMR");
export const CONS = codeToId("CONS");
export const FIRE = codeToId("FIRE");
export const BANK = codeToId("BANK");
export const HRSS = codeToId("HRSS");
export const AUDIT = codeToId("AUDIT");

export async function deploySystem(connection: NetworkConnection<"l1">): Promise<System> {
  const summary = await deployGovledger(connection, { deploymentId: "test", params: DEMO_PARAMS });
  return attachSystem(connection, summary);
}

/**
 * Passes a proposal through the vote with the demo departments and runs it: TAX proposes, TAX,
 * SAMR, CONS and FIRE vote yes (4 of 7, more than half), TAX executes. Returns the execution
 * transaction (for `.to.emit`); the proposal id is `governor.proposalCount()`.
 */
export async function passProposal(
  { contracts: { governor }, accounts }: System,
  calls: { target: string; data: string }[],
  description = "test proposal",
): Promise<ContractTransactionResponse> {
  await (await governor.connect(accounts.tax).propose(calls, description)).wait();
  const proposalId = await governor.proposalCount();
  for (const voter of [accounts.tax, accounts.samr, accounts.cons, accounts.fire]) {
    await (await governor.connect(voter).castVote(proposalId, true)).wait();
  }
  return governor.connect(accounts.tax).execute(proposalId);
}

/**
 * A signer for a contract's address (the governor, say), impersonated and funded on the
 * simulated network: lets access tests call as the governor without a vote per case.
 */
export async function impersonate(connection: NetworkConnection<"l1">, address: string) {
  await connection.networkHelpers.impersonateAccount(address);
  await connection.networkHelpers.setBalance(address, 10n ** 20n);
  return connection.ethers.getSigner(address);
}
