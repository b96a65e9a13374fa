import { expect } from "chai";
import { artifacts, network } from "hardhat";

import { codeToId } from "../../deploy/lib/consortium.js";
import { deployGovledger } from "../../deploy/lib/deployment.js";
import { predictAccessManager, validatorSetAlloc } from "../../deploy/lib/genesis.js";
import { attachSystem } from "../../deploy/lib/system.js";
import { DEMO_PARAMS, FIRE, passProposal } from "../fixtures.js";

const GENESIS_ADDRESS = "0x0000000000000000000000000000000000008888";

describe("genesis validator set", function () {
  it("is read back by the contract when installed as a genesis alloc, and adopted by the deployment", async function () {
    // A fresh chain, so the deployer's first transaction deploys the AccessManager.
    const connection = await network.create<"l1">();
    const { ethers, provider } = connection;
    const [deployer] = await ethers.getSigners();
    const artifact = await artifacts.readArtifact("ValidatorSet");
    const validators = DEMO_PARAMS.validators.map((v) => ({
      address: v.address,
      departmentId: codeToId(v.department),
    }));
    const entry = validatorSetAlloc(artifact.deployedBytecode, predictAccessManager(deployer.address), validators);

    await provider.request({ method: "hardhat_setCode", params: [GENESIS_ADDRESS, entry.code] });
    for (const [slot, value] of Object.entries(entry.storage)) {
      await provider.request({ method: "hardhat_setStorageAt", params: [GENESIS_ADDRESS, slot, value] });
    }
    const preDeployed = await ethers.getContractAt("ValidatorSet", GENESIS_ADDRESS);
    expect(await preDeployed.getValidators()).to.deep.equal(validators.map((v) => v.address));
    for (const v of validators) expect(await preDeployed.departmentOfValidator(v.address)).to.equal(v.departmentId);

    const summary = await deployGovledger(connection, {
      deploymentId: "genesis-test",
      params: { ...DEMO_PARAMS, validatorSetAddress: GENESIS_ADDRESS },
    });
    expect(summary.contracts.validatorSet.address).to.equal(GENESIS_ADDRESS);
    expect(await preDeployed.authority()).to.equal(summary.contracts.manager.address);
    expect(await preDeployed.registry(), "set by the deployment").to.equal(summary.contracts.registry.address);

    // Governance changes it like any deployed one.
    const system = await attachSystem(connection, summary);
    const node = system.accounts.all[19].address;
    const data = preDeployed.interface.encodeFunctionData("addValidator", [node, FIRE]);
    await (await passProposal(system, [{ target: GENESIS_ADDRESS, data }])).wait();
    expect(await preDeployed.getValidators()).to.have.length(validators.length + 1);
    await connection.close();
  });

  it("refuses an empty or duplicated validator list", function () {
    const v = { address: DEMO_PARAMS.validators[0].address, departmentId: codeToId("TAX") };
    expect(() => validatorSetAlloc("0x00", v.address, [])).to.throw(/at least one validator/);
    expect(() => validatorSetAlloc("0x00", v.address, [v, v])).to.throw(/listed twice/);
  });
});
