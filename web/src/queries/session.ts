/** Who an account is in the indexed registry: the department it currently operates for. */
import type { Tx } from "../db.js";

export interface OperatorDepartment {
  code: string;
  name: string;
  active: boolean;
}

export async function operatorDepartment(tx: Tx, account: string): Promise<OperatorDepartment | null> {
  const [row] = await tx`
    select web.department_code(d.department_id) as code, d.name, d.active
    from gov.operators o join gov.departments d using (department_id)
    where o.account = decode(${account.slice(2).toLowerCase()}, 'hex')
    limit 1`;
  return row ? { code: row.code, name: row.name, active: row.active } : null;
}
