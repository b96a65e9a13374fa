/**
 * Access matrices of LicenceRegistry and JointApprovals: every state-changing function × every
 * kind of caller, including another department with the same role that is not the licence's
 * issuer or the step's owner, a suspended department that still holds its roles in the
 * AccessManager, the holder or applicant and another enterprise (the "own party" checks).
 */
import { network } from "hardhat";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";
import { deploySystem, HRSS, SAMR } from "../fixtures.js";
import { type AccessMatrix, describeAccessMatrix } from "../helpers/accessMatrix.js";
import { suspendedDepartmentHolding } from "../helpers/consortium.js";
import {
  BUSINESS_REGISTRATION,
  DAY,
  documentHash,
  FIRE_SAFETY,
  FOOD_BUSINESS,
  licenceId,
  purpose,
  reference,
  referenceOf,
  RESTAURANT_OPENING,
  signConsent,
  STEP,
  withCallers,
  YEAR,
} from "./helpers.js";

const connection = await network.create<"l1">();
const { networkHelpers } = connection;
const { time } = networkHelpers;

const REG = licenceId("ACCESS-REG", SAMR);
const FOOD = licenceId("ACCESS-FOOD", SAMR);
const INSPECTION = purpose("FOOD_SAFETY_INSPECTION");
const FRAUD = purpose("FRAUD");
const FIRE = codeToId("FIRE");

/**
 * The system with enterprise 0 holding REG (SAMR's business registration) and FOOD (SAMR's food
 * business licence, consent needed, on REG), application 1 for a restaurant opening submitted by
 * it, and HRSS suspended while its operator still holds LICENCE_AUTHORITY and LICENCE_USER in the
 * AccessManager.
 */
async function deployed() {
  const system = await withCallers(connection, await deploySystem(connection));
  const { licenceRegistry, jointApprovals } = system.contracts;
  const { samr, hrss } = system.accounts;
  const holder = system.accounts.enterprises[0];
  await (
    await licenceRegistry
      .connect(samr)
      .issue(referenceOf(REG), BUSINESS_REGISTRATION, holder.address, documentHash("reg"), 0, 0, [])
  ).wait();
  await (
    await licenceRegistry
      .connect(samr)
      .issue(referenceOf(FOOD), FOOD_BUSINESS, holder.address, documentHash("food"), 0, 0, [REG])
  ).wait();
  await (
    await jointApprovals.connect(holder).submitApplication(RESTAURANT_OPENING, documentHash("dossier"), [REG])
  ).wait();
  await suspendedDepartmentHolding(connection, system, HRSS, hrss, [ROLES.LICENCE_AUTHORITY, ROLES.LICENCE_USER]);
  return { ...system, holder, other: system.accounts.enterprises[1] };
}

const fixture = () => networkHelpers.loadFixture(deployed);
type Ctx = Awaited<ReturnType<typeof deployed>>;

const callers = (ctx: Ctx) => ({
  governance: ctx.governance,
  workflow: ctx.workflow,
  samr: ctx.accounts.samr,
  fire: ctx.accounts.fire,
  cons: ctx.accounts.cons,
  tax: ctx.accounts.tax,
  audit: ctx.accounts.audit,
  suspendedDepartment: ctx.accounts.hrss,
  holder: ctx.holder,
  other: ctx.other,
  stranger: ctx.accounts.stranger,
});
const LABELS = [
  "governance",
  "workflow",
  "samr",
  "fire",
  "cons",
  "tax",
  "audit",
  "suspendedDepartment",
  "holder",
  "other",
  "stranger",
];

function everyoneElse(allowed: string[], error: string): Record<string, string> {
  return Object.fromEntries(LABELS.filter((label) => !allowed.includes(label)).map((label) => [label, error]));
}

const governanceOnly = { allowed: ["governance"] };
const guardians = { allowed: ["tax", "audit"] };
/** REG's issuer only: FIRE has the role but did not issue it. */
const issuerOnly = {
  allowed: ["samr"],
  errors: { fire: "LicenceNotIssuer", suspendedDepartment: "ConsortiumCallerNotDepartment" },
};
const users = {
  allowed: ["samr", "fire", "cons"],
  errors: { suspendedDepartment: "ConsortiumCallerNotDepartment" },
};

