/**
 * Governance proposals' calls that tests build: departments admitted by vote with their roles.
 * Only calldata; passing the proposal is the caller's (test/fixtures.ts passProposal, or a vote of
 * its own).
 */
import type { Interface } from "ethers";

import { DEPARTMENT_KINDS, kindIndex } from "../../deploy/lib/consortium.js";

export interface AdmittedDepartment {
  id: string;
  name: string;
  /** A DepartmentKind name ("Bank", "ConstructionBureau"…). */
  kind: string;
  operator: string;
  /** Department roles granted right after admission, in this order. */
  roles: bigint[];
}

/**
 * The calls that admit each of `departments` (with its one operator) and grant it its roles,
 * department by department: `admitDepartment`, then `grantDepartmentRole` for each role.
 */
export async function admitDepartmentCalls(
  registry: { interface: Interface; getAddress(): Promise<string> },
  departments: AdmittedDepartment[],
): Promise<{ target: string; data: string }[]> {
  const target = await registry.getAddress();
  return departments.flatMap((department) => [
    {
      target,
      data: registry.interface.encodeFunctionData("admitDepartment", [
        department.id,
        department.name,
        kindIndex(DEPARTMENT_KINDS, department.kind),
        [department.operator],
      ]),
    },
    ...department.roles.map((role) => ({
      target,
      data: registry.interface.encodeFunctionData("grantDepartmentRole", [department.id, role]),
    })),
  ]);
}
