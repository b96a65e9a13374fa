// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/**
 * @title IConstructionEscrow
 * @notice Supervised construction-fund accounts. The construction bureau opens a project; the
 * developer's money sits in the project's account; a milestone is released only after the
 * supervisor approves it, its labour share into the project's wage account and the rest into the
 * payable balance; payment orders approved by the supervisor pay registered subcontractors (or
 * the contractor) directly; payrolls approved by the project's bank pay registered workers
 * directly from the wage account. The regulator may freeze a project (wages still flow) and closes
 * it; the human-resources department pays overdue wages from the contractor's guarantee deposit.
 *
 * One contract holds many projects, each in its own token, each accounted separately:
 *   money in  = funded + guaranteeDeposited
 *   money out = wagesPaid + guaranteePaidOut + paidOut + refunded + guaranteeReturned
 *   balance   = unreleased + wageBalance + payableBalance + guaranteeBalance
 *   money in  = money out + balance, and the escrow's balance of a token is the sum of the
 *   balances of the projects in that token.
 *
 * Parties are the registry's participants (developer, contractor, supervisor, subcontractors) and
 * departments (the bank, the project regulator, human resources); a call needs the AccessManager
 * role of its function AND must come from the party the project names. Workers are plain accounts
 * registered on the project by the contractor with a salted hash of their identity (the real-name
 * record stays off chain).
 *
 * Life of a project: Open → Closed (by the regulator, nothing pending and no wages owed; the
 * remainder goes back to the developer; only late wage claims remain) → Settled (the guarantee
 * deposit returned to the contractor after the holding period). Frozen is a flag on top: while
 * set, nothing leaves the project but wages to registered workers on approved payrolls.
 */
interface IConstructionEscrow {
    /// @notice Where a project stands; `None` for an id never opened.
    enum ProjectState {
        None,
        Open,
        Closed,
        Settled
    }

    /// @notice The parties of a project the consortium may replace by a vote ({replaceParty}): the
    /// departments whose reorganisation would otherwise lock the project's money.
    enum ProjectParty {
        Bank,
        Regulator,
        HumanResources
    }

    /// @notice Where a milestone stands: Pending → Submitted → Released, or → Rejected → Submitted...
    enum MilestoneState {
        None,
        Pending,
        Submitted,
        Rejected,
        Released
    }

    /// @notice Where a payment order stands: Ordered → Paid or Rejected.
    enum PaymentOrderState {
        None,
        Ordered,
        Paid,
        Rejected
    }

    /// @notice Where a payroll stands: Submitted → Paid, or → Approved (owed, the wage account was
    /// short) → Paid, or Submitted → Rejected, or Approved → Cancelled (by the bank, when it can
    /// never be paid as approved: its claims stay on record in {PayrollSubmitted}).
    enum PayrollState {
        None,
        Submitted,
        Approved,
        Paid,
        Rejected,
        Cancelled
    }

    /**
     * @notice A milestone as agreed when the project is opened.
     * @param amount what it releases on approval
     * @param dueDate when it is due (unix seconds; informational)
     * @param descriptionHash hash of the milestone's description in the contract documents
     */
    struct MilestoneTerms {
        uint128 amount;
        uint64 dueDate;
        bytes32 descriptionHash;
    }

    /**
     * @notice What the construction bureau opens a project with.
     * @param developer participant id of the developer (pays in; DEVELOPER role)
     * @param contractor participant id of the general contractor (CONTRACTOR role)
     * @param supervisor participant id of the supervising engineer (SUPERVISOR role)
     * @param bank department id of the bank that keeps the accounts (BANK role)
     * @param regulator department id of the project regulator that alone may freeze, unfreeze
     *        and close the project (PROJECT_REGULATOR role)
     * @param humanResources department id of the human-resources department that alone may pay
     *        the project's overdue wages from its guarantee (HUMAN_RESOURCES role)
     * @param token the ERC-20 the project is paid in (a standard token: no fee on transfer)
     * @param budget the contract value; equals the sum of the milestones
     * @param labourShareBps share of every released milestone that goes to the wage account, in
     *        basis points (real rules: often 1,900-2,500)
     * @param guaranteeAmount the wage guarantee deposit the contractor must hold (often 1-3% of
     *        the budget)
     * @param guaranteeHoldingPeriod seconds after closing before the guarantee goes back (public
     *        notice, e.g. 30 days)
     * @param contractHash hash of the signed construction contract
     */
    struct ProjectTerms {
        bytes32 developer;
        bytes32 contractor;
        bytes32 supervisor;
        bytes32 bank;
        bytes32 regulator;
        bytes32 humanResources;
        IERC20 token;
        uint128 budget;
        uint16 labourShareBps;
        uint128 guaranteeAmount;
        uint32 guaranteeHoldingPeriod;
        bytes32 contractHash;
    }

