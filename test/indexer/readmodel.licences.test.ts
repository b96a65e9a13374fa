import { expect } from "chai";
import { id, type Signer } from "ethers";
import type postgres from "postgres";

import { codeToId } from "../../deploy/lib/consortium.js";
import { licenceIdOf } from "@govledger/contracts";
import { signConsent } from "@govledger/contracts/ethers";
import { passProposal } from "../fixtures.js";
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
  type Rng,
  runSequence,
  seedOf,
} from "./readmodel.js";

const STATUSES = ["None", "Pending", "Active", "Suspended", "Revoked", "Expired"];
const STEP_STATES = ["Locked", "Open", "Approved", "Rejected"];
const APPLICATION_STATUSES = ["None", "InProgress", "Completed", "Withdrawn"];
const OFFSET = 8 * 3600;
const HOUR = 3600;
const DAY = 24 * HOUR;

const BUSINESS_REGISTRATION = codeToId("BUSINESS_REGISTRATION");
const FIRE_SAFETY = codeToId("FIRE_SAFETY");
const RESTAURANT_OPENING = codeToId("RESTAURANT_OPENING");
const PURPOSES = [codeToId("INSPECTION"), codeToId("PERMIT_CHECK")];
/** Departments as the demo parameters set them up: who issues which type, who may use. */
const ISSUES: Record<string, string> = { SAMR: BUSINESS_REGISTRATION, FIRE: FIRE_SAFETY };
const USERS = ["SAMR", "CONS", "FIRE"];
/** RESTAURANT_OPENING's steps' departments (deploy/modules/licences.ts). */
const STEP_DEPARTMENTS = ["FIRE", "CONS", "TAX", "SAMR"];

interface ModelLicence {
  id: string;
  department: string;
  holder: number;
  deps: string[];
}

interface Model {
  licences: ModelLicence[];
  applications: number[];
  /** Consents granted: [licence, department code, purpose]. */
  consents: [string, string, string][];
  nextReference: number;
  /** What the reports must show, from the operations that succeeded: [department, unix time]. */
  issued: [string, number][];
  used: [string, number, boolean][];
  suspended: [string, number][];
  revoked: [string, number, boolean][];
  cancellations: number;
  sameBlockInvalid: number;
}

interface Cast {
  departments: Record<string, Signer>;
  holders: Signer[];
  stranger: Signer;
}

const localDay = (seconds: number) => new Date((seconds + OFFSET) * 1000).toISOString().slice(0, 10);

/** Every licence it depends on, at any depth, and itself. */
function closure(model: Model, licenceId: string): string[] {
  const licence = model.licences.find((l) => l.id === licenceId);
  return [licenceId, ...(licence?.deps ?? []).flatMap((dep) => closure(model, dep))];
}

function pickLicence(model: Model, rng: Rng): ModelLicence | undefined {
  return model.licences.length === 0 ? undefined : rng.pick(model.licences);
}