const licenceRegistryMatrix: AccessMatrix<Ctx> = {
  fixture,
  contract: ({ contracts }) => contracts.licenceRegistry,
  callers,
  refusal: "AccessManagedUnauthorized",
  rows: {
    "setLicenceType(bytes32,uint64,bool)": {
      ...governanceOnly,
      call: ({ contracts }, caller) =>
        contracts.licenceRegistry.connect(caller as never).setLicenceType(FIRE_SAFETY, YEAR, false),
    },
    "setTrustedIssuer(bytes32,bytes32,bool)": {
      ...governanceOnly,
      call: ({ contracts }, caller) =>
        contracts.licenceRegistry.connect(caller as never).setTrustedIssuer(FIRE_SAFETY, SAMR, true),
    },
    "revokeByConsortium(bytes32,bytes32)": {
      ...governanceOnly,
      call: ({ contracts }, caller) =>
        contracts.licenceRegistry.connect(caller as never).revokeByConsortium(REG, FRAUD),
    },
    "issue(bytes32,bytes32,address,bytes32,uint64,uint64,bytes32[])": {
      // A business registration: SAMR is trusted for it, FIRE (same role) is not.
      allowed: ["samr"],
      errors: { fire: "LicenceUntrustedIssuer", suspendedDepartment: "ConsortiumCallerNotDepartment" },
      call: ({ contracts, holder }, caller) =>
        contracts.licenceRegistry
          .connect(caller as never)
          .issue(reference("ACCESS"), BUSINESS_REGISTRATION, holder.address, documentHash("access"), 0, 0, []),
    },
    "issueFromWorkflow(bytes32,bytes32,bytes32,address,bytes32,bytes32[])": {
      allowed: ["workflow"],
      call: ({ contracts, holder }, caller) =>
        contracts.licenceRegistry
          .connect(caller as never)
          .issueFromWorkflow(documentHash("workflow-id"), FOOD_BUSINESS, SAMR, holder.address, documentHash("w"), []),
    },
    "renew(bytes32,bytes32,uint64)": {
      ...issuerOnly,
      call: ({ contracts }, caller) =>
        contracts.licenceRegistry.connect(caller as never).renew(REG, documentHash("reg-v2"), 0),
    },
    "suspend(bytes32,bytes32)": {
      ...issuerOnly,
      call: ({ contracts }, caller) => contracts.licenceRegistry.connect(caller as never).suspend(REG, FRAUD),
    },
    "reinstate(bytes32)": {
      ...issuerOnly,
      call: async ({ contracts, accounts }, caller) => {
        await (await contracts.licenceRegistry.connect(accounts.samr).suspend(REG, FRAUD)).wait();
        return contracts.licenceRegistry.connect(caller as never).reinstate(REG);
      },
    },
    "revoke(bytes32,bytes32)": {
      ...issuerOnly,
      call: ({ contracts }, caller) => contracts.licenceRegistry.connect(caller as never).revoke(REG, FRAUD),
    },
    "grantConsent(bytes32,bytes32,bytes32,uint64)": {
      allowed: ["holder"],
      errors: everyoneElse(["holder"], "LicenceNotHolder"),
      call: async ({ contracts }, caller) =>
        contracts.licenceRegistry
          .connect(caller as never)
          .grantConsent(FOOD, FIRE, INSPECTION, (await time.latest()) + DAY),
    },
    "withdrawConsent(bytes32,bytes32,bytes32)": {
      allowed: ["holder"],
      errors: everyoneElse(["holder"], "LicenceNotHolder"),
      call: async ({ contracts, holder }, caller) => {
        await (
          await contracts.licenceRegistry
            .connect(holder)
            .grantConsent(FOOD, FIRE, INSPECTION, (await time.latest()) + DAY)
        ).wait();
        return contracts.licenceRegistry.connect(caller as never).withdrawConsent(FOOD, FIRE, INSPECTION);
      },
    },
    "cancelSignedConsents()": {
      // Any account, for its own nonce.
      allowed: LABELS,
      call: ({ contracts }, caller) => contracts.licenceRegistry.connect(caller as never).cancelSignedConsents(),
    },
    "grantConsentBySig(bytes32,bytes32,uint64,uint256,uint256,bytes)": {
      ...users,
      call: async ({ contracts, holder }, caller) => {
        const { licenceRegistry, registry } = contracts;
        const departmentId = await registry.departmentOf(caller.address);
        const until = BigInt((await time.latest()) + 30 * DAY);
        const deadline = BigInt((await time.latest()) + DAY);
        const nonce = await licenceRegistry.nonces(holder.address);
        const message = { licenceId: FOOD, departmentId, purpose: INSPECTION, until, nonce, deadline };
        const signature = await signConsent(holder, licenceRegistry, message);
        return licenceRegistry
          .connect(caller as never)
          .grantConsentBySig(FOOD, INSPECTION, until, nonce, deadline, signature);
      },
    },
    "use(bytes32,bytes32)": {
      ...users,
      call: ({ contracts }, caller) => contracts.licenceRegistry.connect(caller as never).use(REG, INSPECTION),
    },
    "pause()": {
      ...guardians,
      call: ({ contracts }, caller) => contracts.licenceRegistry.connect(caller as never).pause(),
    },
    "unpause()": {
      ...governanceOnly,
      call: async ({ contracts, accounts }, caller) => {
        await (await contracts.licenceRegistry.connect(accounts.tax).pause()).wait();
        return contracts.licenceRegistry.connect(caller as never).unpause();
      },
    },
    "setAuthority(address)": {
      allowed: [],
      call: ({ contracts, accounts }, caller) =>
        contracts.licenceRegistry.connect(caller as never).setAuthority(accounts.stranger.address),
    },
  },
};

