/**
 * The consortium's vocabulary for TypeScript: role ids and department kinds (from the contracts
 * package, which reads them from the Solidity sources that define them), and the deployment
 * parameters file that describes the founding departments. Used by the deploy modules, the demo, tests and the
 * indexer. Touches no chain.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { codeToId, enums, roleId, roleName, roles } from "@govledger/contracts";
import { getAddress, isAddress } from "ethers";

export { codeToId, roleId, roleName };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** AccessManager.PUBLIC_ROLE, written as an expression in Roles.sol. */
export const PUBLIC_ROLE = 2n ** 64n - 1n;

/** Role name → AccessManager role id (contracts/governance/Roles.sol, through the contracts package). */
export const ROLES: Readonly<Record<string, bigint>> = Object.freeze(
  Object.fromEntries(Object.entries(roles).map(([id, name]) => [name, BigInt(id)])),
);

/** DepartmentKind member names in declaration order (the index is the on-chain value). */
export const DEPARTMENT_KINDS: readonly string[] = enums.DepartmentKind;
/** ParticipantKind member names in declaration order. */
export const PARTICIPANT_KINDS: readonly string[] = enums.ParticipantKind;

export function kindIndex(kinds: readonly string[], kind: string): number {
  const index = kinds.indexOf(kind);
  if (index < 0) throw new Error(`unknown kind "${kind}" (known: ${kinds.join(", ")})`);
  return index;
}

export interface DepartmentParams {
  code: string;
  name: string;
  kind: string;
  operators: string[];
  roles: string[];
}

export interface ValidatorParams {
  address: string;
  department: string;
}

export interface VotingRulesParams {
  thresholdBps: number;
  votingPeriod: number;
  executionDelay: number;
  executionWindow: number;
}

export interface ConsortiumParams {
  governance: VotingRulesParams;
  departments: DepartmentParams[];
  validators: ValidatorParams[];
  /** Participant role name → code of the department that administers it. */
  roleAdministrators: Record<string, string>;
  /** A ValidatorSet pre-deployed in the genesis `alloc` (see deploy/genesis-alloc.ts) to adopt
   * instead of deploying one. */
  validatorSetAddress?: string;
}

export const DEFAULT_VOTING_RULES: VotingRulesParams = {
  thresholdBps: 5_000,
  votingPeriod: 7 * 24 * 3600,
  executionDelay: 0,
  executionWindow: 14 * 24 * 3600,
};

/** ConsortiumGovernor's bounds on the voting rules (it refuses others with GovernorInvalidRules). */
export const VOTING_RULE_BOUNDS: Record<keyof VotingRulesParams, [number, number]> = {
  thresholdBps: [1, 9_999],
  votingPeriod: [3600, 30 * 24 * 3600],
  executionDelay: [0, 30 * 24 * 3600],
  executionWindow: [24 * 3600, 90 * 24 * 3600],
};

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

/** Reads and checks a parameters file; every mistake is reported with the file and the field. */
export function loadConsortiumParams(file: string): ConsortiumParams {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    fail(file, `cannot read parameters: ${(error as Error).message}`);
  }
  const params = raw as Partial<ConsortiumParams>;
  const governance = { ...DEFAULT_VOTING_RULES, ...(params.governance ?? {}) };
  for (const [rule, [min, max]] of Object.entries(VOTING_RULE_BOUNDS)) {
    const value = governance[rule as keyof VotingRulesParams];
    if (!Number.isInteger(value) || value < min || value > max) {
      fail(file, `governance.${rule} is ${value}: it must be an integer from ${min} to ${max}`);
    }
  }
  if (!Array.isArray(params.departments) || params.departments.length === 0) {
    fail(file, "departments: at least one founding department is required");
  }
  const codes = new Set<string>();
  const accounts = new Set<string>();
  for (const [i, department] of params.departments.entries()) {
    const where = `departments[${i}]`;
    if (typeof department.code !== "string") fail(file, `${where}.code is required`);
    if (codes.has(department.code)) fail(file, `${where}.code "${department.code}" is used twice`);
    codes.add(department.code);
    try {
      codeToId(department.code);
      kindIndex(DEPARTMENT_KINDS, department.kind);
      for (const role of department.roles ?? []) roleId(role);
    } catch (error) {
      fail(file, `${where}: ${(error as Error).message}`);
    }
    if (!Array.isArray(department.operators) || department.operators.length === 0) {
      fail(file, `${where}.operators: at least one operator account is required`);
    }
    for (const operator of department.operators) {
      if (!isAddress(operator)) fail(file, `${where}.operators: "${operator}" is not an address`);
      const normalised = getAddress(operator);
      if (accounts.has(normalised)) fail(file, `${where}.operators: ${operator} acts for two departments`);
      accounts.add(normalised);
    }
    department.roles ??= [];
  }
  // A validator set pre-deployed in the genesis already holds its nodes (`npm run network -- init`
  // derives them from the node keys it generates), so the list is needed only to deploy one.
  const validators = params.validators ?? [];
  if (params.validatorSetAddress === undefined && (!Array.isArray(validators) || validators.length === 0)) {
    fail(file, "validators: at least one validator node is required (an empty set halts QBFT)");
  }
  if (!Array.isArray(validators)) fail(file, "validators must be a list");
  for (const [i, validator] of validators.entries()) {
    if (!isAddress(validator.address)) fail(file, `validators[${i}].address is not an address`);
    if (!codes.has(validator.department))
      fail(file, `validators[${i}].department "${validator.department}" is unknown`);
  }
  const roleAdministrators = params.roleAdministrators ?? {};
  for (const [role, code] of Object.entries(roleAdministrators)) {
    try {
      roleId(role);
    } catch (error) {
      fail(file, `roleAdministrators: ${(error as Error).message}`);
    }
    if (!codes.has(code)) fail(file, `roleAdministrators.${role}: department "${code}" is unknown`);
  }
  if (params.validatorSetAddress !== undefined && !isAddress(params.validatorSetAddress)) {
    fail(file, `validatorSetAddress "${params.validatorSetAddress}" is not an address`);
  }
  return {
    governance,
    departments: params.departments,
    validators,
    roleAdministrators,
    validatorSetAddress: params.validatorSetAddress,
  };
}
