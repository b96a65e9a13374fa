/**
 * Gas of the construction-fund escrow: opening a project, paying in, releasing a milestone, a
 * payment order, and a payroll of 100 workers none of whom was paid before (so that every worker
 * costs a fresh token balance slot, the realistic and the worst case).
 */
import { id } from "ethers";

import {
  BUDGET,
  GUARANTEE,
  identityHash,
  milestoneTerms,
  projectTerms,
  setupParties,
  SUBCONTRACTOR,
  UNIT,
  workerWallets,
} from "../../test/escrow/escrow.fixture.js";
import { codeToId, DEPARTMENT_KINDS, ROLES } from "../../deploy/lib/consortium.js";
import { impersonate } from "../../test/fixtures.js";
import { gasOf, type GasSuite } from "./suite.js";

const PAYROLL_SIZE = 100;

export const measureEscrow: GasSuite = async ({ connection, system }) => {
  const context = await setupParties(system);
  const { escrow, settlementToken } = context.contracts;
  const { developer, contractor, supervisor } = context.parties;
  const { cons, bank, hrss } = context.accounts;
  const results: Record<string, number> = {};

  results["escrow.createProject"] = await gasOf(
    escrow.connect(cons).createProject(projectTerms(context.tokenAddress), milestoneTerms(), [SUBCONTRACTOR]),
  );
  results["escrow.fund"] = await gasOf(escrow.connect(developer).fund(1n, BUDGET / 2n));
  results["escrow.fund.again"] = await gasOf(escrow.connect(developer).fund(1n, BUDGET / 2n));
  results["escrow.depositGuarantee"] = await gasOf(escrow.connect(contractor).depositGuarantee(1n, GUARANTEE));

  const workers = workerWallets(PAYROLL_SIZE, "bench").map((wallet) => wallet.address);
  const registration = await gasOf(escrow.connect(contractor).registerWorkers(1n, workers, workers.map(identityHash)));
  results["escrow.registerWorkers100.perWorker"] = Math.round(registration / PAYROLL_SIZE);

  results["escrow.submitMilestone"] = await gasOf(escrow.connect(contractor).submitMilestone(1n, 0n, id("evidence")));
  results["escrow.approveMilestone"] = await gasOf(escrow.connect(supervisor).approveMilestone(1n, 0n));

  const order = await gasOf(escrow.connect(contractor).orderPayment(1n, SUBCONTRACTOR, 50_000n * UNIT, id("inv")));
  const approval = await gasOf(escrow.connect(supervisor).approvePaymentOrder(1n, 1n));
  results["escrow.paymentOrder"] = order + approval;
  results["escrow.paymentOrder.order"] = order;
  results["escrow.paymentOrder.approveAndPay"] = approval;

  // The wage account holds 60,000 after the first milestone; the payroll pays 50,000.
  const amounts = workers.map(() => 500n * UNIT);
  const submit = await gasOf(
    escrow.connect(contractor).submitPayroll(1n, 202406n, id("payroll 2024-06"), workers, amounts),
  );
  const pay = await gasOf(escrow.connect(bank).approvePayroll(1n, 1n, workers, amounts));
  if ((await settlementToken.balanceOf(workers[PAYROLL_SIZE - 1])) !== 500n * UNIT) {
    throw new Error("the payroll did not pay its workers");
  }
  results["escrow.payroll100.submit"] = submit;
  results["escrow.payroll100.approveAndPay"] = pay;
  results["escrow.payroll100.perWorker"] = Math.round(pay / PAYROLL_SIZE);
  results["escrow.payroll100.perWorker.withSubmit"] = Math.round((submit + pay) / PAYROLL_SIZE);

  // A contractor default: a second payroll of 100 (25,000) is more than the wage account's
  // 10,000, so it stays owed and HR pays it, 15,000 of it from the guarantee deposit. These
  // workers hold a balance already, so their slots are not fresh.
  const owed = workers.map(() => 250n * UNIT);
  await gasOf(escrow.connect(contractor).submitPayroll(1n, 202407n, id("payroll 2024-07"), workers, owed));
  await gasOf(escrow.connect(bank).approvePayroll(1n, 2n, workers, owed));
  results["escrow.drawGuarantee100"] = await gasOf(escrow.connect(hrss).drawGuarantee(1n, 2n, workers, owed));

  // The same payroll in a plain ERC-20: one transfer call per worker instead of one batch.
  const token = await connection.ethers.deployContract("EscrowTestToken");
  const tokenAddress = await token.getAddress();
  await gasOf(
    escrow.connect(cons).createProject(projectTerms(tokenAddress, { guaranteeAmount: 0n }), milestoneTerms(), []),
  );
  await gasOf(token.mint(developer.address, BUDGET));
  await gasOf(token.connect(developer).approve(context.escrowAddress, BUDGET));
  await gasOf(escrow.connect(developer).fund(2n, BUDGET));
  const erc20Workers = workerWallets(PAYROLL_SIZE, "bench-erc20").map((wallet) => wallet.address);
  await gasOf(escrow.connect(contractor).registerWorkers(2n, erc20Workers, erc20Workers.map(identityHash)));
  await gasOf(escrow.connect(contractor).submitMilestone(2n, 0n, id("evidence")));
  await gasOf(escrow.connect(supervisor).approveMilestone(2n, 0n));
  await gasOf(escrow.connect(contractor).submitPayroll(2n, 202406n, id("payroll"), erc20Workers, amounts));
  const erc20Pay = await gasOf(escrow.connect(bank).approvePayroll(2n, 1n, erc20Workers, amounts));
  results["escrow.payroll100.perWorker.erc20"] = Math.round(erc20Pay / PAYROLL_SIZE);

  // An approved payroll that can never be paid (issue 12, finding 4): the bank cancels it.
  await gasOf(
    escrow.connect(contractor).submitPayroll(
      2n,
      202407n,
      id("payroll"),
      erc20Workers,
      owed.map((a) => a * 10n),
    ),
  );
  await gasOf(
    escrow.connect(bank).approvePayroll(
      2n,
      2n,
      erc20Workers,
      owed.map((a) => a * 10n),
    ),
  );
  results["escrow.cancelPayroll"] = await gasOf(escrow.connect(bank).cancelPayroll(2n, 2n, "account closed"));
  results["escrow.removeSubcontractor"] = await gasOf(escrow.connect(cons).removeSubcontractor(1n, SUBCONTRACTOR));

  results["escrow.freezeProject"] = await gasOf(escrow.connect(cons).freezeProject(1n, "wage complaint"));
  results["escrow.unfreezeProject"] = await gasOf(escrow.connect(cons).unfreezeProject(1n));
  results["escrow.closeProject"] = await gasOf(escrow.connect(cons).closeProject(2n));
  // What a passed vote's call costs in the escrow (the vote's own gas is governance.*): a
  // district bureau admitted to take over project 1's regulator part.
  const governor = await impersonate(connection, await context.contracts.governor.getAddress());
  const district = codeToId("CONS2");
  await (
    await context.contracts.registry
      .connect(governor)
      .admitDepartment(district, "District Construction Bureau", DEPARTMENT_KINDS.indexOf("ConstructionBureau"), [
        context.accounts.newcomer.address,
      ])
  ).wait();
  await (
    await context.contracts.registry.connect(governor).grantDepartmentRole(district, ROLES.PROJECT_REGULATOR)
  ).wait();
  results["escrow.replaceParty"] = await gasOf(escrow.connect(governor).replaceParty(1n, 1, district));
  results["settlementToken.mint"] = await gasOf(settlementToken.connect(bank).mint(hrss.address, UNIT));
  return results;
};
