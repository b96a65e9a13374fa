/**
 * A synthetic city chain for the reports benchmark: six months of a consortium's activity
 * (departments, participants, invoices, licences and their uses, escrowed projects, failed
 * transactions) as decoded events, turned into write batches by the indexer's own handlers and
 * written by its own batch writer (`writeBatch`), exactly as a backfill would. Nothing here
 * writes a table itself: state tables, if the writer keeps any, are the writer's business.
 *
 * Every entity's life is a pure function of the seed and its index (lib/random.ts), planned so
 * that each event is one the contracts would accept at that moment (an invoice is claimed after
 * it is issued, a licence is used only while it and its dependencies are valid and the holder's
 * consent is live, wages are paid from the wage account only when it holds them…). Planning
 * keeps one compact record per transaction (time, kind, two integers); the events themselves are
 * recomputed from the plan when their batch is built, so memory stays flat while the
 * transactions stream out in chain order.
 */
import type { AbiEvent, AbiParameter } from "viem";

import { abis, type ContractName } from "@govledger/contracts";
import type { Batch, Checkpoint } from "../../indexer/src/db/store.js";
import { eventsOf, HANDLERS } from "../../indexer/src/handlers/index.js";
import { toJson } from "../../indexer/src/handlers/rows.js";
import type { DecodedEvent, Handler, Job, Row, TableSpec } from "../../indexer/src/handlers/types.js";
import type { Hex } from "../../indexer/src/rpc/client.js";
import { namedValues, RAW_BLOCKS, RAW_EVENTS, RAW_FAILED } from "../../indexer/src/sync/batch.js";
import { createRandom, type Random } from "./random.js";

/** Bump when the generated chain changes: cached databases are keyed by it. */
export const GENERATOR_VERSION = 5;

export interface Scale {
  seed: number;
  invoices: number;
  issuers: number;
  licences: number;
  /** Aimed at; the exact count depends on validity (uses of invalid licences are not made). */
  uses: number;
  projects: number;
  payrolls: number;
  failed: number;
  /** Length of the chain's history. */
  days: number;
}

export const CITY_SCALE: Scale = {
  seed: 20261130,
  invoices: 1_000_000,
  issuers: 5_000,
  licences: 200_000,
  uses: 2_000_000,
  projects: 2_000,
  payrolls: 100_000,
  failed: 30_000,
  days: 180,
};

/** A fraction of the city scale (BENCH_SCALE), never below a size at which every shape still occurs. */
export function scaleOf(fraction: number): Scale {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`BENCH_SCALE must be in (0, 1], got ${fraction}`);
  if (fraction === 1) return CITY_SCALE;
  const of = (n: number, min: number) => Math.max(min, Math.round(n * fraction));
  return {
    ...CITY_SCALE,
    invoices: of(CITY_SCALE.invoices, 1_000),
    issuers: of(CITY_SCALE.issuers, 20),
    licences: of(CITY_SCALE.licences, 200),
    uses: of(CITY_SCALE.uses, 2_000),
    projects: of(CITY_SCALE.projects, 5),
    payrolls: of(CITY_SCALE.payrolls, 100),
    failed: of(CITY_SCALE.failed, 100),
  };
}

// ---- time ------------------------------------------------------------------------------------

/** 2026-06-01 00:00 in the city (UTC+8). Times below are seconds after it. */
export const CHAIN_START = Date.UTC(2026, 4, 31, 16, 0, 0) / 1000;
// One block a second (Besu's shortest QBFT period): every planned second is a block time.
const BLOCK_SECONDS = 1;
const FIRST_BLOCK = 1_000;
const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;
const NONE = -1;

/** Block number of an offset (seconds after CHAIN_START). */
export const blockAt = (offset: number) => FIRST_BLOCK + Math.floor(offset / BLOCK_SECONDS);

// ---- tags: what a random draw is for ---------------------------------------------------------
const enum T {
  Address = 1,
  Participant,
  Operator,
  BlockHash,
  TxHash,
  BatchSize,
  BatchTime,
  Invoice,
  InvoiceFate,
  InvoiceStep,
  InvoiceAmount,
  InvoiceRate,
  Buyer,
  Document,
  Receiver,
  Credit,
  Freeze,
  IssuerFreeze,
  IssuerRules,
  Licence,
  LicenceType,
  LicenceStep,
  LicenceHolder,
  Dependency,
  Uses,
  Use,
  Pair,
  Consent,
  Project,
  ProjectStep,
  Worker,
  Payroll,
  Failed,
  Governance,
  Purpose,
}

// ---- departments, roles, licence types -------------------------------------------------------

const ROLE = {
  GUARDIAN: 1,
  TAX_AUTHORITY: 10,
  LICENCE_AUTHORITY: 20,
  LICENCE_USER: 21,
  MARKET_REGULATOR: 30,
  CONSTRUCTION_BUREAU: 40,
  PROJECT_REGULATOR: 41,
  BANK: 50,
  HUMAN_RESOURCES: 60,
  AUDITOR: 70,
  INVOICE_ISSUER: 100,
  INVOICE_RECEIVER: 101,
  DEVELOPER: 110,
  CONTRACTOR: 111,
  SUPERVISOR: 112,
  SUBCONTRACTOR: 113,
} as const;

interface Department {
  code: string;
  name: string;
  kind: number; // IConsortiumRegistry.DepartmentKind
  roles: number[];
}

// Kinds: 0 Other, 1 TaxAuthority, 2 MarketRegulator, 3 ConstructionBureau, 4 FireBrigade,
// 5 HumanResources, 6 Bank, 7 Auditor, 8 Environment, 9 HealthAuthority.
const DEPARTMENTS: Department[] = [
  { code: "TAX", name: "Tax Bureau", kind: 1, roles: [ROLE.TAX_AUTHORITY, ROLE.LICENCE_USER] },
  {
    code: "SAMR",
    name: "Market Regulation",
    kind: 2,
    roles: [ROLE.LICENCE_AUTHORITY, ROLE.MARKET_REGULATOR, ROLE.LICENCE_USER],
  },
  {
    code: "CONS",
    name: "Construction Bureau",
    kind: 3,
    roles: [ROLE.CONSTRUCTION_BUREAU, ROLE.PROJECT_REGULATOR, ROLE.LICENCE_AUTHORITY],
  },
  { code: "FIRE", name: "Fire Brigade", kind: 4, roles: [ROLE.LICENCE_AUTHORITY, ROLE.LICENCE_USER] },
  {
    code: "HRSS",
    name: "Human Resources and Social Security",
    kind: 5,
    roles: [ROLE.HUMAN_RESOURCES, ROLE.LICENCE_USER],
  },
  { code: "BANK-ICBC", name: "ICBC City Branch", kind: 6, roles: [ROLE.BANK] },
  { code: "BANK-CCB", name: "CCB City Branch", kind: 6, roles: [ROLE.BANK] },
  { code: "BANK-BOC", name: "BOC City Branch", kind: 6, roles: [ROLE.BANK] },
  { code: "AUDIT", name: "Audit Bureau", kind: 7, roles: [ROLE.AUDITOR, ROLE.GUARDIAN, ROLE.LICENCE_USER] },
  { code: "ENV", name: "Ecology and Environment", kind: 8, roles: [ROLE.LICENCE_AUTHORITY, ROLE.LICENCE_USER] },
  { code: "HEALTH", name: "Health Commission", kind: 9, roles: [ROLE.LICENCE_AUTHORITY, ROLE.LICENCE_USER] },
  { code: "TRANSPORT", name: "Transport Bureau", kind: 0, roles: [ROLE.LICENCE_AUTHORITY, ROLE.LICENCE_USER] },
  { code: "PSB", name: "Public Security Bureau", kind: 0, roles: [ROLE.LICENCE_USER] },
  { code: "CIVIL", name: "Civil Affairs", kind: 0, roles: [ROLE.LICENCE_USER] },
  { code: "EDU", name: "Education Bureau", kind: 0, roles: [ROLE.LICENCE_USER] },
  { code: "FIN", name: "Finance Bureau", kind: 0, roles: [ROLE.LICENCE_USER] },
  { code: "STATS", name: "Statistics Bureau", kind: 0, roles: [] },
  { code: "CUSTOMS", name: "Customs", kind: 0, roles: [ROLE.LICENCE_USER] },
  { code: "WATER", name: "Water Authority", kind: 0, roles: [ROLE.LICENCE_USER] },
  { code: "PLAN", name: "Planning and Natural Resources", kind: 0, roles: [ROLE.LICENCE_USER] },
];
const dept = (code: string) => DEPARTMENTS.findIndex((d) => d.code === code);
const TAX = dept("TAX");
const CONS = dept("CONS");
const HRSS = dept("HRSS");
const BANKS = [dept("BANK-ICBC"), dept("BANK-CCB"), dept("BANK-BOC")];
const LICENCE_USERS = DEPARTMENTS.flatMap((d, i) => (d.roles.includes(ROLE.LICENCE_USER) ? [i] : []));
const ROLE_ADMINISTRATORS: [number, number][] = [
  [ROLE.INVOICE_ISSUER, TAX],
  [ROLE.INVOICE_RECEIVER, TAX],
  [ROLE.DEVELOPER, CONS],
  [ROLE.CONTRACTOR, CONS],
  [ROLE.SUPERVISOR, CONS],
  [ROLE.SUBCONTRACTOR, CONS],
];
/** The department suspended for ten days mid-way (it does nothing else). */
const SUSPENDED_DEPARTMENT = dept("STATS");

interface LicenceType {
  code: string;
  validity: number;
  consent: boolean;
  issuer: number;
  share: number;
  /** Depends on a business registration. */
  dependent?: boolean;
}
const LICENCE_TYPES: LicenceType[] = [
  { code: "BUSINESS_REGISTRATION", validity: 5 * 365 * DAY, consent: false, issuer: dept("SAMR"), share: 0.3 },
  { code: "FOOD_BUSINESS", validity: 365 * DAY, consent: true, issuer: dept("SAMR"), share: 0.15, dependent: true },
  { code: "FIRE_SAFETY", validity: 365 * DAY, consent: false, issuer: dept("FIRE"), share: 0.15 },
  { code: "HEALTH_PERMIT", validity: 90 * DAY, consent: true, issuer: dept("HEALTH"), share: 0.15 },
  { code: "CONSTRUCTION_PERMIT", validity: 2 * 365 * DAY, consent: false, issuer: CONS, share: 0.1, dependent: true },
  { code: "DISCHARGE_PERMIT", validity: 365 * DAY, consent: true, issuer: dept("ENV"), share: 0.1 },
  { code: "ROAD_TRANSPORT", validity: 120 * DAY, consent: false, issuer: dept("TRANSPORT"), share: 0.05 },
];
const PURPOSES = ["KYC", "PERMIT_CHECK", "INSPECTION", "SUBSIDY"];

