/**
 * Deterministic randomness for the synthetic chain: every value is a pure function of the seed
 * and a few integers (a tag naming what is drawn, the entity, the step), so an entity's whole
 * life can be recomputed anywhere without storing it, and the same seed always gives the same
 * database.
 */

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface Random {
  /** A uint32. */
  int(tag: number, a: number, b?: number, c?: number): number;
  /** Uniform in [0, 1). */
  unit(tag: number, a: number, b?: number, c?: number): number;
  /** Uniform integer in [min, max]. */
  between(tag: number, a: number, b: number, min: number, max: number): number;
  /** Standard normal (Box-Muller). */
  normal(tag: number, a: number, b?: number): number;
  /** 32 bytes as 64 hex digits, no 0x. */
  hex32(tag: number, a: number, b?: number): string;
  /** 20 bytes as 40 hex digits, no 0x. */
  hex20(tag: number, a: number, b?: number): string;
}

export function createRandom(seed: number): Random {
  const int = (tag: number, a: number, b = 0, c = 0) =>
    fmix(fmix(fmix(fmix(seed ^ Math.imul(tag, 0x9e3779b1)) ^ a) ^ b) ^ Math.imul(c, 0x27d4eb2f));
  const unit = (tag: number, a: number, b = 0, c = 0) => int(tag, a, b, c) / 4294967296;
  const hex = (words: number, tag: number, a: number, b: number) => {
    let out = "";
    for (let w = 0; w < words; w++)
      out += int(tag, a, b, w + 1)
        .toString(16)
        .padStart(8, "0");
    return out;
  };
  return {
    int,
    unit,
    between: (tag, a, b, min, max) => min + Math.floor(unit(tag, a, b) * (max - min + 1)),
    normal(tag, a, b = 0) {
      const u1 = 1 - unit(tag, a, b, 101);
      const u2 = unit(tag, a, b, 102);
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    hex32: (tag, a, b = 0) => hex(8, tag, a, b),
    hex20: (tag, a, b = 0) => hex(5, tag, a, b),
  };
}
