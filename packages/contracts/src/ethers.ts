/**
 * @govledger/contracts/ethers: the typechain factories and contract types (ethers v6), and the
 * package's EIP-712 helpers as ethers signers use them. Needs `ethers` (a peer dependency).
 */
import { type Signer, Signature } from "ethers";

import { type ConsentMessage, consentTypedData, type Eip712Domain, eip712DomainOf, permitTypedData } from "./eip712.js";
import type { LicenceRegistry, SettlementToken } from "./typechain/index.js";

export * from "./typechain/index.js";

/** A contract's EIP-712 domain, read from its `eip712Domain()`. */
export async function domainOf(contract: { eip712Domain: () => Promise<readonly unknown[]> }): Promise<Eip712Domain> {
  return eip712DomainOf(await contract.eip712Domain());
}

/** The holder's EIP-712 signature over a consent, as its wallet makes it (grantConsentBySig). */
export async function signConsent(signer: Signer, registry: LicenceRegistry, message: ConsentMessage): Promise<string> {
  const typed = consentTypedData(await domainOf(registry), message);
  return signer.signTypedData(typed.domain, { Consent: [...typed.types.Consent] }, typed.message);
}

/** The owner's ERC-2612 permit for `spender` to take `value` until `deadline`, at its current nonce. */
export async function signPermit(
  owner: Signer,
  token: SettlementToken,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  const address = await owner.getAddress();
  const typed = permitTypedData(await domainOf(token), {
    owner: address,
    spender,
    value,
    nonce: await token.nonces(address),
    deadline,
  });
  return Signature.from(await owner.signTypedData(typed.domain, { Permit: [...typed.types.Permit] }, typed.message));
}