function operations(cast: Cast): Operation<Model>[] {
  const department = (code: string) => cast.departments[code];
  const issuerOf = (licence: ModelLicence, rng: Rng) =>
    rng.chance(0.9) ? licence.department : rng.pick(Object.keys(ISSUES).filter((d) => d !== licence.department));
  return [
    {
      name: "issue",
      weight: 4,
      async run({ chain, rng, state, failed }) {
        const code = rng.pick(Object.keys(ISSUES));
        // Now and then a type it is not trusted for, or a reference used before: rejected.
        const type = rng.chance(0.06) ? rng.pick(Object.values(ISSUES)) : ISSUES[code];
        const number = rng.chance(0.05) && state.nextReference > 1 ? rng.int(state.nextReference) : state.nextReference;
        const reference = id(`readmodel-licence:${number}`);
        const holder = rng.int(cast.holders.length);
        const deps = rng.chance(0.4) && state.licences.length > 0 ? [rng.pick(state.licences).id] : [];
        if (deps.length > 0 && rng.chance(0.3)) {
          const other = rng.pick(state.licences).id;
          if (!deps.includes(other)) deps.push(other);
        }
        const { timestamp } = await headBlock(chain);
        // Mostly now and by default; some start later (Pending), some run out within days (Expired).
        const from = rng.chance(0.15) ? timestamp + BigInt(2 * HOUR + rng.int(30 * HOUR)) : 0n;
        const until = rng.chance(0.3) ? (from === 0n ? timestamp : from) + BigInt(DAY + rng.int(4 * DAY)) : 0n;
        const result = await attempt(
          chain,
          chain.contracts.licenceRegistry,
          department(code),
          "issue",
          [reference, type, await cast.holders[holder].getAddress(), id(`document:${number}`), from, until, deps],
          failed,
        );
        if (!result.ok) return;
        state.nextReference++;
        state.licences.push({ id: licenceIdOf(codeToId(code), reference), department: code, holder, deps });
        state.issued.push([code, Number(result.blockTime)]);
      },
    },
    {
      name: "renew",
      weight: 1.5,
      async run({ chain, rng, state, failed }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        const { timestamp } = await headBlock(chain);
        const until = rng.chance(0.5) ? 0n : timestamp + BigInt(DAY + rng.int(6 * DAY));
        await attempt(
          chain,
          chain.contracts.licenceRegistry,
          department(issuerOf(licence, rng)),
          "renew",
          [licence.id, id(`renewal:${rng.next()}`), until],
          failed,
        );
      },
    },
    {
      name: "suspend",
      weight: 2,
      async run({ chain, rng, state, failed }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        const issuer = issuerOf(licence, rng);
        const result = await attempt(
          chain,
          chain.contracts.licenceRegistry,
          department(issuer),
          "suspend",
          [licence.id, codeToId("INSPECTION_FAILED")],
          failed,
        );
        if (result.ok) state.suspended.push([licence.department, Number(result.blockTime)]);
      },
    },
    {
      name: "reinstate",
      weight: 2,
      async run({ chain, rng, state, failed }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        await attempt(
          chain,
          chain.contracts.licenceRegistry,
          department(issuerOf(licence, rng)),
          "reinstate",
          [licence.id],
          failed,
        );
      },
    },
    {
      name: "revoke",
      weight: 0.6,
      async run({ chain, rng, state, failed }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        const result = await attempt(
          chain,
          chain.contracts.licenceRegistry,
          department(issuerOf(licence, rng)),
          "revoke",
          [licence.id, codeToId("FRAUD")],
          failed,
        );
        if (result.ok) state.revoked.push([licence.department, Number(result.blockTime), false]);
      },
    },
    {
      name: "revokeByConsortium",
      weight: 0.4,
      async run({ chain, rng, state }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        const registry = chain.contracts.licenceRegistry;
        if ((await registry.statusOf(licence.id)) === 4n) return;
        const data = registry.interface.encodeFunctionData("revokeByConsortium", [licence.id, codeToId("VOTE")]);
        const receipt = await (await passProposal(chain, [{ target: await registry.getAddress(), data }])).wait();
        const { timestamp } = (await chain.provider.request({
          method: "eth_getBlockByNumber",
          params: [`0x${receipt!.blockNumber.toString(16)}`, false],
        })) as { timestamp: string };
        state.revoked.push([licence.department, Number(timestamp), true]);
      },
    },
    {
      name: "grantConsent",
      weight: 3,
      async run({ chain, rng, state, failed }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        const { timestamp } = await headBlock(chain);
        const holder = rng.chance(0.9) ? cast.holders[licence.holder] : cast.stranger;
        const [user, purpose] = [rng.pick(USERS), rng.pick(PURPOSES)];
        const result = await attempt(
          chain,
          chain.contracts.licenceRegistry,
          holder,
          "grantConsent",
          [licence.id, codeToId(user), purpose, timestamp + BigInt(HOUR + rng.int(3 * DAY))],
          failed,
        );
        if (result.ok) state.consents.push([licence.id, user, purpose]);
      },
    },
    {
      name: "grantConsentBySig",
      weight: 1,
      async run({ chain, rng, state, failed }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        const registry = chain.contracts.licenceRegistry;
        const holder = cast.holders[licence.holder];
        const user = rng.pick(USERS);
        const { timestamp } = await headBlock(chain);
        const until = timestamp + BigInt(HOUR + rng.int(3 * DAY));
        const deadline = timestamp + BigInt(DAY);
        const current = await registry.nonces(await holder.getAddress());
        // Now and then a nonce already used: rejected.
        const nonce = rng.chance(0.1) && current > 0n ? current - 1n : current;
        const purpose = rng.pick(PURPOSES);
        const signature = await signConsent(holder, registry, {
          licenceId: licence.id,
          departmentId: codeToId(user),
          purpose,
          until,
          nonce,
          deadline,
        });
        const result = await attempt(
          chain,
          registry,
          department(user),
          "grantConsentBySig",
          [licence.id, purpose, until, nonce, deadline, signature],
          failed,
        );
        if (result.ok) state.consents.push([licence.id, user, purpose]);
      },
    },
    {
      name: "withdrawConsent",
      weight: 1.2,
      async run({ chain, rng, state, failed }) {
        // Mostly one granted before (live or run out), otherwise any: rejected without a live one.
        const [licenceId, user, purpose] =
          state.consents.length > 0 && rng.chance(0.85)
            ? rng.pick(state.consents)
            : [pickLicence(state, rng)?.id, rng.pick(USERS), rng.pick(PURPOSES)];
        const licence = state.licences.find((l) => l.id === licenceId);
        if (!licence) return;
        await attempt(
          chain,
          chain.contracts.licenceRegistry,
          cast.holders[licence.holder],
          "withdrawConsent",
          [licence.id, codeToId(user), purpose],
          failed,
        );
      },
    },
    {
      name: "cancelSignedConsents",
      weight: 0.4,
      async run({ chain, rng, state, failed }) {
        const result = await attempt(
          chain,
          chain.contracts.licenceRegistry,
          rng.pick(cast.holders),
          "cancelSignedConsents",
          [],
          failed,
        );
        if (result.ok) state.cancellations++;
      },
    },
    {
      name: "use",
      weight: 6,
      async run({ chain, rng, state, failed }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        const user = rng.pick(USERS);
        const result = await attempt(
          chain,
          chain.contracts.licenceRegistry,
          department(user),
          "use",
          [licence.id, rng.pick(PURPOSES)],
          failed,
        );
        if (result.ok) state.used.push([user, Number(result.blockTime), true]);
      },
    },
    {
      // A use and a suspension of the licence or of one it depends on in the same block, after
      // it: the use went through, yet isValidAt(licence, its time) is false. The regulator's check.
      name: "useThenSuspend",
      weight: 0.8,
      async run({ chain, rng, state }) {
        const licence = pickLicence(state, rng);
        if (!licence) return;
        const target = rng.pick(closure(state, licence.id));
        const targetLicence = state.licences.find((l) => l.id === target)!;
        const registry = chain.contracts.licenceRegistry;
        const user = rng.pick(USERS);
        const gasLimit = 500_000n;
        await chain.provider.request({ method: "evm_setAutomine", params: [false] });
        let sent;
        try {
          const useTx = await registry.connect(department(user)).use(licence.id, rng.pick(PURPOSES), { gasLimit });
          const suspendTx = await registry
            .connect(department(targetLicence.department))
            .suspend(target, codeToId("SAME_BLOCK"), { gasLimit });
          sent = [useTx.hash, suspendTx.hash];
          await chain.provider.request({ method: "evm_mine" });
        } finally {
          await chain.provider.request({ method: "evm_setAutomine", params: [true] });
        }
        const receipts = (await Promise.all(
          sent.map((hash) => chain.provider.request({ method: "eth_getTransactionReceipt", params: [hash] })),
        )) as { status: string; blockNumber: string }[];
        expect(receipts[0].blockNumber).to.equal(receipts[1].blockNumber);
        const { timestamp } = (await chain.provider.request({
          method: "eth_getBlockByNumber",
          params: [receipts[0].blockNumber, false],
        })) as { timestamp: string };
        const [used, suspended] = receipts.map((receipt) => receipt.status === "0x1");
        if (suspended) state.suspended.push([targetLicence.department, Number(timestamp)]);
        if (used) {
          state.used.push([user, Number(timestamp), !suspended]);
          if (suspended) state.sameBlockInvalid++;
        }
      },
    },
    {
      name: "submitApplication",
      weight: 1,
      async run({ chain, rng, state, failed }) {
        const applicant = rng.int(cast.holders.length);
        const own = state.licences.filter((l) => l.holder === applicant);
        // Mostly its own licences as dependencies; now and then another holder's: rejected.
        const deps =
          rng.chance(0.5) && own.length > 0
            ? [rng.pick(own).id]
            : rng.chance(0.15) && state.licences.length > 0
              ? [rng.pick(state.licences).id]
              : [];
        const approvals = chain.contracts.jointApprovals;
        const result = await attempt(
          chain,
          approvals,
          cast.holders[applicant],
          "submitApplication",
          [RESTAURANT_OPENING, id(`dossier:${rng.next()}`), deps],
          failed,
        );
        if (result.ok) state.applications.push(Number(await approvals.applicationCount()));
      },
    },
    {
      name: "decideStep",
      weight: 4,
      async run({ chain, rng, state, failed }) {
        if (state.applications.length === 0) return;
        const approvals = chain.contracts.jointApprovals;
        // Mostly one in progress, so that applications get completed.
        const inProgress: number[] = [];
        for (const candidate of state.applications.slice(-6)) {
          if ((await approvals.getApplication(candidate)).status === 1n) inProgress.push(candidate);
        }
        const applicationId =
          inProgress.length > 0 && rng.chance(0.9) ? rng.pick(inProgress) : rng.pick(state.applications);
        const application = await approvals.getApplication(applicationId);
        const open = [0, 1, 2, 3].filter((step) => (Number(application.open) >> step) & 1);
        const step = open.length > 0 && rng.chance(0.85) ? rng.pick(open) : rng.int(4);
        const owner = rng.chance(0.9) ? STEP_DEPARTMENTS[step] : rng.pick(STEP_DEPARTMENTS);
        const approve = rng.chance(0.88);
        const result = await attempt(
          chain,
          approvals,
          department(owner),
          approve ? "approveStep" : "rejectStep",
          [applicationId, step, id(`result:${rng.next()}`)],
          failed,
        );
        if (!result.ok) return;
        const after = await approvals.getApplication(applicationId);
        if (after.status === 2n) {
          const holder = cast.holders.findIndex(
            (h) => (h as unknown as { address: string }).address === after.applicant,
          );
          state.licences.push({ id: after.licenceId, department: "SAMR", holder, deps: [...after.dependsOn] });
          state.issued.push(["SAMR", Number(result.blockTime)]);
        }
      },
    },
    {
      name: "resubmitOrWithdraw",
      weight: 1.5,
      async run({ chain, rng, state, failed }) {
        if (state.applications.length === 0) return;
        const approvals = chain.contracts.jointApprovals;
        // Mostly one waiting for a resubmission.
        const waiting: number[] = [];
        for (const candidate of state.applications.slice(-6)) {
          const application = await approvals.getApplication(candidate);
          if (application.status === 1n && application.rejected !== 0n) waiting.push(candidate);
        }
        const applicationId = waiting.length > 0 && rng.chance(0.9) ? rng.pick(waiting) : rng.pick(state.applications);
        const application = await approvals.getApplication(applicationId);
        const applicant = cast.holders.find(
          (h) => (h as unknown as { address: string }).address === application.applicant,
        )!;
        const signer = rng.chance(0.9) ? applicant : cast.stranger;
        if (rng.chance(0.15)) {
          await attempt(chain, approvals, signer, "withdrawApplication", [applicationId], failed);
          return;
        }
        const rejected = [0, 1, 2, 3].filter((step) => (Number(application.rejected) >> step) & 1);
        const step = rejected.length > 0 ? rng.pick(rejected) : rng.int(4);
        await attempt(chain, approvals, signer, "resubmitStep", [applicationId, step, id(`fix:${rng.next()}`)], failed);
      },
    },
    {
      name: "time",
      weight: 1.5,
      async run({ chain, rng }) {
        // Hours (consents, pending starts) and now and then days (short windows run out).
        await advanceTime(chain, rng.chance(0.3) ? DAY + rng.int(3 * DAY) : HOUR * (1 + rng.int(12)));
      },
    },
  ];
}

