/**
 * The callers of the access matrices (test/helpers/accessMatrix.ts). `addMatrixActors` adds the
 * consortium-wide set; the helpers above it build single callers for a table of one contract.
 *
 * Callers that only a vote or a broken sync would produce: a department or
 * participant suspended in the registry whose account still holds its roles in the
 * AccessManager. The registry revokes those roles on suspension; granting them again directly
 * (as the AccessManager's ADMIN, the governor, impersonated) checks that a contract does not
 * rely on that alone but attributes the caller to an *active* department or participant itself.
 */
import { type ContractTransactionResponse, id, Wallet } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";

import type { System } from "../../deploy/lib/system.js";
import { impersonate } from "../fixtures.js";

type Signer = { address: string };

/** The governor as a signer: what a passed proposal calls with, without a vote per change. */
export async function governorSigner(connection: NetworkConnection<"l1">, system: System) {
  return impersonate(connection, await system.contracts.governor.getAddress());
}

/**
 * Gives department `departmentId` (operated by `operator`) the department roles `roles`, then
 * suspends it and grants the roles to `operator` again in the AccessManager alone.
 */
export async function suspendedDepartmentHolding(
  connection: NetworkConnection<"l1">,
  system: System,
  departmentId: string,
  operator: Signer,
  roles: bigint[],
): Promise<void> {
  const governor = await governorSigner(connection, system);
  const { registry, manager } = system.contracts;
  for (const role of roles) await (await registry.connect(governor).grantDepartmentRole(departmentId, role)).wait();
  await (await registry.connect(governor).suspendDepartment(departmentId)).wait();
  for (const role of roles) await (await manager.connect(governor).grantRole(role, operator.address, 0)).wait();
}

/**
 * Registers participant `participantId` (account `account`) through `registrar`, grants it the
 * participant roles `roles` through `administrator`, suspends it, then grants the roles to its
 * account again in the AccessManager alone.
 */
export async function suspendedParticipantHolding(
  connection: NetworkConnection<"l1">,
  system: System,
  participant: { id: string; account: Signer; registrar: Signer; administrator: Signer },
  roles: bigint[],
): Promise<void> {
  const governor = await governorSigner(connection, system);
  const { registry, manager } = system.contracts;
  await (
    await registry
      .connect(participant.registrar as never)
      .registerParticipant(participant.id, participant.account.address, 0)
  ).wait();
  for (const role of roles) {
    await (
      await registry.connect(participant.administrator as never).grantParticipantRole(participant.id, role)
    ).wait();
  }
  await (await registry.connect(participant.registrar as never).suspendParticipant(participant.id)).wait();
  for (const role of roles)
    await (await manager.connect(governor).grantRole(role, participant.account.address, 0)).wait();
}

export const RIVAL = codeToId("RIVAL");
export const SUSPENDED = codeToId("SUSPENDED");
export const LAPSED = id("govledger-matrix:lapsed");
export const UNRELATED = id("govledger-matrix:unrelated");

/** Every role a department can hold (LICENCE_WORKFLOW is the JointApprovals contract's alone). */
const DEPARTMENT_ROLES = [
  "GUARDIAN",
  "TAX_AUTHORITY",
  "LICENCE_AUTHORITY",
  "LICENCE_USER",
  "MARKET_REGULATOR",
  "CONSTRUCTION_BUREAU",
  "PROJECT_REGULATOR",
  "BANK",
  "HUMAN_RESOURCES",
  "AUDITOR",
] as const;
/** Participant roles by the department that administers them in the demo parameters. */
const PARTICIPANT_ROLES = {
  tax: ["INVOICE_ISSUER", "INVOICE_RECEIVER"],
  cons: ["DEVELOPER", "CONTRACTOR", "SUPERVISOR", "SUBCONTRACTOR"],
} as const;

/**
 * Adds the matrix's actors to a deployed system (as the governor would, by vote, without one per
 * step) and returns them with the founding departments', the stranger's, the deployer's and the
 * governor's accounts, by label.
 */
export async function addMatrixActors(connection: NetworkConnection<"l1">, system: System) {
  const { ethers, networkHelpers } = connection;
  const { registry, manager } = system.contracts;
  const { accounts } = system;
  const governor = await impersonate(connection, system.summary.contracts.governor.address);
  const wallet = async (name: string) => {
    const signer = new Wallet(id(`govledger-matrix-key:${name}`), ethers.provider);
    await networkHelpers.setBalance(signer.address, 10n ** 20n);
    return signer;
  };
  const [rival, suspended, lapsed, unrelated] = await Promise.all(
    ["rival", "suspended", "lapsed", "unrelated"].map(wallet),
  );
  const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();

  for (const [departmentId, operator] of [
    [RIVAL, rival],
    [SUSPENDED, suspended],
  ] as const) {
    await send(
      registry.connect(governor).admitDepartment(departmentId, departmentId.slice(0, 10), 0, [operator.address]),
    );
    for (const role of DEPARTMENT_ROLES) {
      await send(registry.connect(governor).grantDepartmentRole(departmentId, ROLES[role]));
    }
  }
  await send(registry.connect(governor).suspendDepartment(SUSPENDED));

  for (const [participantId, account] of [
    [LAPSED, lapsed],
    [UNRELATED, unrelated],
  ] as const) {
    await send(registry.connect(accounts.cons).registerParticipant(participantId, account.address, 0));
    for (const [administrator, roles] of Object.entries(PARTICIPANT_ROLES)) {
      const operator = administrator === "tax" ? accounts.tax : accounts.cons;
      for (const role of roles) await send(registry.connect(operator).grantParticipantRole(participantId, ROLES[role]));
    }
  }
  await send(registry.connect(accounts.cons).suspendParticipant(LAPSED));

  // Behind the registry's back: a vote (or a mistake) grants the roles in the AccessManager
  // directly, so only the contracts' own attribution can still refuse these two.
  for (const role of DEPARTMENT_ROLES)
    await send(manager.connect(governor).grantRole(ROLES[role], suspended.address, 0));
  for (const roles of Object.values(PARTICIPANT_ROLES)) {
    for (const role of roles) await send(manager.connect(governor).grantRole(ROLES[role], lapsed.address, 0));
  }

  return {
    governor,
    actors: {
      deployer: accounts.deployer,
      stranger: accounts.stranger,
      tax: accounts.tax,
      samr: accounts.samr,
      cons: accounts.cons,
      fire: accounts.fire,
      bank: accounts.bank,
      hrss: accounts.hrss,
      audit: accounts.audit,
      governor,
      rivalDepartment: rival,
      suspendedDepartment: suspended,
      lapsedParticipant: lapsed,
      unrelatedParticipant: unrelated,
    } as Record<string, Signer>,
  };
}

/** Labels of the founding departments' operators, for rows open to any active department. */
export const FOUNDING_DEPARTMENTS = ["tax", "samr", "cons", "fire", "bank", "hrss", "audit"];
