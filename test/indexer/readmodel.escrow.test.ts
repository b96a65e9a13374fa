import { expect } from "chai";
import { decodeBytes32String, formatUnits, id, MaxUint256, type Signer, Wallet } from "ethers";
import type postgres from "postgres";

import { codeToId, PARTICIPANT_KINDS, ROLES } from "../../deploy/lib/consortium.js";
import { participantId } from "../../scripts/demo/governance.js";
import { passProposal } from "../fixtures.js";
import { admitDepartmentCalls } from "../helpers/proposals.js";
import { connectAnalyst } from "../web/helpers.js";
import { type Chain, type Database, startChain, startDatabase } from "./harness.js";
import {
  advanceTime,
  type Attempt,
  attempt,
  createRng,
  expectSameAsRebuild,
  type Follower,
  followChain,
  fundedWallet,
  headBlock,
  hex,
  type FailedSend,
  type Operation,
  type Rng,
  runSequence,
  seedOf,
  ZERO32,
} from "./readmodel.js";

const PROJECT_STATES = ["None", "Open", "Closed", "Settled"];
const MILESTONE_STATES = ["None", "Pending", "Submitted", "Rejected", "Released"];
const ORDER_STATES = ["None", "Ordered", "Paid", "Rejected"];
const PAYROLL_STATES = ["None", "Submitted", "Approved", "Paid", "Rejected", "Cancelled"];
const OFFSET = 8 * 3600;
const UNIT = 10n ** 18n;

interface ModelPayroll {
  workers: string[];
  amounts: bigint[];
  total: bigint;
  state: string;
}

interface ModelProject {
  id: number;
  state: string;
  frozen: boolean;
  budget: bigint;
  bps: bigint;
  guaranteeAmount: bigint;
  holding: number;
  milestones: { amount: bigint; state: string }[];
  orders: { payee: string; amount: bigint; state: string }[];
  payrolls: ModelPayroll[];
  workers: string[];
  subcontractors: string[];
  funded: bigint;
  unreleased: bigint;
  wage: bigint;
  payable: bigint;
  guarantee: bigint;
  owed: bigint;
  releaseAt: bigint;
  /** The departments holding the replaceable parts now (ids), as getProject reports them. */
  bank: string;
  regulator: string;
  hr: string;
}

/** A project as createProject leaves it: open, nothing paid in, its terms' parties. */
function openProject(
  terms: Pick<
    ModelProject,
    "id" | "budget" | "bps" | "guaranteeAmount" | "holding" | "milestones" | "workers" | "subcontractors"
  >,
): ModelProject {
  return {
    ...terms,
    state: "Open",
    frozen: false,
    orders: [],
    payrolls: [],
    funded: 0n,
    unreleased: 0n,
    wage: 0n,
    payable: 0n,
    guarantee: 0n,
    owed: 0n,
    releaseAt: 0n,
    bank: BANK_ID,
    regulator: CONS_ID,
    hr: HRSS_ID,
  };
}

/** Money and decisions per project and local day, from the sequence's own successful calls. */
interface Flow {
  project: number;
  day: string;
  funded?: bigint;
  deposited?: bigint;
  toWages?: bigint;
  toPayable?: bigint;
  paidOut?: bigint;
  fromWage?: bigint;
  fromGuarantee?: bigint;
  refunded?: bigint;
  returned?: bigint;
  approved?: bigint;
  cancelled?: bigint;
}

interface Model {
  projects: ModelProject[];
  flows: Flow[];
  nextWorker: number;
}

interface Cast {
  developer: Signer;
  contractor: Signer;
  supervisor: Signer;
  subcontractors: string[];
  cons: Signer;
  bank: Signer;
  hrss: Signer;
  fire: Signer;
  stranger: Signer;
  ids: { developer: string; contractor: string; supervisor: string };
  /** Operators by department id: whoever holds a project's part acts for it. */
  departments: Record<string, Signer>;
  /** Passes a vote (every founding department may be needed: nine vote) and sends its execution. */
  vote: (chain: Chain, calls: { target: string; data: string }[], failed: FailedSend[]) => Promise<boolean>;
}

const BANK_ID = codeToId("BANK");
const CONS_ID = codeToId("CONS");
const HRSS_ID = codeToId("HRSS");
const BANK2_ID = codeToId("BANK2");
const CONS2_ID = codeToId("CONS2");
/** IConstructionEscrow.ProjectParty */
const PARTIES = ["bank", "regulator", "hr"] as const;

const localDay = (seconds: bigint) => new Date(Number(seconds + BigInt(OFFSET)) * 1000).toISOString().slice(0, 10);
const ceilShare = (amount: bigint, bps: bigint) => (amount * bps + 9_999n) / 10_000n;

/** A project to act on: mostly one in `states`, otherwise any (mostly illegal then). */
function pickProject(model: Model, rng: Rng, states = ["Open"]): ModelProject | undefined {
  if (model.projects.length === 0) return undefined;
  const candidates = model.projects.filter((p) => states.includes(p.state));
  if (candidates.length > 0 && rng.chance(0.85)) return rng.pick(candidates);
  return rng.pick(model.projects);
}

function pickIndex<T>(items: T[], rng: Rng, legal: (item: T) => boolean): number | undefined {
  if (items.length === 0) return undefined;
  const candidates = items.flatMap((item, i) => (legal(item) ? [i] : []));
  if (candidates.length > 0 && rng.chance(0.85)) return rng.pick(candidates);
  return rng.int(items.length);
}

const amount = (rng: Rng, low: number, high: number) => rng.between(BigInt(low), BigInt(high)) * UNIT;

/**
 * Decides everything pending on a project and cancels its owed payrolls, as the parties would
 * before closing it or taking the guarantee back (random steps alone seldom get there).
 */
async function settle(chain: Chain, cast: Cast, state: Model, project: ModelProject, failed: FailedSend[]) {
  const escrow = chain.contracts.escrow;
  for (const [i, milestone] of project.milestones.entries()) {
    if (milestone.state !== "Submitted") continue;
    const result = await attempt(chain, escrow, cast.supervisor, "rejectMilestone", [project.id, i, "late"], failed);
    if (result.ok) milestone.state = "Rejected";
  }
  for (const [i, order] of project.orders.entries()) {
    if (order.state !== "Ordered") continue;
    const result = await attempt(
      chain,
      escrow,
      cast.supervisor,
      "rejectPaymentOrder",
      [project.id, i + 1, "late"],
      failed,
    );
    if (result.ok) order.state = "Rejected";
  }
  for (const [i, payroll] of project.payrolls.entries()) {
    if (payroll.state === "Submitted") {
      const bank = cast.departments[project.bank];
      const result = await attempt(chain, escrow, bank, "rejectPayroll", [project.id, i + 1, "late"], failed);
      if (result.ok) payroll.state = "Rejected";
    } else if (payroll.state === "Approved") {
      const bank = cast.departments[project.bank];
      const result = await attempt(chain, escrow, bank, "cancelPayroll", [project.id, i + 1, "unpayable"], failed);
      if (!result.ok) continue;
      payroll.state = "Cancelled";
      project.owed -= payroll.total;
      state.flows.push({ project: project.id, day: localDay(result.blockTime), cancelled: payroll.total });
    }
  }
  if (project.frozen) {
    const regulator = cast.departments[project.regulator];
    const result = await attempt(chain, escrow, regulator, "unfreezeProject", [project.id], failed);
    if (result.ok) project.frozen = false;
  }
}