    /**
     * @notice A project as stored (its money in {Ledger}).
     * @dev Layout: slots 0-3 the party ids; slot 4: token (160) | labourShareBps (16) | state (8) |
     * frozen (8) | guaranteeHoldingPeriod (32) | milestoneCount (16); slot 5: budget (128) |
     * guaranteeAmount (128); slot 6: guaranteeReleaseAt (64) | paymentOrderCount (64) |
     * payrollCount (64) | pending (32); slot 7: bureau; slot 8: regulator; slot 9: humanResources.
     * @param bureau the construction bureau (department) that opened the project and alone
     *        manages its subcontractors
     * @param regulator the project regulator (department) named in the terms: alone freezes,
     *        unfreezes and closes the project
     * @param humanResources the human-resources department named in the terms: alone draws on
     *        the guarantee for overdue wages
     * @param pending milestones under review plus payment orders and payrolls awaiting a decision
     * @param guaranteeReleaseAt when the guarantee may go back; zero until the project is closed
     */
    struct Project {
        bytes32 developer;
        bytes32 contractor;
        bytes32 supervisor;
        bytes32 bank;
        IERC20 token;
        uint16 labourShareBps;
        ProjectState state;
        bool frozen;
        uint32 guaranteeHoldingPeriod;
        uint16 milestoneCount;
        uint128 budget;
        uint128 guaranteeAmount;
        uint64 guaranteeReleaseAt;
        uint64 paymentOrderCount;
        uint64 payrollCount;
        uint32 pending;
        bytes32 bureau;
        bytes32 regulator;
        bytes32 humanResources;
    }

    /**
     * @notice A project's money, in its token. Pairs written together share a slot.
     * @param funded paid in by the developer
     * @param unreleased the developer's money not yet released by a milestone
     * @param released released by approved milestones (labour share included)
     * @param payableBalance released, not labour, not yet paid by a payment order
     * @param paidOut paid to payees by payment orders
     * @param refunded returned to the developer at closing
     * @param wageCredited the labour shares credited to the wage account
     * @param wageBalance the wage account
     * @param wagesPaid paid from the wage account to workers
     * @param wagesOwed approved payrolls not yet paid (an obligation, not money)
     * @param guaranteeDeposited paid in by the contractor as wage guarantee
     * @param guaranteeBalance the guarantee deposit held
     * @param guaranteePaidOut paid from the guarantee deposit to workers (overdue wages)
     * @param guaranteeReturned returned to the contractor after the holding period
     */
    struct Ledger {
        uint128 funded;
        uint128 unreleased;
        uint128 released;
        uint128 payableBalance;
        uint128 paidOut;
        uint128 refunded;
        uint128 wageCredited;
        uint128 wageBalance;
        uint128 wagesPaid;
        uint128 wagesOwed;
        uint128 guaranteeDeposited;
        uint128 guaranteeBalance;
        uint128 guaranteePaidOut;
        uint128 guaranteeReturned;
    }

    /**
     * @notice A milestone as stored.
     * @param evidenceHash hash of the completion evidence last submitted (zero before)
     */
    struct Milestone {
        uint128 amount;
        uint64 dueDate;
        MilestoneState state;
        bytes32 descriptionHash;
        bytes32 evidenceHash;
    }

    /**
     * @notice A payment order as stored.
     * @param payee participant id of the payee: a registered subcontractor or the contractor
     */
    struct PaymentOrder {
        bytes32 payee;
        uint128 amount;
        PaymentOrderState state;
    }

