/**
 * Governance handlers beyond the mirror: a new proposal notifies every department.
 */
import type { AbiEvent } from "viem";

import { rowHandlerWithJob } from "./rows.js";
import type { Handler } from "./types.js";

export function proposalCreated(abi: AbiEvent): Handler {
  return rowHandlerWithJob("gov.proposal_created", abi, (event) => {
    const proposalId = String(event.args.proposalId);
    const key = `proposal:${proposalId}:${event.transactionHash}`;
    return {
      task: "notify_proposal",
      payload: {
        proposalId,
        key,
        data: {
          proposalId,
          proposer: event.args.departmentId,
          description: event.args.description,
          voteEnd: String(event.args.voteEnd),
          blockNumber: event.blockNumber.toString(),
          transactionHash: event.transactionHash,
        },
      },
      jobKey: key,
    };
  });
}
