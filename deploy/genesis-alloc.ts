/**
 * `npx hardhat run deploy/genesis-alloc.ts`: prints the genesis `alloc` entry that pre-deploys
 * ValidatorSet for a Besu QBFT network, from deploy/parameters/<network>.json ($GOVLEDGER_PARAMETERS):
 * its `validators` become the initial set, and the AccessManager address it trusts is where the
 * deployer's first transaction will put it ($GENESIS_DEPLOYER, the deployment account).
 * Put the printed entry under `alloc` at $GENESIS_VALIDATOR_SET_ADDRESS (default 0x…8888) and
 * the same address in `qbft.validatorcontractaddress`; then deploy with
 * `validatorSetAddress` set in the parameters file, so the deployment adopts it.
 */
import { artifacts } from "hardhat";

import { codeToId, loadConsortiumParams } from "./lib/consortium.js";
import { parametersFile } from "./lib/deployment.js";
import { predictAccessManager, validatorSetAlloc } from "./lib/genesis.js";

const deployer = process.env.GENESIS_DEPLOYER;
if (deployer === undefined) {
  console.error("genesis-alloc: set GENESIS_DEPLOYER to the address that will run the deployment");
  process.exit(1);
}
const address = process.env.GENESIS_VALIDATOR_SET_ADDRESS ?? "0x0000000000000000000000000000000000008888";
const params = loadConsortiumParams(parametersFile(process.env.GENESIS_NETWORK ?? "consortium"));
const artifact = await artifacts.readArtifact("ValidatorSet");
const entry = validatorSetAlloc(
  artifact.deployedBytecode,
  predictAccessManager(deployer),
  params.validators.map((validator) => ({ address: validator.address, departmentId: codeToId(validator.department) })),
);
console.log(JSON.stringify({ qbft: { validatorcontractaddress: address }, alloc: { [address]: entry } }, null, 2));
