/**
 * The few pieces of Solidity's abi.encode and keccak256 the helpers need: every value they hash is
 * a static type (bytes32, address, uintN), which abi.encode writes as one 32-byte word each. Kept
 * here so the helpers depend on neither ethers nor viem (a dApp uses one of them, not both).
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

/** A 0x-prefixed hex string, as viem types it (ethers' `string`s are accepted everywhere). */
export type Hex = `0x${string}`;

export type Word =
  | { type: "bytes32"; value: string }
  | { type: "address"; value: string }
  | { type: "uint"; bits: number; value: bigint | number };

function hexBody(value: string, bytes: number, what: string): string {
  if (!new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(value)) {
    throw new TypeError(`${what} must be 0x and ${bytes * 2} hex digits, got ${JSON.stringify(value)}`);
  }
  return value.slice(2).toLowerCase();
}

function encodeWord(word: Word): string {
  switch (word.type) {
    case "bytes32":
      return hexBody(word.value, 32, "a bytes32");
    case "address":
      return hexBody(word.value, 20, "an address").padStart(64, "0");
    case "uint": {
      const value = BigInt(word.value);
      if (value < 0n || value >= 1n << BigInt(word.bits)) {
        throw new RangeError(`${value} does not fit a uint${word.bits}`);
      }
      return value.toString(16).padStart(64, "0");
    }
  }
}

/** keccak256(abi.encode(words...)) for static types. */
export function hashWords(...words: Word[]): Hex {
  return `0x${bytesToHex(keccak_256(hexToBytes(words.map(encodeWord).join(""))))}`;
}

/** keccak256 of UTF-8 text (Solidity's keccak256(bytes(text)), ethers' `id`). */
export function textHash(text: string): Hex {
  return `0x${bytesToHex(keccak_256(new TextEncoder().encode(text)))}`;
}
