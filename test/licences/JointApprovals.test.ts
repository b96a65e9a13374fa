import { expect } from "chai";
import { AbiCoder, keccak256 } from "ethers";
import { network } from "hardhat";

import { codeToId } from "../../deploy/lib/consortium.js";
import { CONS, deploySystem, FIRE, HRSS, passProposal, SAMR, TAX } from "../fixtures.js";
import {
  APPLICATION,
  BUSINESS_REGISTRATION,
  documentHash,
  FIRE_SAFETY,
  FOOD_BUSINESS,
  licenceId,
  purpose,
  referenceOf,
  RESTAURANT_OPENING,
  STATUS,
  STEP,
  STEP_STATE,
  withCallers,
  YEAR,
} from "./helpers.js";

const connection = await network.create<"l1">();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const REG = licenceId("RESTAURANT-REG", SAMR);
const ZERO = ethers.ZeroHash;
const MISSING_EXIT = purpose("MISSING_FIRE_EXIT");

/** The deployed system (with the RESTAURANT_OPENING template of the starting catalogue) and a
 * restaurant company holding its business registration. */
async function deployed() {
  const system = await withCallers(connection, await deploySystem(connection));
  const applicant = system.accounts.enterprises[2];
  await (
    await system.contracts.licenceRegistry
      .connect(system.accounts.samr)
      .issue(referenceOf(REG), BUSINESS_REGISTRATION, applicant.address, documentHash("reg"), 0, 0, [])
  ).wait();
  return { ...system, applicant };
}

const fixture = () => networkHelpers.loadFixture(deployed);
type Ctx = Awaited<ReturnType<typeof deployed>>;

/** The fixture with one restaurant-opening application submitted (id 1). */
async function submitted() {
  const ctx = await deployed();
  await (
    await ctx.contracts.jointApprovals
      .connect(ctx.applicant)
      .submitApplication(RESTAURANT_OPENING, documentHash("dossier"), [REG])
  ).wait();
  return { ...ctx, applicationId: 1n };
}

const withApplication = () => networkHelpers.loadFixture(submitted);

function expectedLicenceId(jointApprovals: string, applicationId: bigint, chainId: bigint): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["uint256", "address", "uint256"], [chainId, jointApprovals, applicationId]),
  );
}

/** The department signer that owns each RESTAURANT_OPENING step. */
function owner(ctx: Ctx, step: number) {
  return [ctx.accounts.fire, ctx.accounts.cons, ctx.accounts.tax, ctx.accounts.samr][step];
}

async function approve(ctx: Ctx, applicationId: bigint, step: number) {
  return ctx.contracts.jointApprovals
    .connect(owner(ctx, step))
    .approveStep(applicationId, step, documentHash(`result-${step}`));
}

async function states(ctx: Ctx, applicationId: bigint): Promise<number[]> {
  const result: number[] = [];
  for (let step = 0; step < 4; ++step) {
    result.push(Number(await ctx.contracts.jointApprovals.stepState(applicationId, step)));
  }
  return result;
}

const { Locked, Open, Approved, Rejected } = STEP_STATE;

