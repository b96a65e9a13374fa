/**
 * `npm run bench:gas`: deploys the system on the simulated network, runs each operation and
 * records its gas. Prints a table and writes bench/results/gas.json (operation name → gas).
 * Each domain adds a file under bench/gas/ and one line to SUITES.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { network } from "hardhat";

import { ROOT } from "../deploy/lib/consortium.js";
import { deploySystem } from "../test/fixtures.js";
import { measureEscrow } from "./gas/escrow.js";
import { measureGovernance } from "./gas/governance.js";
import { measureInvoices } from "./gas/invoices.js";
import { measureLicences } from "./gas/licences.js";
import type { GasSuite } from "./gas/suite.js";

const SUITES: [string, GasSuite][] = [
  ["governance", measureGovernance],
  ["invoices", measureInvoices],
  ["escrow", measureEscrow],
  ["licences", measureLicences],
];

const results: Record<string, number> = {};
for (const [name, suite] of SUITES) {
  // Each suite gets a fresh chain so that no suite's storage warms another's.
  const connection = await network.create<"l1">();
  const system = await deploySystem(connection);
  Object.assign(results, await suite({ connection, system }));
  await connection.close();
  console.log(`measured ${name}`);
}

const width = Math.max(...Object.keys(results).map((key) => key.length));
console.log(`\n${"operation".padEnd(width)}  gas`);
for (const [operation, gas] of Object.entries(results)) {
  console.log(`${operation.padEnd(width)}  ${gas.toLocaleString("en-US").padStart(9)}`);
}
const out = path.join(ROOT, "bench", "results", "gas.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten ${path.relative(ROOT, out)}`);
