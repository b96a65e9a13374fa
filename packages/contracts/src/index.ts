/**
 * @govledger/contracts: what a dApp needs to talk to govledger's contracts, with no dependency on
 * ethers or viem: ABIs (`as const`, for viem's type inference), deployment addresses, enum and
 * role names, and the off-chain halves of the contracts' hashes and signatures. The typechain
 * ethers factories are in `@govledger/contracts/ethers`.
 */
export { type Hex, textHash } from "./abi-encode.js";
export { abis, type ContractName } from "./generated/abis.js";
export * from "./deployments.js";
export * from "./eip712.js";
export * from "./ids.js";
export * from "./invoices.js";
export * from "./names.js";
