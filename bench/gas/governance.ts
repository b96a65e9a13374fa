/** Gas of governance operations: registering participants, proposing, voting, executing. */
import { id } from "ethers";

import { ROLES } from "../../deploy/lib/consortium.js";
import { gasOf, type GasSuite } from "./suite.js";

export const measureGovernance: GasSuite = async ({ system: { contracts, accounts } }) => {
  const { registry, governor, validatorSet } = contracts;
  const enterprise = accounts.enterprises[0];
  const pid = id("bench:enterprise");
  const results: Record<string, number> = {};
  results["registry.registerParticipant"] = await gasOf(
    registry.connect(accounts.tax).registerParticipant(pid, enterprise.address, 0),
  );
  results["registry.grantParticipantRole"] = await gasOf(
    registry.connect(accounts.tax).grantParticipantRole(pid, ROLES.INVOICE_ISSUER),
  );
  const calls = [
    {
      target: await validatorSet.getAddress(),
      data: validatorSet.interface.encodeFunctionData("addValidator", [
        accounts.all[19].address,
        await registry.departmentOf(accounts.tax.address),
      ]),
    },
  ];
  results["governance.propose"] = await gasOf(governor.connect(accounts.tax).propose(calls, "bench"));
  const proposalId = await governor.proposalCount();
  results["governance.castVote"] = await gasOf(governor.connect(accounts.tax).castVote(proposalId, true));
  await gasOf(governor.connect(accounts.samr).castVote(proposalId, true));
  await gasOf(governor.connect(accounts.cons).castVote(proposalId, true));
  results["governance.castVote.passing"] = await gasOf(governor.connect(accounts.fire).castVote(proposalId, true));
  results["governance.execute.addValidator"] = await gasOf(governor.connect(accounts.tax).execute(proposalId));

  // The largest department there can be, 16 operators x 16 roles, suspended and reinstated by
  // vote (issue 12): 256 AccessManager role changes in one proposal.
  const largest = id("bench:largest");
  const operators = Array.from({ length: 16 }, (_, i) => `0x${(i + 0x900).toString(16).padStart(40, "0")}`);
  const roles = [1n, 2n, 3n, 4n, 5n, 10n, 20n, 21n, 30n, 40n, 41n, 50n, 60n, 70n, 80n, 90n];
  const registryAddress = await registry.getAddress();
  const call = (fn: string, args: unknown[]) => ({
    target: registryAddress,
    data: registry.interface.encodeFunctionData(fn as "suspendDepartment", args as [string]),
  });
  const pass = async (calls: { target: string; data: string }[]) => {
    await gasOf(governor.connect(accounts.tax).propose(calls, "bench"));
    const id_ = await governor.proposalCount();
    for (const voter of [accounts.tax, accounts.samr, accounts.cons, accounts.fire, accounts.bank]) {
      if ((await governor.state(id_)) !== 1n) break;
      await gasOf(governor.connect(voter).castVote(id_, true));
    }
    return gasOf(governor.connect(accounts.tax).execute(id_));
  };
  await pass([
    call("admitDepartment", [largest, "Largest", 0, operators]),
    ...roles.map((role) => call("grantDepartmentRole", [largest, role])),
  ]);
  results["governance.execute.suspendDepartment16x16"] = await pass([call("suspendDepartment", [largest])]);
  results["governance.execute.reinstateDepartment16x16"] = await pass([call("reinstateDepartment", [largest])]);
  return results;
};
