/**
 * `npm run network -- init [--network <name>] [--out <dir>] [--force]`: writes a Besu QBFT
 * network folder (genesis, node keys and configs, permissioning, operators' README) from
 * deploy/parameters/<name>.json ($GOVLEDGER_PARAMETERS) into <dir> (default network/<name>).
 * Reads the compiled ValidatorSet (npm run network compiles first); touches no chain.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import { ROOT } from "./lib/consortium.js";
import { parametersFile } from "./lib/deployment.js";
import { initNetwork } from "./lib/network.js";

const USAGE = "usage: npm run network -- init [--network <name>] [--out <dir>] [--force]";

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      network: { type: "string", default: "consortium" },
      out: { type: "string" },
      force: { type: "boolean" },
    },
  });
  if (positionals.length !== 1 || positionals[0] !== "init") throw new Error(USAGE);
  const networkName = values.network;
  const out = path.resolve(values.out ?? path.join(ROOT, "network", networkName));
  const artifact = path.join(ROOT, "artifacts", "contracts", "governance", "ValidatorSet.sol", "ValidatorSet.json");
  const { deployedBytecode } = JSON.parse(readFileSync(artifact, "utf8")) as { deployedBytecode: string };
  const result = initNetwork({
    parametersFile: parametersFile(networkName),
    out,
    force: values.force,
    validatorSetCode: deployedBytecode,
    networkName,
  });
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  for (const node of result.nodes) {
    const kept = result.keptKeys.includes(node.name) ? " (key kept)" : "";
    console.log(`${node.name.padEnd(16)} ${node.validator ? "validator" : "node     "} ${node.address}${kept}`);
  }
  console.log(`network written to ${out}: see ${path.join(out, "README.md")}`);
} catch (error) {
  console.error(`network: ${(error as Error).message}`);
  process.exit(1);
}