/** Step 0 (fire safety) of application 1 is open and FIRE's; CONS and TAX own other open steps. */
const stepOwnerOnly = {
  allowed: ["fire"],
  errors: {
    ...everyoneElse(["fire"], "ConsortiumCallerNotDepartment"),
    samr: "JointApprovalNotStepOwner",
    cons: "JointApprovalNotStepOwner",
    tax: "JointApprovalNotStepOwner",
    audit: "JointApprovalNotStepOwner",
  } as Record<string, string>,
};

const jointApprovalsMatrix: AccessMatrix<Ctx> = {
  fixture,
  contract: ({ contracts }) => contracts.jointApprovals,
  callers,
  refusal: "AccessManagedUnauthorized",
  rows: {
    "defineTemplate(bytes32,bytes32,bytes32,uint8,(bytes32,bytes32,uint16)[])": {
      ...governanceOnly,
      call: ({ contracts }, caller) =>
        contracts.jointApprovals
          .connect(caller as never)
          .defineTemplate(codeToId("NEW"), FIRE_SAFETY, FIRE, 0, [
            { code: codeToId("INSPECTION"), departmentId: FIRE, prerequisites: 0 },
          ]),
    },
    "retireTemplate(bytes32)": {
      ...governanceOnly,
      call: ({ contracts }, caller) =>
        contracts.jointApprovals.connect(caller as never).retireTemplate(RESTAURANT_OPENING),
    },
    "submitApplication(bytes32,bytes32,bytes32[])": {
      // Open to every account, on licences of its own only.
      allowed: ["holder"],
      errors: everyoneElse(["holder"], "JointApprovalNotDependencyHolder"),
      call: ({ contracts }, caller) =>
        contracts.jointApprovals
          .connect(caller as never)
          .submitApplication(RESTAURANT_OPENING, documentHash("second dossier"), [REG]),
    },
    "resubmitStep(uint256,uint8,bytes32)": {
      allowed: ["holder"],
      errors: everyoneElse(["holder"], "JointApprovalNotApplicant"),
      call: async ({ contracts, accounts }, caller) => {
        await (await contracts.jointApprovals.connect(accounts.fire).rejectStep(1, STEP.fireSafety, FRAUD)).wait();
        return contracts.jointApprovals.connect(caller as never).resubmitStep(1, STEP.fireSafety, documentHash("d2"));
      },
    },
    "withdrawApplication(uint256)": {
      allowed: ["holder"],
      errors: everyoneElse(["holder"], "JointApprovalNotApplicant"),
      call: ({ contracts }, caller) => contracts.jointApprovals.connect(caller as never).withdrawApplication(1),
    },
    "approveStep(uint256,uint8,bytes32)": {
      ...stepOwnerOnly,
      call: ({ contracts }, caller) =>
        contracts.jointApprovals.connect(caller as never).approveStep(1, STEP.fireSafety, documentHash("r")),
    },
    "rejectStep(uint256,uint8,bytes32)": {
      ...stepOwnerOnly,
      call: ({ contracts }, caller) =>
        contracts.jointApprovals.connect(caller as never).rejectStep(1, STEP.fireSafety, FRAUD),
    },
    "pause()": {
      ...guardians,
      call: ({ contracts }, caller) => contracts.jointApprovals.connect(caller as never).pause(),
    },
    "unpause()": {
      ...governanceOnly,
      call: async ({ contracts, accounts }, caller) => {
        await (await contracts.jointApprovals.connect(accounts.tax).pause()).wait();
        return contracts.jointApprovals.connect(caller as never).unpause();
      },
    },
    "setAuthority(address)": {
      allowed: [],
      call: ({ contracts, accounts }, caller) =>
        contracts.jointApprovals.connect(caller as never).setAuthority(accounts.stranger.address),
    },
  },
};

describe("LicenceRegistry", function () {
  describeAccessMatrix("LicenceRegistry", licenceRegistryMatrix);
});

describe("JointApprovals", function () {
  describeAccessMatrix("JointApprovals", jointApprovalsMatrix);
});
