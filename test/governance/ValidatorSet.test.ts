import { expect } from "chai";
import { network } from "hardhat";

import { deploySystem, FIRE, impersonate, passProposal, TAX } from "../fixtures.js";
import { describeAccess } from "../helpers/access.js";

const connection = await network.create<"l1">();
const { networkHelpers, ethers } = connection;

async function deployed() {
  return deploySystem(connection);
}

const fixture = () => networkHelpers.loadFixture(deployed);

describe("ValidatorSet", function () {
  describe("getValidators", function () {
    it("returns the founding validators with their departments", async function () {
      const { contracts, accounts } = await fixture();
      expect(await contracts.validatorSet.getValidators()).to.deep.equal([
        accounts.all[16].address,
        accounts.all[17].address,
        accounts.all[18].address,
      ]);
      expect(await contracts.validatorSet.departmentOfValidator(accounts.all[16].address)).to.equal(TAX);
    });

    it("answers a call from the zero address, as Besu makes it", async function () {
      const { contracts } = await fixture();
      const data = contracts.validatorSet.interface.encodeFunctionData("getValidators");
      const raw = await connection.provider.request({
        method: "eth_call",
        params: [
          { from: "0x0000000000000000000000000000000000000000", to: await contracts.validatorSet.getAddress(), data },
          "latest",
        ],
      });
      expect(contracts.validatorSet.interface.decodeFunctionResult("getValidators", raw as string)[0]).to.have.length(
        3,
      );
    });
  });

  describe("addValidator", function () {
    it("adds a node by vote and emits ValidatorAdded with its department", async function () {
      const system = await fixture();
      const { validatorSet } = system.contracts;
      const node = system.accounts.all[19].address;
      const data = validatorSet.interface.encodeFunctionData("addValidator", [node, FIRE]);
      await expect(passProposal(system, [{ target: await validatorSet.getAddress(), data }]))
        .to.emit(validatorSet, "ValidatorAdded")
        .withArgs(node, FIRE);
      expect(await validatorSet.isValidator(node)).to.equal(true);
    });
  });

  describe("rejections", function () {
    it("rejects zero addresses, missing departments, duplicates, unknown nodes and the last validator", async function () {
      const system = await fixture();
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      const validatorSet = system.contracts.validatorSet.connect(governor);
      const [a, b, c] = [16, 17, 18].map((i) => system.accounts.all[i].address);
      await expect(validatorSet.addValidator(ethers.ZeroAddress, TAX))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetInvalidValidator")
        .withArgs(ethers.ZeroAddress);
      await expect(validatorSet.addValidator(system.accounts.all[19].address, ethers.ZeroHash))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetInvalidDepartment")
        .withArgs(ethers.ZeroHash);
      await expect(validatorSet.addValidator(a, TAX))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetDuplicate")
        .withArgs(a);
      await expect(validatorSet.removeValidator(system.accounts.all[19].address))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetUnknown")
        .withArgs(system.accounts.all[19].address);
      await expect(validatorSet.removeValidator(a)).to.emit(validatorSet, "ValidatorRemoved").withArgs(a, TAX);
      await (await validatorSet.removeValidator(b)).wait();
      expect(await validatorSet.getValidators()).to.deep.equal([c]);
      await expect(validatorSet.removeValidator(c))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetLastValidator")
        .withArgs(c);
    });

    it("holds at most MAX_VALIDATORS nodes", async function () {
      const system = await fixture();
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      const validatorSet = system.contracts.validatorSet.connect(governor);
      const max = Number(await validatorSet.MAX_VALIDATORS());
      for (let i = 3; i < max; i++) {
        await (await validatorSet.addValidator(`0x${(0x10000 + i).toString(16).padStart(40, "0")}`, TAX)).wait();
      }
      await expect(validatorSet.addValidator(system.accounts.all[19].address, TAX))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetFull")
        .withArgs(BigInt(max));
      expect(await validatorSet.getValidators()).to.have.length(max);
    });

    it("refuses to be deployed empty or with mismatched departments", async function () {
      const { summary } = await fixture();
      const factory = await ethers.getContractFactory("ValidatorSet");
      await expect(
        ethers.deployContract("ValidatorSet", [summary.contracts.manager.address, [], []]),
      ).to.be.revertedWithCustomError(factory, "ValidatorSetLastValidator");
      await expect(
        ethers.deployContract("ValidatorSet", [
          summary.contracts.manager.address,
          [summary.contracts.manager.address],
          [],
        ]),
      ).to.be.revertedWithCustomError(factory, "ValidatorSetInvalidDepartment");
    });
  });

  describeAccess("ValidatorSet", {
    fixture,
    contract: ({ contracts }) => contracts.validatorSet,
    cases: {
      "addValidator(address,bytes32)": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax, stranger: accounts.stranger }),
        call: ({ contracts, accounts }, caller) =>
          contracts.validatorSet.connect(caller as never).addValidator(accounts.all[19].address, TAX),
      },
      "setAuthority(address)": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax }),
        call: ({ contracts, accounts }, caller) =>
          contracts.validatorSet.connect(caller as never).setAuthority(accounts.stranger.address),
      },
      "removeValidator(address)": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax, stranger: accounts.stranger }),
        call: ({ contracts, accounts }, caller) =>
          contracts.validatorSet.connect(caller as never).removeValidator(accounts.all[16].address),
      },
    },
  });
});
