/**
 * The access matrix: every state-changing function of a contract, called by every actor of the
 * consortium, each call from a fresh fixture. An actor the row allows must succeed; every other
 * actor must be refused with an access error (one of REFUSALS): a state error would mean the call
 * got past the access checks and failed only by luck of the fixture.
 *
 * The actor set is what per-function tables tend to forget (issue 12: findings 6 and 7 slipped
 * through because no test called as "the same role, another party"): besides each founding
 * department and the governor, `addMatrixActors` adds a second department holding every
 * department role, a suspended department and a suspended participant whose roles were granted
 * back in the AccessManager behind the registry's back (so only the contract's own attribution
 * can refuse them), and an active participant holding every participant role that is party to
 * nothing. A contract adds its own parties (a project's developer, contractor...).
 *
 * Generic on purpose: a table names a contract, a fixture, its actors and, per function, the
 * labels allowed and the call. A function of the ABI missing from the table fails the suite.
 */
import { expect } from "chai";
import { type BaseContract, type ContractTransactionResponse, id, Interface, type InterfaceAbi, Wallet } from "ethers";
import { artifacts } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";
import type { System } from "../../deploy/lib/system.js";
import { impersonate } from "../fixtures.js";
import { mutatingFunctions } from "./access.js";

type Signer = { address: string };

/** Errors that refuse a caller for who it is, not for the state it finds. */
export const REFUSALS = new Set([
  "AccessManagedUnauthorized",
  "ConsortiumCallerNotDepartment",
  "ConsortiumCallerNotParticipant",
  "EscrowCallerNotParty",
  "GovernorOnlyGovernance",
  "GovernorCallerNotMember",
  "GovernorNotEligible",
  "GovernorNotProposer",
  "RegistryCallerNotDepartment",
  "RegistryNotRegistrar",
  "RegistryNotRoleAdministrator",
]);

export interface MatrixRow<Ctx> {
  /** Labels of the actors that may call (each must succeed); every other actor is refused. */
  allowed: string[];
  /** Makes the call as `caller`, after any setup it needs. */
  call: (ctx: Ctx, caller: Signer) => Promise<ContractTransactionResponse>;
}

export interface AccessMatrix<Ctx> {
  /** The contract whose ABI the matrix must cover. */
  contract: (ctx: Ctx) => BaseContract;
  /** Fresh state for every call (wrap in loadFixture). */
  fixture: () => Promise<Ctx>;
  /** Every actor, by label. */
  actors: (ctx: Ctx) => Record<string, Signer>;
  /** Function signature (e.g. "pause()") → its row. */
  rows: Record<string, MatrixRow<Ctx>>;
}

let errorInterface: Interface | undefined;

/** One interface holding the custom errors of every compiled contract, to name any revert. */
async function errors(): Promise<Interface> {
  if (errorInterface !== undefined) return errorInterface;
  const seen = new Map<string, unknown>();
  for (const name of await artifacts.getAllFullyQualifiedNames()) {
    const { abi } = await artifacts.readArtifact(name);
    for (const item of abi as { type: string; name: string; inputs: { type: string }[] }[]) {
      if (item.type !== "error") continue;
      seen.set(`${item.name}(${item.inputs.map((input) => input.type).join(",")})`, item);
    }
  }
  errorInterface = new Interface([...seen.values()] as InterfaceAbi);
  return errorInterface;
}

/** The revert data somewhere in a provider or ethers error, if any. */
function revertData(error: unknown): string | undefined {
  const queue: unknown[] = [error];
  for (let i = 0; i < queue.length && i < 20; i++) {
    const item = queue[i] as Record<string, unknown> | undefined;
    if (item === null || typeof item !== "object") continue;
    const data = item.data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) return data;
    if (data !== null && typeof data === "object") queue.push(data);
    for (const key of ["error", "cause", "info", "data"]) if (key in item) queue.push(item[key]);
  }
  return undefined;
}

/** The name of the custom error a failed call reverted with ("?" if none could be decoded). */
export async function refusalOf(error: unknown): Promise<string> {
  const data = revertData(error);
  if (data === undefined) return `? (${(error as Error).message?.split("\n")[0]})`;
  try {
    return (await errors()).parseError(data)?.name ?? `? (${data.slice(0, 10)})`;
  } catch {
    return `? (${data.slice(0, 10)})`;
  }
}

export function describeAccessMatrix<Ctx>(name: string, matrix: AccessMatrix<Ctx>): void {
  describe(`${name} access matrix`, function () {
    it("has a row for every state-changing function, naming only known actors", async function () {
      const ctx = await matrix.fixture();
      expect(Object.keys(matrix.rows).sort()).to.deep.equal(mutatingFunctions(matrix.contract(ctx)));
      const labels = Object.keys(matrix.actors(ctx));
      for (const [signature, row] of Object.entries(matrix.rows)) {
        for (const label of row.allowed) expect(labels, `${signature} allows ${label}`).to.include(label);
      }
    });

    for (const [signature, row] of Object.entries(matrix.rows)) {
      it(`${signature}: ${row.allowed.length === 0 ? "no actor" : row.allowed.join(", ")} may call, every other actor is refused`, async function () {
        const failures: string[] = [];
        for (const [label, caller] of Object.entries(matrix.actors(await matrix.fixture()))) {
          const ctx = await matrix.fixture();
          let outcome: string;
          try {
            await (await row.call(ctx, caller)).wait();
            outcome = "succeeded";
          } catch (error) {
            outcome = await refusalOf(error);
          }
          const allowed = row.allowed.includes(label);
          if (allowed && outcome !== "succeeded") failures.push(`${label} may call it but got ${outcome}`);
          if (!allowed && !REFUSALS.has(outcome)) failures.push(`${label} may not call it but got ${outcome}`);
        }
        expect(failures, signature).to.deep.equal([]);
      });
    }
  });
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
