/**
 * Off-chain side of the settlement token's EIP-2612 permit: the signature a payer's wallet makes
 * so the escrow can take its funding without a separate approval (fundWithPermit). Used by the
 * tests and the demo. Touches no chain but to read the token's domain and the owner's nonce.
 */
import { type Signer, Signature } from "ethers";

import type { SettlementToken } from "../../typechain-types/index.js";

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The owner's permit for `spender` to take `value` until `deadline`, at its current nonce. */
export async function signPermit(
  owner: Signer,
  token: SettlementToken,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  const domain = await token.eip712Domain();
  const address = await owner.getAddress();
  const signature = await owner.signTypedData(
    {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
    PERMIT_TYPES,
    { owner: address, spender, value, nonce: await token.nonces(address), deadline },
  );
  return Signature.from(signature);
}
