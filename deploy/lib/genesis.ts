/**
 * The genesis `alloc` entry that pre-deploys ValidatorSet for Besu QBFT's contract-based
 * validator selection. No constructor runs in a genesis, so the storage holds what the
 * constructor would have written, following the layout documented in ValidatorSet.sol:
 *   slot 0                          AccessManaged._authority
 *   slot 1                          _validators.length; element i at keccak256(1) + i
 *   keccak256(validator . 2)        _entries[validator].position (index + 1)
 *   keccak256(validator . 2) + 1    _entries[validator].departmentId
 *   slot 3                          _registry: left zero, set by the deployment (setRegistry)
 *   slot 4                          the last blocks that added and removed a node: zero
 * The test in test/governance/genesis.test.ts installs this entry on a simulated chain and
 * checks the contract reads it back.
 */
import { AbiCoder, getAddress, getCreateAddress, keccak256, toBeHex, zeroPadValue } from "ethers";

export interface GenesisValidator {
  address: string;
  departmentId: string;
}

export interface GenesisAllocEntry {
  code: string;
  storage: Record<string, string>;
  balance: string;
}

const word = (value: bigint | string) => zeroPadValue(toBeHex(value), 32);

/** The AccessManager's address when the deployer's first transaction deploys it (Ignition does). */
export function predictAccessManager(deployer: string): string {
  return getCreateAddress({ from: getAddress(deployer), nonce: 0 });
}

export function validatorSetAlloc(
  runtimeBytecode: string,
  authority: string,
  validators: GenesisValidator[],
): GenesisAllocEntry {
  if (validators.length === 0) throw new Error("genesis: at least one validator is required (an empty set halts QBFT)");
  if (validators.length > 256) throw new Error("genesis: at most 256 validators");
  const seen = new Set<string>();
  const storage: Record<string, string> = {
    [word(0n)]: word(BigInt(getAddress(authority))),
    [word(1n)]: word(BigInt(validators.length)),
  };
  const arrayStart = BigInt(keccak256(word(1n)));
  const coder = AbiCoder.defaultAbiCoder();
  validators.forEach(({ address, departmentId }, index) => {
    const validator = getAddress(address);
    if (seen.has(validator)) throw new Error(`genesis: validator ${validator} is listed twice`);
    if (BigInt(departmentId) === 0n) throw new Error(`genesis: validator ${validator} needs a department`);
    seen.add(validator);
    storage[word(arrayStart + BigInt(index))] = word(BigInt(validator));
    const entry = BigInt(keccak256(coder.encode(["address", "uint256"], [validator, 2n])));
    storage[word(entry)] = word(BigInt(index + 1));
    storage[word(entry + 1n)] = word(BigInt(departmentId));
  });
  return { code: runtimeBytecode, storage, balance: "0x0" };
}