const seconds = (value: Date | null) => (value === null ? 0n : BigInt(value.getTime() / 1000));

/** Every licence, suspension, consent, use, application and template against the contracts' views. */
async function checkAgainstContracts(sql: postgres.Sql, chain: Chain) {
  const { licenceRegistry: registry, jointApprovals: approvals } = chain.contracts;
  const { number: head } = await headBlock(chain);
  const at = { blockTag: Number(head) };

  const licences = await sql`select * from licences.licences order by licence_id`;
  const [{ n: issued }] = await sql`select count(*)::int as n from licences.licence_issued`;
  expect(licences.length, "one row per licence issued").to.equal(issued);
  for (const row of licences) {
    const licenceId = hex(row.licence_id)!;
    const where = `licence ${licenceId}`;
    const record = await registry.getLicence(licenceId, at);
    expect(
      {
        typeId: hex(row.type_id),
        issuer: hex(row.issuer),
        department: hex(row.department_id),
        holder: hex(row.holder),
        documentHash: hex(row.document_hash),
        validFrom: seconds(row.valid_from_at),
        validUntil: seconds(row.valid_until_at),
        version: BigInt(row.version),
        status: row.status,
        revokedAt: seconds(row.revoked_at),
        dependsOn: row.dependency_ids.map((d: Buffer) => hex(d)),
        valid: row.valid,
      },
      where,
    ).to.deep.equal({
      typeId: record.typeId,
      issuer: record.issuer,
      department: record.issuer,
      holder: record.holder.toLowerCase(),
      documentHash: record.documentHash,
      validFrom: record.validFrom,
      validUntil: record.validUntil,
      version: record.version,
      status: STATUSES[Number(record.status)],
      revokedAt: record.revokedAt,
      dependsOn: [...record.dependsOn],
      valid: await registry.isValid(licenceId, at),
    });
    const suspensions =
      await sql`select * from licences.suspensions where licence_id = ${row.licence_id} order by number`;
    expect(
      suspensions.map((s) => [seconds(s.started_at), seconds(s.ended_at)]),
      `${where} suspensions`,
    ).to.deep.equal((await registry.suspensions(licenceId, at)).map((s) => [s.start, s.end]));
    const versions =
      await sql`select * from licences.licence_versions where licence_id = ${row.licence_id} order by version`;
    expect(versions.length, `${where} versions`).to.equal(Number(record.version));
    for (const version of versions) {
      const window = await registry.versionWindow(licenceId, version.version, at);
      expect(
        [seconds(version.valid_from_at), seconds(version.valid_until_at), seconds(version.superseded_at)],
        `${where} version ${version.version}`,
      ).to.deep.equal([window.validFrom, window.validUntil, window.supersededAt]);
    }
  }

  const consents = await sql`select * from licences.consents`;
  for (const row of consents) {
    const key = [hex(row.licence_id)!, hex(row.department_id)!, hex(row.purpose)!] as const;
    expect(
      { until: row.until === null ? 0n : BigInt(row.until), live: row.state === "Live" },
      `consent ${key.join(" ")}`,
    ).to.deep.equal({
      until: await registry.consentUntil(...key, at),
      live: await registry.hasConsent(...key, at),
    });
  }

  const uses = await sql`select u.*, t.consent_required from licences.licence_uses u
    join licences.licences l using (licence_id)
    left join lateral (select consent_required from licences.licence_type_set s where s.type_id = l.type_id
      order by block_number desc limit 1) t on true`;
  const [{ n: used }] = await sql`select count(*)::int as n from licences.licence_used`;
  expect(uses.length, "one row per use").to.equal(used);
  for (const row of uses) {
    const where = `use ${hex(row.tx_hash)} of ${hex(row.licence_id)}`;
    expect(row.valid_at_use, `${where}: isValidAt`).to.equal(
      await registry.isValidAt(hex(row.licence_id)!, seconds(row.used_at), at),
    );
    // The contract let the use through only with a consent in force, where the type asks for one.
    if (row.consent_required) expect(row.consent_in_force, `${where}: consent`).to.equal(true);
    if (row.consent_in_force) {
      const [grant] = await sql`select * from licences.consent_granted
        where block_number = ${row.consent_block} and log_index = ${row.consent_log_index}`;
      expect(
        [hex(grant.licence_id), hex(grant.department_id), hex(grant.purpose), BigInt(grant.until)],
        `${where}: the grant it relied on`,
      ).to.deep.equal([hex(row.licence_id), hex(row.department_id), hex(row.purpose), seconds(row.consent_until)]);
      expect(row.consent_until > row.used_at, where).to.equal(true);
    }
  }

  const applications = await sql`select * from licences.applications order by application_id`;
  expect(applications.length, "one row per application").to.equal(Number(await approvals.applicationCount(at)));
  for (const row of applications) {
    const application = await approvals.getApplication(row.application_id, at);
    const where = `application ${row.application_id}`;
    expect(
      {
        templateId: hex(row.template_id),
        applicant: hex(row.applicant),
        status: row.status,
        approved: BigInt(row.approved),
        open: BigInt(row.open),
        rejected: BigInt(row.rejected),
        dependsOn: row.depends_on.map((d: Buffer) => hex(d)),
      },
      where,
    ).to.deep.equal({
      templateId: application.templateId,
      applicant: application.applicant.toLowerCase(),
      status: APPLICATION_STATUSES[Number(application.status)],
      approved: application.approved,
      open: application.open,
      rejected: application.rejected,
      dependsOn: [...application.dependsOn],
    });
    // The id of an application's licence is known on chain before it is issued; here once issued.
    expect(hex(row.licence_id), `${where} licence`).to.equal(row.status === "Completed" ? application.licenceId : null);
    const steps = await sql`select * from licences.application_steps where application_id = ${row.application_id}
      order by step`;
    const template = await approvals.getTemplate(row.template_id, at);
    expect(steps.length, `${where} steps`).to.equal(template.steps.length);
    for (const step of steps) {
      expect(step.state, `${where} step ${step.step}`).to.equal(
        STEP_STATES[Number(await approvals.stepState(row.application_id, step.step, at))],
      );
      expect(hex(step.department_id)).to.equal(template.steps[Number(step.step)].departmentId);
    }
  }
  const templates = await sql`select * from licences.templates`;
  expect(templates.length).to.be.greaterThan(0);
  for (const row of templates) {
    const template = await approvals.getTemplate(hex(row.template_id)!, at);
    expect([hex(row.licence_type), hex(row.department_id), row.licence_step, row.active, row.step_count]).to.deep.equal(
      [template.licenceType, template.issuer, Number(template.licenceStep), template.active, template.steps.length],
    );
  }
}

