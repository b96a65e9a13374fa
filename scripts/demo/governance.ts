/**
 * Governance part of the `npm start` demo: departments register enterprises and give them
 * participant roles (no vote), and the consortium votes a new validator node in.
 */
import { id } from "ethers";

import { PARTICIPANT_KINDS, ROLES } from "../../deploy/lib/consortium.js";
import type { DemoContext } from "./index.js";

export const DEMO_ENTERPRISES = [
  { code: "ACME-TRADING", signer: 10, registrar: "tax", roles: ["INVOICE_ISSUER"] },
  { code: "CITY-HOTEL", signer: 11, registrar: "tax", roles: ["INVOICE_RECEIVER"] },
  { code: "RIVERSIDE-DEV", signer: 12, registrar: "cons", roles: ["DEVELOPER"] },
  { code: "NORTH-BUILD", signer: 13, registrar: "cons", roles: ["CONTRACTOR"] },
  { code: "SAFE-SUPERVISION", signer: 14, registrar: "cons", roles: ["SUPERVISOR"] },
  { code: "STEEL-WORKS", signer: 15, registrar: "cons", roles: ["SUBCONTRACTOR"] },
] as const;

/** The participant id for a demo enterprise: a salted hash, never the credit code in clear. */
export function participantId(code: string): string {
  return id(`govledger-demo-salt:${code}`);
}

export async function runGovernanceDemo({ contracts, accounts: signers, log }: DemoContext): Promise<void> {
  const registry = contracts.registry;
  for (const enterprise of DEMO_ENTERPRISES) {
    const registrar = signers[enterprise.registrar];
    const account = signers.all[enterprise.signer];
    const pid = participantId(enterprise.code);
    await (
      await registry
        .connect(registrar)
        .registerParticipant(pid, account.address, PARTICIPANT_KINDS.indexOf("Enterprise"))
    ).wait();
    for (const role of enterprise.roles) {
      await (await registry.connect(registrar).grantParticipantRole(pid, ROLES[role])).wait();
    }
    log(`registered ${enterprise.code} (${account.address}) as ${enterprise.roles.join(", ")}`);
  }

  const governor = contracts.governor;
  const newValidator = signers.all[19].address;
  const calls = [
    {
      target: await contracts.validatorSet.getAddress(),
      data: contracts.validatorSet.interface.encodeFunctionData("addValidator", [
        newValidator,
        await registry.departmentOf(signers.fire.address),
      ]),
    },
  ];
  await (await governor.connect(signers.fire).propose(calls, "Fire Brigade runs a fourth validator node")).wait();
  const proposalId = await governor.proposalCount();
  for (const voter of [signers.fire, signers.tax, signers.samr, signers.cons]) {
    await (await governor.connect(voter).castVote(proposalId, true)).wait();
  }
  await (await governor.connect(signers.fire).execute(proposalId)).wait();
  log(
    `proposal ${proposalId} passed 4 of 7: validators now ${(await contracts.validatorSet.getValidators()).join(", ")}`,
  );
}
