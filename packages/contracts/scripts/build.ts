/**
 * `npm run build -w packages/contracts` (and `npm pack`, through prepack): regenerates the ABIs,
 * names and deployment summaries from the compiled artifacts and deploy/deployments/, then emits
 * dist/ (ESM and .d.ts) with tsc. Needs compiled contracts (`npm install` compiles); takes every
 * summary in deploy/deployments/ unless $GOVLEDGER_PACKAGE_DEPLOYMENTS lists the ids to ship.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { generateAbis, generateDeployments } from "./generate.js";

const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const only = process.env.GOVLEDGER_PACKAGE_DEPLOYMENTS?.split(",")
  .map((id) => id.trim())
  .filter(Boolean);

const { contracts } = generateAbis();
const { ids } = generateDeployments(undefined, only);
rmSync(path.join(PACKAGE, "dist"), { recursive: true, force: true });
const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const result = spawnSync(process.execPath, [tsc, "-p", path.join(PACKAGE, "tsconfig.build.json")], {
  stdio: "inherit",
});
if (result.status !== 0) {
  console.error("@govledger/contracts: tsc failed (see above)");
  process.exit(1);
}
console.log(
  `@govledger/contracts: dist/ with ${contracts} ABIs and ${ids.length} deployment${ids.length === 1 ? "" : "s"}` +
    (ids.length > 0 ? ` (${ids.join(", ")})` : ""),
);
