/**
 * The settlement token's full access matrix (test/helpers/accessMatrix.ts): minting and burning
 * only by an active bank department, pausing by an active guardian, and the ERC-20 functions open
 * to every actor for its own tokens (each actor is given tokens first).
 */
import { network } from "hardhat";

import { signPermit } from "@govledger/contracts/ethers";
import { deploySystem } from "../fixtures.js";
import { describeAccessMatrix } from "../helpers/accessMatrix.js";
import { addMatrixActors } from "../helpers/consortium.js";
import { UNIT } from "./escrow.fixture.js";

const connection = await network.create<"l1">();
const { networkHelpers } = connection;
const as = (caller: { address: string }) => caller as never;

async function tokenMatrix() {
  const system = await deploySystem(connection);
  const { settlementToken } = system.contracts;
  await (
    await settlementToken.connect(system.accounts.bank).mint(system.accounts.stranger.address, 1_000n * UNIT)
  ).wait();
  const { actors } = await addMatrixActors(connection, system);
  return { ...system, actors };
}

type Ctx = Awaited<ReturnType<typeof tokenMatrix>>;
const EVERYONE = [
  "deployer",
  "stranger",
  "tax",
  "samr",
  "cons",
  "fire",
  "bank",
  "hrss",
  "audit",
  "governor",
  "rivalDepartment",
  "suspendedDepartment",
  "lapsedParticipant",
  "unrelatedParticipant",
];

/** Gives `holder` one token from the stranger, so that moving its own tokens can succeed. */
async function fund(ctx: Ctx, holder: { address: string }) {
  await (await ctx.contracts.settlementToken.connect(ctx.accounts.stranger).transfer(holder.address, UNIT)).wait();
}

describe("SettlementToken", function () {
  const token = (ctx: Ctx, caller: { address: string }) => ctx.contracts.settlementToken.connect(as(caller));
  describeAccessMatrix<Ctx>("SettlementToken", {
    fixture: () => networkHelpers.loadFixture(tokenMatrix),
    contract: (ctx) => ctx.contracts.settlementToken,
    callers: (ctx) => ctx.actors,
    rows: {
      "mint(address,uint256)": {
        allowed: ["bank", "rivalDepartment"],
        call: (ctx, caller) => token(ctx, caller).mint(ctx.accounts.stranger.address, UNIT),
      },
      "burnFrom(address,uint256)": {
        allowed: ["bank", "rivalDepartment"],
        call: async (ctx, caller) => {
          await (await token(ctx, ctx.accounts.stranger).approve(caller.address, UNIT)).wait();
          return token(ctx, caller).burnFrom(ctx.accounts.stranger.address, UNIT);
        },
      },
      "transfer(address,uint256)": {
        allowed: EVERYONE,
        call: async (ctx, caller) => {
          await fund(ctx, caller);
          return token(ctx, caller).transfer(ctx.accounts.newcomer.address, UNIT);
        },
      },
      "transferBatch(address[],uint256[])": {
        allowed: EVERYONE,
        call: async (ctx, caller) => {
          await fund(ctx, caller);
          return token(ctx, caller).transferBatch([ctx.accounts.newcomer.address], [UNIT]);
        },
      },
      "approve(address,uint256)": {
        allowed: EVERYONE,
        call: (ctx, caller) => token(ctx, caller).approve(ctx.accounts.newcomer.address, UNIT),
      },
      "transferFrom(address,address,uint256)": {
        allowed: EVERYONE,
        call: async (ctx, caller) => {
          await (await token(ctx, ctx.accounts.stranger).approve(caller.address, UNIT)).wait();
          return token(ctx, caller).transferFrom(ctx.accounts.stranger.address, ctx.accounts.newcomer.address, UNIT);
        },
      },
      "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)": {
        allowed: EVERYONE,
        call: async (ctx, caller) => {
          const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
          const spender = ctx.accounts.newcomer.address;
          const { v, r, s } = await signPermit(
            ctx.accounts.stranger,
            ctx.contracts.settlementToken,
            spender,
            UNIT,
            deadline,
          );
          return token(ctx, caller).permit(ctx.accounts.stranger.address, spender, UNIT, deadline, v, r, s);
        },
      },
      "pause()": {
        allowed: ["tax", "audit", "rivalDepartment"],
        call: (ctx, caller) => token(ctx, caller).pause(),
      },
      "unpause()": {
        allowed: ["governor"],
        call: async (ctx, caller) => {
          await (await token(ctx, ctx.accounts.audit).pause()).wait();
          return token(ctx, caller).unpause();
        },
      },
      "setAuthority(address)": {
        allowed: [],
        call: (ctx, caller) => token(ctx, caller).setAuthority(ctx.summary.contracts.manager.address),
      },
    },
  });
});
