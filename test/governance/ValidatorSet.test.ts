import { expect } from "chai";
import { network } from "hardhat";

import { CONS, deploySystem, FIRE, impersonate, passProposal, SAMR, TAX } from "../fixtures.js";
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

  describe("a suspended department's nodes", function () {
    it("stop sealing while it is suspended and seal again when it is reinstated", async function () {
      const system = await fixture();
      const { validatorSet, registry } = system.contracts;
      const [tax, samr, cons] = [16, 17, 18].map((i) => system.accounts.all[i].address);
      const target = await registry.getAddress();
      const suspend = registry.interface.encodeFunctionData("suspendDepartment", [CONS]);
      await (await passProposal(system, [{ target, data: suspend }])).wait();
      expect(await validatorSet.getValidators()).to.deep.equal([tax, samr]);
      expect(await validatorSet.allValidators()).to.deep.equal([tax, samr, cons]);
      expect(await validatorSet.isValidator(cons)).to.equal(true);
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      await (await registry.connect(governor).reinstateDepartment(CONS)).wait();
      expect(await validatorSet.getValidators()).to.deep.equal([tax, samr, cons]);
    });

    it("keep sealing when every validator's department is suspended: the set is never empty", async function () {
      const system = await fixture();
      const { validatorSet, registry } = system.contracts;
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      for (const department of [TAX, SAMR, CONS]) {
        await (await registry.connect(governor).suspendDepartment(department)).wait();
      }
      expect(await validatorSet.getValidators()).to.have.length(3);
    });

    it("keep sealing when the registry fails to answer", async function () {
      const system = await fixture();
      const { validatorSet, registry } = system.contracts;
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      await (await registry.connect(governor).suspendDepartment(CONS)).wait();
      // Any contract without the registry's functions: every call to it reverts.
      await (await validatorSet.connect(governor).setRegistry(system.summary.contracts.escrow.address)).wait();
      expect(await validatorSet.getValidators()).to.have.length(3);
      // The registry no longer reports to a set that asks another registry: votes still pass.
      await expect(registry.connect(governor).reinstateDepartment(CONS)).not.to.emit(
        validatorSet,
        "ValidatorSealingChanged",
      );
      await expect(validatorSet.connect(governor).setRegistry(system.accounts.stranger.address))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetInvalidRegistry")
        .withArgs(system.accounts.stranger.address);
    });

    it("cannot be added: addValidator takes only active, known departments", async function () {
      const system = await fixture();
      const { validatorSet, registry } = system.contracts;
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      const node = system.accounts.all[19].address;
      const unknown = ethers.encodeBytes32String("NOBODY");
      await expect(validatorSet.connect(governor).addValidator(node, unknown))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetInvalidDepartment")
        .withArgs(unknown);
      await (await registry.connect(governor).suspendDepartment(FIRE)).wait();
      await expect(validatorSet.connect(governor).addValidator(node, FIRE))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetInvalidDepartment")
        .withArgs(FIRE);
    });
  });

  describe("departmentChanged", function () {
    it("records when a department's nodes stop and start sealing, attributed to that department", async function () {
      const system = await fixture();
      const { validatorSet, registry } = system.contracts;
      const cons = system.accounts.all[18].address;
      expect(await registry.validatorSet()).to.equal(await validatorSet.getAddress());
      const target = await registry.getAddress();
      const suspend = registry.interface.encodeFunctionData("suspendDepartment", [CONS]);
      await expect(passProposal(system, [{ target, data: suspend }]))
        .to.emit(validatorSet, "ValidatorSealingChanged")
        .withArgs(cons, CONS, CONS, false);
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      await expect(registry.connect(governor).reinstateDepartment(CONS))
        .to.emit(validatorSet, "ValidatorSealingChanged")
        .withArgs(cons, CONS, CONS, true);
      // A department that runs no node changes no node's sealing.
      await expect(registry.connect(governor).suspendDepartment(FIRE)).not.to.emit(
        validatorSet,
        "ValidatorSealingChanged",
      );
    });

    it("records the fallback: the last active department's suspension makes every node seal", async function () {
      const system = await fixture();
      const { validatorSet, registry } = system.contracts;
      const [tax, samr, cons] = [16, 17, 18].map((i) => system.accounts.all[i].address);
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      await (await registry.connect(governor).suspendDepartment(TAX)).wait();
      await (await registry.connect(governor).suspendDepartment(SAMR)).wait();
      const last = registry.connect(governor).suspendDepartment(CONS);
      await expect(last)
        .to.emit(validatorSet, "ValidatorSealingChanged")
        .withArgs(tax, TAX, CONS, true)
        .and.to.emit(validatorSet, "ValidatorSealingChanged")
        .withArgs(samr, SAMR, CONS, true);
      const receipt = await (await last).wait();
      const sealingEvents = receipt!.logs.filter(
        (log) => validatorSet.interface.parseLog(log)?.name === "ValidatorSealingChanged",
      );
      expect(sealingEvents, "CONS's own node seals before and after").to.have.length(2);
      expect(await validatorSet.getValidators()).to.deep.equal([tax, samr, cons]);
    });

    it("is the registry's alone, and the registry links only a contract", async function () {
      const system = await fixture();
      const { validatorSet, registry } = system.contracts;
      const { stranger } = system.accounts;
      await expect(validatorSet.connect(stranger).departmentChanged(CONS))
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetCallerNotRegistry")
        .withArgs(stranger.address);
      const governor = await impersonate(connection, system.summary.contracts.governor.address);
      await expect(registry.connect(governor).setValidatorSet(stranger.address))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidValidatorSet")
        .withArgs(stranger.address);
      await expect(registry.connect(governor).setValidatorSet(await validatorSet.getAddress()))
        .to.emit(registry, "ValidatorSetLinked")
        .withArgs(await validatorSet.getAddress());
    });
  });

  describe("changes per proposal", function () {
    it("a proposal adds at most one node and removes at most one", async function () {
      const system = await fixture();
      const { validatorSet } = system.contracts;
      const target = await validatorSet.getAddress();
      const [tax] = [16].map((i) => system.accounts.all[i].address);
      const add = (node: string) => validatorSet.interface.encodeFunctionData("addValidator", [node, FIRE]);
      const remove = (node: string) => validatorSet.interface.encodeFunctionData("removeValidator", [node]);
      const [x, y] = [system.accounts.all[19].address, system.accounts.stranger.address];
      await expect(
        passProposal(system, [
          { target, data: add(x) },
          { target, data: add(y) },
        ]),
      )
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetChangeLimit")
        .withArgs(true);
      // A key rotation: one out, one in.
      await expect(
        passProposal(system, [
          { target, data: remove(tax) },
          { target, data: add(x) },
        ]),
      )
        .to.emit(validatorSet, "ValidatorAdded")
        .withArgs(x, FIRE);
      await expect(
        passProposal(system, [
          { target, data: remove(x) },
          { target, data: remove(system.accounts.all[17].address) },
        ]),
      )
        .to.be.revertedWithCustomError(validatorSet, "ValidatorSetChangeLimit")
        .withArgs(false);
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
      "departmentChanged(bytes32)": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax, stranger: accounts.stranger }),
        call: ({ contracts }, caller) => contracts.validatorSet.connect(caller as never).departmentChanged(CONS),
        error: ({ contracts }) => ({ contract: contracts.validatorSet, name: "ValidatorSetCallerNotRegistry" }),
      },
      "setRegistry(address)": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax, stranger: accounts.stranger }),
        call: ({ contracts }, caller) =>
          contracts.validatorSet.connect(caller as never).setRegistry(contracts.registry.getAddress()),
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
