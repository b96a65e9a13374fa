/**
 * Shared pieces of the licence tests: ids of the starting catalogue (deploy/modules/licences.ts),
 * impersonated signers for the contracts that call in (the governor, JointApprovals), and
 * EIP-712 consent signatures as a holder's wallet makes them.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id, type Signer, type TypedDataDomain } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { codeToId } from "../../deploy/lib/consortium.js";
import { licenceIdOf } from "@govledger/contracts";
import type { System } from "../../deploy/lib/system.js";

export const BUSINESS_REGISTRATION = codeToId("BUSINESS_REGISTRATION");
export const FOOD_BUSINESS = codeToId("FOOD_BUSINESS");
export const FIRE_SAFETY = codeToId("FIRE_SAFETY");
export const RESTAURANT_OPENING = codeToId("RESTAURANT_OPENING");

export const YEAR = 365 * 24 * 3600;
export const DAY = 24 * 3600;

/** Step indexes of RESTAURANT_OPENING. */
export const STEP = { fireSafety: 0, environment: 1, tax: 2, foodReview: 3 } as const;

/** LicenceStatus, StepState and ApplicationStatus as the contracts number them. */
export const STATUS = { None: 0, Pending: 1, Active: 2, Suspended: 3, Revoked: 4, Expired: 5 } as const;
export const STEP_STATE = { Locked: 0, Open: 1, Approved: 2, Rejected: 3 } as const;
export const APPLICATION = { None: 0, InProgress: 1, Completed: 2, Withdrawn: 3 } as const;

/** The reference an issuer gives its licence `label`: a salted hash, never the number in clear. */
export function reference(label: string): string {
  return id(`govledger-test-salt:licence:${label}`);
}

const references = new Map<string, string>();

/** The id of the licence `department` issues as `label`; {@link referenceOf} gives its reference back. */
export function licenceId(label: string, department: string): string {
  const licence = licenceIdOf(department, reference(label));
  references.set(licence, reference(label));
  return licence;
}

/** The reference that `issue` takes for a licence id made by {@link licenceId}. */
export function referenceOf(licence: string): string {
  const found = references.get(licence);
  if (found === undefined) throw new Error(`no reference for licence ${licence}`);
  return found;
}

export function documentHash(label: string): string {
  return id(`encrypted-document:${label}`);
}

export function purpose(code: string): string {
  return codeToId(code);
}

/** A signer for a contract's address (the governor, JointApprovals), funded for gas. Call it
 * inside a fixture so that the balance is part of the snapshot. */
export async function impersonate(connection: NetworkConnection<"l1">, address: string): Promise<HardhatEthersSigner> {
  await connection.networkHelpers.impersonateAccount(address);
  await connection.networkHelpers.setBalance(address, 10n ** 20n);
  return connection.ethers.getSigner(address);
}

export { licenceIdOf } from "@govledger/contracts";
export { signConsent } from "@govledger/contracts/ethers";

export type LicenceSystem = System & {
  governance: HardhatEthersSigner;
  workflow: HardhatEthersSigner;
};

/** The deployed system plus signers for the governor and the JointApprovals contract. */
export async function withCallers(connection: NetworkConnection<"l1">, system: System): Promise<LicenceSystem> {
  return {
    ...system,
    governance: await impersonate(connection, await system.contracts.governor.getAddress()),
    workflow: await impersonate(connection, await system.contracts.jointApprovals.getAddress()),
  };
}
