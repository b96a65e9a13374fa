/**
 * Construction-fund escrow part of the Ignition deployment: the settlement token and the escrow,
 * and which role may call which of their functions. `pause()` is wired to GUARDIAN by
 * govledger.ts for every domain contract; `unpause()` and `setAuthority()` stay ADMIN (a vote).
 * The token's `transferBatch` and the ERC-20 functions are not `restricted`: they move only the
 * caller's own tokens. The escrow's `replaceParty` is wired to no role on purpose: it stays ADMIN,
 * so only a governance vote (the governor executing it) replaces a project's party.
 */
import type {
  Future,
  IgnitionModuleBuilder,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";

import { restrictFunctions } from "./governance.js";

export const SETTLEMENT_TOKEN_NAME = "City Settlement Deposit";
export const SETTLEMENT_TOKEN_SYMBOL = "CSD";

export function deployEscrow(
  m: IgnitionModuleBuilder,
  core: {
    manager: NamedArtifactContractDeploymentFuture<"AccessManager">;
    registry: NamedArtifactContractDeploymentFuture<"ConsortiumRegistry">;
  },
) {
  const { manager, registry } = core;
  const settlementToken = m.contract("SettlementToken", [
    manager,
    registry,
    SETTLEMENT_TOKEN_NAME,
    SETTLEMENT_TOKEN_SYMBOL,
  ]);
  const escrow = m.contract("ConstructionEscrow", [manager, registry, settlementToken]);

  const setup: Future[] = [
    ...restrictFunctions(m, manager, settlementToken, {
      BANK: ["mint(address,uint256)", "burnFrom(address,uint256)"],
    }),
    ...restrictFunctions(m, manager, escrow, {
      CONSTRUCTION_BUREAU: [
        "createProject((bytes32,bytes32,bytes32,bytes32,bytes32,bytes32,address,uint128,uint16,uint128,uint32,bytes32),(uint128,uint64,bytes32)[],bytes32[])",
        "addSubcontractor(uint256,bytes32)",
        "removeSubcontractor(uint256,bytes32)",
      ],
      DEVELOPER: ["fund(uint256,uint256)", "fundWithPermit(uint256,uint256,uint256,uint8,bytes32,bytes32)"],
      CONTRACTOR: [
        "depositGuarantee(uint256,uint256)",
        "registerWorkers(uint256,address[],bytes32[])",
        "submitMilestone(uint256,uint256,bytes32)",
        "orderPayment(uint256,bytes32,uint256,bytes32)",
        "submitPayroll(uint256,uint64,bytes32,address[],uint256[])",
        "releaseGuarantee(uint256)",
      ],
      SUPERVISOR: [
        "approveMilestone(uint256,uint256)",
        "rejectMilestone(uint256,uint256,string)",
        "approvePaymentOrder(uint256,uint256)",
        "rejectPaymentOrder(uint256,uint256,string)",
      ],
      BANK: [
        "approvePayroll(uint256,uint256,address[],uint256[])",
        "rejectPayroll(uint256,uint256,string)",
        "cancelPayroll(uint256,uint256,string)",
        "payPayroll(uint256,uint256,address[],uint256[])",
      ],
      HUMAN_RESOURCES: ["drawGuarantee(uint256,uint256,address[],uint256[])"],
      PROJECT_REGULATOR: ["freezeProject(uint256,string)", "unfreezeProject(uint256)", "closeProject(uint256)"],
    }),
  ];
  return { settlementToken, escrow, setup };
}
