/**
 * The handler registry: for every deployable contract, a handler for every event it can emit.
 * Most events mirror into a typed table of their domain schema (see rows.ts); a domain file may
 * replace a mirror with a handler of its own (to enqueue a job, say). A test fails when any event
 * of a compiled contract has no handler here.
 */
import type { AbiEvent } from "viem";

import { abis, type ContractName } from "@govledger/contracts";
import { proposalCreated } from "./governance.js";
import { stepOpened } from "./licences.js";
import { rowHandler, snake } from "./rows.js";
import type { Handler } from "./types.js";

/** Events every ConsortiumManaged contract inherits: one shared table each, in schema gov. */
const SHARED_EVENTS = new Set(["Paused", "Unpaused", "AuthorityUpdated"]);

/** Which schema a contract's events go to. */
const SCHEMAS: Partial<Record<ContractName, string>> = {
  AccessManager: "access",
  ConsortiumRegistry: "gov",
  ConsortiumGovernor: "gov",
  ValidatorSet: "gov",
  InvoiceLedger: "invoices",
  LicenceRegistry: "licences",
  JointApprovals: "licences",
  ConstructionEscrow: "escrow",
  SettlementToken: "escrow",
};

function event(contractName: ContractName, name: string): AbiEvent {
  const found = eventsOf(contractName).find((item) => item.name === name);
  if (found === undefined) throw new Error(`${contractName} has no event ${name}`);
  return found;
}

/** Handlers that do more than mirror, by contract and event name. */
const CUSTOM: Partial<Record<ContractName, Record<string, Handler>>> = {
  ConsortiumGovernor: { ProposalCreated: proposalCreated(event("ConsortiumGovernor", "ProposalCreated")) },
  JointApprovals: { StepOpened: stepOpened(event("JointApprovals", "StepOpened")) },
};

export function eventsOf(contractName: ContractName): AbiEvent[] {
  return (abis[contractName] as readonly { type: string }[]).filter((item) => item.type === "event") as AbiEvent[];
}

function buildRegistry(): Map<string, Map<string, Handler>> {
  const registry = new Map<string, Map<string, Handler>>();
  for (const [contractName, schema] of Object.entries(SCHEMAS) as [ContractName, string][]) {
    const handlers = new Map<string, Handler>();
    for (const event of eventsOf(contractName)) {
      const custom = CUSTOM[contractName]?.[event.name];
      const table = SHARED_EVENTS.has(event.name) ? `gov.${snake(event.name)}` : `${schema}.${snake(event.name)}`;
      handlers.set(event.name, custom ?? rowHandler(table, event));
    }
    registry.set(contractName, handlers);
  }
  return registry;
}

export const HANDLERS = buildRegistry();

export function handlerFor(contractName: string, eventName: string): Handler | undefined {
  return HANDLERS.get(contractName)?.get(eventName);
}