const CONTRACTS: ContractName[] = [
  "AccessManager",
  "ConsortiumRegistry",
  "ConsortiumGovernor",
  "ValidatorSet",
  "InvoiceLedger",
  "LicenceRegistry",
  "JointApprovals",
  "ConstructionEscrow",
  "SettlementToken",
];

const text32 = (text: string) => Buffer.from(text, "utf8").toString("hex").padEnd(64, "0");
const ZERO32 = "0".repeat(64);
const ZERO20 = "0".repeat(40);
/** 18-decimal token units of an amount kept in 1e-4 yuan (so labour shares stay integers). */
const tokenUnits = (units: number) => (units === 0 ? "0" : `${units}00000000000000`);

// ---- transactions: one compact record each ---------------------------------------------------

const enum K {
  DepartmentAdmitted = 1,
  DepartmentRole,
  RoleAdministrator,
  Validator,
  LicenceType,
  ParticipantRegistered,
  ParticipantRole,
  IssuerRules,
  ParticipantSuspended,
  ParticipantReinstated,
  DepartmentSuspended,
  DepartmentReinstated,
  OperatorAdded,
  Proposal,
  Vote,
  ProposalExecuted,
  Paused,
  Unpaused,
  IssuerFrozen,
  IssuerUnfrozen,
  InvoiceBatch,
  Claim,
  Lock,
  Unlock,
  Relock,
  ReceiverChanged,
  Reimburse,
  Void,
  CreditNote,
  ConfirmCreditNote,
  FreezeInvoice,
  UnfreezeInvoice,
  LicenceIssue,
  Renew,
  Suspend,
  Reinstate,
  Revoke,
  Consent,
  ConsentWithdrawn,
  Use,
  Escrow,
  Failed,
}

interface TxList {
  count: number;
  time: Uint32Array;
  kind: Uint8Array;
  a: Uint32Array;
  b: Uint32Array;
}

function createTxList(): TxList & { push(time: number, kind: K, a: number, b?: number): void } {
  const list = {
    count: 0,
    time: new Uint32Array(1 << 16),
    kind: new Uint8Array(1 << 16),
    a: new Uint32Array(1 << 16),
    b: new Uint32Array(1 << 16),
    push(time: number, kind: K, a: number, b = 0) {
      if (list.count === list.time.length) {
        const grow = <A extends Uint32Array | Uint8Array>(old: A): A => {
          const next = new (old.constructor as new (n: number) => A)(old.length * 2);
          next.set(old);
          return next;
        };
        list.time = grow(list.time);
        list.kind = grow(list.kind);
        list.a = grow(list.a);
        list.b = grow(list.b);
      }
      const i = list.count++;
      list.time[i] = time;
      list.kind[i] = kind;
      list.a[i] = a;
      list.b[i] = b;
    },
  };
  return list;
}

// ---- the plan --------------------------------------------------------------------------------

interface Groups {
  issuers: number;
  receivers: number;
  developers: number;
  contractors: number;
  supervisors: number;
  subcontractors: number;
  spare: number;
}

/** Participant index ranges, in registration order. */
function participantGroups(scale: Scale): Groups & { start: Record<keyof Groups, number>; total: number } {
  const groups: Groups = {
    issuers: scale.issuers,
    receivers: Math.max(10, Math.round(scale.issuers * 0.08)),
    developers: Math.max(5, Math.round(scale.projects * 0.15)),
    contractors: Math.max(5, Math.round(scale.projects * 0.25)),
    supervisors: Math.max(3, Math.round(scale.projects * 0.05)),
    subcontractors: Math.max(5, Math.round(scale.projects * 0.4)),
    spare: 100,
  };
  const start = {} as Record<keyof Groups, number>;
  let total = 0;
  for (const key of Object.keys(groups) as (keyof Groups)[]) {
    start[key] = total;
    total += groups[key];
  }
  return { ...groups, start, total };
}

export interface PlannedCounts {
  transactions: number;
  invoices: number;
  invoiceBatches: number;
  claimed: number;
  locked: number;
  reimbursed: number;
  voided: number;
  creditNotes: number;
  frozenInvoices: number;
  licences: number;
  uses: number;
  consents: number;
  projects: number;
  payrolls: number;
  paymentOrders: number;
  failed: number;
  participants: number;
  departments: number;
}

interface InvoicePlan {
  batch: number;
  issuer: number;
  issueT: number;
  amount: number;
  tax: number;
  claimT: number;
  lockT: number;
  receiver: number;
  unlockT: number;
  relockT: number;
  receiver2: number;
  changeT: number;
  reimburseT: number;
  voidT: number;
  creditT: number;
  creditAmount: number;
  creditTax: number;
  /** The receiver that must confirm the note (NONE: applied at once). */
  creditHolder: number;
  confirmT: number;
  freezeT: number;
  unfreezeT: number;
}

interface LicencePlan {
  type: number;
  issueT: number;
  windows: [number, number][];
  renewT: number[];
  suspendT: number;
  reinstateT: number;
  revokeT: number;
  dependency: number;
  holder: number;
  pairs: number;
}

/** Escrow transaction parameters, by index (a project's simulation appends them). */
interface EscrowParams {
  op: number[];
  id: number[];
  x: number[];
  y: number[];
}

const enum E {
  Create = 1,
  Subcontractor,
  Workers,
  Mint,
  Fund,
  Guarantee,
  MilestoneSubmitted,
  MilestoneRejected,
  MilestoneReleased,
  Ordered,
  OrderPaid,
  OrderRejected,
  PayrollSubmitted,
  PayrollApprovedPaid,
  PayrollApprovedOwed,
  PayrollPaid,
  PayrollDrawn,
  PayrollRejected,
  Frozen,
  Unfrozen,
  Closed,
  GuaranteeReturned,
}

interface ProjectPlan {
  createT: number;
  developer: number;
  contractor: number;
  supervisor: number;
  bank: number;
  subcontractors: number[];
  milestones: number[];
  budget: number;
  labourBps: number;
  guarantee: number;
  holding: number;
  workers: number;
}

export interface Plan {
  scale: Scale;
  random: Random;
  txs: TxList;
  counts: PlannedCounts;
  invoice(i: number): InvoicePlan;
  licence(i: number): LicencePlan;
  project(p: number): ProjectPlan;
  escrow: EscrowParams;
  groups: ReturnType<typeof participantGroups>;
  batches: { issuer: Uint32Array; time: Uint32Array; first: Uint32Array; count: Uint32Array; number: Uint32Array };
  end: number;
}

