import { expect } from "chai";
import { network } from "hardhat";

import { signPermit as signPermitAs } from "@govledger/contracts/ethers";
import { SETTLEMENT_TOKEN_NAME, SETTLEMENT_TOKEN_SYMBOL } from "../../deploy/modules/escrow.js";
import { BANK, deploySystem, passProposal } from "../fixtures.js";
import { describeAccess } from "../helpers/access.js";
import { UNIT, workerWallets } from "./escrow.fixture.js";

const connection = await network.create<"l1">();
const { ethers, networkHelpers } = connection;

/** The system with 1,000 tokens minted to the stranger and the newcomer (accounts without roles). */
async function minted() {
  const system = await deploySystem(connection);
  const { settlementToken } = system.contracts;
  for (const holder of [system.accounts.stranger, system.accounts.newcomer]) {
    await (await settlementToken.connect(system.accounts.bank).mint(holder.address, 1_000n * UNIT)).wait();
  }
  return system;
}

const fixture = () => networkHelpers.loadFixture(minted);
type Ctx = Awaited<ReturnType<typeof minted>>;
const as = (caller: { address: string }) => caller as never;

function signPermit(ctx: Ctx, spender: string, value: bigint, deadline: bigint) {
  return signPermitAs(ctx.accounts.stranger, ctx.contracts.settlementToken, spender, value, deadline);
}

