import { expect } from "chai";
import { type BaseContract, id, type Signer } from "ethers";
import type postgres from "postgres";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";
import { enums } from "@govledger/contracts";
import { type Chain, type Database, startChain, startDatabase } from "./harness.js";
import {
  advanceTime,
  attempt,
  createRng,
  expectSameAsRebuild,
  type Follower,
  followChain,
  headBlock,
  hex,
  type Operation,
  runSequence,
  seedOf,
} from "./readmodel.js";

const PROPOSAL_STATES = ["None", "Active", "Defeated", "Succeeded", "Expired", "Executed", "Cancelled"];
const PARTICIPANT_ROLES = ["INVOICE_ISSUER", "INVOICE_RECEIVER", "DEVELOPER", "CONTRACTOR", "SUPERVISOR"];

interface Model {
  participants: { id: string; registrar: number }[];
  proposals: number;
}

interface Cast {
  departments: { code: string; signer: Signer }[];
  pausable: BaseContract[];
}

function operations(chain: Chain, cast: Cast): Operation<Model>[] {
  const { registry, governor, validatorSet } = chain.contracts;
  const department = (rng: ReturnType<typeof createRng>) => rng.int(cast.departments.length);
  return [
    {
      name: "registerParticipant",
      weight: 3,
      async run({ rng, state, failed }) {
        const registrar = rng.pick([0, 2, rng.int(cast.departments.length)]);
        const reuse = rng.chance(0.1) && state.participants.length > 0;
        const pid = reuse ? rng.pick(state.participants).id : id(`gov-participant:${rng.next()}`);
        const account = `0x${id(`gov-account:${rng.next()}`).slice(26)}`;
        const result = await attempt(
          chain,
          registry,
          cast.departments[registrar].signer,
          "registerParticipant",
          [pid, account, rng.int(3)],
          failed,
        );
        if (result.ok) state.participants.push({ id: pid, registrar });
      },
    },
    {
      name: "grantParticipantRole",
      weight: 4,
      async run({ rng, state, failed }) {
        if (state.participants.length === 0) return;
        const participant = rng.pick(state.participants);
        // TAX administers the invoice roles, CONS the construction ones: others are refused.
        const granter = rng.chance(0.8) ? rng.pick([0, 2]) : department(rng);
        await attempt(
          chain,
          registry,
          cast.departments[granter].signer,
          "grantParticipantRole",
          [participant.id, ROLES[rng.pick(PARTICIPANT_ROLES)]],
          failed,
        );
      },
    },
    {
      name: "revokeParticipantRole",
      weight: 1.5,
      async run({ rng, state, failed }) {
        if (state.participants.length === 0) return;
        await attempt(
          chain,
          registry,
          cast.departments[rng.pick([0, 2])].signer,
          "revokeParticipantRole",
          [rng.pick(state.participants).id, ROLES[rng.pick(PARTICIPANT_ROLES)]],
          failed,
        );
      },
    },
    {
      name: "suspendOrReinstate",
      weight: 3,
      async run({ rng, state, failed }) {
        if (state.participants.length === 0) return;
        const participant = rng.pick(state.participants);
        const by = rng.chance(0.85) ? participant.registrar : department(rng);
        await attempt(
          chain,
          registry,
          cast.departments[by].signer,
          rng.chance(0.55) ? "suspendParticipant" : "reinstateParticipant",
          [participant.id],
          failed,
        );
      },
    },
    {
      name: "propose",
      weight: 2,
      async run({ rng, state, failed }) {
        const proposer = department(rng);
        const paused = [];
        for (const contract of cast.pausable) {
          if (await (contract as unknown as { paused(): Promise<boolean> }).paused()) paused.push(contract);
        }
        const call =
          paused.length > 0 && rng.chance(0.6)
            ? { target: await rng.pick(paused).getAddress(), data: id("unpause()").slice(0, 10) }
            : {
                target: await validatorSet.getAddress(),
                data: validatorSet.interface.encodeFunctionData("addValidator", [
                  `0x${id(`validator:${rng.next()}`).slice(26)}`,
                  codeToId(cast.departments[proposer].code),
                ]),
              };
        const result = await attempt(
          chain,
          governor,
          cast.departments[proposer].signer,
          "propose",
          [[call], `proposal ${rng.int(1000)}`],
          failed,
        );
        if (result.ok) state.proposals++;
      },
    },
    {
      name: "castVote",
      weight: 6,
      async run({ rng, state, failed }) {
        if (state.proposals === 0) return;
        const proposal = rng.chance(0.7) ? state.proposals : state.proposals - rng.int(Math.min(state.proposals, 3));
        // Mostly a department that has not voted yet, so that proposals pass now and then.
        const fresh = [];
        for (let i = 0; i < cast.departments.length; i++) {
          if (!(await governor.hasVoted(proposal, codeToId(cast.departments[i].code)))) fresh.push(i);
        }
        const voter = fresh.length > 0 && rng.chance(0.8) ? rng.pick(fresh) : department(rng);
        await attempt(
          chain,
          governor,
          cast.departments[voter].signer,
          "castVote",
          [proposal, rng.chance(0.85)],
          failed,
        );
      },
    },
    {
      name: "executeOrCancel",
      weight: 2,
      async run({ rng, state, failed }) {
        if (state.proposals === 0) return;
        // Mostly one that passed, so that executions happen.
        const succeeded = [];
        for (let candidate = Math.max(1, state.proposals - 4); candidate <= state.proposals; candidate++) {
          if ((await governor.state(candidate)) === 3n) succeeded.push(candidate);
        }
        const proposal =
          succeeded.length > 0 && rng.chance(0.8)
            ? rng.pick(succeeded)
            : state.proposals - rng.int(Math.min(state.proposals, 3));
        await attempt(
          chain,
          governor,
          cast.departments[department(rng)].signer,
          rng.chance(0.9) ? "execute" : "cancel",
          [proposal],
          failed,
        );
      },
    },
    {
      name: "pause",
      weight: 0.8,
      async run({ rng, failed }) {
        // TAX holds GUARDIAN; others are refused.
        await attempt(
          chain,
          rng.pick(cast.pausable),
          cast.departments[rng.chance(0.8) ? 0 : 3].signer,
          "pause",
          [],
          failed,
        );
      },
    },
    {
      name: "time",
      weight: 0.6,
      async run({ rng }) {
        await advanceTime(chain, 86_400 * (1 + rng.int(5)));
      },
    },
  ];
}