export function planChain(scale: Scale): Plan {
  const r = createRandom(scale.seed);
  const END = scale.days * DAY;
  const txs = createTxList();
  const groups = participantGroups(scale);
  const counts: PlannedCounts = {
    transactions: 0,
    invoices: scale.invoices,
    invoiceBatches: 0,
    claimed: 0,
    locked: 0,
    reimbursed: 0,
    voided: 0,
    creditNotes: 0,
    frozenInvoices: 0,
    licences: scale.licences,
    uses: 0,
    consents: 0,
    projects: scale.projects,
    payrolls: 0,
    paymentOrders: 0,
    failed: scale.failed,
    participants: groups.total,
    departments: DEPARTMENTS.length,
  };
  const dur = (tag: number, a: number, b: number, min: number, max: number) =>
    min + Math.floor(r.unit(tag, a, b) * (max - min));

  // ---- governance: the first hours ----------------------------------------------------------
  let t = 10;
  DEPARTMENTS.forEach((_d, d) => txs.push((t += 4), K.DepartmentAdmitted, d));
  DEPARTMENTS.forEach((d, i) => d.roles.forEach((_role, k) => txs.push((t += 4), K.DepartmentRole, i, k)));
  ROLE_ADMINISTRATORS.forEach((_x, k) => txs.push((t += 4), K.RoleAdministrator, k));
  for (let v = 0; v < 4; v++) txs.push((t += 4), K.Validator, v);
  LICENCE_TYPES.forEach((_x, k) => txs.push((t += 4), K.LicenceType, k));
  // Participants register over the first 40 hours; an issuer's rules come right after its role.
  const registrationSpan = 40 * HOUR;
  const registeredAt = (k: number) => HOUR + Math.floor((k * registrationSpan) / groups.total);
  for (let k = 0; k < groups.total; k++) {
    const at = registeredAt(k);
    txs.push(at, K.ParticipantRegistered, k);
    if (k < groups.start.spare) txs.push(at + 20, K.ParticipantRole, k);
    if (k < groups.issuers) txs.push(at + 40, K.IssuerRules, k, 0);
  }
  for (let k = 0; k < 20; k++) {
    const p = groups.start.spare + k;
    const at = dur(T.Governance, 1, k, 10 * DAY, END - 20 * DAY);
    txs.push(at, K.ParticipantSuspended, p);
    if (k < 5) txs.push(at + dur(T.Governance, 2, k, DAY, 15 * DAY), K.ParticipantReinstated, p);
  }
  txs.push(100 * DAY, K.DepartmentSuspended, SUSPENDED_DEPARTMENT);
  txs.push(110 * DAY, K.DepartmentReinstated, SUSPENDED_DEPARTMENT);
  for (let k = 0; k < 5; k++) txs.push(90 * DAY + k * HOUR, K.OperatorAdded, k);
  // Ten proposals (adding validators): eight pass and run, one is defeated, one is still open.
  for (let k = 0; k < 10; k++) {
    const at = Math.round(((k + 1) * (END - 3 * DAY)) / 10);
    txs.push(at, K.Proposal, k);
    // The twelfth yes vote (of 19 eligible) carries proposals 0-7.
    DEPARTMENTS.forEach((_d, d) => {
      if (d !== SUSPENDED_DEPARTMENT && ((k < 8 && d < 12) || r.unit(T.Governance, 3, k * 100 + d) < 0.5)) {
        txs.push(at + HOUR + d * 600, K.Vote, k, d);
      }
    });
    if (k < 8) txs.push(at + 2 * DAY, K.ProposalExecuted, k);
  }
  txs.push(50 * DAY, K.Paused, 0);
  txs.push(50 * DAY + HOUR, K.Unpaused, 0);

  // ---- issuers and invoice batches ----------------------------------------------------------
  // Sizes follow 1/(rank + 50): the largest issuer has ~0.4% of all invoices, the smallest ~0.004%.
  const issuerFreeze = (k: number): [number, number] => {
    const u = r.unit(T.IssuerFreeze, k);
    if (u >= 0.015) return [Infinity, Infinity];
    const from = dur(T.IssuerFreeze, k, 1, 60 * DAY, END - DAY);
    return [from, u < 0.0075 ? from + dur(T.IssuerFreeze, k, 2, DAY, 20 * DAY) : Infinity];
  };
  for (let k = 0; k < scale.issuers; k++) {
    const [from, until] = issuerFreeze(k);
    if (from < END) txs.push(from, K.IssuerFrozen, k);
    if (until < END) txs.push(until, K.IssuerUnfrozen, k);
    if (r.unit(T.IssuerRules, k) < 0.05) txs.push(dur(T.IssuerRules, k, 1, 30 * DAY, END), K.IssuerRules, k, 1);
  }
  let weightSum = 0;
  for (let k = 0; k < scale.issuers; k++) weightSum += 1 / (k + 50);
  const batchIssuer: number[] = [];
  const batchTime: number[] = [];
  const batchFirst: number[] = [];
  const batchCount: number[] = [];
  const batchNumber: number[] = [];
  const invoiceBatch = new Uint32Array(scale.invoices);
  let assigned = 0;
  let cumulative = 0;
  const firstIssue = 2 * DAY;
  for (let k = 0; k < scale.issuers; k++) {
    cumulative += 1 / (k + 50);
    const upto = k === scale.issuers - 1 ? scale.invoices : Math.round((scale.invoices * cumulative) / weightSum);
    let remaining = upto - assigned;
    let number = 1;
    let j = 0;
    const [from, until] = issuerFreeze(k);
    while (remaining > 0) {
      const u = r.unit(T.BatchSize, k, j);
      const size = Math.min(remaining, u < 0.3 ? 1 : u < 0.7 ? 2 + Math.floor(u * 40) : 20 + Math.floor(u * 250));
      let at = dur(T.BatchTime, k, j, firstIssue, END - HOUR);
      // A frozen issuer cannot issue: its batches fall before the freeze or after it ends.
      if (at >= from && at < until)
        at = until < END - HOUR ? until + (at - from) : Math.max(firstIssue, from - (at - from) - 1);
      if (at >= END - HOUR) at = END - HOUR - 1;
      const b = batchIssuer.length;
      batchIssuer.push(k);
      batchTime.push(at);
      batchFirst.push(assigned);
      batchCount.push(size);
      batchNumber.push(number);
      invoiceBatch.fill(b, assigned, assigned + size);
      txs.push(at, K.InvoiceBatch, b);
      number += size;
      assigned += size;
      remaining -= size;
      j++;
    }
  }
  counts.invoiceBatches = batchIssuer.length;
  const batches = {
    issuer: Uint32Array.from(batchIssuer),
    time: Uint32Array.from(batchTime),
    first: Uint32Array.from(batchFirst),
    count: Uint32Array.from(batchCount),
    number: Uint32Array.from(batchNumber),
  };

  // ---- invoices: each one's life --------------------------------------------------------------
  const receivers = groups.receivers;
  function invoice(i: number): InvoicePlan {
    const b = invoiceBatch[i];
    const issuer = batches.issuer[b];
    const issueT = batches.time[b];
    const [from, until] = issuerFreeze(issuer);
    const blocked = (at: number) => at >= END || (at >= from && at < until);
    const amount = Math.min(
      500_000_000,
      Math.max(100, Math.round(Math.exp(Math.log(80_000) + 1.4 * r.normal(T.InvoiceAmount, i)))),
    );
    const rate = [0.13, 0.09, 0.06, 0.03][r.int(T.InvoiceRate, i) % 4];
    const tax = Math.round((amount * rate) / (1 + rate));
    const plan: InvoicePlan = {
      batch: b,
      issuer,
      issueT,
      amount,
      tax,
      claimT: NONE,
      lockT: NONE,
      receiver: NONE,
      unlockT: NONE,
      relockT: NONE,
      receiver2: NONE,
      changeT: NONE,
      reimburseT: NONE,
      voidT: NONE,
      creditT: NONE,
      creditAmount: 0,
      creditTax: 0,
      creditHolder: NONE,
      confirmT: NONE,
      freezeT: NONE,
      unfreezeT: NONE,
    };
    let alive = true;
    const step = (at: number) => {
      if (!alive || blocked(at)) {
        alive = false;
        return NONE;
      }
      return at;
    };
    const fate = r.unit(T.InvoiceFate, i);
    if (fate < 0.66) {
      plan.claimT = step(issueT + dur(T.InvoiceStep, i, 1, 10 * MINUTE, 20 * DAY));
      // A claim names the receiving company, the only one that may lock it.
      plan.receiver = r.int(T.Receiver, i, 1) % receivers;
      if (fate < 0.445) {
        plan.lockT = step(plan.claimT + dur(T.InvoiceStep, i, 2, 10 * MINUTE, 10 * DAY));
        let holder = plan.receiver;
        let lockedSince = plan.lockT;
        if (r.unit(T.InvoiceStep, i, 3) < 0.05) {
          plan.unlockT = step(plan.lockT + dur(T.InvoiceStep, i, 4, HOUR, 5 * DAY));
          holder = NONE;
          if (r.unit(T.InvoiceStep, i, 5) < 0.6) {
            // The buyer names another company (changeReceiver), which locks it.
            plan.receiver2 = (plan.receiver + 1 + (r.int(T.Receiver, i, 2) % (receivers - 1))) % receivers;
            plan.changeT = step(plan.unlockT + dur(T.InvoiceStep, i, 9, 10 * MINUTE, 2 * DAY));
            plan.relockT = step(plan.changeT + dur(T.InvoiceStep, i, 6, HOUR, 5 * DAY));
            holder = plan.receiver2;
            lockedSince = plan.relockT;
          }
        }
        if (fate < 0.4 && holder !== NONE)
          plan.reimburseT = step(lockedSince + dur(T.InvoiceStep, i, 7, HOUR, 15 * DAY));
      }
    } else if (fate < 0.675) {
      plan.voidT = step(issueT + dur(T.InvoiceStep, i, 8, HOUR, 10 * DAY));
    }
    // Who holds the invoice at a time: pending credit notes wait for that company.
    const holderAt = (at: number) => {
      if (plan.relockT !== NONE && at >= plan.relockT) return plan.receiver2;
      if (plan.lockT !== NONE && at >= plan.lockT && (plan.unlockT === NONE || at < plan.unlockT)) return plan.receiver;
      return NONE;
    };
    if (r.unit(T.Credit, i) < 0.028 && plan.voidT === NONE) {
      const at = issueT + dur(T.Credit, i, 1, HOUR, 90 * DAY);
      if (!blocked(at)) {
        plan.creditT = at;
        plan.creditAmount = Math.max(1, Math.floor(amount * (0.1 + 0.5 * r.unit(T.Credit, i, 2))));
        plan.creditTax = Math.floor((plan.creditAmount * tax) / amount);
        plan.creditHolder = holderAt(at);
        if (plan.creditHolder !== NONE && r.unit(T.Credit, i, 3) < 0.6) {
          const confirm = at + dur(T.Credit, i, 4, 10 * MINUTE, 70 * HOUR);
          if (!blocked(confirm) && holderAt(confirm) === plan.creditHolder) plan.confirmT = confirm;
        }
      }
    }
    if (r.unit(T.Freeze, i) < 0.003) {
      const last = Math.max(
        issueT,
        plan.claimT,
        plan.lockT,
        plan.unlockT,
        plan.changeT,
        plan.relockT,
        plan.reimburseT,
        plan.voidT,
        plan.creditT,
        plan.confirmT,
      );
      const at = last + dur(T.Freeze, i, 1, HOUR, 30 * DAY);
      if (at < END) {
        plan.freezeT = at;
        const off = at + dur(T.Freeze, i, 2, HOUR, 20 * DAY);
        if (r.unit(T.Freeze, i, 3) < 0.5 && off < END) plan.unfreezeT = off;
      }
    }
    return plan;
  }
  for (let i = 0; i < scale.invoices; i++) {
    const p = invoice(i);
    if (p.claimT !== NONE) (txs.push(p.claimT, K.Claim, i), counts.claimed++);
    if (p.lockT !== NONE) (txs.push(p.lockT, K.Lock, i), counts.locked++);
    if (p.unlockT !== NONE) txs.push(p.unlockT, K.Unlock, i);
    if (p.changeT !== NONE) txs.push(p.changeT, K.ReceiverChanged, i);
    if (p.relockT !== NONE) txs.push(p.relockT, K.Relock, i);
    if (p.reimburseT !== NONE) (txs.push(p.reimburseT, K.Reimburse, i), counts.reimbursed++);
    if (p.voidT !== NONE) (txs.push(p.voidT, K.Void, i), counts.voided++);
    if (p.creditT !== NONE) (txs.push(p.creditT, K.CreditNote, i), counts.creditNotes++);
    if (p.confirmT !== NONE) txs.push(p.confirmT, K.ConfirmCreditNote, i);
    if (p.freezeT !== NONE) (txs.push(p.freezeT, K.FreezeInvoice, i), counts.frozenInvoices++);
    if (p.unfreezeT !== NONE) txs.push(p.unfreezeT, K.UnfreezeInvoice, i);
  }

  // ---- licences -----------------------------------------------------------------------------
  // Issued in index order over the period, so a dependency (a business registration) always
  // has a lower index than its dependants.
  const typeOf = (i: number) => {
    let u = r.unit(T.LicenceType, i);
    for (let k = 0; k < LICENCE_TYPES.length; k++) {
      if (u < LICENCE_TYPES[k].share) return k;
      u -= LICENCE_TYPES[k].share;
    }
    return 0;
  };
  const licenceSpan = END - DAY - 2 * HOUR;
  const licenceCache = new Map<number, LicencePlan>();
  function licence(i: number): LicencePlan {
    const cached = licenceCache.get(i);
    if (cached) return cached;
    const type = typeOf(i);
    const spec = LICENCE_TYPES[type];
    const issueT = DAY + Math.floor(((i + r.unit(T.Licence, i) * 0.9) * licenceSpan) / scale.licences);
    const from = r.unit(T.Licence, i, 1) < 0.9 ? issueT : issueT + dur(T.Licence, i, 2, DAY, 30 * DAY);
    const plan: LicencePlan = {
      type,
      issueT,
      windows: [[from, from + spec.validity]],
      renewT: [],
      suspendT: NONE,
      reinstateT: NONE,
      revokeT: NONE,
      dependency: NONE,
      holder: r.int(T.LicenceHolder, i) % Math.max(60_000, scale.issuers * 2),
      pairs: 1 + (r.int(T.Pair, i) % 3),
    };
    if (r.unit(T.LicenceStep, i, 1) < 0.03) {
      const at = issueT + dur(T.LicenceStep, i, 2, DAY, 120 * DAY);
      if (at < END) {
        plan.suspendT = at;
        const back = at + dur(T.LicenceStep, i, 3, DAY, 30 * DAY);
        if (r.unit(T.LicenceStep, i, 4) < 0.6 && back < END) plan.reinstateT = back;
      }
    }
    if (r.unit(T.LicenceStep, i, 5) < 0.015) {
      const after = plan.reinstateT !== NONE ? plan.reinstateT : plan.suspendT !== NONE ? plan.suspendT : issueT;
      const at = after + dur(T.LicenceStep, i, 6, DAY, 60 * DAY);
      if (at < END) plan.revokeT = at;
    }
    // Renewals: short licences near their end (twice at most), a few others at any time.
    const renewable = (at: number) =>
      at < END &&
      at > plan.windows[plan.windows.length - 1][0] &&
      (plan.revokeT === NONE || at < plan.revokeT) &&
      !(plan.suspendT !== NONE && at >= plan.suspendT && (plan.reinstateT === NONE || at < plan.reinstateT));
    for (let v = 0; v < 2; v++) {
      const [, until] = plan.windows[plan.windows.length - 1];
      const at =
        spec.validity <= 120 * DAY
          ? until - 7 * DAY + dur(T.LicenceStep, i, 10 + v, 0, 12 * DAY)
          : v === 0 && r.unit(T.LicenceStep, i, 12) < 0.03
            ? issueT + dur(T.LicenceStep, i, 13, 30 * DAY, 150 * DAY)
            : NONE;
      if (at === NONE || !renewable(at) || r.unit(T.LicenceStep, i, 20 + v) < 0.15) break;
      plan.renewT.push(at);
      plan.windows.push([at, at + spec.validity]);
    }
    if (spec.dependent) {
      for (let j = i - 1 - (r.int(T.Dependency, i) % 500), tries = 0; j >= 0 && tries < 50; j--, tries++) {
        if (typeOf(j) === 0) {
          if (validAt(j, issueT)) plan.dependency = j;
          break;
        }
      }
    }
    if (licenceCache.size > 4096) licenceCache.clear();
    licenceCache.set(i, plan);
    return plan;
  }
  /** As `isValidAt(licence, at)` would answer, from the plan. */
  function validAt(i: number, at: number): boolean {
    const plan = licence(i);
    if (at < plan.issueT) return false;
    let version = 0;
    while (version < plan.renewT.length && at >= plan.renewT[version]) version++;
    const [from, until] = plan.windows[version];
    if (at < from || at >= until) return false;
    if (plan.suspendT !== NONE && at >= plan.suspendT && (plan.reinstateT === NONE || at < plan.reinstateT))
      return false;
    if (plan.revokeT !== NONE && at >= plan.revokeT) return false;
    return plan.dependency === NONE || validAt(plan.dependency, at);
  }
  const meanUses = (scale.uses / scale.licences) * 1.1;
  for (let i = 0; i < scale.licences; i++) {
    const plan = licence(i);
    const spec = LICENCE_TYPES[plan.type];
    txs.push(plan.issueT, K.LicenceIssue, i);
    plan.renewT.forEach((at, v) => txs.push(at, K.Renew, i, v));
    if (plan.suspendT !== NONE) txs.push(plan.suspendT, K.Suspend, i);
    if (plan.reinstateT !== NONE) txs.push(plan.reinstateT, K.Reinstate, i);
    if (plan.revokeT !== NONE) txs.push(plan.revokeT, K.Revoke, i);
    const lastEnd = Math.min(END - 1, plan.windows[plan.windows.length - 1][1]);
    // Consents: one per (department, purpose) pair when the type needs it.
    const consentT: number[] = [];
    const consentEnd: number[] = [];
    for (let pair = 0; pair < plan.pairs; pair++) {
      if (!spec.consent) continue;
      const at = plan.windows[0][0] + dur(T.Consent, i, pair, 10 * MINUTE, 3 * DAY);
      if (at >= END) continue;
      const until =
        at + (r.unit(T.Consent, i, 10 + pair) < 0.05 ? dur(T.Consent, i, 20 + pair, 30 * DAY, 60 * DAY) : 400 * DAY);
      consentT[pair] = at;
      consentEnd[pair] = until;
      txs.push(at, K.Consent, i, pair);
      counts.consents++;
      if (r.unit(T.Consent, i, 30 + pair) < 0.04) {
        const withdrawn = at + dur(T.Consent, i, 40 + pair, 10 * DAY, 90 * DAY);
        if (withdrawn < END) {
          txs.push(withdrawn, K.ConsentWithdrawn, i, pair);
          consentEnd[pair] = Math.min(until, withdrawn);
        }
      }
    }
    const n = Math.min(400, Math.floor(-Math.log(1 - r.unit(T.Uses, i)) * meanUses));
    const first = plan.windows[0][0];
    for (let j = 0; j < n; j++) {
      const pair = r.int(T.Use, i, j) % plan.pairs;
      const from = spec.consent ? consentT[pair] : first;
      if (from === undefined || from >= lastEnd) continue;
      const at = from + 1 + Math.floor(r.unit(T.Use, i, j + 1_000_000) * (lastEnd - from - 1));
      if (spec.consent && at >= consentEnd[pair]) continue;
      if (!validAt(i, at)) continue;
      txs.push(at, K.Use, i, j);
      counts.uses++;
    }
  }

  // ---- escrow: each project simulated on its own ------------------------------------------------
  const escrow: EscrowParams = { op: [], id: [], x: [], y: [] };
  const addEscrow = (at: number, p: number, op: E, id = 0, x = 0, y = 0) => {
    txs.push(at, K.Escrow, p, escrow.op.length);
    escrow.op.push(op);
    escrow.id.push(id);
    escrow.x.push(x);
    escrow.y.push(y);
  };
  function project(p: number): ProjectPlan {
    const milestones: number[] = [];
    const m = 3 + (r.int(T.Project, p, 1) % 6);
    for (let k = 0; k < m; k++) milestones.push(r.between(T.Project, p, 10 + k, 2_000_000, 20_000_000) * 10_000);
    const subs: number[] = [];
    for (let k = 0, n = r.int(T.Project, p, 2) % 4; k < n; k++)
      subs.push(r.int(T.Project, p, 20 + k) % groups.subcontractors);
    return {
      createT: DAY + Math.floor((p * 110 * DAY) / scale.projects) + dur(T.Project, p, 3, 0, HOUR),
      developer: r.int(T.Project, p, 4) % groups.developers,
      contractor: r.int(T.Project, p, 5) % groups.contractors,
      supervisor: r.int(T.Project, p, 6) % groups.supervisors,
      bank: BANKS[r.int(T.Project, p, 7) % BANKS.length],
      subcontractors: [...new Set(subs)],
      milestones,
      budget: milestones.reduce((a, b) => a + b, 0),
      labourBps: 1500 + (r.int(T.Project, p, 8) % 2000),
      guarantee: Math.round(milestones.reduce((a, b) => a + b, 0) * 0.03),
      holding: 30 * DAY,
      workers: 15 + (r.int(T.Project, p, 9) % 40),
    };
  }
  // 1% over the mean: the count is random and the scale is a floor ("at least 100,000 payrolls").
  const meanPayrolls = (scale.payrolls / scale.projects) * 1.01;
  for (let p = 0; p < scale.projects; p++) {
    simulateProject(p);
  }
  function simulateProject(p: number) {
    const plan = project(p);
    const id = p + 1;
    // Pending actions of this project, kept sorted by time: [time, action, arg].
    const queue: [number, number, number][] = [];
    const at = (time: number, action: number, arg = 0) => {
      if (time >= END) return;
      let lo = 0;
      let hi = queue.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (queue[mid][0] <= time) lo = mid + 1;
        else hi = mid;
      }
      queue.splice(lo, 0, [time, action, arg]);
    };
    let time = plan.createT;
    addEscrow(time, id, E.Create);
    plan.subcontractors.forEach((_s, k) =>
      addEscrow((time += dur(T.ProjectStep, p, 1 + k, HOUR, DAY)), id, E.Subcontractor, k),
    );
    addEscrow((time += dur(T.ProjectStep, p, 5, HOUR, DAY)), id, E.Workers);
    let unreleased = 0;
    let wage = 0;
    let payable = 0;
    let guarantee = 0;
    const parts = 1 + (r.int(T.ProjectStep, p, 6) % 3);
    for (let k = 0; k < parts; k++) {
      const amount = k === parts - 1 ? plan.budget - unreleased : Math.floor(plan.budget / parts);
      time += dur(T.ProjectStep, p, 10 + k, HOUR, 2 * DAY);
      addEscrow(time - 600, id, E.Mint, 0, amount);
      addEscrow(time, id, E.Fund, 0, amount);
      unreleased += amount;
    }
    time += dur(T.ProjectStep, p, 15, HOUR, DAY);
    guarantee = plan.guarantee;
    addEscrow(time, id, E.Guarantee, 0, plan.guarantee, guarantee);
    const start = time + DAY;
    const closing = r.unit(T.ProjectStep, p, 16) < 0.35 && plan.createT < 60 * DAY;
    const stop = Math.min(END - HOUR, plan.createT + (closing ? 100 : 170) * DAY);
    const span = stop - start;
    // Actions: 1 submit milestone, 2 decide milestone, 3 order, 4 decide order, 5 submit payroll,
    // 6 decide payroll, 7 freeze, 8 unfreeze, 9 draw guarantee, 10 close, 11 return guarantee.
    const m = plan.milestones.length;
    for (let k = 0; k < m; k++) at(start + Math.floor(((k + 0.6) * span) / m) - 2 * DAY, 1, k);
    const payrolls = Math.max(1, Math.round(meanPayrolls * (0.5 + r.unit(T.Payroll, p))));
    const payrollStart = start + Math.floor(span / m / 2);
    for (let k = 0; k < payrolls; k++)
      at(payrollStart + Math.floor(((k + 0.5) * (stop - payrollStart)) / payrolls), 5, k);
    let frozenFrom = Infinity;
    let frozenUntil = Infinity;
    if (r.unit(T.ProjectStep, p, 17) < 0.04) {
      frozenFrom = start + Math.floor(r.unit(T.ProjectStep, p, 18) * span * 0.6);
      frozenUntil =
        r.unit(T.ProjectStep, p, 19) < 0.75 ? frozenFrom + dur(T.ProjectStep, p, 20, 3 * DAY, 20 * DAY) : Infinity;
      at(frozenFrom, 7);
      if (frozenUntil !== Infinity) at(frozenUntil, 8);
    }
    const frozen = (time: number) => time >= frozenFrom && time < frozenUntil;
    const wageTotal =
      (plan.milestones.reduce((a, b) => a + Math.ceil((b * plan.labourBps) / 10_000), 0) * 0.9) / payrolls;
    const payrollTotal = new Map<number, number>();
    const orderAmount = new Map<number, number>();
    const orderPayee = new Map<number, number>();
    const owed: number[] = [];
    let orders = 0;
    let released = 0;
    let pending = 0;
    let step = 100;
    const payOwed = (time: number) => {
      while (owed.length > 0 && wage >= payrollTotal.get(owed[0])!) {
        const k = owed.shift()!;
        const total = payrollTotal.get(k)!;
        wage -= total;
        addEscrow((time += 60), id, E.PayrollPaid, k + 1, total);
      }
    };
    while (queue.length > 0) {
      const [now, action, k] = queue.shift()!;
      step++;
      const later = (min: number, max: number) => now + dur(T.ProjectStep, p, step, min, max);
      if (action === 1) {
        addEscrow(now, id, E.MilestoneSubmitted, k);
        pending++;
        at(later(DAY, 5 * DAY), 2, k);
      } else if (action === 2) {
        if (frozen(now)) {
          if (frozenUntil !== Infinity) at(frozenUntil + HOUR + k, 2, k);
          continue;
        }
        if (k < 1_000 && r.unit(T.ProjectStep, p, 1_000 + k) < 0.1) {
          addEscrow(now, id, E.MilestoneRejected, k);
          pending--;
          at(later(DAY, 4 * DAY), 1, k + 1_000);
          continue;
        }
        const index = k % 1_000;
        const amount = plan.milestones[index];
        const toWage = Math.ceil((amount * plan.labourBps) / 10_000);
        unreleased -= amount;
        wage += toWage;
        payable += amount - toWage;
        released++;
        pending--;
        addEscrow(now, id, E.MilestoneReleased, index, toWage, amount - toWage);
        payOwed(now);
        for (let o = 0, n = 1 + (r.int(T.ProjectStep, p, 2_000 + index) % 4); o < n; o++) {
          at(later(DAY, 10 * DAY) + o * HOUR, 3, Math.floor((amount - toWage) / n));
        }
      } else if (action === 3) {
        orders++;
        counts.paymentOrders++;
        const payee =
          plan.subcontractors.length === 0
            ? 0
            : r.int(T.ProjectStep, p, 3_000 + orders) % (plan.subcontractors.length + 1);
        addEscrow(now, id, E.Ordered, orders, k, payee);
        pending++;
        at(later(HOUR, 3 * DAY), 4, orders);
        orderAmount.set(orders, k);
        orderPayee.set(orders, payee);
      } else if (action === 4) {
        if (frozen(now)) {
          if (frozenUntil !== Infinity) at(frozenUntil + 2 * HOUR + k, 4, k);
          continue;
        }
        const amount = orderAmount.get(k)!;
        const payee = orderPayee.get(k)!;
        pending--;
        if (r.unit(T.ProjectStep, p, 4_000 + k) < 0.1 || amount > payable) addEscrow(now, id, E.OrderRejected, k);
        else {
          payable -= amount;
          addEscrow(now, id, E.OrderPaid, k, amount, payee);
        }
      } else if (action === 5) {
        const total = Math.max(1_000, Math.round(wageTotal * (0.6 + 0.8 * r.unit(T.Payroll, p, 1 + k))));
        payrollTotal.set(k, total);
        counts.payrolls++;
        addEscrow(now, id, E.PayrollSubmitted, k + 1, total);
        pending++;
        at(later(HOUR, 3 * DAY), 6, k);
      } else if (action === 6) {
        const total = payrollTotal.get(k)!;
        pending--;
        if (r.unit(T.Payroll, p, 100_000 + k) < 0.02) addEscrow(now, id, E.PayrollRejected, k + 1);
        else if (wage >= total) {
          wage -= total;
          addEscrow(now, id, E.PayrollApprovedPaid, k + 1, total);
        } else {
          addEscrow(now, id, E.PayrollApprovedOwed, k + 1, total);
          owed.push(k);
          if (r.unit(T.Payroll, p, 200_000 + k) < 0.3) at(now + 20 * DAY, 9, k);
        }
      } else if (action === 7) addEscrow(now, id, E.Frozen);
      else if (action === 8) addEscrow(now, id, E.Unfrozen);
      else if (action === 9) {
        const position = owed.indexOf(k);
        if (position === -1) continue;
        const total = payrollTotal.get(k)!;
        const fromWage = Math.min(wage, total);
        const fromGuarantee = total - fromWage;
        if (fromGuarantee > guarantee) continue;
        owed.splice(position, 1);
        wage -= fromWage;
        guarantee -= fromGuarantee;
        addEscrow(now, id, E.PayrollDrawn, k + 1, fromWage, fromGuarantee);
        if (fromGuarantee > 0) {
          guarantee += fromGuarantee;
          addEscrow(now + HOUR, id, E.Guarantee, 0, fromGuarantee, guarantee);
        }
      } else if (action === 10) {
        if (pending > 0 || owed.length > 0 || frozen(now) || released < m) continue;
        addEscrow(now, id, E.Closed, 0, unreleased + wage + payable);
        unreleased = wage = payable = 0;
        at(now + plan.holding + HOUR, 11);
      } else if (action === 11) {
        addEscrow(now, id, E.GuaranteeReturned, 0, guarantee);
        guarantee = 0;
      }
      if (queue.length === 0 && closing && action !== 10 && action !== 11) at(now + DAY, 10);
    }
  }

  // ---- failed transactions ------------------------------------------------------------------
  for (let k = 0; k < scale.failed; k++) txs.push(dur(T.Failed, k, 0, 2 * DAY, END - 1), K.Failed, k);

  counts.transactions = txs.count;
  // Drop the growth room (up to half of each array).
  txs.time = txs.time.slice(0, txs.count);
  txs.kind = txs.kind.slice(0, txs.count);
  txs.a = txs.a.slice(0, txs.count);
  txs.b = txs.b.slice(0, txs.count);
  return {
    scale,
    random: r,
    txs,
    counts,
    invoice,
    licence,
    project,
    escrow,
    groups,
    batches,
    end: END,
  };
}