/** Tops the guarantee up to the agreed amount, as the contractor must before claiming work. */
async function topUp(chain: Chain, cast: Cast, state: Model, project: ModelProject, failed: FailedSend[]) {
  const room = project.guaranteeAmount - project.guarantee;
  if (room === 0n || project.state !== "Open") return;
  const escrow = chain.contracts.escrow;
  const result = await attempt(chain, escrow, cast.contractor, "depositGuarantee", [project.id, room], failed);
  if (!result.ok) return;
  project.guarantee += room;
  state.flows.push({ project: project.id, day: localDay(result.blockTime), deposited: room });
}

function operations(cast: Cast): Operation<Model>[] {
  const escrowOf = (chain: Chain) => chain.contracts.escrow;
  return [
    {
      name: "createProject",
      weight: 1,
      async run({ chain, rng, state, failed }) {
        // A few projects at a time, so that each gets far (released, paid, closed, settled).
        if (state.projects.filter((p) => p.state === "Open").length >= 3 && rng.chance(0.8)) return;
        const count = 1 + rng.int(4);
        const milestones = Array.from({ length: count }, (_, i) => ({
          amount: amount(rng, 1_000, 50_000),
          dueDate: 1_800_000_000 + i * 86_400,
          descriptionHash: id(`milestone:${state.projects.length}:${i}`),
        }));
        const budget = milestones.reduce((sum, m) => sum + m.amount, 0n);
        const bps = rng.pick([0n, 2_200n, 2_500n, 10_000n]);
        const guaranteeAmount = rng.chance(0.2) ? 0n : amount(rng, 100, 2_000);
        const holding = rng.pick([3_600, 86_400]);
        const terms = {
          ...cast.ids,
          bank: codeToId("BANK"),
          regulator: codeToId("CONS"),
          humanResources: codeToId("HRSS"),
          token: await chain.contracts.settlementToken.getAddress(),
          // Now and then a budget that is not the milestones' sum: rejected.
          budget: rng.chance(0.08) ? budget + 1n : budget,
          labourShareBps: bps,
          guaranteeAmount,
          guaranteeHoldingPeriod: holding,
          contractHash: id(`contract:${state.projects.length}:${rng.next()}`),
        };
        const subcontractors = rng.chance(0.5) ? [cast.subcontractors[0]] : [];
        const caller = rng.chance(0.9) ? cast.cons : cast.fire;
        const result = await attempt(
          chain,
          escrowOf(chain),
          caller,
          "createProject",
          [terms, milestones, subcontractors],
          failed,
        );
        if (!result.ok) return;
        state.projects.push(
          openProject({
            id: Number(await escrowOf(chain).projectCount({ blockTag: result.blockNumber })),
            budget,
            bps,
            guaranteeAmount,
            holding,
            milestones: milestones.map((m) => ({ amount: m.amount, state: "Pending" })),
            workers: [],
            subcontractors,
          }),
        );
      },
    },
    {
      name: "fund",
      weight: 3,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const room = project.budget - project.funded;
        const value = rng.chance(0.1)
          ? room + 1n
          : room <= UNIT || rng.chance(0.5)
            ? room
            : rng.between(1n, room / UNIT) * UNIT;
        if (value === 0n) return;
        const result = await attempt(chain, escrowOf(chain), cast.developer, "fund", [project.id, value], failed);
        if (!result.ok) return;
        project.funded += value;
        project.unreleased += value;
        state.flows.push({ project: project.id, day: localDay(result.blockTime), funded: value });
      },
    },
    {
      name: "depositGuarantee",
      weight: 2,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const room = project.guaranteeAmount - project.guarantee;
        const value = rng.chance(0.1) || room === 0n ? room + UNIT : room;
        const result = await attempt(
          chain,
          escrowOf(chain),
          cast.contractor,
          "depositGuarantee",
          [project.id, value],
          failed,
        );
        if (!result.ok) return;
        project.guarantee += value;
        state.flows.push({ project: project.id, day: localDay(result.blockTime), deposited: value });
      },
    },
    {
      name: "registerWorkers",
      weight: 1.5,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const count = 1 + rng.int(3);
        const workers = Array.from(
          { length: count },
          (_, i) => new Wallet(id(`readmodel-worker:${state.nextWorker + i}`)).address,
        );
        // Now and then one registered already: rejected.
        if (rng.chance(0.1) && project.workers.length > 0) workers[0] = project.workers[0];
        const identities = workers.map((w) => id(`identity:${w}`));
        const result = await attempt(
          chain,
          escrowOf(chain),
          cast.contractor,
          "registerWorkers",
          [project.id, workers, identities],
          failed,
        );
        if (!result.ok) return;
        state.nextWorker += count;
        project.workers.push(...workers);
      },
    },
    {
      name: "submitMilestone",
      weight: 3,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const i = pickIndex(project.milestones, rng, (m) => m.state === "Pending" || m.state === "Rejected");
        if (i === undefined) return;
        if (rng.chance(0.8)) await topUp(chain, cast, state, project, failed);
        const result = await attempt(
          chain,
          escrowOf(chain),
          cast.contractor,
          "submitMilestone",
          [project.id, i, id(`evidence:${rng.next()}`)],
          failed,
        );
        if (result.ok) project.milestones[i].state = "Submitted";
      },
    },
    {
      name: "decideMilestone",
      weight: 3,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const i = pickIndex(project.milestones, rng, (m) => m.state === "Submitted");
        if (i === undefined) return;
        const milestone = project.milestones[i];
        if (rng.chance(0.3)) {
          const result = await attempt(
            chain,
            escrowOf(chain),
            cast.supervisor,
            "rejectMilestone",
            [project.id, i, "evidence incomplete"],
            failed,
          );
          if (result.ok) milestone.state = "Rejected";
          return;
        }
        const caller = rng.chance(0.92) ? cast.supervisor : cast.contractor;
        const result = await attempt(chain, escrowOf(chain), caller, "approveMilestone", [project.id, i], failed);
        if (!result.ok) return;
        const toWages = ceilShare(milestone.amount, project.bps);
        milestone.state = "Released";
        project.unreleased -= milestone.amount;
        project.wage += toWages;
        project.payable += milestone.amount - toWages;
        state.flows.push({
          project: project.id,
          day: localDay(result.blockTime),
          toWages,
          toPayable: milestone.amount - toWages,
        });
      },
    },
    {
      name: "orderPayment",
      weight: 2,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const payee = rng.chance(0.5) ? cast.ids.contractor : rng.pick(cast.subcontractors);
        if (rng.chance(0.8)) await topUp(chain, cast, state, project, failed);
        const value = project.payable > UNIT && rng.chance(0.85) ? project.payable / 2n : amount(rng, 1, 5_000);
        const result = await attempt(
          chain,
          escrowOf(chain),
          cast.contractor,
          "orderPayment",
          [project.id, payee, value, id(`reference:${rng.next()}`)],
          failed,
        );
        if (result.ok) project.orders.push({ payee, amount: value, state: "Ordered" });
      },
    },
    {
      name: "decideOrder",
      weight: 2,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const i = pickIndex(project.orders, rng, (o) => o.state === "Ordered");
        if (i === undefined) return;
        const order = project.orders[i];
        if (rng.chance(0.3)) {
          const result = await attempt(
            chain,
            escrowOf(chain),
            cast.supervisor,
            "rejectPaymentOrder",
            [project.id, i + 1, "not due"],
            failed,
          );
          if (result.ok) order.state = "Rejected";
          return;
        }
        const result = await attempt(
          chain,
          escrowOf(chain),
          cast.supervisor,
          "approvePaymentOrder",
          [project.id, i + 1],
          failed,
        );
        if (!result.ok) return;
        order.state = "Paid";
        project.payable -= order.amount;
        state.flows.push({ project: project.id, day: localDay(result.blockTime), paidOut: order.amount });
      },
    },
    {
      name: "submitPayroll",
      weight: 3,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng, ["Open", "Closed"]);
        if (project === undefined || project.workers.length === 0) return;
        const count = 1 + rng.int(Math.min(3, project.workers.length));
        const start = rng.int(project.workers.length - count + 1);
        const workers = project.workers.slice(start, start + count);
        // Mostly what the wage account holds, sometimes more (owed until paid, drawn or cancelled).
        const amounts = workers.map(() =>
          project.wage > UNIT * 4n && rng.chance(0.6) ? project.wage / 4n : amount(rng, 1, 300),
        );
        const result = await attempt(
          chain,
          escrowOf(chain),
          cast.contractor,
          "submitPayroll",
          [project.id, 202_600 + rng.int(12), id(`payroll:${rng.next()}`), workers, amounts],
          failed,
        );
        if (!result.ok) return;
        project.payrolls.push({ workers, amounts, total: amounts.reduce((a, b) => a + b, 0n), state: "Submitted" });
      },
    },
    {
      name: "decidePayroll",
      weight: 4,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng, ["Open", "Closed"]);
        if (project === undefined) return;
        const i = pickIndex(project.payrolls, rng, (p) => p.state === "Submitted" || p.state === "Approved");
        if (i === undefined) return;
        const payroll = project.payrolls[i];
        const escrow = escrowOf(chain);
        const day = (t: bigint) => localDay(t);
        // Owed payrolls: paid by the bank, drawn from the guarantee by human resources, or cancelled.
        const draw = async () => {
          const result = await attempt(
            chain,
            escrow,
            cast.departments[project.hr],
            "drawGuarantee",
            [project.id, i + 1, payroll.workers, payroll.amounts],
            failed,
          );
          if (!result.ok) return;
          const fromWage = payroll.total < project.wage ? payroll.total : project.wage;
          const fromGuarantee = payroll.total - fromWage;
          project.wage -= fromWage;
          project.guarantee -= fromGuarantee;
          project.owed -= payroll.total;
          payroll.state = "Paid";
          state.flows.push({ project: project.id, day: day(result.blockTime), fromWage, fromGuarantee });
        };
        const choice = payroll.state === "Approved" ? rng.pick([3, 4, 4, 4, 5]) : rng.int(3);
        if (choice === 0 || choice === 1) {
          const result = await attempt(
            chain,
            escrow,
            rng.chance(0.92) ? cast.departments[project.bank] : cast.hrss,
            "approvePayroll",
            [project.id, i + 1, payroll.workers, payroll.amounts],
            failed,
          );
          if (!result.ok) return;
          project.owed += payroll.total;
          state.flows.push({ project: project.id, day: day(result.blockTime), approved: payroll.total });
          if (project.wage >= payroll.total) {
            project.wage -= payroll.total;
            project.owed -= payroll.total;
            payroll.state = "Paid";
            state.flows.push({ project: project.id, day: day(result.blockTime), fromWage: payroll.total });
          } else {
            payroll.state = "Approved";
            // Human resources steps in at once now and then: wages drawn from the guarantee.
            if (rng.chance(0.4)) await draw();
          }
        } else if (choice === 2) {
          const result = await attempt(
            chain,
            escrow,
            cast.departments[project.bank],
            "rejectPayroll",
            [project.id, i + 1, "entries disputed"],
            failed,
          );
          if (result.ok) payroll.state = "Rejected";
        } else if (choice === 3) {
          const result = await attempt(
            chain,
            escrow,
            cast.departments[project.bank],
            "payPayroll",
            [project.id, i + 1, payroll.workers, payroll.amounts],
            failed,
          );
          if (!result.ok) return;
          project.wage -= payroll.total;
          project.owed -= payroll.total;
          payroll.state = "Paid";
          state.flows.push({ project: project.id, day: day(result.blockTime), fromWage: payroll.total });
        } else if (choice === 4) {
          await draw();
        } else {
          const result = await attempt(
            chain,
            escrow,
            rng.chance(0.9) ? cast.departments[project.bank] : cast.cons,
            "cancelPayroll",
            [project.id, i + 1, "worker's account closed"],
            failed,
          );
          if (!result.ok) return;
          project.owed -= payroll.total;
          payroll.state = "Cancelled";
          state.flows.push({ project: project.id, day: day(result.blockTime), cancelled: payroll.total });
        }
      },
    },
    {
      name: "subcontractors",
      weight: 0.8,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const sub = rng.pick(cast.subcontractors);
        const registered = project.subcontractors.includes(sub);
        const caller = rng.chance(0.9) ? cast.cons : cast.fire;
        const method = registered !== rng.chance(0.1) ? "removeSubcontractor" : "addSubcontractor";
        const result = await attempt(chain, escrowOf(chain), caller, method, [project.id, sub], failed);
        if (!result.ok) return;
        if (method === "addSubcontractor") project.subcontractors.push(sub);
        else project.subcontractors = project.subcontractors.filter((s) => s !== sub);
      },
    },
    {
      name: "freeze",
      weight: 0.5,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng, ["Open", "Closed"]);
        if (project === undefined) return;
        const method = project.frozen !== rng.chance(0.1) ? "unfreezeProject" : "freezeProject";
        const args = method === "freezeProject" ? [project.id, "audit"] : [project.id];
        const caller = rng.chance(0.9) ? cast.departments[project.regulator] : cast.cons;
        const result = await attempt(chain, escrowOf(chain), caller, method, args, failed);
        if (result.ok) project.frozen = method === "freezeProject";
      },
    },
    {
      name: "close",
      weight: 0.8,
      async run({ chain, rng, state, failed }) {
        // Mostly one whose wage account holds money: the refund closing makes is what 0005 got wrong.
        const progressed = state.projects.filter(
          (p) => p.state === "Open" && p.milestones.some((m) => m.state === "Released"),
        );
        if (progressed.length === 0 && rng.chance(0.8)) return;
        const holding = progressed.filter((p) => p.wage > 0n);
        const project =
          holding.length > 0 && rng.chance(0.6)
            ? rng.pick(holding)
            : progressed.length > 0 && rng.chance(0.8)
              ? rng.pick(progressed)
              : pickProject(state, rng);
        if (project === undefined) return;
        if (project.state === "Open" && rng.chance(0.7)) await settle(chain, cast, state, project, failed);
        const regulator = cast.departments[project.regulator];
        const result = await attempt(chain, escrowOf(chain), regulator, "closeProject", [project.id], failed);
        if (!result.ok) return;
        const refund = project.unreleased + project.wage + project.payable;
        Object.assign(project, { unreleased: 0n, wage: 0n, payable: 0n, state: "Closed" });
        project.releaseAt = result.blockTime + BigInt(project.holding);
        state.flows.push({ project: project.id, day: localDay(result.blockTime), refunded: refund });
      },
    },
    {
      name: "releaseGuarantee",
      weight: 0.6,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng, ["Closed"]);
        if (project === undefined) return;
        if (project.state === "Closed" && rng.chance(0.7)) await settle(chain, cast, state, project, failed);
        if (project.state === "Closed" && rng.chance(0.6)) await advanceTime(chain, project.holding);
        const result = await attempt(chain, escrowOf(chain), cast.contractor, "releaseGuarantee", [project.id], failed);
        if (!result.ok) return;
        state.flows.push({ project: project.id, day: localDay(result.blockTime), returned: project.guarantee });
        project.guarantee = 0n;
        project.state = "Settled";
      },
    },
    {
      // A vote hands one part of a project to the other department holding its role; now and
      // then a no-op or a department without the role, whose execution reverts.
      name: "replaceParty",
      weight: 1,
      async run({ chain, rng, state, failed }) {
        const project = pickProject(state, rng);
        if (project === undefined) return;
        const party = rng.int(3);
        const key = PARTIES[party];
        const other = { bank: [BANK_ID, BANK2_ID], regulator: [CONS_ID, CONS2_ID], hr: [HRSS_ID, CONS2_ID] }[key];
        const next = rng.chance(0.9) ? other.find((d) => d !== project[key])! : rng.pick([project[key], BANK2_ID]);
        const escrow = escrowOf(chain);
        const data = escrow.interface.encodeFunctionData("replaceParty", [project.id, party, next]);
        if (await cast.vote(chain, [{ target: await escrow.getAddress(), data }], failed)) project[key] = next;
      },
    },
    {
      name: "time",
      weight: 0.6,
      async run({ chain, rng }) {
        await advanceTime(chain, 3_600 * (1 + rng.int(30)));
      },
    },
  ];
}

