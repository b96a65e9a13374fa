/**
 * A licence's validity over time, as `LicenceRegistry.isValidAt(licence, t)` answers for every t:
 * the version in force at t (the latest recorded at or before t) has t in its window, no
 * suspension covers t, it was not revoked at or before t, and every licence it depends on is
 * valid at t (at any depth). Computed from the records the read API loads (queries/public.ts);
 * pure, so the read model decides nothing twice.
 */
import type { LicenceRecord } from "../queries/public.js";

export interface ValiditySpan {
  from: string;
  /** Excluded; null: open-ended (as far as the chain's events say now). */
  until: string | null;
  valid: boolean;
  /** Why not valid: revoked, suspended, pending, expired, or a dependency's id. */
  reason: string | null;
}

const ms = (iso: unknown) => (typeof iso === "string" ? Date.parse(iso) : NaN);

function ownReason(record: LicenceRecord, t: number): string | null {
  const revokedAt = ms(record.licence.revokedAt);
  if (revokedAt <= t) return "revoked";
  const version = record.versions.filter((v) => ms(v.recordedAt) <= t).at(-1);
  if (!version) return "not issued";
  if (t < ms(version.validFromAt)) return "pending";
  if (t >= ms(version.validUntilAt)) return "expired";
  for (const s of record.suspensions) {
    const ended = s.endedAt === null ? Infinity : ms(s.endedAt);
    if (ms(s.startedAt) <= t && t < ended) return "suspended";
  }
  return null;
}

function reasonAt(records: Map<string, LicenceRecord>, id: string, t: number, path: Set<string>): string | null {
  const record = records.get(id);
  if (!record) return `dependency ${id} unknown`;
  const own = ownReason(record, t);
  if (own) return own;
  for (const dependency of (record.licence.dependencyIds as string[] | null) ?? []) {
    if (path.has(dependency)) continue; // the registry forbids cycles; never loop on bad data
    path.add(dependency);
    const reason = reasonAt(records, dependency, t, path);
    path.delete(dependency);
    if (reason)
      return `dependency ${dependency} ${reason.startsWith("dependency") ? "depends on an invalid licence" : reason}`;
  }
  return null;
}

function instants(record: LicenceRecord): number[] {
  const times = [ms(record.licence.issuedAt), ms(record.licence.revokedAt)];
  for (const v of record.versions) times.push(ms(v.recordedAt), ms(v.validFromAt), ms(v.validUntilAt));
  for (const s of record.suspensions) times.push(ms(s.startedAt), ms(s.endedAt));
  return times.filter((t) => Number.isFinite(t));
}

/** The spans of `id`'s validity from its issue on, adjacent spans with the same answer merged. */
export function validityOverTime(records: Map<string, LicenceRecord>, id: string): ValiditySpan[] {
  const start = ms(records.get(id)!.licence.issuedAt);
  const cuts = [...new Set([...records.values()].flatMap(instants))].filter((t) => t >= start).sort((a, b) => a - b);
  const spans: ValiditySpan[] = [];
  cuts.forEach((t, i) => {
    const reason = reasonAt(records, id, t, new Set([id]));
    const until = i + 1 < cuts.length ? new Date(cuts[i + 1]).toISOString() : null;
    const last = spans.at(-1);
    if (last && last.reason === reason) last.until = until;
    else spans.push({ from: new Date(t).toISOString(), until, valid: reason === null, reason });
  });
  return spans;
}
