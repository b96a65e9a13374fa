/**
 * Escrow fixtures: the deployed system plus the construction parties (registered by the
 * construction bureau as the demo does), settlement tokens minted by the bank, and projects at
 * the stages the tests start from. Workers are deterministic wallets that never send a
 * transaction, so they need no ether.
 */
import { AbiCoder, id, keccak256, Wallet } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { PARTICIPANT_KINDS, ROLES } from "../../deploy/lib/consortium.js";
import type { IConstructionEscrow } from "@govledger/contracts/ethers";
import type { System } from "../../deploy/lib/system.js";
import { BANK, CONS, deploySystem, HRSS } from "../fixtures.js";

export const UNIT = 10n ** 18n;
export const BUDGET = 1_000_000n * UNIT;
export const MILESTONES = [300_000n * UNIT, 300_000n * UNIT, 400_000n * UNIT];
export const LABOUR_SHARE_BPS = 2_000;
export const GUARANTEE = 20_000n * UNIT;
export const HOLDING_PERIOD = 30 * 24 * 3600;
export const WORKER_COUNT = 4;

/** The participant id of a test party: a salted hash, as on the real register. */
export function partyId(code: string): string {
  return id(`govledger-test-salt:${code}`);
}

export const PARTIES = {
  developer: { code: "RIVERSIDE-DEV", signer: 12, roles: ["DEVELOPER"] },
  contractor: { code: "NORTH-BUILD", signer: 13, roles: ["CONTRACTOR"] },
  supervisor: { code: "SAFE-SUPERVISION", signer: 14, roles: ["SUPERVISOR"] },
  subcontractor: { code: "STEEL-WORKS", signer: 15, roles: ["SUBCONTRACTOR"] },
  /** Holds every project role but is party to no project: for "not the project's party". */
  outsider: { code: "OTHER-BUILD", signer: 10, roles: ["DEVELOPER", "CONTRACTOR", "SUPERVISOR"] },
  /** A subcontractor not registered on the test project. */
  unlisted: { code: "UNLISTED-SUB", signer: 11, roles: ["SUBCONTRACTOR"] },
} as const;

export const DEVELOPER = partyId(PARTIES.developer.code);
export const CONTRACTOR = partyId(PARTIES.contractor.code);
export const SUPERVISOR = partyId(PARTIES.supervisor.code);
export const SUBCONTRACTOR = partyId(PARTIES.subcontractor.code);
export const OUTSIDER = partyId(PARTIES.outsider.code);
export const UNLISTED = partyId(PARTIES.unlisted.code);

export function workerWallets(count: number, salt = "worker"): Wallet[] {
  return Array.from({ length: count }, (_, i) => new Wallet(id(`govledger-test:${salt}:${i}`)));
}

export function identityHash(worker: string): string {
  return id(`govledger-test-identity:${worker}`);
}

/** What the escrow binds a payroll's entries with: keccak256(abi.encode(workers, amounts)). */
export function entriesHash(workers: string[], amounts: bigint[]): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address[]", "uint256[]"], [workers, amounts]));
}

export function projectTerms(token: string, overrides: Partial<IConstructionEscrow.ProjectTermsStruct> = {}) {
  return {
    developer: DEVELOPER,
    contractor: CONTRACTOR,
    supervisor: SUPERVISOR,
    bank: BANK,
    regulator: CONS,
    humanResources: HRSS,
    token,
    budget: BUDGET,
    labourShareBps: LABOUR_SHARE_BPS,
    guaranteeAmount: GUARANTEE,
    guaranteeHoldingPeriod: HOLDING_PERIOD,
    contractHash: id("contract: riverside block A"),
    ...overrides,
  };
}

export function milestoneTerms(amounts: bigint[] = MILESTONES) {
  return amounts.map((amount, i) => ({
    amount,
    dueDate: 1_900_000_000 + i * 90 * 24 * 3600,
    descriptionHash: id(`milestone ${i}`),
  }));
}

/**
 * Registers the construction parties on a deployed system (the construction bureau registers them
 * and grants their roles, as in the demo) and gives the developer, the contractor and the outsider
 * settlement tokens approved to the escrow.
 */
