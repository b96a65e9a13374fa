/**
 * Event decoding for the hot path. viem's decodeEventLog recomputes the event selector (a keccak
 * of the formatted signature) for every log; here each event's layout is prepared once, indexed
 * parameters are read straight from their topics, and the data is decoded with viem's
 * decodeAbiParameters.
 */
import { type AbiEvent, type AbiParameter, decodeAbiParameters } from "viem";

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

export function createEventDecoder(abi: AbiEvent): EventDecoderFn {
  const indexed = abi.inputs.filter((input) => "indexed" in input && input.indexed);
  const rest = abi.inputs.filter((input) => !("indexed" in input && input.indexed));
  return (topics, data) => {
    if (topics.length !== indexed.length + 1) {
      throw new RetryableError(`${abi.name}: ${topics.length} topics where ${indexed.length + 1} belong`);
    }
    const args: EventArgs = {};
    for (let i = 0; i < indexed.length; i++) args[indexed[i].name!] = topicValue(indexed[i], topics[i + 1]);
    if (rest.length > 0) {
      const values = decodeAbiParameters(rest, data);
      for (let i = 0; i < rest.length; i++) args[rest[i].name!] = values[i];
    }
    return args;
  };
}
