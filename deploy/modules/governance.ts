/**
 * Governance part of the Ignition deployment: AccessManager, registry, governor, validator set,
 * and the founding departments with their roles. The deployer holds the AccessManager's ADMIN
 * role only while the module runs; `govledger.ts` renounces it once everything is wired.
 */
import type {
  ContractFuture,
  Future,
  IgnitionModuleBuilder,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";
import { FunctionFragment } from "ethers";

import { codeToId, type ConsortiumParams, DEPARTMENT_KINDS, kindIndex, roleId, ROLES } from "../lib/consortium.js";

/** The 4-byte selectors of functions given by signature, e.g. "pause()". */
export function selectors(...signatures: string[]): string[] {
  return signatures.map((signature) => FunctionFragment.from(signature).selector);
}

/**
 * Wires which role may call which functions of `target` in the AccessManager: `roles` maps a role
 * name from Roles.sol to function signatures. Functions not wired stay ADMIN-only (a vote).
 */
export function restrictFunctions(
  m: IgnitionModuleBuilder,
  manager: NamedArtifactContractDeploymentFuture<"AccessManager">,
  target: ContractFuture<string>,
  roles: Record<string, string[]>,
): Future[] {
  return Object.entries(roles).map(([role, signatures]) =>
    m.call(manager, "setTargetFunctionRole", [target, selectors(...signatures), roleId(role)], {
      id: `Wire_${target.contractName}_${role}`,
    }),
  );
}

export function deployGovernance(m: IgnitionModuleBuilder, params: ConsortiumParams) {
  const deployer = m.getAccount(0);
  const manager = m.contract("AccessManager", [deployer]);
  const registry = m.contract("ConsortiumRegistry", [manager]);
  const rules = params.governance;
  const governor = m.contract("ConsortiumGovernor", [
    registry,
    [rules.thresholdBps, rules.votingPeriod, rules.executionDelay, rules.executionWindow],
  ]);
  // On a Besu network the validator set is pre-deployed in the genesis (deploy/genesis-alloc.ts),
  // trusting the AccessManager this module deploys first; elsewhere it is deployed here.
  const validatorSet =
    params.validatorSetAddress === undefined
      ? m.contract("ValidatorSet", [
          manager,
          params.validators.map((validator) => validator.address),
          params.validators.map((validator) => codeToId(validator.department)),
        ])
      : m.contractAt("ValidatorSet", params.validatorSetAddress);

  // The registry mirrors membership into role grants, so it is an ADMIN beside the governor.
  // The validator set asks the registry which departments are active (a genesis set has no
  // registry until this call: no constructor runs there), and the registry tells it of each
  // suspension and reinstatement so that the nodes whose sealing changed emit an event.
  const setup: Future[] = [
    m.call(manager, "grantRole", [ROLES.ADMIN, governor, 0], { id: "AdminToGovernor" }),
    m.call(manager, "grantRole", [ROLES.ADMIN, registry, 0], { id: "AdminToRegistry" }),
    m.call(validatorSet, "setRegistry", [registry], { id: "ValidatorSetRegistry" }),
  ];
  // Before the admissions, so that the founding nodes' sealing is on record from the start.
  const linked = m.call(registry, "setValidatorSet", [validatorSet], { id: "RegistryValidatorSet" });
  setup.push(linked);
  for (const [name, id] of Object.entries(ROLES)) {
    if (name === "ADMIN" || name === "PUBLIC") continue;
    setup.push(m.call(manager, "labelRole", [id, name], { id: `Label_${name}` }));
  }
  const admissions = new Map<string, Future>();
  for (const department of params.departments) {
    const id = codeToId(department.code);
    const admitted = m.call(
      registry,
      "admitDepartment",
      [id, department.name, kindIndex(DEPARTMENT_KINDS, department.kind), department.operators],
      { id: `Admit_${department.code}`, after: [linked] },
    );
    setup.push(admitted);
    admissions.set(department.code, admitted);
    for (const role of department.roles) {
      setup.push(
        m.call(registry, "grantDepartmentRole", [id, roleId(role)], {
          id: `Grant_${department.code}_${role}`,
          after: [admitted],
        }),
      );
    }
  }
  for (const [role, code] of Object.entries(params.roleAdministrators)) {
    setup.push(
      m.call(registry, "setRoleAdministrator", [roleId(role), codeToId(code)], {
        id: `Administrator_${role}`,
        after: [admissions.get(code)!],
      }),
    );
  }
  return { manager, registry, governor, validatorSet, setup };
}
