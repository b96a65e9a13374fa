/**
 * Full access matrices of the registry, the governor and the validator set: every function ×
 * every consortium actor (test/helpers/accessMatrix.ts), so that a second department holding the
 * same role, a suspended department or participant whose roles were granted back in the
 * AccessManager, and the governor itself are each refused or allowed on purpose.
 */
import { id } from "ethers";
import { network } from "hardhat";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";
import { CONS, deploySystem, FIRE, TAX } from "../fixtures.js";
import { describeAccessMatrix } from "../helpers/accessMatrix.js";
import { addMatrixActors, FOUNDING_DEPARTMENTS } from "../helpers/consortium.js";

const connection = await network.create<"l1">();
const { networkHelpers } = connection;

const NEW = codeToId("NEW");
const ENTERPRISE = id("salt:ACME");
const as = (caller: { address: string }) => caller as never;

/** The system with the matrix actors, one enterprise registered by TAX holding INVOICE_ISSUER, and
 * proposal 1 (add a validator) made by TAX before the rival department was admitted. */
async function consortium() {
  const system = await deploySystem(connection);
  const { registry, governor, validatorSet } = system.contracts;
  const enterprise = system.accounts.enterprises[0];
  await (await registry.connect(system.accounts.tax).registerParticipant(ENTERPRISE, enterprise.address, 0)).wait();
  await (await registry.connect(system.accounts.tax).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_ISSUER)).wait();
  const addValidator = {
    target: await validatorSet.getAddress(),
    data: validatorSet.interface.encodeFunctionData("addValidator", [system.accounts.all[19].address, FIRE]),
  };
  await (await governor.connect(system.accounts.tax).propose([addValidator], "add a node")).wait();
  const { governor: governorSigner, actors } = await addMatrixActors(connection, system);
  return { ...system, addValidator, governorSigner, actors: { ...actors, enterprise } };
}

type Ctx = Awaited<ReturnType<typeof consortium>>;
const fixture = () => networkHelpers.loadFixture(consortium);
const matrix = { fixture, callers: (ctx: Ctx) => ctx.actors };
const MEMBERS = [...FOUNDING_DEPARTMENTS, "rivalDepartment"];

/** Passes proposal 1 with the four founding votes it needs (of seven eligible). */
async function pass(ctx: Ctx) {
  for (const voter of [ctx.accounts.tax, ctx.accounts.samr, ctx.accounts.cons, ctx.accounts.fire]) {
    await (await ctx.contracts.governor.connect(voter).castVote(1n, true)).wait();
  }
}

describe("ConsortiumRegistry", function () {
  const registry = (ctx: Ctx, caller: { address: string }) => ctx.contracts.registry.connect(as(caller));
  describeAccessMatrix<Ctx>("ConsortiumRegistry", {
    ...matrix,
    contract: (ctx) => ctx.contracts.registry,
    rows: {
      "admitDepartment(bytes32,string,uint8,address[])": {
        allowed: ["governor"],
        call: (ctx, caller) => registry(ctx, caller).admitDepartment(NEW, "New", 0, [ctx.accounts.newcomer.address]),
      },
      "suspendDepartment(bytes32)": {
        allowed: ["governor"],
        call: (ctx, caller) => registry(ctx, caller).suspendDepartment(FIRE),
      },
      "reinstateDepartment(bytes32)": {
        allowed: ["governor"],
        call: async (ctx, caller) => {
          await (await registry(ctx, ctx.governorSigner).suspendDepartment(FIRE)).wait();
          return registry(ctx, caller).reinstateDepartment(FIRE);
        },
      },
      "addOperator(bytes32,address)": {
        allowed: ["governor"],
        call: (ctx, caller) => registry(ctx, caller).addOperator(FIRE, ctx.accounts.newcomer.address),
      },
      "removeOperator(bytes32,address)": {
        allowed: ["governor"],
        call: async (ctx, caller) => {
          await (await registry(ctx, ctx.governorSigner).addOperator(FIRE, ctx.accounts.newcomer.address)).wait();
          return registry(ctx, caller).removeOperator(FIRE, ctx.accounts.newcomer.address);
        },
      },
      "grantDepartmentRole(bytes32,uint64)": {
        allowed: ["governor"],
        call: (ctx, caller) => registry(ctx, caller).grantDepartmentRole(FIRE, ROLES.AUDITOR),
      },
      "revokeDepartmentRole(bytes32,uint64)": {
        allowed: ["governor"],
        call: (ctx, caller) => registry(ctx, caller).revokeDepartmentRole(FIRE, ROLES.LICENCE_USER),
      },
      "setValidatorSet(address)": {
        allowed: ["governor"],
        call: (ctx, caller) => registry(ctx, caller).setValidatorSet(ctx.summary.contracts.validatorSet.address),
      },
      "setRoleAdministrator(uint64,bytes32)": {
        allowed: ["governor"],
        call: (ctx, caller) => registry(ctx, caller).setRoleAdministrator(150n, FIRE),
      },
      // Only the AccessManager calls it (AccessManager.updateAuthority, ADMIN: a vote).
      "setAuthority(address)": {
        allowed: [],
        call: (ctx, caller) => registry(ctx, caller).setAuthority(ctx.summary.contracts.manager.address),
      },
      "registerParticipant(bytes32,address,uint8)": {
        allowed: MEMBERS,
        call: (ctx, caller) => registry(ctx, caller).registerParticipant(id("other"), ctx.accounts.newcomer.address, 1),
      },
      "suspendParticipant(bytes32)": {
        allowed: ["tax"],
        call: (ctx, caller) => registry(ctx, caller).suspendParticipant(ENTERPRISE),
      },
      "reinstateParticipant(bytes32)": {
        allowed: ["tax"],
        call: async (ctx, caller) => {
          await (await registry(ctx, ctx.accounts.tax).suspendParticipant(ENTERPRISE)).wait();
          return registry(ctx, caller).reinstateParticipant(ENTERPRISE);
        },
      },
      "grantParticipantRole(bytes32,uint64)": {
        allowed: ["tax"],
        call: (ctx, caller) => registry(ctx, caller).grantParticipantRole(ENTERPRISE, ROLES.INVOICE_RECEIVER),
      },
      "revokeParticipantRole(bytes32,uint64)": {
        allowed: ["tax"],
        call: (ctx, caller) => registry(ctx, caller).revokeParticipantRole(ENTERPRISE, ROLES.INVOICE_ISSUER),
      },
    },
  });
});

