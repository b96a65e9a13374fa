/**
 * Callers for access matrices that only a vote or a broken sync would produce: a department or
 * participant suspended in the registry whose account still holds its roles in the
 * AccessManager. The registry revokes those roles on suspension; granting them again directly
 * (as the AccessManager's ADMIN, the governor, impersonated) checks that a contract does not
 * rely on that alone but attributes the caller to an *active* department or participant itself.
 */
import type { NetworkConnection } from "hardhat/types/network";

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