describe("SettlementToken", function () {
  describe("metadata", function () {
    it("is deployed with its name, symbol and the consortium's registry", async function () {
      const { contracts } = await fixture();
      expect(await contracts.settlementToken.name()).to.equal(SETTLEMENT_TOKEN_NAME);
      expect(await contracts.settlementToken.symbol()).to.equal(SETTLEMENT_TOKEN_SYMBOL);
      expect(await contracts.settlementToken.registry()).to.equal(await contracts.registry.getAddress());
      expect(await contracts.settlementToken.totalSupply()).to.equal(2_000n * UNIT);
    });
  });

  describe("mint", function () {
    it("mints a deposit and names the bank that took it", async function () {
      const { contracts, accounts } = await fixture();
      const token = contracts.settlementToken;
      await expect(token.connect(accounts.bank).mint(accounts.deployer.address, 5n * UNIT))
        .to.emit(token, "DepositMinted")
        .withArgs(BANK, accounts.deployer.address, 5n * UNIT)
        .and.to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, accounts.deployer.address, 5n * UNIT);
      expect(await token.balanceOf(accounts.deployer.address)).to.equal(5n * UNIT);
      expect(await token.totalSupply()).to.equal(2_005n * UNIT);
    });
  });

  describe("burnFrom", function () {
    it("burns a withdrawal the holder handed to the bank", async function () {
      const { contracts, accounts } = await fixture();
      const token = contracts.settlementToken;
      await (await token.connect(accounts.stranger).approve(accounts.bank.address, 300n * UNIT)).wait();
      await expect(token.connect(accounts.bank).burnFrom(accounts.stranger.address, 300n * UNIT))
        .to.emit(token, "DepositBurned")
        .withArgs(BANK, accounts.stranger.address, 300n * UNIT);
      expect(await token.balanceOf(accounts.stranger.address)).to.equal(700n * UNIT);
      expect(await token.totalSupply()).to.equal(1_700n * UNIT);
    });

    it("rejects burning what the holder did not hand over", async function () {
      const { contracts, accounts } = await fixture();
      const token = contracts.settlementToken;
      await expect(token.connect(accounts.bank).burnFrom(accounts.stranger.address, UNIT))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(accounts.bank.address, 0n, UNIT);
    });
  });

  describe("transferBatch", function () {
    it("pays many recipients with one Transfer event each", async function () {
      const { contracts, accounts } = await fixture();
      const token = contracts.settlementToken;
      const recipients = workerWallets(3, "batch").map((wallet) => wallet.address);
      const values = [UNIT, 2n * UNIT, 3n * UNIT];
      const tx = token.connect(accounts.stranger).transferBatch(recipients, values);
      await expect(tx).to.changeTokenBalances(
        ethers,
        token,
        [accounts.stranger.address, ...recipients],
        [-6n * UNIT, ...values],
      );
      await expect(tx)
        .to.emit(token, "Transfer")
        .withArgs(accounts.stranger.address, recipients[2], 3n * UNIT);
    });

    it("rejects empty, uneven or oversized lists, and more than the caller holds", async function () {
      const { contracts, accounts } = await fixture();
      const token = contracts.settlementToken.connect(accounts.stranger);
      const to = accounts.newcomer.address;
      await expect(token.transferBatch([], []))
        .to.be.revertedWithCustomError(token, "SettlementTokenInvalidBatch")
        .withArgs(0n, 0n);
      await expect(token.transferBatch([to], [1n, 2n]))
        .to.be.revertedWithCustomError(token, "SettlementTokenInvalidBatch")
        .withArgs(1n, 2n);
      const many = Array.from({ length: 1_001 }, () => to);
      await expect(
        token.transferBatch(
          many,
          many.map(() => 1n),
        ),
      )
        .to.be.revertedWithCustomError(token, "SettlementTokenInvalidBatch")
        .withArgs(1_001n, 1_001n);
      await expect(token.transferBatch([to, to], [1_000n * UNIT, 1n]))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(accounts.stranger.address, 0n, 1n);
    });
  });

  describe("permit", function () {
    it("sets an allowance from a signature", async function () {
      const ctx = await fixture();
      const { settlementToken } = ctx.contracts;
      const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
      const spender = ctx.accounts.newcomer.address;
      const { v, r, s } = await signPermit(ctx, spender, 7n * UNIT, deadline);
      await (
        await settlementToken
          .connect(ctx.accounts.newcomer)
          .permit(ctx.accounts.stranger.address, spender, 7n * UNIT, deadline, v, r, s)
      ).wait();
      expect(await settlementToken.allowance(ctx.accounts.stranger.address, spender)).to.equal(7n * UNIT);
    });
  });

  describe("pause", function () {
    it("stops transfers, mints, burns, approvals and permits until a vote unpauses", async function () {
      const ctx = await fixture();
      const { settlementToken: token } = ctx.contracts;
      const { stranger, newcomer, bank, tax } = ctx.accounts;
      const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
      const { v, r, s } = await signPermit(ctx, newcomer.address, UNIT, deadline);
      await (await token.connect(stranger).approve(bank.address, UNIT)).wait();
      await (await token.connect(tax).pause()).wait();
      for (const attempt of [
        token.connect(stranger).transfer(newcomer.address, UNIT),
        token.connect(stranger).transferBatch([newcomer.address], [UNIT]),
        token.connect(stranger).approve(newcomer.address, UNIT),
        token.connect(newcomer).permit(stranger.address, newcomer.address, UNIT, deadline, v, r, s),
        token.connect(bank).mint(stranger.address, UNIT),
        token.connect(bank).burnFrom(stranger.address, UNIT),
      ]) {
        await expect(attempt).to.be.revertedWithCustomError(token, "EnforcedPause");
      }
      const data = token.interface.encodeFunctionData("unpause");
      await (await passProposal(ctx, [{ target: await token.getAddress(), data }])).wait();
      await (await token.connect(stranger).transfer(newcomer.address, UNIT)).wait();
      expect(await token.balanceOf(newcomer.address)).to.equal(1_001n * UNIT);
    });
  });

  describeAccess<Ctx>("SettlementToken", {
    fixture,
    contract: ({ contracts }) => contracts.settlementToken,
    cases: {
      "mint(address,uint256)": {
        allowed: ({ accounts }) => ({ bank: accounts.bank }),
        denied: ({ accounts }) => ({ stranger: accounts.stranger, tax: accounts.tax, deployer: accounts.deployer }),
        call: ({ contracts, accounts }, caller) =>
          contracts.settlementToken.connect(as(caller)).mint(accounts.stranger.address, UNIT),
      },
      "burnFrom(address,uint256)": {
        allowed: ({ accounts }) => ({ bank: accounts.bank }),
        denied: ({ accounts }) => ({ newcomer: accounts.newcomer, tax: accounts.tax }),
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.settlementToken.connect(accounts.stranger).approve(caller.address, UNIT)).wait();
          return contracts.settlementToken.connect(as(caller)).burnFrom(accounts.stranger.address, UNIT);
        },
      },
      "transfer(address,uint256)": {
        allowed: ({ accounts }) => ({ stranger: accounts.stranger, newcomer: accounts.newcomer }),
        denied: () => ({}),
        call: ({ contracts, accounts }, caller) =>
          contracts.settlementToken.connect(as(caller)).transfer(accounts.deployer.address, UNIT),
      },
      "transferBatch(address[],uint256[])": {
        allowed: ({ accounts }) => ({ stranger: accounts.stranger, newcomer: accounts.newcomer }),
        denied: () => ({}),
        call: ({ contracts, accounts }, caller) =>
          contracts.settlementToken.connect(as(caller)).transferBatch([accounts.deployer.address], [UNIT]),
      },
      "approve(address,uint256)": {
        allowed: ({ accounts }) => ({ stranger: accounts.stranger, deployer: accounts.deployer }),
        denied: () => ({}),
        call: ({ contracts, accounts }, caller) =>
          contracts.settlementToken.connect(as(caller)).approve(accounts.newcomer.address, UNIT),
      },
      "transferFrom(address,address,uint256)": {
        allowed: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax }),
        denied: () => ({}),
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.settlementToken.connect(accounts.stranger).approve(caller.address, UNIT)).wait();
          return contracts.settlementToken
            .connect(as(caller))
            .transferFrom(accounts.stranger.address, accounts.newcomer.address, UNIT);
        },
      },
      "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)": {
        allowed: ({ accounts }) => ({ newcomer: accounts.newcomer, deployer: accounts.deployer }),
        denied: () => ({}),
        call: async (ctx, caller) => {
          const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
          const { v, r, s } = await signPermit(ctx, ctx.accounts.newcomer.address, UNIT, deadline);
          return ctx.contracts.settlementToken
            .connect(as(caller))
            .permit(ctx.accounts.stranger.address, ctx.accounts.newcomer.address, UNIT, deadline, v, r, s);
        },
      },
      "pause()": {
        allowed: ({ accounts }) => ({ tax: accounts.tax, audit: accounts.audit }),
        denied: ({ accounts }) => ({ stranger: accounts.stranger, bank: accounts.bank }),
        call: ({ contracts }, caller) => contracts.settlementToken.connect(as(caller)).pause(),
      },
      "unpause()": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, tax: accounts.tax, bank: accounts.bank }),
        call: async ({ contracts, accounts }, caller) => {
          await (await contracts.settlementToken.connect(accounts.tax).pause()).wait();
          return contracts.settlementToken.connect(as(caller)).unpause();
        },
      },
      "setAuthority(address)": {
        allowed: () => ({}),
        denied: ({ accounts }) => ({ deployer: accounts.deployer, bank: accounts.bank }),
        call: ({ contracts, accounts }, caller) =>
          contracts.settlementToken.connect(as(caller)).setAuthority(accounts.stranger.address),
      },
    },
  });
});
