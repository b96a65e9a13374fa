/**
 * Construction-fund escrow part of the `npm start` demo: the bank issues settlement tokens, the
 * construction bureau opens a project for the enterprises the governance demo registered, the
 * developer funds it with a permit, the supervisor approves the first milestone, a payment order
 * pays the subcontractor directly and the bank's approval pays a payroll straight to the workers.
 */
import { formatUnits, id, parseUnits, Wallet } from "ethers";

import { codeToId } from "../../deploy/lib/consortium.js";
import { signPermit } from "@govledger/contracts/ethers";
import type { DemoContext } from "./index.js";
import { participantId } from "./governance.js";

const DEVELOPER = 12;
const CONTRACTOR = 13;
const SUPERVISOR = 14;

const amount = (units: string) => parseUnits(units, 18);
const show = (value: bigint) => `${Number(formatUnits(value, 18)).toLocaleString("en-US")} CSD`;

export async function runEscrowDemo({ contracts, accounts, log }: DemoContext): Promise<void> {
  const { escrow, settlementToken: token } = contracts;
  const developer = accounts.all[DEVELOPER];
  const contractor = accounts.all[CONTRACTOR];
  const supervisor = accounts.all[SUPERVISOR];
  const subcontractor = accounts.all[15];
  const escrowAddress = await escrow.getAddress();

  await (await token.connect(accounts.bank).mint(developer.address, amount("3000000"))).wait();
  await (await token.connect(accounts.bank).mint(contractor.address, amount("60000"))).wait();
  log("BANK issued 3,000,000 CSD to RIVERSIDE-DEV and 60,000 CSD to NORTH-BUILD against deposits");

  const milestones = [
    { amount: amount("900000"), dueDate: 1_767_225_600, descriptionHash: id("Riverside block A: foundation") },
    { amount: amount("1200000"), dueDate: 1_782_864_000, descriptionHash: id("Riverside block A: structure") },
    { amount: amount("900000"), dueDate: 1_798_761_600, descriptionHash: id("Riverside block A: finishing") },
  ];
  const terms = {
    developer: participantId("RIVERSIDE-DEV"),
    contractor: participantId("NORTH-BUILD"),
    supervisor: participantId("SAFE-SUPERVISION"),
    bank: codeToId("BANK"),
    regulator: codeToId("CONS"),
    humanResources: codeToId("HRSS"),
    token: await token.getAddress(),
    budget: amount("3000000"),
    labourShareBps: 2_200,
    guaranteeAmount: amount("60000"),
    guaranteeHoldingPeriod: 30 * 24 * 3600,
    contractHash: id("Riverside block A construction contract"),
  };
  await (await escrow.connect(accounts.cons).createProject(terms, milestones, [participantId("STEEL-WORKS")])).wait();
  const projectId = await escrow.projectCount();
  log(`CONS opened project ${projectId}: budget 3,000,000 CSD, labour share 22%, guarantee 60,000 CSD`);

  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const signature = await signPermit(developer, token, escrowAddress, terms.budget, deadline);
  await (
    await escrow
      .connect(developer)
      .fundWithPermit(projectId, terms.budget, deadline, signature.v, signature.r, signature.s)
  ).wait();
  log("RIVERSIDE-DEV funded the project with a permit: 3,000,000 CSD in the supervised account");

  await (await token.connect(contractor).approve(escrowAddress, terms.guaranteeAmount)).wait();
  await (await escrow.connect(contractor).depositGuarantee(projectId, terms.guaranteeAmount)).wait();
  const workers = Array.from({ length: 5 }, (_, i) => new Wallet(id(`govledger-demo-worker:${i}`)).address);
  const identities = workers.map((worker) => id(`govledger-demo-identity-salt:${worker}`));
  await (await escrow.connect(contractor).registerWorkers(projectId, workers, identities)).wait();
  log(`NORTH-BUILD deposited its 60,000 CSD wage guarantee and registered ${workers.length} workers`);

  await (await escrow.connect(contractor).submitMilestone(projectId, 0n, id("foundation inspection report"))).wait();
  await (await escrow.connect(supervisor).approveMilestone(projectId, 0n)).wait();
  let ledger = await escrow.getLedger(projectId);
  log(
    `SAFE-SUPERVISION approved milestone 0: ${show(ledger.wageBalance)} to the wage account, ` +
      `${show(ledger.payableBalance)} payable`,
  );

  await (
    await escrow
      .connect(contractor)
      .orderPayment(projectId, participantId("STEEL-WORKS"), amount("250000"), id("STEEL-WORKS invoice 0042"))
  ).wait();
  const orderId = (await escrow.getProject(projectId)).paymentOrderCount;
  await (await escrow.connect(supervisor).approvePaymentOrder(projectId, orderId)).wait();
  log(`payment order ${orderId} approved: STEEL-WORKS holds ${show(await token.balanceOf(subcontractor.address))}`);

  const wages = ["6800", "7200", "6500", "8100", "7400"].map(amount);
  await (
    await escrow.connect(contractor).submitPayroll(projectId, 202606n, id("payroll June 2026"), workers, wages)
  ).wait();
  const payrollId = (await escrow.getProject(projectId)).payrollCount;
  await (await escrow.connect(accounts.bank).approvePayroll(projectId, payrollId, workers, wages)).wait();
  const paid = await Promise.all(workers.map((worker) => token.balanceOf(worker)));
  log(`BANK approved payroll ${payrollId}: paid ${paid.map(show).join(", ")} straight to the workers`);

  // More than the wage account holds: owed, then cancelled by the bank (a worker's account was
  // closed), which keeps the claim on record and frees the project to close later.
  const wageBalance = (await escrow.getLedger(projectId)).wageBalance;
  const july = [workers[4]];
  const julyWages = [wageBalance + amount("1000")];
  await (
    await escrow.connect(contractor).submitPayroll(projectId, 202607n, id("payroll July 2026"), july, julyWages)
  ).wait();
  const owedId = (await escrow.getProject(projectId)).payrollCount;
  await (await escrow.connect(accounts.bank).approvePayroll(projectId, owedId, july, julyWages)).wait();
  await (
    await escrow.connect(accounts.bank).cancelPayroll(projectId, owedId, "worker's bank account closed: resubmit")
  ).wait();
  log(`BANK approved payroll ${owedId} for ${show(julyWages[0])} (owed), then cancelled it: account closed`);

  await (await escrow.connect(accounts.cons).removeSubcontractor(projectId, participantId("STEEL-WORKS"))).wait();
  log("CONS removed STEEL-WORKS from the project: its work is done, no further orders may pay it");

  ledger = await escrow.getLedger(projectId);
  log(
    `project ${projectId}: funded ${show(ledger.funded)}, unreleased ${show(ledger.unreleased)}, ` +
      `wage account ${show(ledger.wageBalance)}, payable ${show(ledger.payableBalance)}, ` +
      `guarantee ${show(ledger.guaranteeBalance)}; escrow holds ${show(await token.balanceOf(escrowAddress))}`,
  );
}
