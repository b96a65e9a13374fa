import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { loadConsortiumParams, roleId, roleName, ROLES } from "../deploy/lib/consortium.js";
import { DEMO_PARAMS, deploySystem } from "./fixtures.js";

const connection = await network.create<"l1">();

async function deployed() {
  return deploySystem(connection);
}

function paramsFile(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "govledger-params-")), "params.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

const valid = {
  departments: [
    {
      code: "TAX",
      name: "Tax",
      kind: "TaxAuthority",
      operators: ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
      roles: ["TAX_AUTHORITY"],
    },
  ],
  validators: [{ address: "0x2546BcD3c84621e976D8185a91A922aE77ECEc30", department: "TAX" }],
  roleAdministrators: { INVOICE_ISSUER: "TAX" },
};

describe("deployment", function () {
  describe("loadConsortiumParams", function () {
    it("accepts a valid file and fills in the default voting rules", function () {
      const params = loadConsortiumParams(paramsFile(valid));
      expect(params.governance).to.deep.equal({
        thresholdBps: 5000,
        votingPeriod: 604800,
        executionDelay: 0,
        executionWindow: 1209600,
      });
    });

    const broken: [string, unknown, RegExp][] = [
      ["unreadable JSON", "{ not json", /cannot read parameters/],
      ["no departments", { ...valid, departments: [] }, /at least one founding department/],
      ["a duplicate code", { ...valid, departments: [valid.departments[0], valid.departments[0]] }, /used twice/],
      [
        "an unknown kind",
        { ...valid, departments: [{ ...valid.departments[0], kind: "Navy" }] },
        /unknown kind "Navy"/,
      ],
      [
        "an unknown role",
        { ...valid, departments: [{ ...valid.departments[0], roles: ["KING"] }] },
        /unknown role "KING"/,
      ],
      [
        "a bad operator",
        { ...valid, departments: [{ ...valid.departments[0], operators: ["0x12"] }] },
        /is not an address/,
      ],
      ["no validators", { ...valid, validators: [] }, /an empty set halts QBFT/],
      [
        "voting rules the governor would refuse",
        { ...valid, governance: { executionDelay: 2 ** 32 - 1 } },
        /governance.executionDelay is 4294967295: it must be an integer from 0 to 2592000/,
      ],
      [
        "a validator of an unknown department",
        { ...valid, validators: [{ ...valid.validators[0], department: "X" }] },
        /"X" is unknown/,
      ],
      [
        "an administrator that is no department",
        { ...valid, roleAdministrators: { INVOICE_ISSUER: "X" } },
        /"X" is unknown/,
      ],
      [
        "an operator shared by two departments",
        {
          ...valid,
          departments: [valid.departments[0], { ...valid.departments[0], code: "TAX2" }],
        },
        /acts for two departments/,
      ],
    ];
    for (const [what, content, message] of broken) {
      it(`rejects ${what} with a message naming the file`, function () {
        const file = paramsFile(content);
        expect(() => loadConsortiumParams(file)).to.throw(
          new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*${message.source}`),
        );
      });
    }
  });

  describe("roles", function () {
    it("reads the role ids from Roles.sol", function () {
      expect(roleId("TAX_AUTHORITY")).to.equal(10n);
      expect(roleName(ROLES.PUBLIC)).to.equal("PUBLIC");
      expect(roleName(999n)).to.equal("ROLE_999");
    });
  });

  describe("govledger module", function () {
    it("connects every contract to the AccessManager and reports every contract with its start block", async function () {
      const { summary, contracts } = await connection.networkHelpers.loadFixture(deployed);
      expect(summary.chainId).to.equal(31337);
      expect(Object.keys(summary.contracts).sort()).to.include.members([
        "governor",
        "manager",
        "registry",
        "validatorSet",
      ]);
      for (const contract of Object.values(summary.contracts)) {
        expect(contract.startBlock).to.be.greaterThanOrEqual(summary.startBlock);
        expect(await connection.ethers.provider.getCode(contract.address)).to.not.equal("0x");
      }
      expect(await contracts.registry.authority()).to.equal(summary.contracts.manager.address);
      expect(await contracts.validatorSet.authority()).to.equal(summary.contracts.manager.address);
      expect((await contracts.registry.departmentIds()).length).to.equal(DEMO_PARAMS.departments.length);
    });
  });
});