type Counts = Record<string, { issued: number; used: number; notValid: number; suspended: number; revoked: number }>;

async function reportCounts(sql: postgres.Sql): Promise<Counts> {
  const rows = await sql`select * from report.licences_per_department_day`;
  const counts: Counts = {};
  for (const row of rows) {
    counts[`${row.department_code}|${row.day.toISOString().slice(0, 10)}`] = {
      issued: Number(row.issued),
      used: Number(row.used),
      notValid: Number(row.used_not_valid),
      suspended: Number(row.suspended),
      revoked: Number(row.revoked),
    };
  }
  return counts;
}

/** The reports against the demo's rows (read before the sequence) plus the sequence's own operations. */
async function checkReports(sql: postgres.Sql, model: Model, before: Counts) {
  const expected: Counts = structuredClone(before);
  const entry = (department: string, time: number) => {
    const key = `${department}|${localDay(time)}`;
    expected[key] ??= { issued: 0, used: 0, notValid: 0, suspended: 0, revoked: 0 };
    return expected[key];
  };
  for (const [department, time] of model.issued) entry(department, time).issued++;
  for (const [department, time, valid] of model.used) {
    entry(department, time).used++;
    if (!valid) entry(department, time).notValid++;
  }
  for (const [department, time] of model.suspended) entry(department, time).suspended++;
  for (const [department, time] of model.revoked) entry(department, time).revoked++;
  expect(await reportCounts(sql), "report.licences_per_department_day").to.deep.equal(expected);

  const totals = await sql`select * from report.licences_per_department order by department_id`;
  for (const row of totals) {
    const [sums] = await sql`select sum(issued)::int as issued, sum(used)::int as used, sum(revoked)::int as revoked,
      sum(suspended)::int as suspended from licences.department_day where department_id = ${row.department_id}`;
    expect([row.issued, row.used, row.revoked, row.suspended].map(Number)).to.deep.equal([
      sums.issued,
      sums.used,
      sums.revoked,
      sums.suspended,
    ]);
  }
  const [{ n: consortium }] =
    await sql`select coalesce(sum(revoked_by_consortium), 0)::int as n from report.licences_per_department`;
  expect(consortium).to.equal(model.revoked.filter(([, , vote]) => vote).length);
  // Counts per status, kept by difference as time passes, against the licences (checked against getLicence).
  const perStatus = await sql`select encode(department_id, 'hex') as d, encode(type_id, 'hex') as t, status,
    licences::int as n from report.licences_per_status order by 1, 2, 3`;
  const counted = await sql`select encode(department_id, 'hex') as d, encode(type_id, 'hex') as t, status,
    count(*)::int as n from licences.licences group by 1, 2, 3 order by 1, 2, 3`;
  expect(perStatus, "report.licences_per_status").to.deep.equal(counted);
  const [{ n: notValid }] = await sql`select count(*)::int as n from report.licence_uses_not_valid`;
  expect(notValid, "report.licence_uses_not_valid").to.equal(model.sameBlockInvalid);
  const [{ n: cancelled }] = await sql`select count(*)::int as n from licences.cancelled_signed_consents`;
  expect(cancelled).to.equal(model.cancellations + 1); // the demo cancels one
  await checkConsentsPerState(sql);
}

