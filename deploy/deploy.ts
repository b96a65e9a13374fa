/**
 * `npm run deploy -- --network <name>`: deploys the whole system with Ignition from
 * deploy/parameters/<name>.json (or $GOVLEDGER_PARAMETERS) and prints where the addresses landed.
 * Re-running resumes or confirms the same deployment ($GOVLEDGER_DEPLOYMENT_ID, default the
 * network name).
 */
import { network } from "hardhat";

import { deployGovledger, summaryPath } from "./lib/deployment.js";

const connection = await network.create<"l1">();
const deploymentId = process.env.GOVLEDGER_DEPLOYMENT_ID ?? connection.networkName;
const summary = await deployGovledger(connection, { deploymentId, displayUi: true });
console.log(JSON.stringify(summary, null, 2));
if (connection.networkConfig.type === "http") console.log(`deployment summary: ${summaryPath(deploymentId)}`);
await connection.close();
