/**
 * The `npm start` demo: runs each domain's demo in order against a fresh local deployment.
 * Each domain adds its own file here and one line to DEMOS.
 */
import type { System } from "../../deploy/lib/system.js";
import { runEscrowDemo } from "./escrow.js";
import { runGovernanceDemo } from "./governance.js";
import { runInvoicesDemo } from "./invoices.js";
import { runLicencesDemo } from "./licences.js";

export interface DemoContext extends System {
  log: (message: string) => void;
}

const DEMOS: [string, (context: DemoContext) => Promise<void>][] = [
  ["governance", runGovernanceDemo],
  ["invoices", runInvoicesDemo],
  ["escrow", runEscrowDemo],
  ["licences", runLicencesDemo],
];

export async function runDemos(system: System): Promise<void> {
  for (const [name, run] of DEMOS) {
    console.log(`demo: ${name}`);
    await run({ ...system, log: (message) => console.log(`  ${name}: ${message}`) });
  }
}
