/**
 * Governance handlers beyond the mirror: a new proposal notifies every department.
 */
import type { AbiEvent } from "viem";

import { rowHandler } from "./rows.js";
import type { Handler } from "./types.js";

export function proposalCreated(abi: AbiEvent): Handler {
  const mirror = rowHandler("gov.proposal_created", abi);
  return {
    tables: mirror.tables,
    handle(event, out) {
      mirror.handle(event, out);
      const proposalId = String(event.args.proposalId);
      const key = `proposal:${proposalId}:${event.transactionHash}`;
      out.enqueue({
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
      });
    },
  };
}
