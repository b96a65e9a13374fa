/**
 * Off-chain side of LicenceRegistry: the id a department's licence gets from its reference, and
 * the EIP-712 consent, the typed data a holder's wallet signs so a department can submit the
 * consent (grantConsentBySig). Used by the tests, the benchmarks and the demo. Touches no chain
 * but to read the registry's domain.
 */
import { AbiCoder, keccak256, type Signer, type TypedDataDomain } from "ethers";

import type { LicenceRegistry } from "../../typechain-types/index.js";

export interface ConsentMessage {
  licenceId: string;
  departmentId: string;
  purpose: string;
  until: bigint | number;
  nonce: bigint | number;
  deadline: bigint | number;
}

/** The id of the licence `departmentId` issues under `reference` (LicenceRegistry.licenceIdOf). */
export function licenceIdOf(departmentId: string, reference: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [departmentId, reference]));
}

export const CONSENT_TYPES = {
  Consent: [
    { name: "licenceId", type: "bytes32" },
    { name: "departmentId", type: "bytes32" },
    { name: "purpose", type: "bytes32" },
    { name: "until", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export async function consentDomain(registry: LicenceRegistry): Promise<TypedDataDomain> {
  const domain = await registry.eip712Domain();
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

/** The holder's EIP-712 signature over a consent, as its wallet would make it. */
export async function signConsent(signer: Signer, registry: LicenceRegistry, message: ConsentMessage): Promise<string> {
  return signer.signTypedData(await consentDomain(registry), CONSENT_TYPES, message);
}