// ---- from transactions to events, rows and batches -------------------------------------------

const abiItems = new Map<string, { inputs: readonly AbiParameter[] }>();
/** A function or custom error of a contract's ABI, by name. */
function abiItem(
  contractName: ContractName,
  type: "function" | "error",
  name: string,
): { inputs: readonly AbiParameter[] } {
  const key = `${contractName}.${type}.${name}`;
  let item = abiItems.get(key);
  if (item === undefined) {
    const found = (abis[contractName] as readonly { type: string; name?: string }[]).find(
      (entry) => entry.type === type && entry.name === name,
    );
    if (found === undefined) throw new Error(`${contractName} has no ${type} ${name}`);
    item = found as unknown as { inputs: readonly AbiParameter[] };
    abiItems.set(key, item);
  }
  return item;
}

/** A value for an ABI parameter as viem decodes it: `known[name]` when given, else made up from `seed`. */
function fill(parameter: AbiParameter, known: Record<string, unknown>, seed: number): unknown {
  if (parameter.name && parameter.name in known) return known[parameter.name];
  const array = /^(.*)\[\d*\]$/.exec(parameter.type);
  if (array) return [fill({ ...parameter, name: "", type: array[1] } as AbiParameter, known, seed + 1)];
  if (parameter.type === "tuple" && "components" in parameter) {
    return Object.fromEntries(parameter.components.map((c, k) => [c.name, fill(c, known, seed * 8 + k)]));
  }
  const filler = createRandom(seed);
  if (parameter.type === "address") return `0x${filler.hex20(1, seed)}`;
  if (parameter.type.startsWith("bytes")) return `0x${filler.hex32(2, seed)}`;
  if (parameter.type === "bool") return false;
  if (parameter.type === "string") return "";
  return String(filler.int(3, seed) % 1_000_000);
}

