/**
 * Gas of e-licence operations: issue, renew, suspend/reinstate, revoke, consent (by transaction
 * and by signature), use, and a joint application's submission and step approvals. Uses the
 * starting catalogue of deploy/modules/licences.ts. Each operation is a transaction of its own,
 * so every storage slot it touches is cold, as in production.
 */
import { id } from "ethers";

import { licenceIdOf } from "@govledger/contracts";
import { signConsent } from "@govledger/contracts/ethers";
import { codeToId } from "../../deploy/lib/consortium.js";
import { gasOf, type GasSuite } from "./suite.js";

const DAY = 24 * 3600;

export const measureLicences: GasSuite = async ({ connection, system: { contracts, accounts } }) => {
  const { licenceRegistry, jointApprovals } = contracts;
  const { samr, fire, cons, tax } = accounts;
  const holder = accounts.enterprises[0];
  const applicant = accounts.enterprises[1];
  const registration = codeToId("BUSINESS_REGISTRATION");
  const food = codeToId("FOOD_BUSINESS");
  const fireSafety = codeToId("FIRE_SAFETY");
  const inspection = codeToId("FOOD_SAFETY_INSPECTION");
  const reason = codeToId("FRAUD");
  // Issuers name their references; the registry derives the ids from department and reference.
  const [regRef, foodRef, certRef, applicantRegRef] = ["reg", "food", "fire", "applicant-reg"].map((label) =>
    id(`bench:licence:${label}`),
  );
  const reg = licenceIdOf(codeToId("SAMR"), regRef);
  const foodLicence = licenceIdOf(codeToId("SAMR"), foodRef);
  const cert = licenceIdOf(codeToId("FIRE"), certRef);
  // An application names licences of its applicant's own.
  const applicantReg = licenceIdOf(codeToId("SAMR"), applicantRegRef);
  const doc = (label: string) => id(`bench:document:${label}`);
  const now = async () => Number((await connection.ethers.provider.getBlock("latest"))!.timestamp);
  const results: Record<string, number> = {};

  results["licence.issue"] = await gasOf(
    licenceRegistry.connect(samr).issue(regRef, registration, holder.address, doc("reg"), 0, 0, []),
  );
  results["licence.issue.withDependency"] = await gasOf(
    licenceRegistry.connect(samr).issue(foodRef, food, holder.address, doc("food"), 0, 0, [reg]),
  );
  await gasOf(licenceRegistry.connect(fire).issue(certRef, fireSafety, holder.address, doc("fire"), 0, 0, []));
  await gasOf(
    licenceRegistry
      .connect(samr)
      .issue(applicantRegRef, registration, applicant.address, doc("applicant-reg"), 0, 0, []),
  );

  results["licence.consent"] = await gasOf(
    licenceRegistry.connect(holder).grantConsent(cert, codeToId("SAMR"), inspection, (await now()) + 30 * DAY),
  );
  const until = (await now()) + 30 * DAY;
  const deadline = (await now()) + DAY;
  const signature = await signConsent(holder, licenceRegistry, {
    licenceId: foodLicence,
    departmentId: codeToId("FIRE"),
    purpose: inspection,
    until,
    nonce: 0,
    deadline,
  });
  results["licence.consentBySig"] = await gasOf(
    licenceRegistry.connect(fire).grantConsentBySig(foodLicence, inspection, until, 0, deadline, signature),
  );

  // The holder takes back a signed consent nobody submitted: uses up its nonce.
  results["licence.cancelSignedConsents"] = await gasOf(licenceRegistry.connect(holder).cancelSignedConsents());

  // A use of a licence whose type needs consent (the consent is read), without dependencies.
  results["licence.use"] = await gasOf(licenceRegistry.connect(samr).use(cert, inspection));
  results["licence.use.noConsentNeeded"] = await gasOf(licenceRegistry.connect(cons).use(reg, inspection));
  results["licence.use.withDependency"] = await gasOf(licenceRegistry.connect(fire).use(foodLicence, inspection));

  results["licence.renew"] = await gasOf(licenceRegistry.connect(fire).renew(cert, doc("fire-v2"), 0));
  results["licence.suspend"] = await gasOf(licenceRegistry.connect(fire).suspend(cert, reason));
  results["licence.reinstate"] = await gasOf(licenceRegistry.connect(fire).reinstate(cert));
  results["licence.revoke"] = await gasOf(licenceRegistry.connect(fire).revoke(cert, reason));

  // RESTAURANT_OPENING: fire safety, environment and tax in parallel; the food business review
  // after the first two; the licence with the last approval.
  const template = codeToId("RESTAURANT_OPENING");
  results["licence.applicationSubmit"] = await gasOf(
    jointApprovals.connect(applicant).submitApplication(template, doc("dossier"), [applicantReg]),
  );
  const applicationId = await jointApprovals.applicationCount();
  results["licence.applicationReject"] = await gasOf(
    jointApprovals.connect(fire).rejectStep(applicationId, 0, codeToId("MISSING_FIRE_EXIT")),
  );
  results["licence.applicationResubmit"] = await gasOf(
    jointApprovals.connect(applicant).resubmitStep(applicationId, 0, doc("dossier-v2")),
  );
  // A step approval that opens nothing, then one that opens the review.
  results["licence.applicationStep"] = await gasOf(
    jointApprovals.connect(fire).approveStep(applicationId, 0, doc("r0")),
  );
  results["licence.applicationStep.opensNext"] = await gasOf(
    jointApprovals.connect(cons).approveStep(applicationId, 1, doc("r1")),
  );
  results["licence.applicationStep.licenceStep"] = await gasOf(
    jointApprovals.connect(samr).approveStep(applicationId, 3, doc("r3")),
  );
  results["licence.applicationStep.final"] = await gasOf(
    jointApprovals.connect(tax).approveStep(applicationId, 2, doc("r2")),
  );
  return results;
};
