/**
 * E-licences part of the `npm start` demo, after the governance demo registered the enterprises:
 * licences issued by their trusted departments, a holder's consent by transaction and one by
 * signature, uses on record, and a restaurant-opening application left in progress (one step
 * rejected and resubmitted, some approved, the rest waiting).
 */
import { id } from "ethers";

import { licenceIdOf } from "@govledger/contracts";
import { signConsent } from "@govledger/contracts/ethers";
import { codeToId } from "../../deploy/lib/consortium.js";
import { LICENCE_TYPES, WORKFLOW_TEMPLATES } from "../../deploy/modules/licences.js";
import type { DemoContext } from "./index.js";

const DAY = 24 * 3600;
const STEP_STATES = ["Locked", "Open", "Approved", "Rejected"];

/** An issuer's reference for a licence: a salted hash of its own number, never the number. */
function reference(number: string): string {
  return id(`govledger-demo-salt:licence:${number}`);
}

function documentHash(label: string): string {
  return id(`govledger-demo:encrypted-document:${label}`);
}

export async function runLicencesDemo({ contracts, accounts, log }: DemoContext): Promise<void> {
  const { licenceRegistry, jointApprovals } = contracts;
  const { samr, fire, cons, tax } = accounts;
  const acme = accounts.all[10];
  const hotel = accounts.all[11];
  const wait = async (tx: Promise<{ wait: () => Promise<unknown> }>) => (await tx).wait();
  const now = async () => Number((await licenceRegistry.runner!.provider!.getBlock("latest"))!.timestamp);

  for (const type of LICENCE_TYPES) {
    const stored = await licenceRegistry.licenceType(codeToId(type.code));
    const years = Number(stored.defaultValidity) / (365 * DAY);
    const consent = stored.consentRequired ? "use needs the holder's consent" : "no consent needed";
    log(
      `licence type ${type.code}: ${years} year${years === 1 ? "" : "s"}, ${consent}, issued by ${type.issuers.join(", ")}`,
    );
  }

  const registration = codeToId("BUSINESS_REGISTRATION");
  // The registry derives each id from the issuing department and its reference.
  const acmeRegistration = licenceIdOf(codeToId("SAMR"), reference("SAMR-BR-0001"));
  const hotelRegistration = licenceIdOf(codeToId("SAMR"), reference("SAMR-BR-0002"));
  const hotelFireCert = licenceIdOf(codeToId("FIRE"), reference("FIRE-FS-0001"));
  await wait(
    licenceRegistry
      .connect(samr)
      .issue(reference("SAMR-BR-0001"), registration, acme.address, documentHash("br-1"), 0, 0, []),
  );
  await wait(
    licenceRegistry
      .connect(samr)
      .issue(reference("SAMR-BR-0002"), registration, hotel.address, documentHash("br-2"), 0, 0, []),
  );
  await wait(
    licenceRegistry
      .connect(fire)
      .issue(reference("FIRE-FS-0001"), codeToId("FIRE_SAFETY"), hotel.address, documentHash("fs-1"), 0, 0, []),
  );
  log(
    `SAMR issued business registrations to ACME-TRADING and CITY-HOTEL; FIRE a fire safety certificate to CITY-HOTEL`,
  );

  // Consent by the holder's own transaction, then a use under it.
  const inspection = codeToId("FOOD_SAFETY_INSPECTION");
  await wait(
    licenceRegistry.connect(hotel).grantConsent(hotelFireCert, codeToId("SAMR"), inspection, (await now()) + 30 * DAY),
  );
  await wait(licenceRegistry.connect(samr).use(hotelFireCert, inspection));
  log(`CITY-HOTEL let SAMR use its fire safety certificate for FOOD_SAFETY_INSPECTION for 30 days; SAMR used it`);

  // Consent by signature: the hotel signs, the construction bureau submits (the hotel pays nothing).
  const renovation = codeToId("RENOVATION_PERMIT");
  const until = (await now()) + 14 * DAY;
  const deadline = (await now()) + DAY;
  const nonce = await licenceRegistry.nonces(hotel.address);
  const signature = await signConsent(hotel, licenceRegistry, {
    licenceId: hotelFireCert,
    departmentId: codeToId("CONS"),
    purpose: renovation,
    until,
    nonce,
    deadline,
  });
  await wait(
    licenceRegistry.connect(cons).grantConsentBySig(hotelFireCert, renovation, until, nonce, deadline, signature),
  );
  await wait(licenceRegistry.connect(cons).use(hotelFireCert, renovation));
  await wait(licenceRegistry.connect(cons).use(acmeRegistration, codeToId("BUILDING_PERMIT_CHECK")));
  log(`CITY-HOTEL signed a consent for CONS (RENOVATION_PERMIT, 14 days), CONS submitted it and used the certificate`);
  log(`CONS checked ACME-TRADING's business registration (public type, no consent needed)`);

  // A signature handed out and taken back before anyone submitted it.
  const second = await licenceRegistry.nonces(hotel.address);
  await signConsent(hotel, licenceRegistry, {
    licenceId: hotelFireCert,
    departmentId: codeToId("TAX"),
    purpose: renovation,
    until,
    nonce: second,
    deadline,
  });
  await wait(licenceRegistry.connect(hotel).cancelSignedConsents());
  log(
    `CITY-HOTEL signed a consent for TAX, changed its mind and cancelled it (nonce ${second} used up) before TAX submitted it`,
  );
  const [valid, current] = await licenceRegistry.verify(hotelFireCert, documentHash("fs-1"));
  log(`verify(fire certificate, document): valid ${valid}, current document ${current}`);

  // A restaurant opening in progress.
  const template = WORKFLOW_TEMPLATES[0];
  const templateId = codeToId(template.code);
  await wait(
    jointApprovals
      .connect(hotel)
      .submitApplication(templateId, documentHash("restaurant-dossier"), [hotelRegistration]),
  );
  const applicationId = await jointApprovals.applicationCount();
  await wait(jointApprovals.connect(fire).rejectStep(applicationId, 0, codeToId("MISSING_FIRE_EXIT")));
  await wait(jointApprovals.connect(hotel).resubmitStep(applicationId, 0, documentHash("restaurant-dossier-v2")));
  await wait(jointApprovals.connect(fire).approveStep(applicationId, 0, documentHash("fire-check-report")));
  await wait(jointApprovals.connect(tax).approveStep(applicationId, 2, documentHash("tax-registration")));
  const states: string[] = [];
  for (const [i, step] of template.steps.entries()) {
    states.push(
      `${step.code} (${step.department}) ${STEP_STATES[Number(await jointApprovals.stepState(applicationId, i))]}`,
    );
  }
  log(`CITY-HOTEL applied for ${template.code} (application ${applicationId}); FIRE rejected, the hotel resubmitted,`);
  log(`  FIRE and TAX approved; now: ${states.join("; ")}`);
}
