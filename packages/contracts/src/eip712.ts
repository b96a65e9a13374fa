/**
 * EIP-712 typed data the contracts accept, for a wallet to sign: a licence holder's consent
 * (LicenceRegistry.grantConsentBySig) and an ERC-2612 permit on the settlement token
 * (ConstructionEscrow.fundWithPermit). Each builder returns `{ domain, types, primaryType,
 * message }`: viem's `signTypedData` takes it as is, ethers' `signer.signTypedData(domain,
 * types, message)` in three parts (or use `signConsent`/`signPermit` from
 * `@govledger/contracts/ethers`). The domain comes from the contract's own `eip712Domain()`
 * (ERC-5267), so a dApp never hard-codes a name, version or chain id.
 */
import type { Hex } from "./abi-encode.js";

/** An EIP-712 domain, from the contract's `eip712Domain()`. */
export interface Eip712Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: Hex;
}

/**
 * The domain from an `eip712Domain()` answer, as ethers (a Result) and viem (a tuple) both give
 * it: [fields, name, version, chainId, verifyingContract, salt, extensions].
 */
export function eip712DomainOf(answer: readonly unknown[]): Eip712Domain {
  const [, name, version, chainId, verifyingContract] = answer;
  if (typeof name !== "string" || typeof version !== "string" || typeof verifyingContract !== "string") {
    throw new TypeError("not an eip712Domain() answer: [fields, name, version, chainId, verifyingContract, ...]");
  }
  return { name, version, chainId: BigInt(chainId as bigint), verifyingContract: verifyingContract as Hex };
}

/** LicenceRegistry's `Consent` type (ILicenceRegistry.grantConsentBySig). */
export const CONSENT_TYPES = {
  Consent: [
    { name: "licenceId", type: "bytes32" },
    { name: "departmentId", type: "bytes32" },
    { name: "purpose", type: "bytes32" },
    { name: "until", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/**
 * A holder's consent: department `departmentId` (the one that will submit it) may use licence
 * `licenceId` for `purpose` until `until`; `nonce` is the holder's current `nonces(holder)`, and
 * the signature may be submitted until `deadline`.
 */
export interface ConsentMessage {
  licenceId: string;
  departmentId: string;
  purpose: string;
  until: bigint | number;
  nonce: bigint | number;
  deadline: bigint | number;
}

export function consentTypedData(domain: Eip712Domain, message: ConsentMessage) {
  return {
    domain,
    types: CONSENT_TYPES,
    primaryType: "Consent" as const,
    message: {
      licenceId: message.licenceId as Hex,
      departmentId: message.departmentId as Hex,
      purpose: message.purpose as Hex,
      until: BigInt(message.until),
      nonce: BigInt(message.nonce),
      deadline: BigInt(message.deadline),
    },
  };
}

/** ERC-2612's `Permit` type. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** `owner` lets `spender` take `value` until `deadline`; `nonce` is the token's `nonces(owner)`. */
export interface PermitMessage {
  owner: string;
  spender: string;
  value: bigint;
  nonce: bigint | number;
  deadline: bigint | number;
}

export function permitTypedData(domain: Eip712Domain, message: PermitMessage) {
  return {
    domain,
    types: PERMIT_TYPES,
    primaryType: "Permit" as const,
    message: {
      owner: message.owner as Hex,
      spender: message.spender as Hex,
      value: message.value,
      nonce: BigInt(message.nonce),
      deadline: BigInt(message.deadline),
    },
  };
}
