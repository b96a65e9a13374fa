/**
 * Enum and role names, generated from the Solidity sources at compile time: the chain answers
 * with numbers (viem a number, ethers a bigint), a dApp shows names.
 */
import { enums, roles } from "./generated/names.js";

export { enums, roles };

export type EnumName = keyof typeof enums;
export type EnumMember<E extends EnumName> = (typeof enums)[E][number];

/** Each enum's members by name, valued as on chain: `enumValues.InvoiceState.Claimed === 2`. */
export const enumValues = Object.fromEntries(
  Object.entries(enums).map(([name, members]) => [name, Object.fromEntries(members.map((member, i) => [member, i]))]),
) as { readonly [E in EnumName]: { readonly [M in EnumMember<E>]: number } };

/** The name of an on-chain enum value: `enumName("InvoiceState", 2n) === "Claimed"`. */
export function enumName<E extends EnumName>(name: E, value: number | bigint): EnumMember<E> {
  const members: readonly string[] = enums[name];
  const member = members[Number(value)];
  if (member === undefined) throw new RangeError(`${value} is not a ${name} (${members.join(", ")})`);
  return member as EnumMember<E>;
}

export type RoleName = (typeof roles)[keyof typeof roles];

/** The name of an AccessManager role id (contracts/governance/Roles.sol), or `ROLE_<id>` for an unnamed one. */
export function roleName(id: bigint | number | string): string {
  return (roles as Readonly<Record<string, string>>)[BigInt(id).toString()] ?? `ROLE_${id}`;
}

/** The AccessManager role id of a role name; throws on an unknown name. */
export function roleId(name: string): bigint {
  const entry = Object.entries(roles).find(([, role]) => role === name);
  if (entry === undefined) throw new RangeError(`unknown role "${name}" (known: ${Object.values(roles).join(", ")})`);
  return BigInt(entry[0]);
}
