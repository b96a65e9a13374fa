/** The graphile-worker task list: one file per task, the identifier is the file name. */
import type { TaskList } from "graphile-worker";

import { createNotifyDepartment } from "./notify_department.js";
import { notifyProposal } from "./notify_proposal.js";

export function createTaskList(options: { webhooks: Record<string, string> }): TaskList {
  return {
    notify_department: createNotifyDepartment(options.webhooks),
    notify_proposal: notifyProposal,
  };
}
