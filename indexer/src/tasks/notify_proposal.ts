/**
 * Task `notify_proposal`: a new consortium proposal concerns every active department; fans out
 * one `notify_department` job per department (job keys make the fan-out idempotent on retry).
 */
import type { Task } from "graphile-worker";

import { stillIndexed } from "./notify_department.js";

export interface NotifyProposalPayload {
  proposalId: string;
  key: string;
  data: Record<string, unknown>;
}

function isNotifyProposalPayload(value: unknown): value is NotifyProposalPayload {
  const payload = value as NotifyProposalPayload;
  return (
    typeof payload === "object" &&
    payload !== null &&
    typeof payload.proposalId === "string" &&
    typeof payload.key === "string" &&
    typeof payload.data === "object" &&
    payload.data !== null
  );
}

export const notifyProposal: Task = async (payload, helpers) => {
  if (!isNotifyProposalPayload(payload)) {
    helpers.logger.error(`notify_proposal: malformed payload ${JSON.stringify(payload)}`);
    return;
  }
  if (!(await stillIndexed(helpers, payload.data))) {
    helpers.logger.info(`notify_proposal: ${payload.key} was on an orphaned block, not sent`);
    return;
  }
  const departments = await helpers.query<{ department_id: string }>(
    "select '0x' || encode(department_id, 'hex') as department_id from gov.departments where active",
  );
  for (const { department_id: departmentId } of departments.rows) {
    await helpers.addJob(
      "notify_department",
      { departmentId, kind: "ProposalCreated", key: `${payload.key}:${departmentId}`, data: payload.data },
      { jobKey: `${payload.key}:${departmentId}` },
    );
  }
};