    /**
     * @notice A payroll as stored. Its entries live in the {PayrollSubmitted} event and are
     * passed again to pay it; `entriesHash` binds them.
     * @param entriesHash keccak256(abi.encode(workers, amounts))
     * @param total sum of the amounts
     * @param period the pay period, e.g. 202406 for June 2024
     */
    struct Payroll {
        bytes32 entriesHash;
        uint128 total;
        uint64 period;
        PayrollState state;
    }

    /// @notice `departmentId` (the construction bureau) opened a project.
    event ProjectCreated(
        uint256 indexed projectId,
        bytes32 indexed departmentId,
        bytes32 indexed contractor,
        ProjectTerms terms,
        MilestoneTerms[] milestones
    );
    /// @notice `departmentId` registered `subcontractor` on the project: it may be paid by orders.
    event SubcontractorAdded(uint256 indexed projectId, bytes32 indexed subcontractor, bytes32 indexed departmentId);
    /// @notice `departmentId`, the project's bureau, removed `subcontractor` from the project:
    /// orders may no longer pay it (its pending orders can only be rejected).
    event SubcontractorRemoved(
        uint256 indexed projectId,
        bytes32 indexed subcontractor,
        bytes32 indexed departmentId
    );
    /// @notice The contractor registered a worker; `identityHash` is the salted hash of the
    /// real-name record kept off chain.
    event WorkerRegistered(
        uint256 indexed projectId,
        address indexed worker,
        bytes32 indexed contractor,
        bytes32 identityHash
    );
    /// @notice The developer paid `amount` in from `from`: funded and unreleased grow by it.
    event ProjectFunded(uint256 indexed projectId, bytes32 indexed developer, address from, uint256 amount);
    /// @notice The contractor paid `amount` into the guarantee deposit, which now holds `balance`.
    event GuaranteeDeposited(uint256 indexed projectId, bytes32 indexed contractor, uint256 amount, uint256 balance);
    /// @notice The contractor reported a milestone complete.
    event MilestoneSubmitted(
        uint256 indexed projectId,
        uint256 indexed milestoneIndex,
        bytes32 indexed contractor,
        bytes32 evidenceHash
    );
    /// @notice The supervisor approved a milestone: `toWageAccount` went to the wage account and
    /// `toPayable` to the payable balance (unreleased fell by their sum).
    event MilestoneReleased(
        uint256 indexed projectId,
        uint256 indexed milestoneIndex,
        bytes32 indexed supervisor,
        uint256 toWageAccount,
        uint256 toPayable
    );
    /// @notice The supervisor rejected a milestone's completion; the contractor may submit again.
    event MilestoneRejected(
        uint256 indexed projectId,
        uint256 indexed milestoneIndex,
        bytes32 indexed supervisor,
        string reason
    );
    /// @notice The contractor ordered a payment of `amount` to `payee`.
    event PaymentOrdered(
        uint256 indexed projectId,
        uint256 indexed orderId,
        bytes32 indexed payee,
        bytes32 contractor,
        uint256 amount,
        bytes32 referenceHash
    );
    /// @notice The supervisor approved a payment order and `amount` went from the payable balance
    /// to `account`, the payee's account.
    event PaymentOrderPaid(
        uint256 indexed projectId,
        uint256 indexed orderId,
        bytes32 indexed payee,
        bytes32 supervisor,
        address account,
        uint256 amount
    );
    /// @notice The supervisor rejected a payment order.
    event PaymentOrderRejected(
        uint256 indexed projectId,
        uint256 indexed orderId,
        bytes32 indexed supervisor,
        string reason
    );
    /// @notice The contractor submitted a payroll: `workers[i]` is owed `amounts[i]`.
    event PayrollSubmitted(
        uint256 indexed projectId,
        uint256 indexed payrollId,
        bytes32 indexed contractor,
        uint64 period,
        bytes32 documentHash,
        address[] workers,
        uint256[] amounts,
        uint256 total
    );
    /// @notice The bank approved a payroll; it is owed (wagesOwed grew by `total`) until
    /// {PayrollPaid}, which follows in the same transaction when the wage account holds enough.
    event PayrollApproved(uint256 indexed projectId, uint256 indexed payrollId, bytes32 indexed bank, uint256 total);
    /// @notice The bank rejected a payroll.
    event PayrollRejected(uint256 indexed projectId, uint256 indexed payrollId, bytes32 indexed bank, string reason);
    /// @notice The bank cancelled an approved payroll that could not be paid as approved (a
    /// worker's account refused by the token, or more approved than the project can ever hold):
    /// wagesOwed fell by `total`. The workers' claims stay on record in {PayrollSubmitted}; the
    /// contractor submits what can be paid again as a new payroll.
    event PayrollCancelled(
        uint256 indexed projectId,
        uint256 indexed payrollId,
        bytes32 indexed bank,
        uint256 total,
        string reason
    );
    /// @notice Every worker of an approved payroll was paid their amount (see {PayrollSubmitted}):
    /// `fromWageAccount` from the wage account and `fromGuarantee` from the guarantee deposit.
    /// `departmentId` is the bank, or the project's human-resources department drawing on the
    /// guarantee.
    event PayrollPaid(
        uint256 indexed projectId,
        uint256 indexed payrollId,
        bytes32 indexed departmentId,
        uint256 fromWageAccount,
        uint256 fromGuarantee
    );
    /// @notice `departmentId` (the project's regulator) froze the project: nothing but wages leaves it.
    event ProjectFrozen(uint256 indexed projectId, bytes32 indexed departmentId, string reason);
    /// @notice `departmentId` (the project's regulator) lifted the freeze.
    event ProjectUnfrozen(uint256 indexed projectId, bytes32 indexed departmentId);
    /// @notice `departmentId` (the project's regulator) closed the project: `refunded` (unreleased, wage
    /// account and payable balance) went back to the developer at `account`; the guarantee may go
    /// back to the contractor from `guaranteeReleaseAt`.
    event ProjectClosed(
        uint256 indexed projectId,
        bytes32 indexed departmentId,
        bytes32 indexed developer,
        address account,
        uint256 refunded,
        uint64 guaranteeReleaseAt
    );
    /// @notice The consortium (a governance vote, executed through the AccessManager) replaced the
    /// project's `party` `previousParty` with `newParty`, which alone acts as that party from now
    /// on. The executing department is the one of the {IConsortiumGovernor-ProposalExecuted}
    /// event in the same transaction.
    event ProjectPartyReplaced(
        uint256 indexed projectId,
        bytes32 indexed previousParty,
        bytes32 indexed newParty,
        ProjectParty party
    );
    /// @notice The guarantee deposit's `amount` went back to the contractor; the project is settled.
    event GuaranteeReturned(uint256 indexed projectId, bytes32 indexed contractor, address account, uint256 amount);