describe("JointApprovals", function () {
  describe("defineTemplate", function () {
    it("holds the starting catalogue's restaurant-opening template", async function () {
      const { contracts } = await fixture();
      const template = await contracts.jointApprovals.getTemplate(RESTAURANT_OPENING);
      expect(template.licenceType).to.equal(FOOD_BUSINESS);
      expect(template.issuer).to.equal(SAMR);
      expect(template.licenceStep).to.equal(STEP.foodReview);
      expect(template.active).to.equal(true);
      expect(template.steps.map((step) => [step.departmentId, step.prerequisites])).to.deep.equal([
        [FIRE, 0n],
        [CONS, 0n],
        [TAX, 0n],
        [SAMR, 0b011n],
      ]);
      expect(template.steps[0].code).to.equal(codeToId("FIRE_SAFETY_CHECK"));
    });

    it("defines a template by a consortium vote", async function () {
      const system = await fixture();
      const { jointApprovals } = system.contracts;
      const id = codeToId("FIRE_CERTIFICATION");
      const steps = [
        { code: codeToId("PLAN_REVIEW"), departmentId: CONS, prerequisites: 0 },
        { code: codeToId("SITE_INSPECTION"), departmentId: FIRE, prerequisites: 0b1 },
      ];
      const data = jointApprovals.interface.encodeFunctionData("defineTemplate", [id, FIRE_SAFETY, FIRE, 1, steps]);
      await expect(passProposal(system, [{ target: await jointApprovals.getAddress(), data }]))
        .to.emit(jointApprovals, "TemplateDefined")
        .withArgs(id, FIRE_SAFETY, FIRE, 1, [
          [steps[0].code, CONS, 0],
          [steps[1].code, FIRE, 1],
        ]);
      const template = await jointApprovals.getTemplate(id);
      expect(template.steps.map((step) => [step.code, step.departmentId, step.prerequisites])).to.deep.equal([
        [steps[0].code, CONS, 0n],
        [steps[1].code, FIRE, 1n],
      ]);
    });

    it("rejects an invalid template", async function () {
      const { contracts, governance } = await fixture();
      const { jointApprovals } = contracts;
      const define = (id: string, type: string, issuer: string, licenceStep: number, steps: [string, number][]) =>
        jointApprovals.connect(governance).defineTemplate(
          id,
          type,
          issuer,
          licenceStep,
          steps.map(([department, prerequisites], i) => ({
            code: codeToId(`STEP_${i}`),
            departmentId: department,
            prerequisites,
          })),
        );
      const id = codeToId("NEW");
      await expect(define(ZERO, FIRE_SAFETY, FIRE, 0, [[FIRE, 0]])).to.be.revertedWithCustomError(
        jointApprovals,
        "JointApprovalInvalidId",
      );
      await expect(define(RESTAURANT_OPENING, FIRE_SAFETY, FIRE, 0, [[FIRE, 0]]))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalTemplateExists")
        .withArgs(RESTAURANT_OPENING);
      for (const [licenceStep, steps] of [
        [0, []],
        [1, [[FIRE, 0]]],
        [0, [[CONS, 0]]], // the licence step must belong to the issuer
        [0, Array.from({ length: 17 }, () => [FIRE, 0])],
      ] as [number, [string, number][]][]) {
        await expect(define(id, FIRE_SAFETY, FIRE, licenceStep, steps))
          .to.be.revertedWithCustomError(jointApprovals, "JointApprovalInvalidTemplate")
          .withArgs(id);
      }
      await expect(define(id, FOOD_BUSINESS, FIRE, 0, [[FIRE, 0]]))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUntrustedIssuer")
        .withArgs(FOOD_BUSINESS, FIRE);
      // A prerequisite on itself or on a later step (which could close a cycle).
      for (const steps of [
        [
          [FIRE, 0],
          [CONS, 0b10],
        ],
        [
          [FIRE, 0b10],
          [CONS, 0],
        ],
      ] as [string, number][][]) {
        await expect(define(id, FIRE_SAFETY, FIRE, 0, steps))
          .to.be.revertedWithCustomError(jointApprovals, "JointApprovalInvalidStep")
          .withArgs(steps[0][1] === 0 ? 1 : 0);
      }
      const nobody = codeToId("NOBODY");
      await expect(
        define(id, FIRE_SAFETY, FIRE, 0, [
          [FIRE, 0],
          [nobody, 0],
        ]),
      )
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalInvalidStep")
        .withArgs(1);
      await expect(
        jointApprovals
          .connect(governance)
          .defineTemplate(id, FIRE_SAFETY, FIRE, 0, [{ code: ZERO, departmentId: FIRE, prerequisites: 0 }]),
      )
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalInvalidStep")
        .withArgs(0);
    });
  });

  describe("retireTemplate", function () {
    it("stops new applications, lets those in progress finish", async function () {
      const ctx = await withApplication();
      const { jointApprovals } = ctx.contracts;
      const data = jointApprovals.interface.encodeFunctionData("retireTemplate", [RESTAURANT_OPENING]);
      await expect(passProposal(ctx, [{ target: await jointApprovals.getAddress(), data }]))
        .to.emit(jointApprovals, "TemplateRetired")
        .withArgs(RESTAURANT_OPENING);
      expect((await jointApprovals.getTemplate(RESTAURANT_OPENING)).active).to.equal(false);
      await expect(jointApprovals.connect(ctx.applicant).submitApplication(RESTAURANT_OPENING, documentHash("d2"), []))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalTemplateRetired")
        .withArgs(RESTAURANT_OPENING);
      for (const step of [STEP.fireSafety, STEP.environment, STEP.tax, STEP.foodReview]) {
        await approve(ctx, ctx.applicationId, step);
      }
      expect((await jointApprovals.getApplication(ctx.applicationId)).status).to.equal(APPLICATION.Completed);
    });

    it("reverts for a retired or unknown template", async function () {
      const { contracts, governance } = await fixture();
      const { jointApprovals } = contracts;
      await jointApprovals.connect(governance).retireTemplate(RESTAURANT_OPENING);
      await expect(jointApprovals.connect(governance).retireTemplate(RESTAURANT_OPENING))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalTemplateRetired")
        .withArgs(RESTAURANT_OPENING);
      const unknown = codeToId("UNKNOWN");
      await expect(jointApprovals.connect(governance).retireTemplate(unknown))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnknownTemplate")
        .withArgs(unknown);
      await expect(jointApprovals.getTemplate(unknown))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnknownTemplate")
        .withArgs(unknown);
    });
  });

  describe("submitApplication", function () {
    it("opens every step without prerequisites at once, telling each department", async function () {
      const ctx = await fixture();
      const { jointApprovals } = ctx.contracts;
      const tx = jointApprovals
        .connect(ctx.applicant)
        .submitApplication(RESTAURANT_OPENING, documentHash("dossier"), [REG]);
      await expect(tx)
        .to.emit(jointApprovals, "ApplicationSubmitted")
        .withArgs(1, RESTAURANT_OPENING, ctx.applicant.address, ZERO, documentHash("dossier"), [REG]);
      await expect(tx).to.emit(jointApprovals, "StepOpened").withArgs(1, FIRE, STEP.fireSafety);
      await expect(tx).to.emit(jointApprovals, "StepOpened").withArgs(1, CONS, STEP.environment);
      await expect(tx).to.emit(jointApprovals, "StepOpened").withArgs(1, TAX, STEP.tax);
      expect(await jointApprovals.applicationCount()).to.equal(1);
      expect(await states(ctx, 1n)).to.deep.equal([Open, Open, Open, Locked]);
      const application = await jointApprovals.getApplication(1);
      expect(application.templateId).to.equal(RESTAURANT_OPENING);
      expect(application.applicant).to.equal(ctx.applicant.address);
      expect(application.status).to.equal(APPLICATION.InProgress);
      expect([application.approved, application.open, application.rejected]).to.deep.equal([0n, 0b0111n, 0n]);
      expect(application.dependsOn).to.deep.equal([REG]);
      const chainId = (await ethers.provider.getNetwork()).chainId;
      expect(application.licenceId).to.equal(expectedLicenceId(await jointApprovals.getAddress(), 1n, chainId));
    });

    it("names the applicant's participant id when it is a registered enterprise", async function () {
      const ctx = await fixture();
      const participant = ethers.id("govledger-test-salt:RESTAURANT");
      await ctx.contracts.registry
        .connect(ctx.accounts.samr)
        .registerParticipant(participant, ctx.applicant.address, 0);
      await expect(
        ctx.contracts.jointApprovals
          .connect(ctx.applicant)
          .submitApplication(RESTAURANT_OPENING, documentHash("d"), []),
      )
        .to.emit(ctx.contracts.jointApprovals, "ApplicationSubmitted")
        .withArgs(1, RESTAURANT_OPENING, ctx.applicant.address, participant, documentHash("d"), []);
    });

    // Issue 12 (suspicion): nothing checked that the named licences belong to the applicant, so
    // a licence could be issued on another company's business registration.
    it("reverts for a dependency the applicant does not hold", async function () {
      const ctx = await fixture();
      const { jointApprovals } = ctx.contracts;
      const stranger = ctx.accounts.enterprises[3];
      await expect(jointApprovals.connect(stranger).submitApplication(RESTAURANT_OPENING, documentHash("d"), [REG]))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalNotDependencyHolder")
        .withArgs(REG, stranger.address);
      expect(await jointApprovals.applicationCount()).to.equal(0n);
      expect(await ctx.contracts.licenceRegistry.holderOf(REG)).to.equal(ctx.applicant.address);
    });

    it("reverts for an unknown template, a zero dossier or unsuitable dependencies", async function () {
      const ctx = await fixture();
      const { jointApprovals, licenceRegistry } = ctx.contracts;
      const submit = (template: string, dossier: string, dependsOn: string[]) =>
        jointApprovals.connect(ctx.applicant).submitApplication(template, dossier, dependsOn);
      const unknown = codeToId("UNKNOWN");
      await expect(submit(unknown, documentHash("d"), []))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnknownTemplate")
        .withArgs(unknown);
      await expect(submit(RESTAURANT_OPENING, ZERO, [])).to.be.revertedWithCustomError(
        jointApprovals,
        "JointApprovalInvalidId",
      );
      await expect(submit(RESTAURANT_OPENING, documentHash("d"), [REG, REG]))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalDependencyNotValid")
        .withArgs(REG);
      await expect(submit(RESTAURANT_OPENING, documentHash("d"), [REG, REG, REG, REG, REG]))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalLimitReached")
        .withArgs(4);
      await licenceRegistry.connect(ctx.accounts.samr).suspend(REG, MISSING_EXIT);
      await expect(submit(RESTAURANT_OPENING, documentHash("d"), [REG]))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalDependencyNotValid")
        .withArgs(REG);
    });
  });

  describe("restaurant opening across four departments", function () {
    it("runs end to end with a rejection and a resubmission, issuing the licence with the last approval", async function () {
      const ctx = await withApplication();
      const { jointApprovals, licenceRegistry } = ctx.contracts;
      const id = ctx.applicationId;

      // The fire brigade finds a missing fire exit; the applicant fixes it and resubmits.
      await expect(jointApprovals.connect(ctx.accounts.fire).rejectStep(id, STEP.fireSafety, MISSING_EXIT))
        .to.emit(jointApprovals, "StepRejected")
        .withArgs(id, FIRE, STEP.fireSafety, MISSING_EXIT, ctx.accounts.fire.address);
      expect(await states(ctx, id)).to.deep.equal([Rejected, Open, Open, Locked]);
      const resubmission = jointApprovals
        .connect(ctx.applicant)
        .resubmitStep(id, STEP.fireSafety, documentHash("dossier-with-exit"));
      await expect(resubmission)
        .to.emit(jointApprovals, "StepResubmitted")
        .withArgs(id, STEP.fireSafety, documentHash("dossier-with-exit"));
      await expect(resubmission).to.emit(jointApprovals, "StepOpened").withArgs(id, FIRE, STEP.fireSafety);
      expect(await states(ctx, id)).to.deep.equal([Open, Open, Open, Locked]);

      await expect(approve(ctx, id, STEP.fireSafety))
        .to.emit(jointApprovals, "StepApproved")
        .withArgs(id, FIRE, STEP.fireSafety, documentHash("result-0"), ctx.accounts.fire.address);
      // The food business review waits for the environmental assessment too.
      expect(await states(ctx, id)).to.deep.equal([Approved, Open, Open, Locked]);
      await expect(approve(ctx, id, STEP.environment))
        .to.emit(jointApprovals, "StepOpened")
        .withArgs(id, SAMR, STEP.foodReview);
      expect(await states(ctx, id)).to.deep.equal([Approved, Approved, Open, Open]);
      await approve(ctx, id, STEP.foodReview);

      // The tax bureau approves last: the licence is issued in that transaction.
      const licence = (await jointApprovals.getApplication(id)).licenceId;
      const last = approve(ctx, id, STEP.tax);
      await expect(last).to.emit(jointApprovals, "ApplicationCompleted").withArgs(id, licence, SAMR);
      await expect(last).to.emit(licenceRegistry, "LicenceIssued");
      expect(await states(ctx, id)).to.deep.equal([Approved, Approved, Approved, Approved]);
      expect((await jointApprovals.getApplication(id)).status).to.equal(APPLICATION.Completed);

      const issued = await licenceRegistry.getLicence(licence);
      expect(issued.typeId).to.equal(FOOD_BUSINESS);
      expect(issued.issuer).to.equal(SAMR);
      expect(issued.holder).to.equal(ctx.applicant.address);
      expect(issued.documentHash).to.equal(documentHash(`result-${STEP.foodReview}`));
      expect(issued.validUntil - issued.validFrom).to.equal(5 * YEAR);
      expect(issued.dependsOn).to.deep.equal([REG]);
      expect(issued.status).to.equal(STATUS.Active);
    });

    // Issue 12, finding 1: application licence ids are known in advance, and `issue` let any
    // trusted department take one first, so the last approval reverted with LicenceExists for
    // good. Issued ids are now derived from the department and its reference.
    it("cannot be blocked by a department issuing under the next application's licence id", async function () {
      const ctx = await withApplication();
      const { jointApprovals, licenceRegistry } = ctx.contracts;
      const nextId = ctx.applicationId + 1n;
      const { chainId } = await ethers.provider.getNetwork();
      const squatted = expectedLicenceId(await jointApprovals.getAddress(), nextId, chainId);
      // FIRE is trusted for FIRE_SAFETY only, SAMR for the very type the application issues.
      for (const [squatter, type] of [
        [ctx.accounts.fire, FIRE_SAFETY],
        [ctx.accounts.samr, FOOD_BUSINESS],
      ] as const) {
        await (
          await licenceRegistry
            .connect(squatter)
            .issue(squatted, type, squatter.address, documentHash("squat"), 0, 0, [])
        ).wait();
      }
      expect(await licenceRegistry.statusOf(squatted)).to.equal(STATUS.None);

      await (
        await jointApprovals.connect(ctx.applicant).submitApplication(RESTAURANT_OPENING, documentHash("d2"), [REG])
      ).wait();
      expect((await jointApprovals.getApplication(nextId)).licenceId).to.equal(squatted);
      for (const step of [STEP.fireSafety, STEP.environment, STEP.tax, STEP.foodReview]) {
        await (await approve(ctx, nextId, step)).wait();
      }
      expect((await jointApprovals.getApplication(nextId)).status).to.equal(APPLICATION.Completed);
      expect((await licenceRegistry.getLicence(squatted)).holder).to.equal(ctx.applicant.address);
    });

    it("issues the licence in the licence step's own approval when it comes last", async function () {
      const ctx = await withApplication();
      const id = ctx.applicationId;
      for (const step of [STEP.tax, STEP.environment, STEP.fireSafety]) await approve(ctx, id, step);
      const licence = (await ctx.contracts.jointApprovals.getApplication(id)).licenceId;
      await expect(approve(ctx, id, STEP.foodReview))
        .to.emit(ctx.contracts.licenceRegistry, "LicenceIssued")
        .withArgs(
          licence,
          FOOD_BUSINESS,
          SAMR,
          ctx.applicant.address,
          documentHash(`result-${STEP.foodReview}`),
          (v: bigint) => v > 0n,
          (v: bigint) => v > 0n,
          [REG],
        );
    });

    for (const order of [
      [STEP.fireSafety, STEP.environment],
      [STEP.environment, STEP.fireSafety],
    ]) {
      it(`opens the food business review only once both parallel checks are approved (order ${order.join(", ")})`, async function () {
        const ctx = await withApplication();
        const { jointApprovals } = ctx.contracts;
        const id = ctx.applicationId;
        await expect(approve(ctx, id, order[0])).not.to.emit(jointApprovals, "StepOpened");
        expect(await jointApprovals.stepState(id, STEP.foodReview)).to.equal(Locked);
        await expect(jointApprovals.connect(ctx.accounts.samr).approveStep(id, STEP.foodReview, documentHash("early")))
          .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnexpectedStepState")
          .withArgs(id, STEP.foodReview, Locked);
        await expect(approve(ctx, id, order[1]))
          .to.emit(jointApprovals, "StepOpened")
          .withArgs(id, SAMR, STEP.foodReview);
        expect(await jointApprovals.stepState(id, STEP.foodReview)).to.equal(Open);
      });
    }
  });

  describe("approveStep and rejectStep", function () {
    it("revert for a department that does not own the step, or no department", async function () {
      const ctx = await withApplication();
      const { jointApprovals } = ctx.contracts;
      await expect(jointApprovals.connect(ctx.accounts.cons).approveStep(1, STEP.fireSafety, documentHash("r")))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalNotStepOwner")
        .withArgs(1, STEP.fireSafety, CONS);
      await expect(jointApprovals.connect(ctx.accounts.hrss).rejectStep(1, STEP.fireSafety, MISSING_EXIT))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalNotStepOwner")
        .withArgs(1, STEP.fireSafety, HRSS);
      await expect(jointApprovals.connect(ctx.accounts.stranger).approveStep(1, STEP.fireSafety, documentHash("r")))
        .to.be.revertedWithCustomError(jointApprovals, "ConsortiumCallerNotDepartment")
        .withArgs(ctx.accounts.stranger.address);
    });

    it("revert for a step that is not open", async function () {
      const ctx = await withApplication();
      const { jointApprovals } = ctx.contracts;
      const fire = jointApprovals.connect(ctx.accounts.fire);
      await fire.rejectStep(1, STEP.fireSafety, MISSING_EXIT);
      await expect(fire.approveStep(1, STEP.fireSafety, documentHash("r")))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnexpectedStepState")
        .withArgs(1, STEP.fireSafety, Rejected);
      await expect(fire.rejectStep(1, STEP.fireSafety, MISSING_EXIT))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnexpectedStepState")
        .withArgs(1, STEP.fireSafety, Rejected);
      await approve(ctx, 1n, STEP.tax);
      await expect(approve(ctx, 1n, STEP.tax))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnexpectedStepState")
        .withArgs(1, STEP.tax, Approved);
    });

    it("revert for an unknown application or step, or a zero result", async function () {
      const ctx = await withApplication();
      const { jointApprovals } = ctx.contracts;
      const fire = jointApprovals.connect(ctx.accounts.fire);
      await expect(fire.approveStep(2, 0, documentHash("r")))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnknownApplication")
        .withArgs(2);
      await expect(fire.approveStep(1, 4, documentHash("r")))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnknownStep")
        .withArgs(1, 4);
      await expect(fire.approveStep(1, 0, ZERO)).to.be.revertedWithCustomError(
        jointApprovals,
        "JointApprovalInvalidId",
      );
      await expect(jointApprovals.stepState(1, 200))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnknownStep")
        .withArgs(1, 200);
      await expect(jointApprovals.getApplication(9))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnknownApplication")
        .withArgs(9);
    });

    it("revert once the application is completed", async function () {
      const ctx = await withApplication();
      for (const step of [0, 1, 2, 3]) await approve(ctx, 1n, step);
      await expect(approve(ctx, 1n, 0))
        .to.be.revertedWithCustomError(ctx.contracts.jointApprovals, "JointApprovalUnexpectedStatus")
        .withArgs(1, APPLICATION.Completed);
    });

    it("the last approval reverts if the issuer lost its trust; the application waits", async function () {
      const ctx = await withApplication();
      const { jointApprovals, licenceRegistry } = ctx.contracts;
      for (const step of [0, 1, 2]) await approve(ctx, 1n, step);
      const data = licenceRegistry.interface.encodeFunctionData("setTrustedIssuer", [FOOD_BUSINESS, SAMR, false]);
      await passProposal(ctx, [{ target: await licenceRegistry.getAddress(), data }]);
      await expect(approve(ctx, 1n, STEP.foodReview))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceUntrustedIssuer")
        .withArgs(FOOD_BUSINESS, SAMR);
      expect(await jointApprovals.stepState(1, STEP.foodReview)).to.equal(Open);
      expect((await jointApprovals.getApplication(1)).status).to.equal(APPLICATION.InProgress);
    });

    it("the last approval reverts if a licence it depends on is no longer valid", async function () {
      const ctx = await withApplication();
      const { licenceRegistry } = ctx.contracts;
      for (const step of [0, 1, 2]) await approve(ctx, 1n, step);
      await licenceRegistry.connect(ctx.accounts.samr).revoke(REG, MISSING_EXIT);
      const licence = (await ctx.contracts.jointApprovals.getApplication(1)).licenceId;
      await expect(approve(ctx, 1n, STEP.foodReview))
        .to.be.revertedWithCustomError(licenceRegistry, "LicenceDependencyNotValid")
        .withArgs(licence, REG);
    });
  });

  describe("resubmitStep", function () {
    it("reverts for a step that is not rejected, a zero dossier, or anyone but the applicant", async function () {
      const ctx = await withApplication();
      const { jointApprovals } = ctx.contracts;
      await expect(jointApprovals.connect(ctx.applicant).resubmitStep(1, STEP.fireSafety, documentHash("d")))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnexpectedStepState")
        .withArgs(1, STEP.fireSafety, Open);
      await jointApprovals.connect(ctx.accounts.fire).rejectStep(1, STEP.fireSafety, MISSING_EXIT);
      await expect(jointApprovals.connect(ctx.accounts.stranger).resubmitStep(1, STEP.fireSafety, documentHash("d")))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalNotApplicant")
        .withArgs(1, ctx.accounts.stranger.address);
      await expect(
        jointApprovals.connect(ctx.applicant).resubmitStep(1, STEP.fireSafety, ZERO),
      ).to.be.revertedWithCustomError(jointApprovals, "JointApprovalInvalidId");
    });
  });

  describe("withdrawApplication", function () {
    it("withdraws an application in progress; nothing moves afterwards", async function () {
      const ctx = await withApplication();
      const { jointApprovals } = ctx.contracts;
      await expect(jointApprovals.connect(ctx.applicant).withdrawApplication(1))
        .to.emit(jointApprovals, "ApplicationWithdrawn")
        .withArgs(1);
      expect((await jointApprovals.getApplication(1)).status).to.equal(APPLICATION.Withdrawn);
      await expect(approve(ctx, 1n, STEP.fireSafety))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnexpectedStatus")
        .withArgs(1, APPLICATION.Withdrawn);
      await expect(jointApprovals.connect(ctx.applicant).withdrawApplication(1))
        .to.be.revertedWithCustomError(jointApprovals, "JointApprovalUnexpectedStatus")
        .withArgs(1, APPLICATION.Withdrawn);
    });

    it("reverts for anyone but the applicant", async function () {
      const ctx = await withApplication();
      await expect(ctx.contracts.jointApprovals.connect(ctx.accounts.samr).withdrawApplication(1))
        .to.be.revertedWithCustomError(ctx.contracts.jointApprovals, "JointApprovalNotApplicant")
        .withArgs(1, ctx.accounts.samr.address);
    });
  });

  describe("pause", function () {
    it("stops applications and decisions until governance unpauses", async function () {
      const ctx = await withApplication();
      const { jointApprovals } = ctx.contracts;
      await jointApprovals.connect(ctx.accounts.tax).pause();
      await expect(approve(ctx, 1n, STEP.fireSafety)).to.be.revertedWithCustomError(jointApprovals, "EnforcedPause");
      const data = jointApprovals.interface.encodeFunctionData("unpause");
      await passProposal(ctx, [{ target: await jointApprovals.getAddress(), data }]);
      await approve(ctx, 1n, STEP.fireSafety);
    });
  });
});