async function checkAgainstContracts(sql: postgres.Sql, chain: Chain, cast: Cast) {
  const { registry, governor, validatorSet, manager } = chain.contracts;
  const at = { blockTag: Number((await headBlock(chain)).number) };

  const departments = await sql`select * from gov.departments`;
  expect(departments.map((row) => hex(row.department_id)).sort()).to.deep.equal(
    [...(await registry.departmentIds(at))].sort(),
  );
  for (const row of departments) {
    const d = await registry.getDepartment(hex(row.department_id)!, at);
    expect(
      {
        name: row.name,
        kind: row.kind_name,
        active: row.active,
        operators: row.operators.map(hex).sort(),
        roles: row.roles.map(BigInt),
      },
      `department ${row.department_code}`,
    ).to.deep.equal({
      name: d.name,
      kind: enums.DepartmentKind[Number(d.kind)],
      active: d.active,
      operators: d.operators.map((a) => a.toLowerCase()).sort(),
      roles: [...d.roles].sort((a, b) => (a < b ? -1 : 1)),
    });
  }

  const participants = await sql`select * from gov.participants`;
  for (const row of participants) {
    const p = await registry.getParticipant(hex(row.participant_id)!, at);
    const held = await sql`select role_id from gov.participant_roles where participant_id = ${row.participant_id}`;
    expect(
      {
        account: hex(row.account),
        registrar: hex(row.registrar),
        kind: row.kind_name,
        active: row.active,
        roles: row.roles.map(BigInt),
        held: held.map((r) => BigInt(r.role_id)).sort((a, b) => (a < b ? -1 : 1)),
      },
      `participant ${hex(row.participant_id)}`,
    ).to.deep.equal({
      account: p.account.toLowerCase(),
      registrar: p.registrar,
      kind: enums.ParticipantKind[Number(p.kind)],
      active: p.active,
      roles: [...p.roles].sort((a, b) => (a < b ? -1 : 1)),
      held: p.active ? [...p.roles].sort((a, b) => (a < b ? -1 : 1)) : [],
    });
    for (const role of p.roles) {
      const [isMember] = await manager.hasRole(role, p.account, at);
      const [member] =
        await sql`select 1 from access.role_members where role_id = ${role.toString()} and account = ${row.account}`;
      expect({ isMember, indexed: member !== undefined }, `role ${role} of ${p.account}`).to.deep.equal({
        isMember: p.active,
        indexed: p.active,
      });
    }
  }

  for (const row of await sql`select * from access.role_members`) {
    const [isMember] = await manager.hasRole(row.role_id, hex(row.account)!, at);
    expect(isMember, `role ${row.role_name} of ${hex(row.account)}`).to.equal(true);
  }
  for (const row of await sql`select * from access.function_roles`) {
    expect(await manager.getTargetFunctionRole(hex(row.target)!, hex(row.selector)!, at)).to.equal(BigInt(row.role_id));
  }

  const validators = await sql`select validator from gov.validators`;
  expect(validators.map((row) => hex(row.validator)).sort()).to.deep.equal(
    (await validatorSet.allValidators(at)).map((a) => a.toLowerCase()).sort(),
  );
  const sealing = await sql`select validator from gov.sealing_validators`;
  expect(sealing.map((row) => hex(row.validator)).sort()).to.deep.equal(
    (await validatorSet.getValidators(at)).map((a) => a.toLowerCase()).sort(),
  );

  const proposals = await sql`select * from gov.proposals`;
  expect(proposals.length).to.equal(Number(await governor.proposalCount(at)));
  for (const row of proposals) {
    const p = await governor.getProposal(row.proposal_id, at);
    expect(
      {
        yes: BigInt(row.yes),
        no: BigInt(row.no),
        required: BigInt(row.required),
        eligible: BigInt(row.eligible),
        status: row.status,
      },
      `proposal ${row.proposal_id}`,
    ).to.deep.equal({
      yes: p.yes,
      no: p.no,
      required: p.required,
      eligible: p.eligible,
      status: PROPOSAL_STATES[Number(await governor.state(row.proposal_id, at))],
    });
  }

  const paused = new Set((await sql`select contract from gov.paused_contracts`).map((row) => hex(row.contract)));
  for (const contract of cast.pausable) {
    const address = (await contract.getAddress()).toLowerCase();
    const onChain = await (contract as unknown as { paused(o: object): Promise<boolean> }).paused(at);
    expect(paused.has(address), `${address} paused`).to.equal(onChain);
  }
}

