/**
 * Licence handlers beyond the mirror: an opened joint-approval step tells its owning department
 * at once (a `notify_department` job, retried until its webhook accepts it).
 */
import type { AbiEvent } from "viem";

import { rowHandler } from "./rows.js";
import type { Handler } from "./types.js";

export function stepOpened(abi: AbiEvent): Handler {
  const mirror = rowHandler("licences.step_opened", abi);
  return {
    tables: mirror.tables,
    handle(event, out) {
      mirror.handle(event, out);
      const applicationId = String(event.args.applicationId);
      const step = Number(event.args.step);
      const key = `step-opened:${applicationId}:${step}:${event.transactionHash}`;
      out.enqueue({
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
      });
    },
  };
}
