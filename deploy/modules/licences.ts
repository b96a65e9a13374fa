/**
 * E-licences part of the Ignition deployment: LicenceRegistry and JointApprovals, who may call
 * which of their functions, and the city's starting catalogue of licence types, trusted issuers
 * and workflow templates. The catalogue is set up while the deployer still holds ADMIN (before the
 * handover in govledger.ts); afterwards only a consortium vote changes it. Each catalogue entry is
 * set up only if every department it names is a founding department of the parameters file.
 */
import type {
  Future,
  IgnitionModuleBuilder,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";

import { codeToId, type ConsortiumParams, PUBLIC_ROLE, ROLES } from "../lib/consortium.js";
import { restrictFunctions, selectors } from "./governance.js";

const DAY = 24 * 3600;
const YEAR = 365 * DAY;

export interface LicenceTypeEntry {
  code: string;
  defaultValidity: number;
  consentRequired: boolean;
  /** Codes of the departments trusted to issue it. */
  issuers: string[];
}

export interface TemplateEntry {
  code: string;
  licenceType: string;
  issuer: string;
  /** Code of the step (owned by `issuer`) whose result is the licence document. */
  licenceStep: string;
  /** Steps in a topological order: `after` names earlier steps only. */
  steps: { code: string; department: string; after: string[] }[];
}

export const LICENCE_TYPES: LicenceTypeEntry[] = [
  { code: "BUSINESS_REGISTRATION", defaultValidity: 10 * YEAR, consentRequired: false, issuers: ["SAMR"] },
  { code: "FOOD_BUSINESS", defaultValidity: 5 * YEAR, consentRequired: true, issuers: ["SAMR"] },
  { code: "FIRE_SAFETY", defaultValidity: YEAR, consentRequired: true, issuers: ["FIRE"] },
];

/** Opening a restaurant: three checks in parallel; the food business review waits for the fire
 * safety check and the environmental assessment. The food business licence is issued once all
 * four are approved. */
export const WORKFLOW_TEMPLATES: TemplateEntry[] = [
  {
    code: "RESTAURANT_OPENING",
    licenceType: "FOOD_BUSINESS",
    issuer: "SAMR",
    licenceStep: "FOOD_BUSINESS_REVIEW",
    steps: [
      { code: "FIRE_SAFETY_CHECK", department: "FIRE", after: [] },
      { code: "ENVIRONMENTAL_ASSESSMENT", department: "CONS", after: [] },
      { code: "TAX_REGISTRATION", department: "TAX", after: [] },
      { code: "FOOD_BUSINESS_REVIEW", department: "SAMR", after: ["FIRE_SAFETY_CHECK", "ENVIRONMENTAL_ASSESSMENT"] },
    ],
  },
];

/** A template's steps as the contract takes them: prerequisites as a bitmask over step indexes. */
export function templateSteps(
  template: TemplateEntry,
): { code: string; departmentId: string; prerequisites: number }[] {
  const index = new Map(template.steps.map((step, i) => [step.code, i]));
  return template.steps.map((step) => ({
    code: codeToId(step.code),
    departmentId: codeToId(step.department),
    prerequisites: step.after.reduce((mask, code) => {
      const i = index.get(code);
      if (i === undefined) throw new Error(`template ${template.code}: unknown step "${code}"`);
      return mask | (1 << i);
    }, 0),
  }));
}

export function licenceStepIndex(template: TemplateEntry): number {
  const i = template.steps.findIndex((step) => step.code === template.licenceStep);
  if (i < 0) throw new Error(`template ${template.code}: unknown licence step "${template.licenceStep}"`);
  return i;
}

export function deployLicences(
  m: IgnitionModuleBuilder,
  core: {
    manager: NamedArtifactContractDeploymentFuture<"AccessManager">;
    registry: NamedArtifactContractDeploymentFuture<"ConsortiumRegistry">;
    /** Futures the catalogue waits for: the founding departments' admission. */
    after: Future[];
  },
  params: ConsortiumParams,
) {
  const { manager, registry } = core;
  const licenceRegistry = m.contract("LicenceRegistry", [manager, registry]);
  const jointApprovals = m.contract("JointApprovals", [manager, registry, licenceRegistry]);

  const setup: Future[] = [
    ...restrictFunctions(m, manager, licenceRegistry, {
      LICENCE_AUTHORITY: [
        "issue(bytes32,bytes32,address,bytes32,uint64,uint64,bytes32[])",
        "renew(bytes32,bytes32,uint64)",
        "suspend(bytes32,bytes32)",
        "reinstate(bytes32)",
        "revoke(bytes32,bytes32)",
      ],
      LICENCE_USER: ["use(bytes32,bytes32)", "grantConsentBySig(bytes32,bytes32,uint64,uint256,uint256,bytes)"],
      LICENCE_WORKFLOW: ["issueFromWorkflow(bytes32,bytes32,bytes32,address,bytes32,bytes32[])"],
    }),
    // The holder may be any account: checked in the contract, not by role.
    m.call(
      manager,
      "setTargetFunctionRole",
      [
        licenceRegistry,
        selectors(
          "grantConsent(bytes32,bytes32,bytes32,uint64)",
          "withdrawConsent(bytes32,bytes32,bytes32)",
          "cancelSignedConsents()",
        ),
        PUBLIC_ROLE,
      ],
      { id: "Wire_LicenceRegistry_PUBLIC" },
    ),
    // Applicants are any account and steps belong to departments per template: checked in the contract.
    m.call(
      manager,
      "setTargetFunctionRole",
      [
        jointApprovals,
        selectors(
          "submitApplication(bytes32,bytes32,bytes32[])",
          "resubmitStep(uint256,uint8,bytes32)",
          "withdrawApplication(uint256)",
          "approveStep(uint256,uint8,bytes32)",
          "rejectStep(uint256,uint8,bytes32)",
        ),
        PUBLIC_ROLE,
      ],
      { id: "Wire_JointApprovals_PUBLIC" },
    ),
    m.call(manager, "grantRole", [ROLES.LICENCE_WORKFLOW, jointApprovals, 0], {
      id: "Grant_JointApprovals_LICENCE_WORKFLOW",
    }),
  ];

  // The starting catalogue, for the founding departments it names.
  const founders = new Set(params.departments.map((department) => department.code));
  const trusted = new Map<string, Future[]>();
  for (const type of LICENCE_TYPES) {
    const issuers = type.issuers.filter((code) => founders.has(code));
    if (issuers.length === 0) continue;
    const defined = m.call(
      licenceRegistry,
      "setLicenceType",
      [codeToId(type.code), type.defaultValidity, type.consentRequired],
      { id: `LicenceType_${type.code}` },
    );
    setup.push(defined);
    const grants = issuers.map((code) =>
      m.call(licenceRegistry, "setTrustedIssuer", [codeToId(type.code), codeToId(code), true], {
        id: `TrustedIssuer_${type.code}_${code}`,
        after: [defined],
      }),
    );
    setup.push(...grants);
    trusted.set(type.code, grants);
  }
  for (const template of WORKFLOW_TEMPLATES) {
    const named = [template.issuer, ...template.steps.map((step) => step.department)];
    if (!trusted.has(template.licenceType) || !named.every((code) => founders.has(code))) continue;
    setup.push(
      m.call(
        jointApprovals,
        "defineTemplate",
        [
          codeToId(template.code),
          codeToId(template.licenceType),
          codeToId(template.issuer),
          licenceStepIndex(template),
          templateSteps(template),
        ],
        { id: `LicenceTemplate_${template.code}`, after: [...core.after, ...trusted.get(template.licenceType)!] },
      ),
    );
  }

  return { licenceRegistry, jointApprovals, setup };
}
