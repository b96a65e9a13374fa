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
  return results;
};
