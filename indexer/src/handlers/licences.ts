/**
 * Licence handlers beyond the mirror: an opened joint-approval step tells its owning department
 * at once (a `notify_department` job, retried until its webhook accepts it).
 */
import type { AbiEvent } from "viem";

import { rowHandlerWithJob } from "./rows.js";
import type { Handler } from "./types.js";

export function stepOpened(abi: AbiEvent): Handler {
  return rowHandlerWithJob("licences.step_opened", abi, (event) => {
    const applicationId = String(event.args.applicationId);
    const step = Number(event.args.step);
    const key = `step-opened:${applicationId}:${step}:${event.transactionHash}`;
    return {
      task: "notify_department",
      payload: {
        departmentId: event.args.departmentId,
        kind: "StepOpened",
        key,
        data: {
          applicationId,
          step,
          blockNumber: event.blockNumber.toString(),
          transactionHash: event.transactionHash,
        },
      },
      jobKey: key,
    };
  });
}