/**
 * report.consents_per_state (counts per expiry day, today's split by time) against the consents
 * (checked against consentUntil): at the chain's time, and at times either side of expiries, each
 * set by a block appended in a transaction that is rolled back, so that some expiries fall on
 * today's day, before it and after it.
 */
async function checkConsentsPerState(sql: postgres.Sql) {
  const compare = async (tx: postgres.Sql | postgres.TransactionSql, where: string) => {
    const reported = await tx`select encode(department_id, 'hex') as d, state, consents::int as n
      from report.consents_per_state order by 1, 2`;
    const counted = await tx`select encode(department_id, 'hex') as d, state, count(*)::int as n
      from licences.consents group by 1, 2 order by 1, 2`;
    expect(reported, `report.consents_per_state ${where}`).to.deep.equal(counted);
  };
  await compare(sql, "at the chain's time");
  const untils = await sql`select distinct until from licences.consent where not withdrawn order by until`;
  expect(untils.length).to.be.greaterThan(2);
  const picked = [untils[0], untils[Math.floor(untils.length / 2)], untils[untils.length - 1]].map(
    (r) => r.until as Date,
  );
  await sql
    .begin(async (tx) => {
      for (const until of picked) {
        for (const offsetMs of [-1000, 0, 1000]) {
          const at = new Date(until.getTime() + offsetMs);
          await tx`insert into raw.blocks (block_number, hash, parent_hash, block_time, event_count)
            select max(block_number) + 1, '\\x00', '\\x00', ${at}, 0 from raw.blocks`;
          await compare(tx, `at ${at.toISOString()}`);
        }
      }
      throw new RollBack();
    })
    .catch((error) => {
      if (!(error instanceof RollBack)) throw error;
    });
}

