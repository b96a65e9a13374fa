import { expect } from "chai";
import { network } from "hardhat";

import { deploySystem, FIRE, passProposal, TAX } from "../fixtures.js";
import { describeAccess } from "../helpers/access.js";

const connection = await network.create<"l1">();
const { networkHelpers } = connection;

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