const big = (value: unknown) => BigInt(value as string);
const seconds = (value: Date | null) => (value === null ? 0n : BigInt(value.getTime() / 1000));

/** Every project, milestone, order, payroll, subcontractor and worker against the escrow's views. */
async function checkAgainstContracts(sql: postgres.Sql, chain: Chain, model: Model, cast: Cast) {
  const escrow = chain.contracts.escrow;
  const { number: head } = await headBlock(chain);
  const at = { blockTag: Number(head) };
  const projects = await sql`select * from escrow.projects order by project_id`;
  expect(projects.length, "one row per project").to.equal(Number(await escrow.projectCount(at)));
  for (const row of projects) {
    const projectId = big(row.project_id);
    const where = `project ${projectId}`;
    const project = await escrow.getProject(projectId, at);
    const ledger = await escrow.getLedger(projectId, at);
    expect(
      {
        developer: hex(row.developer_id),
        contractor: hex(row.contractor_id),
        supervisor: hex(row.supervisor_id),
        bank: hex(row.bank_id),
        bureau: hex(row.bureau_id),
        regulator: hex(row.regulator_id),
        humanResources: hex(row.human_resources_id),
        token: hex(row.token),
        labourShareBps: BigInt(row.labour_share_bps),
        state: row.state,
        frozen: row.frozen,
        guaranteeHoldingPeriod: big(row.guarantee_holding_period),
        milestoneCount: BigInt(row.milestone_count),
        budget: big(row.budget),
        guaranteeAmount: big(row.guarantee_amount),
        guaranteeReleaseAt: seconds(row.guarantee_release_at),
        paymentOrderCount: big(row.payment_order_count),
        payrollCount: big(row.payroll_count),
        pending: big(row.pending),
      },
      where,
    ).to.deep.equal({
      developer: project.developer,
      contractor: project.contractor,
      supervisor: project.supervisor,
      bank: project.bank,
      bureau: project.bureau,
      regulator: project.regulator,
      humanResources: project.humanResources,
      token: project.token.toLowerCase(),
      labourShareBps: project.labourShareBps,
      state: PROJECT_STATES[Number(project.state)],
      frozen: project.frozen,
      guaranteeHoldingPeriod: project.guaranteeHoldingPeriod,
      milestoneCount: project.milestoneCount,
      budget: project.budget,
      guaranteeAmount: project.guaranteeAmount,
      guaranteeReleaseAt: project.guaranteeReleaseAt,
      paymentOrderCount: project.paymentOrderCount,
      payrollCount: project.payrollCount,
      pending: project.pending,
    });
    const fields = [
      ["funded", "funded"],
      ["unreleased", "unreleased"],
      ["released", "released"],
      ["payable_balance", "payableBalance"],
      ["paid_out", "paidOut"],
      ["refunded", "refunded"],
      ["wage_credited", "wageCredited"],
      ["wage_balance", "wageBalance"],
      ["wages_paid", "wagesPaid"],
      ["wages_owed", "wagesOwed"],
      ["guarantee_deposited", "guaranteeDeposited"],
      ["guarantee_balance", "guaranteeBalance"],
      ["guarantee_paid_out", "guaranteePaidOut"],
      ["guarantee_returned", "guaranteeReturned"],
    ] as const;
    expect(
      Object.fromEntries(fields.map(([column, field]) => [field, big(row[column])])),
      `${where} ledger`,
    ).to.deep.equal(Object.fromEntries(fields.map(([, field]) => [field, ledger[field] as bigint])));
    // Scaled by the settlement token's 18 decimals, read from the token by the indexer.
    expect(row.token_decimals, where).to.equal(18);
    for (const [column, field] of [
      ["funded", "funded"],
      ["wage_credited", "wageCredited"],
      ["guarantee_balance", "guaranteeBalance"],
    ] as const) {
      expect(row[`${column}_scaled`], `${where} ${column} scaled`).to.equal(
        formatUnits(ledger[field], 18).replace(/\.0$/, ""),
      );
    }
    expect(row.bureau_code, where).to.equal("CONS");
    // The parts' codes follow replacements too (BANK2, CONS2).
    expect([row.bank_code, row.regulator_code, row.human_resources_code], `${where} codes`).to.deep.equal(
      [project.bank, project.regulator, project.humanResources].map((part) => decodeBytes32String(part)),
    );
    const [balance] = await sql`select * from report.project_balances where project_id = ${row.project_id}`;
    expect(
      { wage: big(balance.wage_account_balance), guarantee: big(balance.guarantee_balance), closed: balance.closed },
      `${where} report.project_balances`,
    ).to.deep.equal({ wage: ledger.wageBalance, guarantee: ledger.guaranteeBalance, closed: project.state >= 2n });

    const milestones = await sql`select * from escrow.milestones where project_id = ${row.project_id}
      order by milestone_index`;
    expect(milestones.length, `${where} milestones`).to.equal(Number(project.milestoneCount));
    for (const m of milestones) {
      const milestone = await escrow.getMilestone(projectId, m.milestone_index, at);
      expect(
        {
          amount: big(m.amount),
          dueDate: seconds(m.due_date),
          state: m.state,
          descriptionHash: hex(m.description_hash),
          evidenceHash: hex(m.evidence_hash) ?? ZERO32,
        },
        `${where} milestone ${m.milestone_index}`,
      ).to.deep.equal({
        amount: milestone.amount,
        dueDate: milestone.dueDate,
        state: MILESTONE_STATES[Number(milestone.state)],
        descriptionHash: milestone.descriptionHash,
        evidenceHash: milestone.evidenceHash,
      });
    }
    const orders =
      await sql`select * from escrow.payment_orders where project_id = ${row.project_id} order by order_id`;
    expect(orders.length, `${where} orders`).to.equal(Number(project.paymentOrderCount));
    for (const o of orders) {
      const order = await escrow.getPaymentOrder(projectId, big(o.order_id), at);
      expect(
        { payee: hex(o.payee_id), amount: big(o.amount), state: o.state },
        `${where} order ${o.order_id}`,
      ).to.deep.equal({ payee: order.payee, amount: order.amount, state: ORDER_STATES[Number(order.state)] });
    }
    const payrolls = await sql`select * from escrow.payrolls where project_id = ${row.project_id} order by payroll_id`;
    expect(payrolls.length, `${where} payrolls`).to.equal(Number(project.payrollCount));
    for (const p of payrolls) {
      const payroll = await escrow.getPayroll(projectId, big(p.payroll_id), at);
      expect(
        { total: big(p.total), period: big(p.period), state: p.state },
        `${where} payroll ${p.payroll_id}`,
      ).to.deep.equal({ total: payroll.total, period: payroll.period, state: PAYROLL_STATES[Number(payroll.state)] });
    }
    for (const sub of cast.subcontractors) {
      const [s] = await sql`select registered from escrow.subcontractors
        where project_id = ${row.project_id} and subcontractor_id = ${Buffer.from(sub.slice(2), "hex")}`;
      expect(s?.registered ?? false, `${where} subcontractor ${sub}`).to.equal(
        await escrow.isSubcontractor(projectId, sub, at),
      );
    }
    const workers = await sql`select * from escrow.workers where project_id = ${row.project_id}`;
    const modelled = model.projects.find((p) => p.id === Number(projectId));
    if (modelled !== undefined) expect(workers.length, `${where} workers`).to.equal(modelled.workers.length);
    for (const w of workers) {
      expect(hex(w.identity_hash), `${where} worker`).to.equal(
        await escrow.workerIdentity(projectId, hex(w.worker)!, at),
      );
    }
  }
}

