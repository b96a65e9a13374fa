/**
 * E-invoice part of the Ignition deployment: the InvoiceLedger and which role may call which of
 * its functions. Checks that depend on the invoice (its issuer, the company that locked it, the
 * registrar of an issuer) are the contract's own; this module only wires roles.
 */
import type {
  ContractFuture,
  Future,
  IgnitionModuleBuilder,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";

import { PUBLIC_ROLE } from "../lib/consortium.js";
import { restrictFunctions, selectors } from "./governance.js";

/** Solidity tuple types of the ledger's calldata structs, for function signatures. */
const INVOICE_DATA = "(bytes32,bytes32,uint64,bytes32,uint96,uint96,bytes32)";
const INVOICE_ITEM = "(uint64,bytes32,uint96,uint96,bytes32)";
const CREDIT_NOTE_ITEM = "(bytes32,uint64,uint96,uint96,bytes32)";
const ISSUER_RULES = "(bool,uint96,uint128,uint32)";

/** Function signatures by the role (Roles.sol name) that may call them. */
export const INVOICE_FUNCTION_ROLES: Record<string, string[]> = {
  TAX_AUTHORITY: [
    `setIssuerRules(bytes32,${ISSUER_RULES})`,
    "freezeIssuer(bytes32)",
    "unfreezeIssuer(bytes32)",
    `freezeInvoice(${INVOICE_DATA},bytes32[])`,
    "unfreezeInvoice(bytes32)",
  ],
  INVOICE_ISSUER: [
    `issue(bytes32,${INVOICE_ITEM})`,
    `issueBatch(bytes32,${INVOICE_ITEM}[])`,
    `voidInvoice(${INVOICE_DATA},bytes32[])`,
    `issueCreditNote(${INVOICE_DATA},bytes32[],${CREDIT_NOTE_ITEM})`,
  ],
  INVOICE_RECEIVER: ["lock(bytes32)", "unlock(bytes32,bytes32)", "reimburse(bytes32)", "confirmCreditNote(bytes32)"],
};

/** Claiming (and naming the receiving company) is open to anyone: the contract checks that the
 * caller proves the buyer hash. */
export const INVOICE_PUBLIC_FUNCTIONS = [
  `claim(${INVOICE_DATA},bytes32[],bytes32,bytes32)`,
  `changeReceiver(${INVOICE_DATA},bytes32[],bytes32,bytes32)`,
];

/** The city's offset from UTC in seconds; issuing quotas count calendar months in local time. */
export const DEFAULT_UTC_OFFSET = 8 * 3600;

export function deployInvoices(
  m: IgnitionModuleBuilder,
  core: {
    manager: NamedArtifactContractDeploymentFuture<"AccessManager">;
    registry: ContractFuture<string>;
  },
) {
  const utcOffset = m.getParameter("invoiceUtcOffset", DEFAULT_UTC_OFFSET);
  const invoiceLedger = m.contract("InvoiceLedger", [core.manager, core.registry, utcOffset]);
  const setup: Future[] = [
    ...restrictFunctions(m, core.manager, invoiceLedger, INVOICE_FUNCTION_ROLES),
    m.call(
      core.manager,
      "setTargetFunctionRole",
      [invoiceLedger, selectors(...INVOICE_PUBLIC_FUNCTIONS), PUBLIC_ROLE],
      {
        id: "Wire_InvoiceLedger_PUBLIC",
      },
    ),
  ];
  return { invoiceLedger, setup };
}
