/**
 * The whole system as one Ignition module, built from a parameters file (see
 * deploy/parameters/). Each domain adds its contracts and function-role wiring here; the last
 * step hands the AccessManager over to governance by renouncing the deployer's ADMIN role.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { type ConsortiumParams, ROLES } from "../lib/consortium.js";
import { deployGovernance } from "./governance.js";

export function buildGovledgerModule(params: ConsortiumParams) {
  return buildModule("Govledger", (m) => {
    const { manager, registry, governor, validatorSet, setup } = deployGovernance(m, params);

    const handover = m.call(manager, "renounceRole", [ROLES.ADMIN, m.getAccount(0)], {
      id: "RenounceDeployerAdmin",
      after: setup,
    });
    void handover;
    return { manager, registry, governor, validatorSet };
  });
}