describe("indexer: governance read model", function () {
  this.timeout(600_000);
  let db: Database;
  let chain: Chain;
  let follower: Follower;

  before(async function () {
    db = await startDatabase();
    chain = await startChain();
  });
  after(async function () {
    await follower?.stop();
    await chain?.close();
    await db?.stop();
  });

  it("keeps departments, participants and their roles, proposals, validators, role members and pauses equal to a rebuild and to the contracts", async function () {
    const a = chain.accounts;
    const cast: Cast = {
      departments: [
        { code: "TAX", signer: a.tax },
        { code: "SAMR", signer: a.samr },
        { code: "CONS", signer: a.cons },
        { code: "FIRE", signer: a.fire },
        { code: "BANK", signer: a.bank },
        { code: "HRSS", signer: a.hrss },
        { code: "AUDIT", signer: a.audit },
      ],
      pausable: [chain.contracts.invoiceLedger, chain.contracts.licenceRegistry, chain.contracts.escrow],
    };
    follower = await followChain(chain, await db.create());
    const seed = seedOf(20261201);
    const result = await runSequence<Model>({
      chain,
      follower,
      rng: createRng(seed),
      state: { participants: [], proposals: Number(await chain.contracts.governor.proposalCount()) },
      operations: operations(chain, cast),
      steps: Number(process.env.GOVLEDGER_TEST_STEPS ?? 220),
      reorgChance: 0.04,
    });
    const { sql } = follower;
    const errors: Record<string, number> = {};
    for (const send of result.failed)
      errors[`${send.method}:${send.error}`] = (errors[`${send.method}:${send.error}`] ?? 0) + 1;
    let context = `seed ${seed} (GOVLEDGER_TEST_SEED to replay), steps ${JSON.stringify(result.counts)}, reverts ${JSON.stringify(errors)}`;
    const [coverage] = await sql`
      select (select count(*) from gov.participants where not active and cardinality(roles) > 0)::int as suspended_with_roles,
             (select count(*) from gov.proposals where status = 'Executed')::int as executed,
             (select count(*) from gov.paused)::int as pauses`;
    const statuses = await sql`select status, count(*)::int as n from gov.proposals group by status`;
    context += `, proposals ${JSON.stringify(statuses)}`;
    expect(result.reorgs, context).to.be.greaterThan(2);
    expect(coverage.suspended_with_roles, `${context}: a suspended participant with roles`).to.be.greaterThan(0);
    expect(coverage.executed, `${context}: an executed proposal`).to.be.greaterThan(1);
    expect(coverage.pauses, `${context}: a pause`).to.be.greaterThan(0);

    await expectSameAsRebuild(sql);
    await checkAgainstContracts(sql, chain, cast);
  });
});