describe("ConsortiumGovernor", function () {
  const governor = (ctx: Ctx, caller: { address: string }) => ctx.contracts.governor.connect(as(caller));
  describeAccessMatrix<Ctx>("ConsortiumGovernor", {
    ...matrix,
    contract: (ctx) => ctx.contracts.governor,
    rows: {
      "propose((address,bytes)[],string)": {
        allowed: MEMBERS,
        call: (ctx, caller) => governor(ctx, caller).propose([ctx.addValidator], "x"),
      },
      // The rival department was admitted after proposal 1: not eligible to vote on it.
      "castVote(uint256,bool)": {
        allowed: FOUNDING_DEPARTMENTS,
        call: (ctx, caller) => governor(ctx, caller).castVote(1n, true),
      },
      "execute(uint256)": {
        allowed: MEMBERS,
        call: async (ctx, caller) => {
          await pass(ctx);
          return governor(ctx, caller).execute(1n);
        },
      },
      "cancel(uint256)": {
        allowed: ["tax"],
        call: (ctx, caller) => governor(ctx, caller).cancel(1n),
      },
      "setVotingRules((uint16,uint32,uint32,uint32))": {
        allowed: ["governor"],
        call: (ctx, caller) =>
          governor(ctx, caller).setVotingRules({
            thresholdBps: 5000,
            votingPeriod: 86_400,
            executionDelay: 0,
            executionWindow: 86_400,
          }),
      },
    },
  });
});

describe("ValidatorSet", function () {
  const validatorSet = (ctx: Ctx, caller: { address: string }) => ctx.contracts.validatorSet.connect(as(caller));
  describeAccessMatrix<Ctx>("ValidatorSet", {
    ...matrix,
    contract: (ctx) => ctx.contracts.validatorSet,
    rows: {
      "addValidator(address,bytes32)": {
        allowed: ["governor"],
        call: (ctx, caller) => validatorSet(ctx, caller).addValidator(ctx.accounts.all[19].address, TAX),
      },
      "removeValidator(address)": {
        allowed: ["governor"],
        call: (ctx, caller) => validatorSet(ctx, caller).removeValidator(ctx.accounts.all[16].address),
      },
      // The registry calls it on suspensions and reinstatements; no account may.
      "departmentChanged(bytes32)": {
        allowed: [],
        call: (ctx, caller) => validatorSet(ctx, caller).departmentChanged(CONS),
      },
      "setRegistry(address)": {
        allowed: ["governor"],
        call: (ctx, caller) => validatorSet(ctx, caller).setRegistry(ctx.summary.contracts.registry.address),
      },
      "setAuthority(address)": {
        allowed: [],
        call: (ctx, caller) => validatorSet(ctx, caller).setAuthority(ctx.summary.contracts.manager.address),
      },
    },
  });
});