/** The day reports against the sequence's own flows. */
async function checkReports(sql: postgres.Sql, model: Model) {
  const ours = model.projects.map((p) => p.id);
  type Day = Record<string, bigint>;
  const expected = new Map<string, Day>();
  const zero = (): Day => ({
    funded: 0n,
    deposited: 0n,
    toWages: 0n,
    toPayable: 0n,
    paidOut: 0n,
    fromWage: 0n,
    fromGuarantee: 0n,
    refunded: 0n,
    returned: 0n,
    approved: 0n,
    cancelled: 0n,
  });
  for (const flow of model.flows) {
    const key = `${flow.project}|${flow.day}`;
    const day = expected.get(key) ?? zero();
    for (const [field, value] of Object.entries(flow)) if (typeof value === "bigint") day[field] += value;
    expected.set(key, day);
  }
  // End-of-day balances and wages owed, cumulated in day order per project.
  const sorted = [...expected.entries()].sort(([a], [b]) => {
    const [pa, da] = a.split("|");
    const [pb, db] = b.split("|");
    return Number(pa) - Number(pb) || da.localeCompare(db);
  });
  const running = new Map<string, { owed: bigint; balance: bigint }>();
  for (const [key, day] of sorted) {
    const project = key.split("|")[0];
    const run = running.get(project) ?? { owed: 0n, balance: 0n };
    run.owed += day.approved - day.fromWage - day.fromGuarantee - day.cancelled;
    run.balance +=
      day.funded + day.deposited - day.paidOut - day.fromWage - day.fromGuarantee - day.refunded - day.returned;
    running.set(project, run);
    day.owed = run.owed;
    day.balance = run.balance;
  }
  // Days on which only unfunded events happened (a payroll submitted) have no money row: the
  // report lists days with money or decisions; keep only those.
  const rows = await sql`select b.*, w.payrolls_approved, w.approved, w.cancelled, w.wages_owed
    from report.project_balances_per_day b join report.wages_per_project_day w using (project_id, day)
    where b.project_id = any(${ours})`;
  const actual = new Map(
    rows.map((r) => [
      `${r.project_id}|${r.day.toISOString().slice(0, 10)}`,
      {
        funded: big(r.funded),
        deposited: big(r.guarantee_deposited),
        toWages: big(r.released_to_wages),
        toPayable: big(r.released_to_payable),
        paidOut: big(r.paid_out),
        fromWage: big(r.wages_paid_from_wage_account),
        fromGuarantee: big(r.wages_paid_from_guarantee),
        refunded: big(r.refunded),
        returned: big(r.guarantee_returned),
        approved: big(r.approved),
        cancelled: big(r.cancelled),
        owed: big(r.wages_owed),
        balance: big(r.balance),
      },
    ]),
  );
  expect(Object.fromEntries(actual), "report.project_balances_per_day and wages_per_project_day").to.deep.equal(
    Object.fromEntries(expected),
  );

  // Wages paid: one row per paid payroll, and their sum per project.
  const paid = await sql`select project_id, count(*)::int as n, sum(from_wage_account + from_guarantee) as total
    from report.wages_paid where project_id = any(${ours}) group by project_id`;
  for (const project of model.projects) {
    const payrolls = project.payrolls.filter((p) => p.state === "Paid");
    const row = paid.find((r) => Number(r.project_id) === project.id);
    expect(
      { n: row?.n ?? 0, total: row ? big(row.total) : 0n },
      `report.wages_paid of project ${project.id}`,
    ).to.deep.equal({ n: payrolls.length, total: payrolls.reduce((sum, p) => sum + p.total, 0n) });
    const [owed] = await sql`select wages_owed from report.wages_owed where project_id = ${project.id}`;
    expect(owed ? big(owed.wages_owed) : 0n, `report.wages_owed of project ${project.id}`).to.equal(project.owed);
    const states = await sql`select state, payrolls from report.payrolls_per_state where project_id = ${project.id}`;
    const counted: Record<string, number> = {};
    for (const p of project.payrolls) counted[p.state] = (counted[p.state] ?? 0) + 1;
    expect(
      Object.fromEntries(states.map((s) => [s.state, s.payrolls])),
      `payrolls per state ${project.id}`,
    ).to.deep.equal(counted);
  }
}