class RollBack extends Error {}

describe("indexer: licence read model", function () {
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

  it("keeps licences, consents, uses, applications and reports equal to a rebuild and to the contracts, through random sequences and reorgs", async function () {
    const { accounts } = chain;
    const cast: Cast = {
      departments: { SAMR: accounts.samr, FIRE: accounts.fire, CONS: accounts.cons, TAX: accounts.tax },
      holders: accounts.enterprises.slice(0, 4) as Signer[],
      stranger: accounts.stranger,
    };
    follower = await followChain(chain, await db.create());
    await follower.synced();
    const before = await reportCounts(follower.sql);

    const seed = seedOf(20261201);
    const result = await runSequence<Model>({
      chain,
      follower,
      rng: createRng(seed),
      state: {
        licences: [],
        applications: [],
        consents: [],
        nextReference: 1,
        issued: [],
        used: [],
        suspended: [],
        revoked: [],
        cancellations: 0,
        sameBlockInvalid: 0,
      },
      operations: operations(cast),
      steps: Number(process.env.GOVLEDGER_TEST_STEPS ?? 220),
      reorgChance: 0.04,
    });
    const { sql } = follower;
    const errors: Record<string, number> = {};
    for (const f of result.failed) errors[`${f.method}:${f.error}`] = (errors[`${f.method}:${f.error}`] ?? 0) + 1;
    const context = `seed ${seed} (GOVLEDGER_TEST_SEED to replay), steps ${JSON.stringify(result.counts)}, reverted ${JSON.stringify(errors)}`;

    // The situations that matter must have happened, or the comparison proves little.
    const [coverage] = await sql`
      select
        (select count(*) from licences.licences where status = 'Suspended')::int as suspended,
        (select count(*) from licences.licences where status = 'Revoked')::int as revoked,
        (select count(*) from licences.licences where status = 'Expired')::int as expired,
        (select count(*) from licences.licences where version > 1)::int as renewed,
        (select count(*) from licences.licences where status = 'Active' and not valid)::int as invalid_by_dependency,
        (select count(*) from licences.licence_uses where not valid_at_use)::int as used_not_valid,
        (select coalesce(sum(revoked_by_consortium), 0) from report.licences_per_department)::int as by_consortium,
        (select count(*) from licences.consents where state = 'Withdrawn')::int as withdrawn,
        (select count(*) from licences.consents where state = 'Expired')::int as expired_consents,
        (select count(*) from licences.consents where by_signature)::int as signed,
        (select count(*) from licences.applications where status = 'Completed')::int as completed,
        (select count(*) from licences.application_steps where state = 'Rejected' or resubmissions > 0)::int as rejected,
        (select count(*) from raw.failed_transactions)::int as failed`;
    expect(result.reorgs, context).to.be.greaterThan(2);
    for (const [name, count] of Object.entries(coverage)) expect(count, `${context}: ${name}`).to.be.greaterThan(0);

    await expectSameAsRebuild(sql);
    // licences.issuer_use (0077), kept through the batches and reorgs above: the uses per issuer
    // and user, and not vacuously.
    const [issuerUses] = await sql`
      select (select coalesce(sum(uses), 0) from licences.issuer_use)::int as uses,
             (select count(*)::int from (
                select issuer_id, department_id, uses, uses_not_valid from licences.issuer_use
                except
                select coalesce(l.department_id, ''::bytea), u.department_id, count(*), count(*) filter (where not u.valid_at_use)
                from licences.licence_use u left join licences.licence l using (licence_id) group by 1, 2) x) as differing,
             (select count(*) from licences.licence_use)::int as all_uses`;
    expect(issuerUses.uses, `${context}: uses counted`).to.be.greaterThan(0);
    expect([issuerUses.differing, issuerUses.uses], `${context}: licences.issuer_use`).to.deep.equal([
      0,
      issuerUses.all_uses,
    ]);
    await checkAgainstContracts(sql, chain);
    await checkReports(sql, result.state, before);

    // The check does catch a wrong validity at the time of use.
    await sql`update licences.licence_use set valid_at_use = not valid_at_use
      where (used_block, used_log_index) = (select used_block, used_log_index from licences.licence_use limit 1)`;
    const caught = await checkAgainstContracts(sql, chain).then(
      () => false,
      () => true,
    );
    expect(caught, "a wrong validity at use is caught").to.equal(true);
    await sql`select indexer.rebuild_read_models()`;
    await checkAgainstContracts(sql, chain);
  });
});