export async function setupParties(system: System) {
  const { contracts, accounts } = system;
  const { registry, settlementToken, escrow } = contracts;
  const signer = (index: number) => accounts.all[index];
  for (const party of Object.values(PARTIES)) {
    const pid = partyId(party.code);
    await (
      await registry
        .connect(accounts.cons)
        .registerParticipant(pid, signer(party.signer).address, PARTICIPANT_KINDS.indexOf("Enterprise"))
    ).wait();
    for (const role of party.roles) {
      await (await registry.connect(accounts.cons).grantParticipantRole(pid, ROLES[role])).wait();
    }
  }
  const parties = {
    developer: signer(PARTIES.developer.signer),
    contractor: signer(PARTIES.contractor.signer),
    supervisor: signer(PARTIES.supervisor.signer),
    subcontractor: signer(PARTIES.subcontractor.signer),
    outsider: signer(PARTIES.outsider.signer),
    unlisted: signer(PARTIES.unlisted.signer),
  };
  const escrowAddress = await escrow.getAddress();
  for (const holder of [parties.developer, parties.contractor, parties.outsider]) {
    await (await settlementToken.connect(accounts.bank).mint(holder.address, 2n * BUDGET)).wait();
    await (await settlementToken.connect(holder).approve(escrowAddress, 2n ** 256n - 1n)).wait();
  }
  const workers = workerWallets(WORKER_COUNT);
  return { ...system, parties, workers, escrowAddress, tokenAddress: await settlementToken.getAddress() };
}

/** The system with the parties registered and holding settlement tokens (approved to the escrow). */
export async function escrowParties(connection: NetworkConnection<"l1">) {
  return setupParties(await deploySystem(connection));
}

export type EscrowParties = Awaited<ReturnType<typeof escrowParties>>;

/** Project 1 opened in the settlement token with STEEL-WORKS as subcontractor; nothing paid in. */
export async function openedProject(connection: NetworkConnection<"l1">) {
  const context = await escrowParties(connection);
  const { escrow } = context.contracts;
  await (
    await escrow
      .connect(context.accounts.cons)
      .createProject(projectTerms(context.tokenAddress), milestoneTerms(), [SUBCONTRACTOR])
  ).wait();
  return { ...context, projectId: 1n };
}

/** Project 1 fully funded, its guarantee deposited and its workers registered. */
export async function fundedProject(connection: NetworkConnection<"l1">) {
  const context = await openedProject(connection);
  const { escrow } = context.contracts;
  const { developer, contractor } = context.parties;
  await (await escrow.connect(developer).fund(1n, BUDGET)).wait();
  await (await escrow.connect(contractor).depositGuarantee(1n, GUARANTEE)).wait();
  await (
    await escrow.connect(contractor).registerWorkers(
      1n,
      context.workers.map((worker) => worker.address),
      context.workers.map((worker) => identityHash(worker.address)),
    )
  ).wait();
  return context;
}

/** Project 1 funded with milestone 0 released: 60,000 in the wage account, 240,000 payable. */
export async function releasedProject(connection: NetworkConnection<"l1">) {
  const context = await fundedProject(connection);
  const { escrow } = context.contracts;
  await (await escrow.connect(context.parties.contractor).submitMilestone(1n, 0n, id("evidence 0"))).wait();
  await (await escrow.connect(context.parties.supervisor).approveMilestone(1n, 0n)).wait();
  return context;
}

/** Submits a payroll paying `amounts` to the first workers and returns its entries. */
export async function submitPayroll(context: EscrowParties, amounts: bigint[], projectId = 1n, period = 202406n) {
  const workers = context.workers.slice(0, amounts.length).map((worker) => worker.address);
  const tx = await context.contracts.escrow
    .connect(context.parties.contractor)
    .submitPayroll(projectId, period, id(`payroll ${period}`), workers, amounts);
  await tx.wait();
  const payrollId = (await context.contracts.escrow.getProject(projectId)).payrollCount;
  return { payrollId, workers, amounts };
}

/**
 * Every kind of decision waiting, so that each function has something to act on:
 * project 1 with milestone 1 submitted, payment order 1 ordered, payroll 1 submitted and payroll 2
 * approved but owed (70,000 against a 60,000 wage account); project 2 open with nothing pending.
 */
export async function busyProject(connection: NetworkConnection<"l1">) {
  const context = await releasedProject(connection);
  const { escrow } = context.contracts;
  const { contractor } = context.parties;
  await (await escrow.connect(contractor).submitMilestone(1n, 1n, id("evidence 1"))).wait();
  await (await escrow.connect(contractor).orderPayment(1n, SUBCONTRACTOR, UNIT, id("inv"))).wait();
  const small = await submitPayroll(context, [UNIT]);
  const large = await submitPayroll(context, [35_000n * UNIT, 35_000n * UNIT]);
  await (
    await escrow.connect(context.accounts.bank).approvePayroll(1n, large.payrollId, large.workers, large.amounts)
  ).wait();
  await (
    await escrow.connect(context.accounts.cons).createProject(projectTerms(context.tokenAddress), milestoneTerms(), [])
  ).wait();
  return { ...context, small, large };
}