/** Who acts in the tests below: the demo's parties and departments, and the ones added here. */
async function castFor(chain: Chain): Promise<Cast> {
  const { registry, escrow, settlementToken } = chain.contracts;
  const accounts = chain.accounts;
  const [developer, contractor, supervisor] = [accounts.all[12], accounts.all[13], accounts.all[14]];
  // A second subcontractor, registered by the construction bureau like the demo's.
  const wallet = await fundedWallet(chain, "subcontractor-b");
  const subB = id("readmodel-participant:subcontractor-b");
  await (
    await registry
      .connect(accounts.cons)
      .registerParticipant(subB, wallet.address, PARTICIPANT_KINDS.indexOf("Enterprise"))
  ).wait();
  await (await registry.connect(accounts.cons).grantParticipantRole(subB, ROLES.SUBCONTRACTOR)).wait();
  const escrowAddress = await escrow.getAddress();
  for (const payer of [developer, contractor]) {
    await (await settlementToken.connect(accounts.bank).mint(payer.address, 10n ** 9n * UNIT)).wait();
    await (await settlementToken.connect(payer).approve(escrowAddress, MaxUint256)).wait();
  }
  // A second bank and a district bureau (project regulator and human resources), admitted by
  // vote: the departments replaceParty hands parts to.
  const [bank2, cons2] = [await fundedWallet(chain, "bank-2"), await fundedWallet(chain, "cons-2")];
  const admitted = await admitDepartmentCalls(registry, [
    { id: BANK2_ID, name: "Second Bank", kind: "Bank", operator: bank2.address, roles: [ROLES.BANK] },
    {
      id: CONS2_ID,
      name: "District Construction Bureau",
      kind: "ConstructionBureau",
      operator: cons2.address,
      roles: [ROLES.PROJECT_REGULATOR, ROLES.HUMAN_RESOURCES],
    },
  ]);
  await (await passProposal(chain, admitted)).wait();
  const { governor } = chain.contracts;
  const SUCCEEDED = 3n;
  const vote: Cast["vote"] = async (on, calls, failed) => {
    await (await governor.connect(accounts.tax).propose(calls, "replace a project's party")).wait();
    const proposalId = await governor.proposalCount();
    for (const voter of [accounts.tax, accounts.samr, accounts.cons, accounts.fire, accounts.bank, accounts.hrss]) {
      if ((await governor.state(proposalId)) === SUCCEEDED) break;
      await (await governor.connect(voter).castVote(proposalId, true)).wait();
    }
    return (await attempt(on, governor, accounts.tax, "execute", [proposalId], failed)).ok;
  };
  return {
    departments: {
      [BANK_ID]: accounts.bank,
      [CONS_ID]: accounts.cons,
      [HRSS_ID]: accounts.hrss,
      [BANK2_ID]: bank2,
      [CONS2_ID]: cons2,
    },
    vote,
    developer,
    contractor,
    supervisor,
    subcontractors: [participantId("STEEL-WORKS"), subB],
    cons: accounts.cons,
    bank: accounts.bank,
    hrss: accounts.hrss,
    fire: accounts.fire,
    stranger: accounts.stranger,
    ids: {
      developer: participantId("RIVERSIDE-DEV"),
      contractor: participantId("NORTH-BUILD"),
      supervisor: participantId("SAFE-SUPERVISION"),
    },
  };
}