    /// @notice The project is not in a state the call allows (`current` is its state).
    error EscrowProjectUnexpectedState(uint256 projectId, ProjectState current);
    /// @notice The milestone is not in a state the call allows (None: no such milestone).
    error EscrowMilestoneUnexpectedState(uint256 projectId, uint256 milestoneIndex, MilestoneState current);
    /// @notice The payment order is not in a state the call allows (None: no such order).
    error EscrowPaymentOrderUnexpectedState(uint256 projectId, uint256 orderId, PaymentOrderState current);
    /// @notice The payroll is not in a state the call allows (None: no such payroll).
    error EscrowPayrollUnexpectedState(uint256 projectId, uint256 payrollId, PayrollState current);
    /// @notice The project is frozen: only wages may leave it.
    error EscrowProjectFrozen(uint256 projectId);
    /// @notice Freezing a frozen project or unfreezing one that is not (`frozen` is its flag).
    error EscrowFreezeUnchanged(uint256 projectId, bool frozen);
    /// @notice The caller (department or participant `callerId`) is not the project's party for
    /// this call.
    error EscrowCallerNotParty(uint256 projectId, bytes32 callerId);
    /// @notice The project's `party` is `partyId` already: a replacement must change it.
    error EscrowPartyUnchanged(uint256 projectId, ProjectParty party, bytes32 partyId);
    /// @notice `partyId` is not an active party holding `roleId` (a participant role, or BANK,
    /// PROJECT_REGULATOR or HUMAN_RESOURCES for a department), or the developer, contractor and
    /// supervisor are not three different parties.
    error EscrowInvalidParty(bytes32 partyId, uint64 roleId);
    /// @notice The project's token is not a contract.
    error EscrowInvalidToken(address token);
    /// @notice The project's terms are inconsistent: the milestones (1 to MAX_MILESTONES, each
    /// nonzero) must add up to the budget, and the labour share is at most 10,000 bps.
    error EscrowInvalidTerms(uint256 budget, uint256 milestoneTotal, uint16 labourShareBps);
    /// @notice An amount is zero where it must not be.
    error EscrowZeroAmount();
    /// @notice `amount` is more than the `limit` the call allows (funding past the budget, a
    /// guarantee past the agreed amount).
    error EscrowAmountExceedsLimit(uint256 projectId, uint256 amount, uint256 limit);
    /// @notice The account the money comes from holds `available`, less than `needed`.
    error EscrowInsufficientFunds(uint256 projectId, uint256 available, uint256 needed);
    /// @notice The token moved a different amount than asked (fee on transfer): not supported.
    error EscrowUnsupportedToken(address token, uint256 expected, uint256 received);
    /// @notice A list is empty, longer than MAX_BATCH, or its companion list differs in length.
    error EscrowInvalidBatch(uint256 length, uint256 otherLength);
    /// @notice The subcontractor is registered on the project already.
    error EscrowSubcontractorExists(uint256 projectId, bytes32 subcontractor);
    /// @notice The subcontractor is not registered on the project.
    error EscrowSubcontractorUnknown(uint256 projectId, bytes32 subcontractor);
    /// @notice The payee is neither a registered subcontractor of the project nor its contractor.
    error EscrowPayeeNotRegistered(uint256 projectId, bytes32 payee);
    /// @notice The account cannot be a worker: zero, already registered, a department's or
    /// participant's account, the escrow itself, or registered with a zero identity hash.
    error EscrowInvalidWorker(uint256 projectId, address worker);
    /// @notice The account is not a registered worker of the project.
    error EscrowWorkerNotRegistered(uint256 projectId, address worker);
    /// @notice The workers and amounts passed are not those of the submitted payroll.
    error EscrowPayrollMismatch(uint256 projectId, uint256 payrollId);
    /// @notice The guarantee deposit holds `balance`, short of the `required` amount: the
    /// contractor must top it up before submitting milestones or ordering payments.
    error EscrowGuaranteeShort(uint256 projectId, uint256 balance, uint256 required);
    /// @notice Approved wages of `owed` are unpaid.
    error EscrowWagesOwed(uint256 projectId, uint256 owed);
    /// @notice `pending` milestones, payment orders or payrolls await a decision.
    error EscrowPendingDecisions(uint256 projectId, uint256 pending);
    /// @notice The guarantee deposit's holding period runs until `releaseAt`.
    error EscrowGuaranteeHeld(uint256 projectId, uint64 releaseAt);