interface EventKind {
  contractName: ContractName;
  abi: AbiEvent;
  handler: Handler;
  inputs: string[];
  address: Hex;
}

export interface GeneratedBatch extends Batch {
  events: number;
  transactions: number;
  /** Invoices issued in the batch (the build's progress is reported against them). */
  invoices: number;
}

/**
 * The batches a backfill of the planned chain would write: whole blocks, each batch closed once
 * it holds `targetEvents` events (the sync loop's range target), checkpoint chained. Yields
 * null every 1,000 transactions, so that an asynchronous caller can let the previous batch's
 * write make progress while this one is built.
 */
export function* chainBatches(plan: Plan, targetEvents = 5_000): Generator<GeneratedBatch | null> {
  const { random: r, txs, groups } = plan;
  const addresses = new Map(CONTRACTS.map((name, k) => [name, `0x${r.hex20(T.Address, 1_000_000 + k)}` as Hex]));
  const kinds = new Map<string, EventKind>();
  const kindOf = (contractName: ContractName, eventName: string) => {
    const key = `${contractName}.${eventName}`;
    let kind = kinds.get(key);
    if (kind === undefined) {
      const abi = eventsOf(contractName).find((item) => item.name === eventName);
      const handler = HANDLERS.get(contractName)?.get(eventName);
      if (abi === undefined || handler === undefined) throw new Error(`no event ${key}`);
      kind = {
        contractName,
        abi,
        handler,
        inputs: abi.inputs.map((input) => input.name!),
        address: addresses.get(contractName)!,
      };
      kinds.set(key, kind);
    }
    return kind;
  };

  // Identities.
  const departmentId = (d: number) => `0x${text32(DEPARTMENTS[d].code)}`;
  const operator = (d: number, k = 0) => `0x${r.hex20(T.Operator, d, k)}`;
  const participantId = (k: number) => `0x${r.hex32(T.Participant, k)}`;
  const account = (k: number) => `0x${r.hex20(T.Address, k)}`;
  const issuerId = (k: number) => participantId(groups.start.issuers + k);
  const receiverId = (k: number) => participantId(groups.start.receivers + k);
  const invoiceCode = (k: number) => `0x${text32(`0440${String(31_900_000 + k)}`)}`;
  const creditCode = (k: number) => `0x${text32(`0440${String(41_900_000 + k)}`)}`;
  const invoiceId = (i: number) => `0x${r.hex32(T.Invoice, i)}`;
  const creditNoteId = (i: number) => `0x${r.hex32(T.Credit, i)}`;
  const batchRoot = (b: number) => `0x${r.hex32(T.BatchSize, b)}`;
  const licenceId = (i: number) => `0x${r.hex32(T.Licence, i)}`;
  const typeId = (k: number) => `0x${text32(LICENCE_TYPES[k].code)}`;
  const holderAccount = (h: number) =>
    h < plan.scale.issuers ? account(groups.start.issuers + h) : `0x${r.hex20(T.LicenceHolder, h)}`;
  const holderParticipant = (h: number) => (h < plan.scale.issuers ? issuerId(h) : `0x${ZERO32}`);
  const purpose = (k: number) => `0x${text32(PURPOSES[k])}`;
  const pairOf = (i: number, pair: number) => ({
    department: LICENCE_USERS[r.int(T.Pair, i, 1 + pair) % LICENCE_USERS.length],
    purpose: r.int(T.Purpose, i, pair) % PURPOSES.length,
  });
  const doc = (tag: number, a: number, b = 0) => `0x${r.hex32(T.Document, tag * 16_777_216 + a, b)}`;
  const validator = (v: number) => `0x${r.hex20(T.Governance, 500 + v)}`;
  const worker = (p: number, w: number) => `0x${r.hex20(T.Worker, p, w)}`;

  // The chain as it is written.
  const order = new Float64Array(txs.count);
  for (let k = 0; k < txs.count; k++) order[k] = txs.time[k] * 16_777_216 + k;
  order.sort();

  let tables = new Map<TableSpec, Row[]>();
  let jobs: Job[] = [];
  const rowsOf = (table: TableSpec) => {
    let rows = tables.get(table);
    if (rows === undefined) tables.set(table, (rows = []));
    return rows;
  };
  const out = {
    insert: (table: TableSpec, row: Row) => rowsOf(table).push(row),
    enqueue: (job: Job) => jobs.push(job),
  };
  let previous: Checkpoint | null = null;
  let block = -1;
  let blockNumber = 0n;
  let blockHash = "0x" as Hex;
  let blockTime = 0n;
  let blockEvents = 0;
  let logIndex = 0;
  let txIndex = 0;
  let txHash = "0x" as Hex;
  let batchEvents = 0;
  let batchTxs = 0;
  const hashOf = (n: number) => r.hex32(T.BlockHash, n);
  const checked = new Set<string>();

  const emit = (contractName: ContractName, eventName: string, args: Record<string, unknown>) => {
    const kind = kindOf(contractName, eventName);
    if (!checked.has(kind.abi.name + contractName)) {
      const missing = kind.inputs.filter((name) => !(name in args));
      if (missing.length > 0) throw new Error(`${contractName}.${eventName}: no ${missing.join(", ")}`);
      checked.add(kind.abi.name + contractName);
    }
    const event: DecodedEvent = {
      contractName,
      eventName,
      abi: kind.abi,
      args,
      address: kind.address,
      blockNumber,
      blockHash,
      blockTimestamp: blockTime,
      transactionHash: txHash,
      transactionIndex: txIndex,
      logIndex,
    };
    // As buildBatch lays out the raw layer: one raw.events row per log, then the handler's rows.
    rowsOf(RAW_EVENTS).push({
      block_number: String(block),
      log_index: String(logIndex),
      tx_hash: txHash.slice(2),
      tx_index: String(txIndex),
      contract: kind.address.slice(2),
      contract_name: contractName,
      event_name: eventName,
      args: toJson(args),
    });
    kind.handler.handle(event, out);
    logIndex++;
    blockEvents++;
    batchEvents++;
  };

  const closeBlock = () => {
    if (block < 0) return;
    rowsOf(RAW_BLOCKS).push({
      block_number: String(block),
      hash: hashOf(block),
      parent_hash: hashOf(block - 1),
      block_time: blockTime.toString(),
      event_count: String(blockEvents),
    });
  };
  const takeBatch = (): GeneratedBatch => {
    const next: Checkpoint = { blockNumber, blockHash: hashOf(block) };
    let invoices = 0;
    for (const [table, rows] of tables) if (table.name === "invoices.invoice_issued") invoices += rows.length;
    const batch: GeneratedBatch = {
      previous,
      next,
      tables,
      jobs,
      events: batchEvents,
      transactions: batchTxs,
      invoices,
    };
    previous = next;
    tables = new Map();
    jobs = [];
    batchEvents = 0;
    batchTxs = 0;
    return batch;
  };

  const projectCache: { p: number; plan?: ProjectPlan } = { p: -1 };
  const planCache = (p: number): ProjectPlan => {
    if (projectCache.p !== p) {
      projectCache.p = p;
      projectCache.plan = plan.project(p);
    }
    return projectCache.plan!;
  };
  const expand = makeExpander();

  for (let n = 0; n < order.length; n++) {
    const k = order[n] % 16_777_216;
    const time = txs.time[k];
    const b = blockAt(time);
    if (b !== block) {
      closeBlock();
      if (batchEvents >= targetEvents) yield takeBatch();
      block = b;
      blockNumber = BigInt(b);
      blockHash = `0x${hashOf(b)}`;
      blockTime = BigInt(CHAIN_START + (b - FIRST_BLOCK) * BLOCK_SECONDS);
      blockEvents = 0;
      logIndex = 0;
      txIndex = 0;
    }
    txHash = `0x${r.hex32(T.TxHash, n)}`;
    batchTxs++;
    if (n % 1_000 === 999) yield null;
    expand(txs.kind[k], txs.a[k], txs.b[k], Number(blockTime));
    txIndex++;
  }
  closeBlock();
  if (batchEvents > 0 || tables.size > 0) yield takeBatch();

  function makeExpander() {
    const roleGranted = (roleId: number, who: string, since: number) =>
      emit("AccessManager", "RoleGranted", { roleId: String(roleId), account: who, delay: 0, since, newMember: true });
    const roleRevoked = (roleId: number, who: string) =>
      emit("AccessManager", "RoleRevoked", { roleId: String(roleId), account: who });
    const participantRole = (k: number): [number, number] => {
      const s = groups.start;
      if (k < s.receivers) return [ROLE.INVOICE_ISSUER, TAX];
      if (k < s.developers) return [ROLE.INVOICE_RECEIVER, TAX];
      if (k < s.contractors) return [ROLE.DEVELOPER, CONS];
      if (k < s.supervisors) return [ROLE.CONTRACTOR, CONS];
      if (k < s.subcontractors) return [ROLE.SUPERVISOR, CONS];
      return [ROLE.SUBCONTRACTOR, CONS];
    };
    const registrar = (k: number) =>
      k < groups.start.developers ? TAX : k < groups.start.spare ? CONS : dept("CIVIL");
    const operatorsOf = (d: number) =>
      d < 5 ? [operator(d, 0), operator(d, 1), operator(d, 2)] : [operator(d, 0), operator(d, 1)];
    const ESCROW = () => addresses.get("ConstructionEscrow")!;
    const token = (from: string, to: string, value: string) => emit("SettlementToken", "Transfer", { from, to, value });
    const workersOf = (plan: ProjectPlan, p: number, payroll: number, total: number) => {
      const n = Math.min(plan.workers, 3 + (r.int(T.Payroll, p, 300_000 + payroll) % 10));
      const first = r.int(T.Payroll, p, 400_000 + payroll) % plan.workers;
      const workers: string[] = [];
      const amounts: string[] = [];
      let left = total;
      for (let w = 0; w < n; w++) {
        const share = w === n - 1 ? left : Math.floor(total / n);
        left -= share;
        workers.push(worker(p, (first + w) % plan.workers));
        amounts.push(tokenUnits(share));
      }
      return { workers, amounts };
    };
    const projectParty = (plan: ProjectPlan) => ({
      developer: participantId(groups.start.developers + plan.developer),
      contractor: participantId(groups.start.contractors + plan.contractor),
      supervisor: participantId(groups.start.supervisors + plan.supervisor),
      developerAccount: account(groups.start.developers + plan.developer),
      contractorAccount: account(groups.start.contractors + plan.contractor),
      subcontractor: (k: number) => participantId(groups.start.subcontractors + plan.subcontractors[k]),
      subcontractorAccount: (k: number) => account(groups.start.subcontractors + plan.subcontractors[k]),
    });
    const FAILURES: [ContractName, string, string][] = [
      ["InvoiceLedger", "lock", "InvoiceUnexpectedState"],
      ["InvoiceLedger", "claim", "InvoiceNotBuyer"],
      ["InvoiceLedger", "reimburse", "InvoiceNotReceiver"],
      ["InvoiceLedger", "issueBatch", "InvoicePeriodCountQuotaExceeded"],
      ["LicenceRegistry", "use", "LicenceUnexpectedStatus"],
      ["LicenceRegistry", "use", "LicenceNoConsent"],
      ["LicenceRegistry", "renew", "LicenceNotIssuer"],
      ["ConstructionEscrow", "approveMilestone", "EscrowMilestoneUnexpectedState"],
      ["ConstructionEscrow", "approvePayroll", "EscrowCallerNotParty"],
      ["ConstructionEscrow", "closeProject", "EscrowWagesOwed"],
      ["ConsortiumRegistry", "registerParticipant", "RegistryParticipantExists"],
      ["InvoiceLedger", "lock", "AccessManagedUnauthorized"],
    ];

    /** What the invoice's credit note took off by `at` (seconds after CHAIN_START). */
    const creditedBefore = (p: InvoicePlan, at: number) =>
      p.creditT !== NONE && p.creditT < at && (p.creditHolder === NONE || (p.confirmT !== NONE && p.confirmT < at))
        ? p.creditAmount
        : 0;

    // `now` is the block's unix time; plans count seconds after CHAIN_START.
    return (kind: number, a: number, b: number, now: number) => {
      switch (kind) {
        case K.DepartmentAdmitted: {
          const d = DEPARTMENTS[a];
          emit("ConsortiumRegistry", "DepartmentAdmitted", {
            departmentId: departmentId(a),
            name: d.name,
            kind: d.kind,
            operators: operatorsOf(a),
          });
          return;
        }
        case K.DepartmentRole: {
          const role = DEPARTMENTS[a].roles[b];
          for (const op of operatorsOf(a)) roleGranted(role, op, now);
          emit("ConsortiumRegistry", "DepartmentRoleGranted", { departmentId: departmentId(a), roleId: String(role) });
          return;
        }
        case K.RoleAdministrator: {
          const [role, d] = ROLE_ADMINISTRATORS[a];
          emit("ConsortiumRegistry", "RoleAdministratorSet", { roleId: String(role), departmentId: departmentId(d) });
          return;
        }
        case K.Validator:
          emit("ValidatorSet", "ValidatorAdded", { validator: validator(a), departmentId: departmentId(a) });
          return;
        case K.LicenceType: {
          const spec = LICENCE_TYPES[a];
          emit("LicenceRegistry", "LicenceTypeSet", {
            typeId: typeId(a),
            defaultValidity: String(spec.validity),
            consentRequired: spec.consent,
          });
          emit("LicenceRegistry", "TrustedIssuerSet", {
            typeId: typeId(a),
            departmentId: departmentId(spec.issuer),
            trusted: true,
          });
          return;
        }
        case K.ParticipantRegistered:
          emit("ConsortiumRegistry", "ParticipantRegistered", {
            participantId: participantId(a),
            account: account(a),
            departmentId: departmentId(registrar(a)),
            kind: a >= groups.start.spare ? 1 + (a % 2) : 0,
          });
          return;
        case K.ParticipantRole: {
          const [role, d] = participantRole(a);
          roleGranted(role, account(a), now);
          emit("ConsortiumRegistry", "ParticipantRoleGranted", {
            participantId: participantId(a),
            roleId: String(role),
            departmentId: departmentId(d),
          });
          return;
        }
        case K.IssuerRules:
          emit("InvoiceLedger", "IssuerRulesSet", {
            issuerId: issuerId(a),
            departmentId: departmentId(TAX),
            enabled: true,
            maxAmount: String(b === 0 ? 500_000_000 : 800_000_000),
            periodAmountQuota: String(b === 0 ? 50_000_000_000 : 80_000_000_000),
            periodCountQuota: b === 0 ? 100_000 : 150_000,
          });
          return;
        case K.ParticipantSuspended:
          emit("ConsortiumRegistry", "ParticipantSuspended", {
            participantId: participantId(a),
            departmentId: departmentId(registrar(a)),
          });
          return;
        case K.ParticipantReinstated:
          emit("ConsortiumRegistry", "ParticipantReinstated", {
            participantId: participantId(a),
            departmentId: departmentId(registrar(a)),
          });
          return;
        case K.DepartmentSuspended:
          for (const role of DEPARTMENTS[a].roles) for (const op of operatorsOf(a)) roleRevoked(role, op);
          emit("ConsortiumRegistry", "DepartmentSuspended", { departmentId: departmentId(a) });
          return;
        case K.DepartmentReinstated:
          for (const role of DEPARTMENTS[a].roles) for (const op of operatorsOf(a)) roleGranted(role, op, now);
          emit("ConsortiumRegistry", "DepartmentReinstated", { departmentId: departmentId(a) });
          return;
        case K.OperatorAdded:
          for (const role of DEPARTMENTS[a].roles) roleGranted(role, operator(a, 9), now);
          emit("ConsortiumRegistry", "OperatorAdded", { departmentId: departmentId(a), account: operator(a, 9) });
          return;
        case K.Proposal: {
          const proposer = a % 5;
          emit("ConsortiumGovernor", "ProposalCreated", {
            proposalId: String(1_000 + a),
            departmentId: departmentId(proposer),
            proposer: operator(proposer),
            calls: [{ target: addresses.get("ValidatorSet")!, data: `0x${"a".repeat(8)}${ZERO32}` }],
            description: `Add validator node ${4 + a}`,
            voteEnd: String(now + 7 * DAY),
            required: 11,
          });
          return;
        }
        case K.Vote:
          emit("ConsortiumGovernor", "VoteCast", {
            proposalId: String(1_000 + a),
            departmentId: departmentId(b),
            voter: operator(b),
            support: a < 8,
          });
          if (b === 11 && a < 8) {
            emit("ConsortiumGovernor", "ProposalSucceeded", {
              proposalId: String(1_000 + a),
              readyAt: String(now),
              expiresAt: String(now + 14 * DAY),
            });
          }
          return;
        case K.ProposalExecuted:
          emit("ValidatorSet", "ValidatorAdded", {
            validator: validator(4 + a),
            departmentId: departmentId(a % DEPARTMENTS.length),
          });
          emit("ConsortiumGovernor", "ProposalExecuted", {
            proposalId: String(1_000 + a),
            departmentId: departmentId(a % 5),
            executor: operator(a % 5),
          });
          return;
        case K.Paused:
          emit("JointApprovals", "Paused", { account: operator(dept("AUDIT")) });
          return;
        case K.Unpaused:
          emit("JointApprovals", "Unpaused", { account: addresses.get("ConsortiumGovernor")! });
          return;
        case K.IssuerFrozen:
          emit("InvoiceLedger", "IssuerFrozen", { issuerId: issuerId(a), departmentId: departmentId(TAX) });
          return;
        case K.IssuerUnfrozen:
          emit("InvoiceLedger", "IssuerUnfrozen", { issuerId: issuerId(a), departmentId: departmentId(TAX) });
          return;
        case K.InvoiceBatch: {
          const bs = plan.batches;
          const issuer = bs.issuer[a];
          const first = bs.first[a];
          const count = bs.count[a];
          let total = 0;
          const invoices: InvoicePlan[] = [];
          for (let i = first; i < first + count; i++) {
            const p = plan.invoice(i);
            invoices.push(p);
            total += p.amount;
          }
          const root = batchRoot(a);
          const local = new Date((now + 8 * HOUR) * 1000);
          emit("InvoiceLedger", "InvoiceBatchIssued", {
            batchRoot: root,
            issuerId: issuerId(issuer),
            code: invoiceCode(issuer),
            count: String(count),
            totalAmount: String(total),
            period: (local.getUTCFullYear() - 1970) * 12 + local.getUTCMonth(),
          });
          invoices.forEach((p, k) =>
            emit("InvoiceLedger", "InvoiceIssued", {
              invoiceId: invoiceId(first + k),
              issuerId: issuerId(issuer),
              batchRoot: root,
              code: invoiceCode(issuer),
              number: String(bs.number[a] + k),
              buyer: `0x${r.hex32(T.Buyer, first + k)}`,
              amount: String(p.amount),
              tax: String(p.tax),
              documentHash: doc(1, first + k),
            }),
          );
          return;
        }
        case K.Claim: {
          const p = plan.invoice(a);
          emit("InvoiceLedger", "InvoiceClaimed", {
            invoiceId: invoiceId(a),
            issuerId: issuerId(p.issuer),
            claimant: `0x${r.hex20(T.Buyer, a)}`,
            receiverId: receiverId(p.receiver),
          });
          return;
        }
        case K.ReceiverChanged: {
          const p = plan.invoice(a);
          emit("InvoiceLedger", "InvoiceReceiverChanged", {
            invoiceId: invoiceId(a),
            receiverId: receiverId(p.receiver2),
            claimant: `0x${r.hex20(T.Buyer, a)}`,
            previousReceiverId: receiverId(p.receiver),
          });
          return;
        }
        case K.Lock:
        case K.Relock: {
          const p = plan.invoice(a);
          const credited = creditedBefore(p, now - CHAIN_START);
          emit("InvoiceLedger", "InvoiceLocked", {
            invoiceId: invoiceId(a),
            receiverId: receiverId(kind === K.Lock ? p.receiver : p.receiver2),
            reimbursable: String(p.amount - credited),
          });
          return;
        }
        case K.Unlock: {
          const p = plan.invoice(a);
          emit("InvoiceLedger", "InvoiceUnlocked", {
            invoiceId: invoiceId(a),
            receiverId: receiverId(p.receiver),
            reason: `0x${text32("DOCUMENT_MISMATCH")}`,
          });
          return;
        }
        case K.Reimburse: {
          const p = plan.invoice(a);
          const credited = creditedBefore(p, now - CHAIN_START);
          emit("InvoiceLedger", "InvoiceReimbursed", {
            invoiceId: invoiceId(a),
            receiverId: receiverId(p.relockT !== NONE ? p.receiver2 : p.receiver),
            amount: String(p.amount - credited),
          });
          return;
        }
        case K.Void: {
          const p = plan.invoice(a);
          emit("InvoiceLedger", "InvoiceVoided", { invoiceId: invoiceId(a), issuerId: issuerId(p.issuer) });
          return;
        }
        case K.CreditNote: {
          const p = plan.invoice(a);
          const applied = p.creditHolder === NONE;
          emit("InvoiceLedger", "CreditNoteIssued", {
            creditNoteId: creditNoteId(a),
            invoiceId: invoiceId(a),
            issuerId: issuerId(p.issuer),
            code: creditCode(p.issuer),
            number: String(a + 1),
            amount: String(p.creditAmount),
            tax: String(p.creditTax),
            documentHash: doc(2, a),
            state: applied ? 2 : 1,
            lapsesAt: String(now + 72 * HOUR),
          });
          if (applied) {
            emit("InvoiceLedger", "InvoiceCredited", {
              invoiceId: invoiceId(a),
              creditNoteId: creditNoteId(a),
              amount: String(p.creditAmount),
              credited: String(p.creditAmount),
            });
          }
          return;
        }
        case K.ConfirmCreditNote: {
          const p = plan.invoice(a);
          emit("InvoiceLedger", "CreditNoteConfirmed", {
            creditNoteId: creditNoteId(a),
            invoiceId: invoiceId(a),
            receiverId: receiverId(p.creditHolder),
          });
          emit("InvoiceLedger", "InvoiceCredited", {
            invoiceId: invoiceId(a),
            creditNoteId: creditNoteId(a),
            amount: String(p.creditAmount),
            credited: String(p.creditAmount),
          });
          return;
        }
        case K.FreezeInvoice:
          emit("InvoiceLedger", "InvoiceFrozen", { invoiceId: invoiceId(a), departmentId: departmentId(TAX) });
          return;
        case K.UnfreezeInvoice:
          emit("InvoiceLedger", "InvoiceUnfrozen", { invoiceId: invoiceId(a), departmentId: departmentId(TAX) });
          return;
        case K.LicenceIssue: {
          const p = plan.licence(a);
          const spec = LICENCE_TYPES[p.type];
          emit("LicenceRegistry", "LicenceIssued", {
            licenceId: licenceId(a),
            typeId: typeId(p.type),
            issuer: departmentId(spec.issuer),
            holder: holderAccount(p.holder),
            documentHash: doc(3, a),
            validFrom: String(p.windows[0][0] + CHAIN_START),
            validUntil: String(p.windows[0][1] + CHAIN_START),
            dependsOn: p.dependency === NONE ? [] : [licenceId(p.dependency)],
          });
          return;
        }
        case K.Renew: {
          const p = plan.licence(a);
          const [from, until] = p.windows[b + 1];
          emit("LicenceRegistry", "LicenceRenewed", {
            licenceId: licenceId(a),
            issuer: departmentId(LICENCE_TYPES[p.type].issuer),
            version: b + 2,
            documentHash: doc(4, a, b),
            validFrom: String(from + CHAIN_START),
            validUntil: String(until + CHAIN_START),
          });
          return;
        }
        case K.Suspend:
          emit("LicenceRegistry", "LicenceSuspended", {
            licenceId: licenceId(a),
            issuer: departmentId(LICENCE_TYPES[plan.licence(a).type].issuer),
            reason: `0x${text32("INSPECTION_FAILED")}`,
          });
          return;
        case K.Reinstate:
          emit("LicenceRegistry", "LicenceReinstated", {
            licenceId: licenceId(a),
            issuer: departmentId(LICENCE_TYPES[plan.licence(a).type].issuer),
          });
          return;
        case K.Revoke:
          emit("LicenceRegistry", "LicenceRevoked", {
            licenceId: licenceId(a),
            departmentId: departmentId(LICENCE_TYPES[plan.licence(a).type].issuer),
            reason: `0x${text32("FRAUD")}`,
          });
          return;
        case K.Consent:
        case K.ConsentWithdrawn: {
          const p = plan.licence(a);
          const pair = pairOf(a, b);
          const common = {
            licenceId: licenceId(a),
            departmentId: departmentId(pair.department),
            purpose: purpose(pair.purpose),
            holder: holderAccount(p.holder),
            holderParticipant: holderParticipant(p.holder),
          };
          if (kind === K.ConsentWithdrawn) emit("LicenceRegistry", "ConsentWithdrawn", common);
          else {
            const short = r.unit(T.Consent, a, 10 + b) < 0.05;
            emit("LicenceRegistry", "ConsentGranted", {
              ...common,
              until: String(now + (short ? Math.floor(r.unit(T.Consent, a, 20 + b) * 30 * DAY) + 30 * DAY : 400 * DAY)),
              bySignature: r.unit(T.Consent, a, 50 + b) < 0.3,
            });
          }
          return;
        }
        case K.Use: {
          const p = plan.licence(a);
          const pair = pairOf(a, r.int(T.Use, a, b) % p.pairs);
          let version = 1;
          for (const at of p.renewT) if (now - CHAIN_START >= at) version++;
          emit("LicenceRegistry", "LicenceUsed", {
            licenceId: licenceId(a),
            departmentId: departmentId(pair.department),
            purpose: purpose(pair.purpose),
            operator: operator(pair.department, b % 2),
            version,
          });
          return;
        }
        case K.Escrow:
          expandEscrow(a, b, now);
          return;
        case K.Failed: {
          const [contractName, functionName, errorName] = FAILURES[r.int(T.Failed, a, 1) % FAILURES.length];
          const d = r.int(T.Failed, a, 2) % DEPARTMENTS.length;
          const x = r.int(T.Failed, a, 5);
          const invoice = invoiceId(x % plan.scale.invoices);
          const licence = licenceId(x % plan.scale.licences);
          const project = String(1 + (x % plan.scale.projects));
          const receiver = x % groups.receivers;
          const issuer = x % plan.scale.issuers;
          // Who sends it: a department's operator, or the company the call is about.
          const sender =
            contractName !== "InvoiceLedger" ||
            errorName === "AccessManagedUnauthorized" ||
            r.unit(T.Failed, a, 3) < 0.2
              ? operator(d, a % 2)
              : functionName === "issueBatch"
                ? account(groups.start.issuers + issuer)
                : functionName === "claim"
                  ? `0x${r.hex20(T.Buyer, x)}`
                  : account(groups.start.receivers + receiver);
          const errorArgs: Record<string, unknown[]> = {
            InvoiceUnexpectedState: [invoice, 4],
            InvoiceNotBuyer: [invoice, sender],
            InvoiceNotReceiver: [invoice, receiverId(receiver)],
            InvoicePeriodCountQuotaExceeded: [issuerId(issuer), 677, "100000", "100000"],
            LicenceUnexpectedStatus: [licence, 5],
            LicenceNoConsent: [licence, departmentId(d), purpose(x % PURPOSES.length)],
            LicenceNotIssuer: [licence, departmentId(d)],
            EscrowMilestoneUnexpectedState: [project, String(x % 3), 4],
            EscrowCallerNotParty: [project, departmentId(d)],
            EscrowWagesOwed: [project, "1250000000000000000000"],
            RegistryParticipantExists: [participantId(x % groups.total)],
            AccessManagedUnauthorized: [sender],
          };
          // The call's arguments as the transaction carried them: the entity it targets by name,
          // anything else filled in.
          const call = abiItem(contractName, "function", functionName);
          const known: Record<string, unknown> = {
            invoiceId: invoice,
            licenceId: licence,
            projectId: project,
            milestoneIndex: String(x % 3),
            payrollId: String(1 + (x % 50)),
            participantId: participantId(x % groups.total),
            purpose: purpose(x % PURPOSES.length),
            issuerId: issuerId(issuer),
            code: invoiceCode(issuer),
            kind: 0,
          };
          const callValues = call.inputs.map((input, k) => fill(input, known, a * 16 + k));
          const error = abiItem(contractName, "error", errorName);
          rowsOf(RAW_FAILED).push({
            block_number: String(block),
            tx_index: String(txIndex),
            tx_hash: txHash.slice(2),
            block_time: blockTime.toString(),
            sender: sender.slice(2),
            contract: addresses.get(contractName)!.slice(2),
            contract_name: contractName,
            function_name: functionName,
            error_name: errorName,
            error_args: toJson(errorArgs[errorName]),
            function_args: toJson(namedValues(call.inputs, callValues)),
            error_fields: toJson(namedValues(error.inputs, errorArgs[errorName])),
          });
          return;
        }
        default:
          throw new Error(`unknown transaction kind ${kind}`);
      }
    };

    function expandEscrow(id: number, param: number, now: number) {
      const p = id - 1;
      const project = planCache(p);
      const party = projectParty(project);
      const op = plan.escrow.op[param];
      const n = plan.escrow.id[param];
      const x = plan.escrow.x[param];
      const y = plan.escrow.y[param];
      const projectId = String(id);
      const bank = departmentId(project.bank);
      switch (op) {
        case E.Create:
          emit("ConstructionEscrow", "ProjectCreated", {
            projectId,
            departmentId: departmentId(CONS),
            contractor: party.contractor,
            terms: {
              developer: party.developer,
              contractor: party.contractor,
              supervisor: party.supervisor,
              bank,
              regulator: departmentId(CONS),
              humanResources: departmentId(HRSS),
              token: addresses.get("SettlementToken")!,
              budget: tokenUnits(project.budget),
              labourShareBps: project.labourBps,
              guaranteeAmount: tokenUnits(project.guarantee),
              guaranteeHoldingPeriod: project.holding,
              contractHash: doc(5, p),
            },
            milestones: project.milestones.map((amount, k) => ({
              amount: tokenUnits(amount),
              dueDate: String(now + (k + 1) * 30 * DAY),
              descriptionHash: doc(6, p, k),
            })),
          });
          return;
        case E.Subcontractor:
          emit("ConstructionEscrow", "SubcontractorAdded", {
            projectId,
            subcontractor: party.subcontractor(n),
            departmentId: departmentId(CONS),
          });
          return;
        case E.Workers:
          for (let w = 0; w < project.workers; w++) {
            emit("ConstructionEscrow", "WorkerRegistered", {
              projectId,
              worker: worker(p, w),
              contractor: party.contractor,
              identityHash: doc(7, p, w),
            });
          }
          return;
        case E.Mint:
          token(`0x${ZERO20}`, party.developerAccount, tokenUnits(x));
          emit("SettlementToken", "DepositMinted", {
            departmentId: bank,
            account: party.developerAccount,
            amount: tokenUnits(x),
          });
          return;
        case E.Fund:
          token(party.developerAccount, ESCROW(), tokenUnits(x));
          emit("ConstructionEscrow", "ProjectFunded", {
            projectId,
            developer: party.developer,
            from: party.developerAccount,
            amount: tokenUnits(x),
          });
          return;
        case E.Guarantee:
          token(party.contractorAccount, ESCROW(), tokenUnits(x));
          emit("ConstructionEscrow", "GuaranteeDeposited", {
            projectId,
            contractor: party.contractor,
            amount: tokenUnits(x),
            balance: tokenUnits(y),
          });
          return;
        case E.MilestoneSubmitted:
          emit("ConstructionEscrow", "MilestoneSubmitted", {
            projectId,
            milestoneIndex: String(n % 1_000),
            contractor: party.contractor,
            evidenceHash: doc(8, p, n),
          });
          return;
        case E.MilestoneRejected:
          emit("ConstructionEscrow", "MilestoneRejected", {
            projectId,
            milestoneIndex: String(n % 1_000),
            supervisor: party.supervisor,
            reason: "evidence incomplete",
          });
          return;
        case E.MilestoneReleased:
          emit("ConstructionEscrow", "MilestoneReleased", {
            projectId,
            milestoneIndex: String(n),
            supervisor: party.supervisor,
            toWageAccount: tokenUnits(x),
            toPayable: tokenUnits(y),
          });
          return;
        case E.Ordered:
          emit("ConstructionEscrow", "PaymentOrdered", {
            projectId,
            orderId: String(n),
            payee: y === 0 ? party.contractor : party.subcontractor(y - 1),
            contractor: party.contractor,
            amount: tokenUnits(x),
            referenceHash: doc(9, p, n),
          });
          return;
        case E.OrderPaid: {
          const payeeAccount = y === 0 ? party.contractorAccount : party.subcontractorAccount(y - 1);
          token(ESCROW(), payeeAccount, tokenUnits(x));
          emit("ConstructionEscrow", "PaymentOrderPaid", {
            projectId,
            orderId: String(n),
            payee: y === 0 ? party.contractor : party.subcontractor(y - 1),
            supervisor: party.supervisor,
            account: payeeAccount,
            amount: tokenUnits(x),
          });
          return;
        }
        case E.OrderRejected:
          emit("ConstructionEscrow", "PaymentOrderRejected", {
            projectId,
            orderId: String(n),
            supervisor: party.supervisor,
            reason: "invoice missing",
          });
          return;
        case E.PayrollSubmitted: {
          const { workers, amounts } = workersOf(project, p, n, x);
          const local = new Date((now + 8 * HOUR) * 1000);
          emit("ConstructionEscrow", "PayrollSubmitted", {
            projectId,
            payrollId: String(n),
            contractor: party.contractor,
            period: String(local.getUTCFullYear() * 100 + local.getUTCMonth() + 1),
            documentHash: doc(10, p, n),
            workers,
            amounts,
            total: tokenUnits(x),
          });
          return;
        }
        case E.PayrollApprovedPaid:
        case E.PayrollApprovedOwed:
          emit("ConstructionEscrow", "PayrollApproved", {
            projectId,
            payrollId: String(n),
            bank,
            total: tokenUnits(x),
          });
          if (op === E.PayrollApprovedOwed) return;
        // falls through: approved and paid in one transaction
        case E.PayrollPaid:
        case E.PayrollDrawn: {
          const total = op === E.PayrollDrawn ? x + y : x;
          const { workers, amounts } = workersOf(project, p, n, total);
          workers.forEach((w, k) => token(ESCROW(), w, amounts[k]));
          emit("ConstructionEscrow", "PayrollPaid", {
            projectId,
            payrollId: String(n),
            departmentId: op === E.PayrollDrawn ? departmentId(HRSS) : bank,
            fromWageAccount: tokenUnits(op === E.PayrollDrawn ? x : total),
            fromGuarantee: tokenUnits(op === E.PayrollDrawn ? y : 0),
          });
          return;
        }
        case E.PayrollRejected:
          emit("ConstructionEscrow", "PayrollRejected", {
            projectId,
            payrollId: String(n),
            bank,
            reason: "worker list mismatch",
          });
          return;
        case E.Frozen:
          emit("ConstructionEscrow", "ProjectFrozen", {
            projectId,
            departmentId: departmentId(CONS),
            reason: "wage complaint under investigation",
          });
          return;
        case E.Unfrozen:
          emit("ConstructionEscrow", "ProjectUnfrozen", { projectId, departmentId: departmentId(CONS) });
          return;
        case E.Closed:
          if (x > 0) token(ESCROW(), party.developerAccount, tokenUnits(x));
          emit("ConstructionEscrow", "ProjectClosed", {
            projectId,
            departmentId: departmentId(CONS),
            developer: party.developer,
            account: party.developerAccount,
            refunded: tokenUnits(x),
            guaranteeReleaseAt: String(now + project.holding),
          });
          return;
        case E.GuaranteeReturned:
          if (x > 0) token(ESCROW(), party.contractorAccount, tokenUnits(x));
          emit("ConstructionEscrow", "GuaranteeReturned", {
            projectId,
            contractor: party.contractor,
            account: party.contractorAccount,
            amount: tokenUnits(x),
          });
          return;
        default:
          throw new Error(`unknown escrow operation ${op}`);
      }
    }
  }
}