describe("indexer: escrow read model", function () {
  this.timeout(600_000);
  let db: Database;
  let chain: Chain;
  let databaseUrl: string;
  let follower: Follower;
  let cast: Cast;

  before(async function () {
    db = await startDatabase();
    chain = await startChain();
    cast = await castFor(chain);
    databaseUrl = await db.create();
    follower = await followChain(chain, databaseUrl);
  });
  after(async function () {
    await follower?.stop();
    await chain?.close();
    await db?.stop();
  });

  it("keeps projects, milestones, orders, payrolls and reports equal to a rebuild and to ConstructionEscrow, through random sequences and reorgs", async function () {
    const { escrow } = chain.contracts;
    const escrowAddress = await escrow.getAddress();
    const { vote } = cast;
    const seed = seedOf(20261201);
    const result = await runSequence<Model>({
      chain,
      follower,
      rng: createRng(seed),
      state: { projects: [], flows: [], nextWorker: 0 },
      operations: operations(cast),
      steps: Number(process.env.GOVLEDGER_TEST_STEPS ?? 240),
      reorgChance: 0.04,
    });
    const { sql } = follower;
    const context = `seed ${seed} (GOVLEDGER_TEST_SEED to replay), steps ${JSON.stringify(result.counts)}`;

    // Scaling is exact down to one unit.
    const [{ wei }] = await sql`select indexer.scaled(123456789012345678901, 18::smallint)::text as wei`;
    expect(wei).to.equal("123.456789012345678901");

    await expectSameAsRebuild(sql);
    // escrow.wage_day (0076), kept day by day through the batches and reorgs above: the city's
    // project days summed per day and token, and not vacuously.
    const wageDays = await sql`
      select (select count(*) from escrow.wage_day where wages_paid > 0)::int as paid_days,
             (select count(*)::int from (
                select day, token, wages_paid, wages_owed from escrow.wage_day
                except
                select d.day, p.token, sum(d.wages_paid_from_wage_account + d.wages_paid_from_guarantee), sum(d.wages_owed)
                from escrow.project_day d join escrow.project p using (project_id) group by 1, 2) x) as differing,
             (select count(*) from escrow.wage_day)::int - (select count(distinct (d.day, p.token))::int
                from escrow.project_day d join escrow.project p using (project_id)) as extra`;
    expect(wageDays[0].paid_days, `${context}: days with wages paid`).to.be.greaterThan(0);
    expect([wageDays[0].differing, wageDays[0].extra], `${context}: escrow.wage_day`).to.deep.equal([0, 0]);
    // escrow.department_project (0096), kept project by project through the batches and reorgs
    // above: exactly the parts escrow.project's columns and the supervisor's registrations give
    // (the policies' rule before 0096), and not vacuously (a replaced party among them).
    const parts = await sql`
      with rule as (
        select x.department_id, p.project_id from escrow.project p
        cross join lateral (values (p.bureau_id), (p.bank_id), (p.regulator_id)) x (department_id)
        where x.department_id is not null
        union
        select r.department_id, p.project_id from escrow.project p
        join gov.participant_registered r on r.participant_id = p.supervisor_id)
      select (select count(*) from escrow.department_project)::int as kept,
             (select count(*) from (select * from escrow.department_project except select * from rule) x)::int as extra,
             (select count(*) from (select * from rule except select * from escrow.department_project) x)::int as missing,
             (select count(*) from escrow.department_project d join escrow.project_party_replaced r
                on r.project_id = d.project_id and r.new_party = d.department_id)::int as replaced`;
    expect(parts[0].kept, `${context}: department projects`).to.be.greaterThan(0);
    expect(parts[0].replaced, `${context}: a replaced party's project`).to.be.greaterThan(0);
    expect([parts[0].extra, parts[0].missing], `${context}: escrow.department_project`).to.deep.equal([0, 0]);
    await checkAgainstContracts(sql, chain, result.state, cast);
    await checkReports(sql, result.state);

    // The situations that matter must have happened, or the comparisons prove little.
    const [coverage] = await sql`
      select
        (select count(*) from escrow.projects where closed_at is not null)::int as closed,
        (select count(*) from escrow.projects where state = 'Settled')::int as settled,
        (select count(*) from escrow.projects where state <> 'Open' and wage_credited > wages_paid)::int as refunded_wages,
        (select count(*) from escrow.payrolls where state = 'Cancelled')::int as cancelled,
        (select count(*) from escrow.payrolls where state = 'Approved')::int +
          (select count(*) from escrow.payrolls where approved_at < paid_at)::int as owed,
        (select count(*) from escrow.payrolls where from_guarantee > 0)::int as drawn,
        (select count(*) from escrow.milestones where rejections > 0)::int as rejected,
        (select count(*) from escrow.milestones where state = 'Released')::int as released,
        (select count(*) from escrow.payment_orders where state = 'Paid')::int as ordered_paid,
        (select count(*) from escrow.subcontractors where not registered)::int as removed,
        (select count(*) from raw.failed_transactions)::int as failed,
        (select count(*) from escrow.project_party_replaced)::int as replaced,
        (select count(*) from escrow.project where bank_id <> decode(substr(terms ->> 'bank', 3), 'hex')
           or regulator_id <> decode(substr(terms ->> 'regulator', 3), 'hex')
           or human_resources_id <> decode(substr(terms ->> 'humanResources', 3), 'hex'))::int as handed_over,
        -- The departments given a part acted on it.
        (select count(*) from escrow.payroll_approved where bank = ${Buffer.from(BANK2_ID.slice(2), "hex")})::int +
          (select count(*) from escrow.project_frozen where department_id = ${Buffer.from(CONS2_ID.slice(2), "hex")})::int +
          (select count(*) from escrow.project_closed where department_id = ${Buffer.from(CONS2_ID.slice(2), "hex")})::int
          as new_party_acted`;
    expect(result.reorgs, context).to.be.greaterThan(2);
    if (process.env.GOVLEDGER_TEST_VERBOSE) console.log(context, coverage);
    const missed = Object.entries(coverage).filter(([, count]) => count === 0);
    expect(missed, `${context}: situations reached ${JSON.stringify(coverage)}`).to.deep.equal([]);

    // A replacement on a fork: indexed, then gone with the fork (the state columns back to the
    // previous bank, the event row gone), whatever the random sequence did.
    const open = result.state.projects.find((p) => p.state === "Open");
    expect(open, `${context}: an open project is left`).to.not.equal(undefined);
    const bankOf = async () =>
      (await sql`select '0x' || encode(bank_id, 'hex') as bank from escrow.project where project_id = ${open!.id}`)[0]
        .bank as string;
    const replacedRows = async () =>
      (await sql`select count(*)::int as n from escrow.project_party_replaced where project_id = ${open!.id}`)[0]
        .n as number;
    const [bankBefore, rowsBefore] = [await bankOf(), await replacedRows()];
    expect(bankBefore).to.equal(open!.bank.toLowerCase());
    const next = open!.bank === BANK_ID ? BANK2_ID : BANK_ID;
    const snapshot = await chain.provider.request({ method: "evm_snapshot" });
    const data = escrow.interface.encodeFunctionData("replaceParty", [open!.id, 0, next]);
    expect(await vote(chain, [{ target: escrowAddress, data }], [])).to.equal(true);
    await follower.synced();
    expect(await bankOf(), "the replacement indexed").to.equal(next.toLowerCase());
    expect(await replacedRows()).to.equal(rowsBefore + 1);
    await chain.provider.request({ method: "evm_revert", params: [snapshot] });
    for (let i = 0; i < 12; i++) await chain.provider.request({ method: "evm_mine" });
    await follower.synced();
    expect(await bankOf(), "the replacement rolled back").to.equal(bankBefore);
    expect(await replacedRows()).to.equal(rowsBefore);
    expect((await escrow.getProject(open!.id)).bank.toLowerCase()).to.equal(bankBefore);
    await expectSameAsRebuild(sql);

    // The check catches the defect: a wage account kept after closeProject refunded it.
    const [closed] =
      await sql`select project_id from escrow.project where state <> 'Open' and wage_credited > wages_paid limit 1`;
    await sql`update escrow.project set wage_balance = wage_credited - wages_paid where project_id = ${closed.project_id}`;
    const caught = await checkAgainstContracts(sql, chain, result.state, cast).then(
      () => false,
      () => true,
    );
    expect(caught, "a wage account kept after closing is caught").to.equal(true);
    await sql`select indexer.rebuild_read_models()`;
    await checkAgainstContracts(sql, chain, result.state, cast);
  });

  it("hands a closed project's late wage claims to a new bank and human-resources department", async function () {
    // replaceParty takes a closed project too (its late wage claims need a bank and a
    // human-resources department that still exist) and refuses a settled one. The party columns,
    // who sees the project and its ledger follow the vote and the new departments' decisions.
    const { escrow, settlementToken } = chain.contracts;
    const escrowAddress = await escrow.getAddress();
    const { sql } = follower;
    const failed: FailedSend[] = [];
    const send = async (signer: Signer, method: string, args: unknown[]) => {
      const sent = await attempt(chain, escrow, signer, method, args, failed);
      expect(sent.ok, `${method}: ${sent.error}`).to.equal(true);
      return sent;
    };
    const refusal = async (signer: Signer, method: string, args: unknown[]) =>
      (await attempt(chain, escrow, signer, method, args, failed)).error;
    const flows: Flow[] = [];
    const flow = (sent: Attempt, money: Omit<Flow, "project" | "day">) =>
      flows.push({ project: project.id, day: localDay(sent.blockTime), ...money });

    const milestone = { amount: 40_000n * UNIT, dueDate: 1_800_000_000, descriptionHash: id("closed-handover:m") };
    const workers = [0, 1].map((i) => new Wallet(id(`readmodel-closed-worker:${i}`)).address);
    const onTime: ModelPayroll = { workers, amounts: [2_000n * UNIT, 3_000n * UNIT], total: 5_000n * UNIT, state: "" };
    const late: ModelPayroll = { workers, amounts: [3_000n * UNIT, 4_000n * UNIT], total: 7_000n * UNIT, state: "" };
    const project = openProject({
      id: 0,
      budget: milestone.amount,
      bps: 2_500n,
      guaranteeAmount: 10_000n * UNIT,
      holding: 86_400,
      milestones: [{ amount: milestone.amount, state: "Pending" }],
      workers,
      subcontractors: [],
    });
    const terms = {
      ...cast.ids,
      bank: BANK_ID,
      regulator: CONS_ID,
      humanResources: HRSS_ID,
      token: await settlementToken.getAddress(),
      budget: project.budget,
      labourShareBps: project.bps,
      guaranteeAmount: project.guaranteeAmount,
      guaranteeHoldingPeriod: project.holding,
      contractHash: id("readmodel:closed-handover"),
    };
    const created = await send(cast.cons, "createProject", [terms, [milestone], []]);
    project.id = Number(await escrow.projectCount({ blockTag: created.blockNumber }));
    flow(await send(cast.developer, "fund", [project.id, project.budget]), { funded: project.budget });
    flow(await send(cast.contractor, "depositGuarantee", [project.id, project.guaranteeAmount]), {
      deposited: project.guaranteeAmount,
    });
    await send(cast.contractor, "registerWorkers", [project.id, workers, workers.map((w) => id(`identity:${w}`))]);
    await send(cast.contractor, "submitMilestone", [project.id, 0, id("closed-handover:evidence")]);
    const toWages = ceilShare(milestone.amount, project.bps);
    flow(await send(cast.supervisor, "approveMilestone", [project.id, 0]), {
      toWages,
      toPayable: milestone.amount - toWages,
    });
    project.milestones[0].state = "Released";
    const submit = async (payroll: ModelPayroll, period: number) => {
      await send(cast.contractor, "submitPayroll", [
        project.id,
        period,
        id(`closed-handover:payroll:${period}`),
        payroll.workers,
        payroll.amounts,
      ]);
      payroll.state = "Submitted";
      project.payrolls.push(payroll);
      return [project.id, project.payrolls.length, payroll.workers, payroll.amounts];
    };
    // On time: the old bank approves and the wage account pays at once.
    const onTimeArgs = await submit(onTime, 202_601);
    flow(await send(cast.bank, "approvePayroll", onTimeArgs), { approved: onTime.total, fromWage: onTime.total });
    onTime.state = "Paid";
    // Closed: the wage account's rest and the payable balance go back to the developer.
    flow(await send(cast.cons, "closeProject", [project.id]), { refunded: milestone.amount - onTime.total });
    project.state = "Closed";

    // A late claim, indexed first (so the replacement comes in a batch of its own, not with the
    // project's creation); then one vote hands the bank's part to BANK2 and human resources' to CONS2.
    const parts = async () =>
      (
        await sql`select state, bank_code, regulator_code, human_resources_code
          from escrow.projects where project_id = ${project.id}`
      )[0];
    const lateArgs = await submit(late, 202_602);
    await follower.synced();
    expect((await parts()).state, "closed").to.equal("Closed");
    const replace = (party: number, next: string) => ({
      target: escrowAddress,
      data: escrow.interface.encodeFunctionData("replaceParty", [project.id, party, next]),
    });
    expect(await cast.vote(chain, [replace(0, BANK2_ID), replace(2, CONS2_ID)], failed), "the vote").to.equal(true);
    Object.assign(project, { bank: BANK2_ID, hr: CONS2_ID });
    await follower.synced();
    expect(await parts(), "escrow.projects after the vote").to.deep.equal({
      state: "Closed",
      bank_code: "BANK2",
      regulator_code: "CONS",
      human_resources_code: "CONS2",
    });
    const replacements = async () =>
      await sql`select indexer.code_text(previous_party) as previous, indexer.code_text(new_party) as next,
          party::int from escrow.project_party_replaced where project_id = ${project.id} order by block_number, log_index`;
    const handed = [
      { previous: "BANK", next: "BANK2", party: 0 },
      { previous: "HRSS", next: "CONS2", party: 2 },
    ];
    expect([...(await replacements())], "escrow.project_party_replaced").to.deep.equal(handed);
    // The parts escrow.department_project keeps (web.department_project_keys reads it): the new
    // bank in, the old one out; human resources is no part of it (0068: every department holding
    // HUMAN_RESOURCES sees every project's wages, and no more of a project).
    const holders = async () =>
      (
        await sql`select indexer.code_text(department_id) as code from escrow.department_project
          where project_id = ${project.id} order by 1`
      ).map((r) => r.code as string);
    expect(await holders(), "escrow.department_project after the vote").to.deep.equal(["BANK2", "CONS"]);

    // The old bank and human resources are refused; the new ones approve the claim (the closed
    // project's wage account is empty: owed) and pay it from the guarantee.
    expect(await refusal(cast.bank, "approvePayroll", lateArgs), "the old bank").to.equal("EscrowCallerNotParty");
    flow(await send(cast.departments[BANK2_ID], "approvePayroll", lateArgs), { approved: late.total });
    late.state = "Approved";
    project.owed += late.total;
    await follower.synced();
    const [owed] = await sql`select wages_owed, wage_balance from escrow.projects where project_id = ${project.id}`;
    expect([big(owed.wages_owed), big(owed.wage_balance)], "owed on a closed project").to.deep.equal([late.total, 0n]);
    expect(await refusal(cast.hrss, "drawGuarantee", lateArgs), "the old human resources").to.equal(
      "EscrowCallerNotParty",
    );
    flow(await send(cast.departments[CONS2_ID], "drawGuarantee", lateArgs), { fromGuarantee: late.total });
    late.state = "Paid";
    project.owed -= late.total;
    await follower.synced();

    const payrolls = await sql`select payroll_id::int as id, state, bank_code, paid_by_code, from_wage_account,
        from_guarantee from escrow.payrolls where project_id = ${project.id} order by payroll_id`;
    expect(
      payrolls.map((p) => ({
        ...p,
        from_wage_account: big(p.from_wage_account),
        from_guarantee: big(p.from_guarantee),
      })),
      "escrow.payrolls: who decided and paid",
    ).to.deep.equal([
      {
        id: 1,
        state: "Paid",
        bank_code: "BANK",
        paid_by_code: "BANK",
        from_wage_account: onTime.total,
        from_guarantee: 0n,
      },
      {
        id: 2,
        state: "Paid",
        bank_code: "BANK2",
        paid_by_code: "CONS2",
        from_wage_account: 0n,
        from_guarantee: late.total,
      },
    ]);
    const ledger = await escrow.getLedger(project.id);
    const [row] = await sql`select * from escrow.projects where project_id = ${project.id}`;
    const fields = [
      ["refunded", "refunded"],
      ["wage_balance", "wageBalance"],
      ["wages_paid", "wagesPaid"],
      ["wages_owed", "wagesOwed"],
      ["guarantee_balance", "guaranteeBalance"],
      ["guarantee_paid_out", "guaranteePaidOut"],
    ] as const;
    expect(Object.fromEntries(fields.map(([column, field]) => [field, big(row[column])])), "getLedger").to.deep.equal({
      ...Object.fromEntries(fields.map(([, field]) => [field, ledger[field] as bigint])),
      // Not vacuous: the contract's figures are the claim's.
      guaranteePaidOut: late.total,
      guaranteeBalance: project.guaranteeAmount - late.total,
      wagesOwed: 0n,
    });

    // Row-level security, as each department's analysts read it.
    const seen = async (code: string) => {
      const analyst = await connectAnalyst(sql, databaseUrl, code);
      try {
        const [counts] = await analyst`select
            (select count(*) from escrow.projects where project_id = ${project.id})::int as project,
            (select count(*) from web.department_project_keys where project_id = ${project.id})::int as keys,
            (select count(*) from escrow.payrolls where project_id = ${project.id})::int as payrolls`;
        return { ...counts };
      } finally {
        await analyst.end();
      }
    };
    expect(await seen("BANK2"), "the new bank").to.deep.equal({ project: 1, keys: 1, payrolls: 2 });
    expect(await seen("BANK"), "the old bank").to.deep.equal({ project: 0, keys: 0, payrolls: 0 });
    // Human resources, new and old, see the wages (as every department holding the role does).
    expect(await seen("CONS2"), "the new human resources").to.deep.equal({ project: 0, keys: 0, payrolls: 2 });
    expect(await seen("HRSS"), "the old human resources").to.deep.equal({ project: 0, keys: 0, payrolls: 2 });

    // Settled (the guarantee's rest returned): a vote to replace a party fails, nothing changes.
    await advanceTime(chain, project.holding);
    flow(await send(cast.contractor, "releaseGuarantee", [project.id]), {
      returned: project.guaranteeAmount - late.total,
    });
    project.state = "Settled";
    expect(await cast.vote(chain, [replace(1, CONS2_ID)], failed), "a vote on a settled project").to.equal(false);
    await follower.synced();
    expect((await escrow.getProject(project.id)).regulator).to.equal(CONS_ID);
    expect(await parts(), "escrow.projects once settled").to.deep.equal({
      state: "Settled",
      bank_code: "BANK2",
      regulator_code: "CONS",
      human_resources_code: "CONS2",
    });
    expect([...(await replacements())]).to.deep.equal(handed);
    expect(await holders()).to.deep.equal(["BANK2", "CONS"]);

    const model: Model = { projects: [project], flows, nextWorker: 0 };
    await checkAgainstContracts(sql, chain, model, cast);
    await checkReports(sql, model);
    await expectSameAsRebuild(sql);
  });
});
