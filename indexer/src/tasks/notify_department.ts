/**
 * Task `notify_department`: POSTs one event to the webhook a department configured
 * ($GOVLEDGER_WEBHOOKS). A non-2xx answer or a network error throws, so graphile-worker retries
 * it with backoff. Idempotent on the receiving side through the `Idempotency-Key` header (the
 * job key). Departments without a webhook are skipped, and so are events a reorg has removed
 * since the job was queued (replaying the canonical chain queues them again if they are on it).
 */
import type { JobHelpers, Task } from "graphile-worker";

export interface NotifyDepartmentPayload {
  departmentId: string;
  kind: string;
  key: string;
  data: Record<string, unknown>;
}

export function isNotifyDepartmentPayload(value: unknown): value is NotifyDepartmentPayload {
  const payload = value as NotifyDepartmentPayload;
  return (
    typeof payload === "object" &&
    payload !== null &&
    typeof payload.departmentId === "string" &&
    /^0x[0-9a-f]{64}$/.test(payload.departmentId) &&
    typeof payload.kind === "string" &&
    typeof payload.key === "string" &&
    typeof payload.data === "object" &&
    payload.data !== null
  );
}

/**
 * Whether the event a job was queued for is still in the database: a rollback deletes the rows of
 * orphaned blocks but not the jobs they queued. Looked up by block number (the primary key's
 * prefix) and transaction hash, both in every payload's data.
 */
export async function stillIndexed(helpers: JobHelpers, data: Record<string, unknown>): Promise<boolean> {
  const { blockNumber, transactionHash } = data;
  if (typeof blockNumber !== "string" || typeof transactionHash !== "string") return true;
  const { rows } = await helpers.query<{ found: boolean }>(
    "select exists (select 1 from raw.events where block_number = $1 and tx_hash = decode($2, 'hex')) as found",
    [blockNumber, transactionHash.slice(2)],
  );
  return rows[0].found;
}

export function createNotifyDepartment(webhooks: Record<string, string>, timeoutMs = 10_000): Task {
  return async (payload, helpers) => {
    if (!isNotifyDepartmentPayload(payload)) {
      // A malformed payload never becomes valid: log it and finish rather than retry forever.
      helpers.logger.error(`notify_department: malformed payload ${JSON.stringify(payload)}`);
      return;
    }
    const url = webhooks[payload.departmentId];
    if (url === undefined) return;
    if (!(await stillIndexed(helpers, payload.data))) {
      helpers.logger.info(`notify_department: ${payload.key} was on an orphaned block, not sent`);
      return;
    }
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": payload.key },
      body: JSON.stringify({
        departmentId: payload.departmentId,
        kind: payload.kind,
        key: payload.key,
        data: payload.data,
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`webhook ${url} answered ${response.status}`);
  };
}