    // ---- construction bureau -------------------------------------------------------------------

    /**
     * @notice Opens a project. Construction bureau role.
     * @param terms the parties, token, budget, labour share and guarantee
     * @param milestones 1 to MAX_MILESTONES milestones adding up to the budget
     * @param subcontractors subcontractors registered from the start (SUBCONTRACTOR role)
     * @return projectId the new project's id (1, 2, ...)
     */
    function createProject(
        ProjectTerms calldata terms,
        MilestoneTerms[] calldata milestones,
        bytes32[] calldata subcontractors
    ) external returns (uint256 projectId);

    /// @notice Registers a subcontractor (an active participant holding SUBCONTRACTOR) on an open
    /// project so that orders may pay it. Construction bureau role, the project's own bureau.
    function addSubcontractor(uint256 projectId, bytes32 subcontractor) external;

    /// @notice Removes a subcontractor from an open project: no new orders to it, and its
    /// pending orders can no longer be approved (the supervisor rejects them). Construction
    /// bureau role, the project's own bureau.
    function removeSubcontractor(uint256 projectId, bytes32 subcontractor) external;

    // ---- developer -----------------------------------------------------------------------------

    /**
     * @notice Pays `amount` of the project's token into the project from the caller, who must be
     * the project's developer and have approved the escrow. At most budget − funded in all.
     */
    function fund(uint256 projectId, uint256 amount) external;

