/**
 * Event decoding for the hot path. viem's decodeEventLog recomputes the event selector (a keccak
 * of the formatted signature) for every log; here each event's layout is prepared once, indexed
 * parameters are read straight from their topics, and the data is decoded with viem's
 * decodeAbiParameters, or, when every data parameter is a static word (integers, addresses,
 * booleans, fixed bytes: InvoiceIssued, the bulk of a backfill), read word by word from the hex
 * text, with the values decodeAbiParameters would return (test/indexer/decode.test.ts).
 */
import { type AbiEvent, type AbiParameter, checksumAddress, decodeAbiParameters } from "viem";

import { RetryableError } from "../errors.js";
import type { Hex } from "../rpc/client.js";

export type EventArgs = Record<string, unknown>;
export type EventDecoderFn = (topics: Hex[], data: Hex) => EventArgs;

const isDynamic = (type: string) =>
  type === "string" || type === "bytes" || type.endsWith("]") || type.startsWith("tuple");

/** An indexed parameter from its topic (dynamic types are only their keccak hash there). */
function topicValue(param: AbiParameter, topic: Hex): unknown {
  if (isDynamic(param.type)) return topic;
  if (param.type === "address") return `0x${topic.slice(26)}`;
  if (param.type === "bool") return topic.endsWith("1");
  if (param.type.startsWith("uint")) return BigInt(topic);
  if (param.type.startsWith("bytes")) return topic.slice(0, 2 + Number(param.type.slice(5)) * 2);
  return decodeAbiParameters([param], topic)[0];
}

const ZERO_WORD_PREFIX = "0".repeat(63);

/**
 * A reader of one 32-byte word (64 hex digits) as decodeAbiParameters returns it, or undefined
 * when the type is not a static word or a value is not canonical (then viem decodes, or says why
 * it cannot).
 */
function wordReader(type: string): ((word: string) => unknown) | undefined {
  if (type === "address") return (word) => checksumAddress(`0x${word.slice(24)}`);
  if (type === "bool")
    return (word) =>
      word.startsWith(ZERO_WORD_PREFIX) && (word[63] === "0" || word[63] === "1") ? word[63] === "1" : undefined;
  const integer = /^(u?)int(\d*)$/.exec(type);
  if (integer) {
    const bits = Number(integer[2] || 256);
    const signed = integer[1] === "";
    return (word) => {
      const value = signed ? BigInt.asIntN(bits, BigInt(`0x${word}`)) : BigInt(`0x${word}`);
      // Numbers up to 48 bits, as viem's decodeNumber returns them.
      return bits > 48 ? value : Number(value);
    };
  }
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) {
    const digits = Number(fixed[1]) * 2;
    return (word) => `0x${word.slice(0, digits)}`;
  }
  return undefined;
}

export function createEventDecoder(abi: AbiEvent): EventDecoderFn {
  const indexed = abi.inputs.filter((input) => "indexed" in input && input.indexed);
  const rest = abi.inputs.filter((input) => !("indexed" in input && input.indexed));
  const readers = rest.map((input) => wordReader(input.type));
  const words = readers.every((reader) => reader !== undefined)
    ? (readers as ((word: string) => unknown)[])
    : undefined;
  const viem = (data: Hex) => decodeAbiParameters(rest, data);
  const read = (data: Hex): readonly unknown[] => {
    if (words === undefined || data.length < 2 + 64 * words.length) return viem(data);
    const hex = data.toLowerCase();
    const values: unknown[] = [];
    for (let i = 0; i < words.length; i++) {
      const value = words[i](hex.slice(2 + 64 * i, 66 + 64 * i));
      if (value === undefined) return viem(data);
      values.push(value);
    }
    return values;
  };
  return (topics, data) => {
    if (topics.length !== indexed.length + 1) {
      throw new RetryableError(`${abi.name}: ${topics.length} topics where ${indexed.length + 1} belong`);
    }
    const args: EventArgs = {};
    for (let i = 0; i < indexed.length; i++) args[indexed[i].name!] = topicValue(indexed[i], topics[i + 1]);
    if (rest.length > 0) {
      const values = read(data);
      for (let i = 0; i < rest.length; i++) args[rest[i].name!] = values[i];
    }
    return args;
  };
}
