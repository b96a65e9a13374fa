/**
 * The whole system as one Ignition module, built from a parameters file (see
 * deploy/parameters/). Each domain adds its contracts and function-role wiring here; the last
 * step hands the AccessManager over to governance by renouncing the deployer's ADMIN role.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture } from "@nomicfoundation/ignition-core";

import { type ConsortiumParams, ROLES } from "../lib/consortium.js";
import { deployEscrow } from "./escrow.js";
import { deployGovernance, selectors } from "./governance.js";
import { deployInvoices } from "./invoices.js";
import { deployLicences } from "./licences.js";

export function buildGovledgerModule(params: ConsortiumParams) {
  return buildModule("Govledger", (m) => {
    const { manager, registry, governor, validatorSet, setup } = deployGovernance(m, params);

    // Domain contracts (ConsortiumManaged) join here: each domain's deploy function returns its
    // contracts and its wiring futures. Every domain contract's pause() goes to GUARDIAN.
    const domainContracts: ContractFuture<string>[] = [];
    const invoices = deployInvoices(m, { manager, registry });
    domainContracts.push(invoices.invoiceLedger);
    setup.push(...invoices.setup);

    const { settlementToken, escrow, setup: escrowSetup } = deployEscrow(m, { manager, registry });
    domainContracts.push(settlementToken, escrow);
    setup.push(...escrowSetup);

    const licences = deployLicences(m, { manager, registry, after: [...setup] }, params);
    domainContracts.push(licences.licenceRegistry, licences.jointApprovals);
    setup.push(...licences.setup);
    for (const target of domainContracts) {
      setup.push(
        m.call(manager, "setTargetFunctionRole", [target, selectors("pause()"), ROLES.GUARDIAN], {
          id: `Pause_${target.contractName}`,
        }),
      );
    }

    const handover = m.call(manager, "renounceRole", [ROLES.ADMIN, m.getAccount(0)], {
      id: "RenounceDeployerAdmin",
      after: setup,
    });
    void handover;
    return {
      manager,
      registry,
      governor,
      validatorSet,
      invoiceLedger: invoices.invoiceLedger,
      settlementToken,
      escrow,
      licenceRegistry: licences.licenceRegistry,
      jointApprovals: licences.jointApprovals,
    };
  });
}