    /**
     * @notice {fund} with an EIP-2612 permit for the escrow instead of a prior approval. A permit
     * already used (e.g. front-run) is ignored when the allowance is there anyway.
     */
    function fundWithPermit(
        uint256 projectId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    // ---- contractor ----------------------------------------------------------------------------

    /// @notice Pays into the wage guarantee deposit, up to the agreed amount. The contractor.
    function depositGuarantee(uint256 projectId, uint256 amount) external;

    /**
     * @notice Registers workers on an open project. The contractor.
     * @param workers their accounts: not zero, not a department's or participant's account
     * @param identityHashes salted hashes of their real-name records (kept off chain), nonzero
     */
    function registerWorkers(
        uint256 projectId,
        address[] calldata workers,
        bytes32[] calldata identityHashes
    ) external;

    /// @notice Reports a pending or rejected milestone complete. The contractor, guarantee in full.
    function submitMilestone(uint256 projectId, uint256 milestoneIndex, bytes32 evidenceHash) external;

    /**
     * @notice Orders a payment from the payable balance. The contractor, guarantee in full.
     * @param payee a registered, active subcontractor of the project, or the contractor itself
     * @param referenceHash hash of the invoice or statement the payment settles
     * @return orderId the order's id within the project (1, 2, ...)
     */
    function orderPayment(
        uint256 projectId,
        bytes32 payee,
        uint256 amount,
        bytes32 referenceHash
    ) external returns (uint256 orderId);

    /**
     * @notice Submits a payroll for the bank's approval. The contractor; the project open, or
     * closed with its guarantee still held (late wage claims).
     * @param period the pay period, e.g. 202406
     * @param documentHash hash of the signed payroll document
     * @param workers registered workers of the project (1 to MAX_BATCH entries)
     * @param amounts what each is owed, nonzero
     * @return payrollId the payroll's id within the project (1, 2, ...)
     */
    function submitPayroll(
        uint256 projectId,
        uint64 period,
        bytes32 documentHash,
        address[] calldata workers,
        uint256[] calldata amounts
    ) external returns (uint256 payrollId);

    /// @notice Takes the guarantee deposit back once the project is closed, its holding period
    /// over, nothing pending and no wages owed; the project becomes Settled. The contractor.
    function releaseGuarantee(uint256 projectId) external;

    // ---- supervisor ----------------------------------------------------------------------------

    /// @notice Approves a submitted milestone and releases its amount: the labour share (rounded
    /// up) into the wage account, the rest into the payable balance. The supervisor; not frozen.
    function approveMilestone(uint256 projectId, uint256 milestoneIndex) external;

    /// @notice Rejects a submitted milestone with a reason. The supervisor.
    function rejectMilestone(uint256 projectId, uint256 milestoneIndex, string calldata reason) external;

    /// @notice Approves a payment order and pays the payee from the payable balance. The
    /// supervisor; not frozen; the payee still registered on the project and active.
    function approvePaymentOrder(uint256 projectId, uint256 orderId) external;

    /// @notice Rejects a payment order with a reason. The supervisor.
    function rejectPaymentOrder(uint256 projectId, uint256 orderId, string calldata reason) external;

    // ---- bank ----------------------------------------------------------------------------------

    /**
     * @notice Approves a submitted payroll and, if the wage account holds its total, pays every
     * worker directly in the same transaction; otherwise the wages stay owed. The project's bank;
     * allowed while frozen.
     * @param workers the payroll's workers, exactly as submitted
     * @param amounts the payroll's amounts, exactly as submitted
     */
    function approvePayroll(
        uint256 projectId,
        uint256 payrollId,
        address[] calldata workers,
        uint256[] calldata amounts
    ) external;

    /// @notice Rejects a submitted payroll with a reason. The project's bank.
    function rejectPayroll(uint256 projectId, uint256 payrollId, string calldata reason) external;

    /// @notice Cancels an approved (owed) payroll that can never be paid as approved: a worker the
    /// token refuses to pay (a blacklist), or more than the wage account and the guarantee can
    /// hold. Its wages are no longer owed, so the project can close; the claims stay on record
    /// ({PayrollSubmitted}, {PayrollCancelled}) and the contractor resubmits what can be paid.
    /// The project's bank; allowed while frozen.
    function cancelPayroll(uint256 projectId, uint256 payrollId, string calldata reason) external;

    /// @notice Pays an approved (owed) payroll from the wage account once it holds enough. The
    /// project's bank; allowed while frozen.
    function payPayroll(
        uint256 projectId,
        uint256 payrollId,
        address[] calldata workers,
        uint256[] calldata amounts
    ) external;

    // ---- human resources -----------------------------------------------------------------------

    /// @notice Pays an approved (owed) payroll the contractor defaulted on: from the wage account
    /// as far as it goes, the rest from the guarantee deposit, which the contractor must then top
    /// up. Human-resources role, the project's own human-resources department; allowed while
    /// frozen.
    function drawGuarantee(
        uint256 projectId,
        uint256 payrollId,
        address[] calldata workers,
        uint256[] calldata amounts
    ) external;

    // ---- regulator -----------------------------------------------------------------------------

    /// @notice Freezes a project: nothing but wages leaves it until unfrozen. Project regulator
    /// role, the project's own regulator.
    function freezeProject(uint256 projectId, string calldata reason) external;

    /// @notice Lifts a freeze. Project regulator role, the project's own regulator.
    function unfreezeProject(uint256 projectId) external;

    /// @notice Closes an open, unfrozen project with nothing pending and no wages owed: the
    /// unreleased money, the wage account and the payable balance go back to the developer, and
    /// the guarantee's holding period starts. Project regulator role, the project's own
    /// regulator. The developer must be active: a
    /// suspended developer's refund waits in the project until its registrar reinstates it.
    function closeProject(uint256 projectId) external;

    // ---- consortium ----------------------------------------------------------------------------

    /**
     * @notice Replaces the bank, regulator or human-resources department of an open or closed
     * project (a closed one still takes late wage claims until its guarantee is returned) with
     * another active department holding the same role (BANK, PROJECT_REGULATOR, HUMAN_RESOURCES),
     * checked as {createProject} checks it: the way out when a department is reorganised,
     * suspended or merged. Governance only (ADMIN: a vote executed by the governor).
     * @param projectId the project, which must be open or closed (not settled)
     * @param party which party to replace
     * @param newParty the department taking the part
     */
    function replaceParty(uint256 projectId, ProjectParty party, bytes32 newParty) external;

    // ---- views ---------------------------------------------------------------------------------

    /// @notice The token whose payrolls are paid with one `transferBatch` call.
    function settlementToken() external view returns (address);

    /// @notice How many projects were opened (ids run from 1 to this).
    function projectCount() external view returns (uint256);

    /// @notice A project as stored (`state` None for an unknown id).
    function getProject(uint256 projectId) external view returns (Project memory);

    /// @notice A project's money.
    function getLedger(uint256 projectId) external view returns (Ledger memory);

    /// @notice A milestone as stored (index from 0).
    function getMilestone(uint256 projectId, uint256 milestoneIndex) external view returns (Milestone memory);

    /// @notice A payment order as stored.
    function getPaymentOrder(uint256 projectId, uint256 orderId) external view returns (PaymentOrder memory);

    /// @notice A payroll as stored.
    function getPayroll(uint256 projectId, uint256 payrollId) external view returns (Payroll memory);

    /// @notice Whether `subcontractor` is registered on the project.
    function isSubcontractor(uint256 projectId, bytes32 subcontractor) external view returns (bool);

    /// @notice The identity hash a worker was registered with (zero: not a worker of the project).
    function workerIdentity(uint256 projectId, address worker) external view returns (bytes32);
}
