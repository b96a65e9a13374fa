/**
 * Ids the contracts derive from codes and references: department, participant-role and purpose
 * codes as bytes32, licence ids. Touches no chain.
 */
import { type Hex, hashWords } from "./abi-encode.js";

/** A department, licence type or purpose code such as "TAX" as the bytes32 used on chain (1 to 31 bytes of UTF-8). */
export function codeToId(code: string): Hex {
  const bytes = new TextEncoder().encode(code);
  if (bytes.length === 0 || bytes.length > 31) throw new RangeError(`code "${code}" must be 1 to 31 bytes`);
  return `0x${[...bytes]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("")
    .padEnd(64, "0")}`;
}

/** The id of the licence department `departmentId` issues under `reference` (LicenceRegistry.licenceIdOf). */
export function licenceIdOf(departmentId: string, reference: string): Hex {
  return hashWords({ type: "bytes32", value: departmentId }, { type: "bytes32", value: reference });
}
