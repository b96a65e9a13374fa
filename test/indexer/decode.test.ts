import { expect } from "chai";
import {
  type Abi,
  type AbiEvent,
  type AbiParameter,
  decodeEventLog,
  encodeAbiParameters,
  encodeEventTopics,
  type Hex,
} from "viem";

import { abis } from "@govledger/contracts";
import { toJson } from "../../indexer/src/handlers/rows.js";
import { createEventDecoder } from "../../indexer/src/sync/decode.js";

/** JSON as JSON.stringify writes it, bigints as decimal strings: what toJson must equal. */
const reference = (value: unknown) => JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hexOf(next: () => number, bytes: number): Hex {
  let hex = "0x";
  for (let i = 0; i < bytes; i++)
    hex += Math.floor(next() * 256)
      .toString(16)
      .padStart(2, "0");
  return hex as Hex;
}

/** A value of `param`'s type, with the extremes of integer ranges among the draws. */
function valueOf(param: AbiParameter, next: () => number): unknown {
  const array = /^(.*)\[(\d*)\]$/.exec(param.type);
  if (array) {
    const length = array[2] === "" ? Math.floor(next() * 4) : Number(array[2]);
    const element = { ...param, type: array[1] } as AbiParameter;
    return Array.from({ length }, () => valueOf(element, next));
  }
  if (param.type === "tuple" && "components" in param) {
    return Object.fromEntries(param.components.map((component) => [component.name!, valueOf(component, next)]));
  }
  if (param.type === "address") return hexOf(next, 20);
  if (param.type === "bool") return next() < 0.5;
  if (param.type === "string") return `s${Math.floor(next() * 1e6)}`;
  if (param.type === "bytes") return hexOf(next, Math.floor(next() * 40));
  const fixed = /^bytes(\d+)$/.exec(param.type);
  if (fixed) return hexOf(next, Number(fixed[1]));
  const integer = /^(u?)int(\d*)$/.exec(param.type);
  if (integer) {
    const bits = BigInt(integer[2] || 256);
    const signed = integer[1] === "";
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    const min = signed ? -(1n << (bits - 1n)) : 0n;
    const draw = next();
    const value =
      draw < 0.15 ? max : draw < 0.3 ? min : (BigInt(hexOf(next, Number(bits / 8n))) % (max - min + 1n)) + min;
    return bits > 48n ? value : Number(value);
  }
  throw new Error(`no generator for ${param.type}`);
}

/** A log of `event` with random arguments: its topics and data. */
function encoded(event: AbiEvent, next: () => number) {
  const args = Object.fromEntries(event.inputs.map((input) => [input.name!, valueOf(input, next)]));
  const topics = encodeEventTopics({ abi: [event], eventName: event.name, args } as never) as Hex[];
  const rest = event.inputs.filter((input) => !input.indexed);
  const data = encodeAbiParameters(
    rest,
    rest.map((input) => args[input.name!]),
  );
  return { topics, data };
}

describe("indexer: event decoding", function () {
  const events = Object.entries(abis).flatMap(([contract, abi]) =>
    (abi as Abi).filter((item): item is AbiEvent => item.type === "event").map((event) => ({ contract, event })),
  );

  it("decodes every event of every contract as viem's decodeEventLog does", function () {
    expect(events.length).to.be.greaterThan(50);
    const next = random(20261201);
    for (const { contract, event } of events) {
      const decode = createEventDecoder(event);
      for (let round = 0; round < 25; round++) {
        const { topics, data } = encoded(event, next);
        const expected = (decodeEventLog({ abi: [event], topics: topics as [Hex, ...Hex[]], data, strict: true })
          .args ?? {}) as Record<string, unknown>;
        const actual = decode(topics, data);
        const where = `${contract}.${event.name} round ${round}`;
        expect(Object.keys(actual), where).to.have.members(Object.keys(expected));
        for (const input of event.inputs) {
          // Indexed values as read from their topics: addresses lowercase (viem checksums them),
          // integers as bigints (viem gives numbers up to 48 bits). Data values are viem's own.
          const want = expected[input.name!];
          const indexed =
            input.type === "address" ? (want as string).toLowerCase() : typeof want === "number" ? BigInt(want) : want;
          expect(actual[input.name!], `${where}: ${input.name}`).to.deep.equal(input.indexed ? indexed : want);
        }
        expect(toJson(actual), `${where}: JSON`).to.equal(reference(actual));
      }
    }
  });

  it("decodes data that is upper case or longer than its words as viem does", function () {
    const event = events.find(({ event }) => event.name === "InvoiceIssued")!.event;
    const decode = createEventDecoder(event);
    const { topics, data } = encoded(event, random(7));
    const expected = decode(topics, data);
    expect(decode(topics, `0x${data.slice(2).toUpperCase()}`)).to.deep.equal(expected);
    expect(decode(topics, `${data}${"00".repeat(32)}`)).to.deep.equal(expected);
  });

  it("refuses data shorter than the event's words, and a wrong number of topics", function () {
    const event = events.find(({ event }) => event.name === "InvoiceIssued")!.event;
    const decode = createEventDecoder(event);
    const { topics, data } = encoded(event, random(8));
    expect(() => decode(topics, data.slice(0, -64) as Hex)).to.throw(/size|bounds|too small/i);
    expect(() => decode(topics.slice(0, -1), data)).to.throw(/topics where/);
  });

  it("writes JSON as JSON.stringify does, bigints as decimal strings", function () {
    for (const value of [
      { a: 1n, b: 'x"y\\z\n', c: [1, -2n, true, null, undefined], d: { e: undefined, f: Number.NaN, "1": 0 } },
      [],
      {},
      "\u2028",
      -0,
      new Date(0),
      [{ nested: [[1n]] }],
    ]) {
      expect(toJson(value)).to.equal(reference(value));
    }
  });

  it("falls back to viem for a boolean word that is not 0 or 1", function () {
    const event: AbiEvent = { type: "event", name: "Flag", inputs: [{ name: "on", type: "bool", indexed: false }] };
    const decode = createEventDecoder(event);
    expect(decode([encodeEventTopics({ abi: [event] })[0] as Hex], `0x${"0".repeat(63)}1`)).to.deep.equal({ on: true });
    expect(() => decode([encodeEventTopics({ abi: [event] })[0] as Hex], `0x${"0".repeat(63)}2`)).to.throw();
  });
});
