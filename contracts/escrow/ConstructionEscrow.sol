// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessManager} from "@openzeppelin/contracts/access/manager/IAccessManager.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {ConsortiumManaged} from "../governance/ConsortiumManaged.sol";
import {Roles} from "../governance/Roles.sol";
import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";
import {IConstructionEscrow} from "../interfaces/IConstructionEscrow.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";

/**
 * @title ConstructionEscrow
 * @notice Supervised construction-fund accounts: milestones, payment orders, payrolls paid
 * straight to workers, wage guarantee deposits, freezing and closing. See {IConstructionEscrow}.
 * @dev Two checks guard every call: the AccessManager role of the function (`restricted`, wired in
 * deploy/modules/escrow.ts) and the project's own party (`_asParticipant`/`_asDepartment`,
 * attributed through the registry): a second department holding the same role (another bank,
 * regulator or human-resources bureau) is refused on a project that does not name it. Money enters
 * through `_receive` and leaves through `_send` and `_payWorkers`, always after the project's
 * {Ledger} is updated (checks-effects-interactions, behind a reentrancy guard). A payroll is stored
 * as the hash of its entries; the bank passes the entries again to pay it, so paying a worker costs
 * one token balance write and one `Transfer` event: with the settlement token the escrow pays the
 * whole payroll with one `transferBatch` call. All amounts fit 128 bits: they are bounded by a
 * project's budget or guarantee (uint128) or checked by SafeCast where they enter.
 */
contract ConstructionEscrow is IConstructionEscrow, ConsortiumManaged, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most milestones one project may have.
    uint256 public constant MAX_MILESTONES = 64;
    /// @notice Most entries one payroll or worker registration may have (bounds their gas).
    uint256 public constant MAX_BATCH = 500;
    uint256 private constant BPS = 10_000;

    ISettlementToken private immutable _settlementToken;
    uint256 private _projectCount;
    mapping(uint256 projectId => Project) private _projects;
    mapping(uint256 projectId => Ledger) private _ledgers;
    mapping(uint256 projectId => mapping(uint256 milestoneIndex => Milestone)) private _milestones;
    mapping(uint256 projectId => mapping(uint256 orderId => PaymentOrder)) private _paymentOrders;
    mapping(uint256 projectId => mapping(uint256 payrollId => Payroll)) private _payrolls;
    mapping(uint256 projectId => mapping(bytes32 participantId => bool)) private _subcontractors;
    mapping(uint256 projectId => mapping(address worker => bytes32 identityHash)) private _workers;

    /**
     * @param authority the consortium's AccessManager
     * @param registry_ the consortium's registry (parties and attribution)
     * @param settlementToken_ the settlement token, whose payrolls are paid with `transferBatch`
     */
    constructor(
        address authority,
        IConsortiumRegistry registry_,
        ISettlementToken settlementToken_
    ) ConsortiumManaged(authority, registry_) {
        _settlementToken = settlementToken_;
    }

    // ---- construction bureau -------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    function createProject(
        ProjectTerms calldata terms,
        MilestoneTerms[] calldata milestones,
        bytes32[] calldata subcontractors
    ) external restricted whenNotPaused returns (uint256 projectId) {
        bytes32 departmentId = _callerDepartment();
        _checkTerms(terms, milestones);
        projectId = ++_projectCount;
        Project storage project = _projects[projectId];
        project.developer = terms.developer;
        project.contractor = terms.contractor;
        project.supervisor = terms.supervisor;
        project.bank = terms.bank;
        project.token = terms.token;
        project.labourShareBps = terms.labourShareBps;
        project.state = ProjectState.Open;
        project.guaranteeHoldingPeriod = terms.guaranteeHoldingPeriod;
        // Cannot overflow: _checkTerms bounds the count by MAX_MILESTONES.
        project.milestoneCount = uint16(milestones.length);
        project.budget = terms.budget;
        project.guaranteeAmount = terms.guaranteeAmount;
        project.bureau = departmentId;
        project.regulator = terms.regulator;
        project.humanResources = terms.humanResources;
        for (uint256 i; i < milestones.length; ++i) {
            _milestones[projectId][i] = Milestone({
                amount: milestones[i].amount,
                dueDate: milestones[i].dueDate,
                state: MilestoneState.Pending,
                descriptionHash: milestones[i].descriptionHash,
                evidenceHash: bytes32(0)
            });
        }
        emit ProjectCreated(projectId, departmentId, terms.contractor, terms, milestones);
        for (uint256 i; i < subcontractors.length; ++i) {
            _addSubcontractor(projectId, subcontractors[i], departmentId);
        }
    }

    /// @inheritdoc IConstructionEscrow
    function addSubcontractor(uint256 projectId, bytes32 subcontractor) external restricted whenNotPaused {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 departmentId = _asDepartment(projectId, project.bureau);
        _addSubcontractor(projectId, subcontractor, departmentId);
    }

    /// @inheritdoc IConstructionEscrow
    function removeSubcontractor(uint256 projectId, bytes32 subcontractor) external restricted whenNotPaused {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 departmentId = _asDepartment(projectId, project.bureau);
        if (!_subcontractors[projectId][subcontractor]) revert EscrowSubcontractorUnknown(projectId, subcontractor);
        _subcontractors[projectId][subcontractor] = false;
        emit SubcontractorRemoved(projectId, subcontractor, departmentId);
    }

    // ---- developer -----------------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    function fund(uint256 projectId, uint256 amount) external restricted whenNotPaused nonReentrant {
        _fund(projectId, amount);
    }

    /// @inheritdoc IConstructionEscrow
    function fundWithPermit(
        uint256 projectId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external restricted whenNotPaused nonReentrant {
        IERC20 token = _project(projectId, ProjectState.Open).token;
        // A failed permit is ignored: someone may have submitted it first, and the allowance is
        // what counts; `_fund` fails if it is not there.
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _fund(projectId, amount);
    }

    // ---- contractor ----------------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    function depositGuarantee(uint256 projectId, uint256 amount) external restricted whenNotPaused nonReentrant {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 contractor = _asParticipant(projectId, project.contractor);
        if (amount == 0) revert EscrowZeroAmount();
        Ledger storage ledger = _ledgers[projectId];
        uint256 room = project.guaranteeAmount - ledger.guaranteeBalance;
        if (amount > room) revert EscrowAmountExceedsLimit(projectId, amount, room);
        // Cannot truncate: amount <= room < 2^128.
        ledger.guaranteeDeposited += uint128(amount);
        ledger.guaranteeBalance += uint128(amount);
        _receive(project.token, amount);
        emit GuaranteeDeposited(projectId, contractor, amount, ledger.guaranteeBalance);
    }

    /// @inheritdoc IConstructionEscrow
    function registerWorkers(
        uint256 projectId,
        address[] calldata workers,
        bytes32[] calldata identityHashes
    ) external restricted whenNotPaused {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 contractor = _asParticipant(projectId, project.contractor);
        _checkBatch(workers.length, identityHashes.length);
        for (uint256 i; i < workers.length; ++i) {
            address worker = workers[i];
            bytes32 identityHash = identityHashes[i];
            if (
                worker == address(0) ||
                worker == address(this) ||
                identityHash == bytes32(0) ||
                _workers[projectId][worker] != bytes32(0) ||
                _registry.departmentOf(worker) != bytes32(0) ||
                _registry.participantOf(worker) != bytes32(0)
            ) revert EscrowInvalidWorker(projectId, worker);
            _workers[projectId][worker] = identityHash;
            emit WorkerRegistered(projectId, worker, contractor, identityHash);
        }
    }

    /// @inheritdoc IConstructionEscrow
    function submitMilestone(
        uint256 projectId,
        uint256 milestoneIndex,
        bytes32 evidenceHash
    ) external restricted whenNotPaused {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 contractor = _asParticipant(projectId, project.contractor);
        _checkGuarantee(projectId, project);
        Milestone storage milestone = _milestones[projectId][milestoneIndex];
        if (milestone.state != MilestoneState.Pending && milestone.state != MilestoneState.Rejected) {
            revert EscrowMilestoneUnexpectedState(projectId, milestoneIndex, milestone.state);
        }
        milestone.state = MilestoneState.Submitted;
        milestone.evidenceHash = evidenceHash;
        ++project.pending;
        emit MilestoneSubmitted(projectId, milestoneIndex, contractor, evidenceHash);
    }

    /// @inheritdoc IConstructionEscrow
    function orderPayment(
        uint256 projectId,
        bytes32 payee,
        uint256 amount,
        bytes32 referenceHash
    ) external restricted whenNotPaused returns (uint256 orderId) {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 contractor = _asParticipant(projectId, project.contractor);
        _checkGuarantee(projectId, project);
        if (amount == 0) revert EscrowZeroAmount();
        if (payee != contractor) _checkSubcontractor(projectId, payee);
        orderId = ++project.paymentOrderCount;
        _paymentOrders[projectId][orderId] = PaymentOrder({
            payee: payee,
            amount: amount.toUint128(),
            state: PaymentOrderState.Ordered
        });
        ++project.pending;
        emit PaymentOrdered(projectId, orderId, payee, contractor, amount, referenceHash);
    }

    /// @inheritdoc IConstructionEscrow
    function submitPayroll(
        uint256 projectId,
        uint64 period,
        bytes32 documentHash,
        address[] calldata workers,
        uint256[] calldata amounts
    ) external restricted whenNotPaused returns (uint256 payrollId) {
        Project storage project = _liveProject(projectId);
        bytes32 contractor = _asParticipant(projectId, project.contractor);
        uint256 total = _payrollTotal(projectId, workers, amounts);
        payrollId = ++project.payrollCount;
        _payrolls[projectId][payrollId] = Payroll({
            entriesHash: _entriesHash(workers, amounts),
            total: total.toUint128(),
            period: period,
            state: PayrollState.Submitted
        });
        ++project.pending;
        emit PayrollSubmitted(projectId, payrollId, contractor, period, documentHash, workers, amounts, total);
    }

    /// @inheritdoc IConstructionEscrow
    function releaseGuarantee(uint256 projectId) external restricted whenNotPaused nonReentrant {
        Project storage project = _project(projectId, ProjectState.Closed);
        bytes32 contractor = _asParticipant(projectId, project.contractor);
        _checkNotFrozen(projectId, project);
        if (block.timestamp < project.guaranteeReleaseAt) {
            revert EscrowGuaranteeHeld(projectId, project.guaranteeReleaseAt);
        }
        Ledger storage ledger = _ledgers[projectId];
        _checkSettled(projectId, project, ledger);
        uint128 amount = ledger.guaranteeBalance;
        ledger.guaranteeBalance = 0;
        ledger.guaranteeReturned += amount;
        project.state = ProjectState.Settled;
        _send(project.token, msg.sender, amount);
        emit GuaranteeReturned(projectId, contractor, msg.sender, amount);
    }

    // ---- supervisor ----------------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    function approveMilestone(uint256 projectId, uint256 milestoneIndex) external restricted whenNotPaused {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 supervisor = _asParticipant(projectId, project.supervisor);
        _checkNotFrozen(projectId, project);
        Milestone storage milestone = _submittedMilestone(projectId, milestoneIndex);
        uint128 amount = milestone.amount;
        Ledger storage ledger = _ledgers[projectId];
        if (ledger.unreleased < amount) revert EscrowInsufficientFunds(projectId, ledger.unreleased, amount);
        // Rounded up in the workers' favour; at most `amount` since labourShareBps <= BPS.
        uint128 toWageAccount = uint128(Math.mulDiv(amount, project.labourShareBps, BPS, Math.Rounding.Ceil));
        uint128 toPayable = amount - toWageAccount;
        milestone.state = MilestoneState.Released;
        --project.pending;
        ledger.unreleased -= amount;
        ledger.released += amount;
        ledger.payableBalance += toPayable;
        ledger.wageCredited += toWageAccount;
        ledger.wageBalance += toWageAccount;
        emit MilestoneReleased(projectId, milestoneIndex, supervisor, toWageAccount, toPayable);
    }

    /// @inheritdoc IConstructionEscrow
    function rejectMilestone(
        uint256 projectId,
        uint256 milestoneIndex,
        string calldata reason
    ) external restricted whenNotPaused {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 supervisor = _asParticipant(projectId, project.supervisor);
        _submittedMilestone(projectId, milestoneIndex).state = MilestoneState.Rejected;
        --project.pending;
        emit MilestoneRejected(projectId, milestoneIndex, supervisor, reason);
    }

    /// @inheritdoc IConstructionEscrow
    function approvePaymentOrder(uint256 projectId, uint256 orderId) external restricted whenNotPaused nonReentrant {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 supervisor = _asParticipant(projectId, project.supervisor);
        _checkNotFrozen(projectId, project);
        PaymentOrder storage order = _orderedPayment(projectId, orderId);
        uint128 amount = order.amount;
        Ledger storage ledger = _ledgers[projectId];
        if (ledger.payableBalance < amount) revert EscrowInsufficientFunds(projectId, ledger.payableBalance, amount);
        bytes32 payee = order.payee;
        // Checked again at payment: the subcontractor may have been removed or suspended since
        // the order (the contractor, as the caller of the order, was active then).
        if (payee != project.contractor && !_subcontractors[projectId][payee]) {
            revert EscrowPayeeNotRegistered(projectId, payee);
        }
        address account = _activeAccountOf(payee, payee == project.contractor ? Roles.CONTRACTOR : Roles.SUBCONTRACTOR);
        order.state = PaymentOrderState.Paid;
        --project.pending;
        ledger.payableBalance -= amount;
        ledger.paidOut += amount;
        _send(project.token, account, amount);
        emit PaymentOrderPaid(projectId, orderId, payee, supervisor, account, amount);
    }

    /// @inheritdoc IConstructionEscrow
    function rejectPaymentOrder(
        uint256 projectId,
        uint256 orderId,
        string calldata reason
    ) external restricted whenNotPaused {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 supervisor = _asParticipant(projectId, project.supervisor);
        _orderedPayment(projectId, orderId).state = PaymentOrderState.Rejected;
        --project.pending;
        emit PaymentOrderRejected(projectId, orderId, supervisor, reason);
    }

    // ---- bank ----------------------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    function approvePayroll(
        uint256 projectId,
        uint256 payrollId,
        address[] calldata workers,
        uint256[] calldata amounts
    ) external restricted whenNotPaused nonReentrant {
        Project storage project = _liveProject(projectId);
        bytes32 bank = _asDepartment(projectId, project.bank);
        Payroll storage payroll = _payroll(projectId, payrollId, PayrollState.Submitted, workers, amounts);
        uint128 total = payroll.total;
        Ledger storage ledger = _ledgers[projectId];
        payroll.state = PayrollState.Approved;
        --project.pending;
        ledger.wagesOwed += total;
        emit PayrollApproved(projectId, payrollId, bank, total);
        if (ledger.wageBalance >= total) {
            _payPayroll(projectId, payrollId, bank, total, 0, workers, amounts);
        }
    }

    /// @inheritdoc IConstructionEscrow
    function rejectPayroll(
        uint256 projectId,
        uint256 payrollId,
        string calldata reason
    ) external restricted whenNotPaused {
        Project storage project = _liveProject(projectId);
        bytes32 bank = _asDepartment(projectId, project.bank);
        Payroll storage payroll = _payrolls[projectId][payrollId];
        if (payroll.state != PayrollState.Submitted) {
            revert EscrowPayrollUnexpectedState(projectId, payrollId, payroll.state);
        }
        payroll.state = PayrollState.Rejected;
        --project.pending;
        emit PayrollRejected(projectId, payrollId, bank, reason);
    }

    /// @inheritdoc IConstructionEscrow
    function cancelPayroll(
        uint256 projectId,
        uint256 payrollId,
        string calldata reason
    ) external restricted whenNotPaused {
        Project storage project = _liveProject(projectId);
        bytes32 bank = _asDepartment(projectId, project.bank);
        Payroll storage payroll = _payrolls[projectId][payrollId];
        if (payroll.state != PayrollState.Approved) {
            revert EscrowPayrollUnexpectedState(projectId, payrollId, payroll.state);
        }
        uint128 total = payroll.total;
        payroll.state = PayrollState.Cancelled;
        _ledgers[projectId].wagesOwed -= total;
        emit PayrollCancelled(projectId, payrollId, bank, total, reason);
    }

    /// @inheritdoc IConstructionEscrow
    function payPayroll(
        uint256 projectId,
        uint256 payrollId,
        address[] calldata workers,
        uint256[] calldata amounts
    ) external restricted whenNotPaused nonReentrant {
        Project storage project = _liveProject(projectId);
        bytes32 bank = _asDepartment(projectId, project.bank);
        uint128 total = _payroll(projectId, payrollId, PayrollState.Approved, workers, amounts).total;
        uint128 wageBalance = _ledgers[projectId].wageBalance;
        if (wageBalance < total) revert EscrowInsufficientFunds(projectId, wageBalance, total);
        _payPayroll(projectId, payrollId, bank, total, 0, workers, amounts);
    }

    // ---- human resources -----------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    function drawGuarantee(
        uint256 projectId,
        uint256 payrollId,
        address[] calldata workers,
        uint256[] calldata amounts
    ) external restricted whenNotPaused nonReentrant {
        Project storage project = _liveProject(projectId);
        bytes32 departmentId = _asDepartment(projectId, project.humanResources);
        uint128 total = _payroll(projectId, payrollId, PayrollState.Approved, workers, amounts).total;
        Ledger storage ledger = _ledgers[projectId];
        uint128 fromWageAccount = total < ledger.wageBalance ? total : ledger.wageBalance;
        uint128 fromGuarantee = total - fromWageAccount;
        if (fromGuarantee > ledger.guaranteeBalance) {
            revert EscrowInsufficientFunds(projectId, uint256(ledger.wageBalance) + ledger.guaranteeBalance, total);
        }
        _payPayroll(projectId, payrollId, departmentId, fromWageAccount, fromGuarantee, workers, amounts);
    }

    // ---- regulator -----------------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    function freezeProject(uint256 projectId, string calldata reason) external restricted whenNotPaused {
        Project storage project = _liveProject(projectId);
        bytes32 departmentId = _asDepartment(projectId, project.regulator);
        if (project.frozen) revert EscrowFreezeUnchanged(projectId, true);
        project.frozen = true;
        emit ProjectFrozen(projectId, departmentId, reason);
    }

    /// @inheritdoc IConstructionEscrow
    function unfreezeProject(uint256 projectId) external restricted whenNotPaused {
        Project storage project = _liveProject(projectId);
        bytes32 departmentId = _asDepartment(projectId, project.regulator);
        if (!project.frozen) revert EscrowFreezeUnchanged(projectId, false);
        project.frozen = false;
        emit ProjectUnfrozen(projectId, departmentId);
    }

    /// @inheritdoc IConstructionEscrow
    function closeProject(uint256 projectId) external restricted whenNotPaused nonReentrant {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 departmentId = _asDepartment(projectId, project.regulator);
        _checkNotFrozen(projectId, project);
        Ledger storage ledger = _ledgers[projectId];
        _checkSettled(projectId, project, ledger);
        uint128 refund = ledger.unreleased + ledger.wageBalance + ledger.payableBalance;
        ledger.unreleased = 0;
        ledger.wageBalance = 0;
        ledger.payableBalance = 0;
        ledger.refunded += refund;
        uint64 releaseAt = uint64(block.timestamp) + project.guaranteeHoldingPeriod;
        project.state = ProjectState.Closed;
        project.guaranteeReleaseAt = releaseAt;
        bytes32 developer = project.developer;
        address account = _activeAccountOf(developer, Roles.DEVELOPER);
        _send(project.token, account, refund);
        emit ProjectClosed(projectId, departmentId, developer, account, refund, releaseAt);
    }

    // ---- consortium ----------------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    /// @dev Requirements: ADMIN (no role is wired to it, so only the governor's vote reaches it),
    /// the project open or closed (not settled), `newParty` a different active department holding
    /// the part's role. One slot rewritten; nothing else stores who held the part (the event does).
    function replaceParty(uint256 projectId, ProjectParty party, bytes32 newParty) external restricted whenNotPaused {
        // Open or closed: a closed project still takes late wage claims until its guarantee is
        // returned, and they need a bank and a human-resources department that still exist.
        Project storage project = _liveProject(projectId);
        bytes32 previous;
        uint64 roleId;
        if (party == ProjectParty.Bank) {
            (previous, roleId) = (project.bank, Roles.BANK);
        } else if (party == ProjectParty.Regulator) {
            (previous, roleId) = (project.regulator, Roles.PROJECT_REGULATOR);
        } else {
            (previous, roleId) = (project.humanResources, Roles.HUMAN_RESOURCES);
        }
        if (newParty == previous) revert EscrowPartyUnchanged(projectId, party, previous);
        _checkDepartment(newParty, roleId);
        if (party == ProjectParty.Bank) {
            project.bank = newParty;
        } else if (party == ProjectParty.Regulator) {
            project.regulator = newParty;
        } else {
            project.humanResources = newParty;
        }
        emit ProjectPartyReplaced(projectId, previous, newParty, party);
    }

    // ---- views ---------------------------------------------------------------------------------

    /// @inheritdoc IConstructionEscrow
    function settlementToken() external view returns (address) {
        return address(_settlementToken);
    }

    /// @inheritdoc IConstructionEscrow
    function projectCount() external view returns (uint256) {
        return _projectCount;
    }

    /// @inheritdoc IConstructionEscrow
    function getProject(uint256 projectId) external view returns (Project memory) {
        return _projects[projectId];
    }

    /// @inheritdoc IConstructionEscrow
    function getLedger(uint256 projectId) external view returns (Ledger memory) {
        return _ledgers[projectId];
    }

    /// @inheritdoc IConstructionEscrow
    function getMilestone(uint256 projectId, uint256 milestoneIndex) external view returns (Milestone memory) {
        return _milestones[projectId][milestoneIndex];
    }

    /// @inheritdoc IConstructionEscrow
    function getPaymentOrder(uint256 projectId, uint256 orderId) external view returns (PaymentOrder memory) {
        return _paymentOrders[projectId][orderId];
    }

    /// @inheritdoc IConstructionEscrow
    function getPayroll(uint256 projectId, uint256 payrollId) external view returns (Payroll memory) {
        return _payrolls[projectId][payrollId];
    }

    /// @inheritdoc IConstructionEscrow
    function isSubcontractor(uint256 projectId, bytes32 subcontractor) external view returns (bool) {
        return _subcontractors[projectId][subcontractor];
    }

    /// @inheritdoc IConstructionEscrow
    function workerIdentity(uint256 projectId, address worker) external view returns (bytes32) {
        return _workers[projectId][worker];
    }

    // ---- internal: money -----------------------------------------------------------------------

    /// @dev Pays into the project: the developer's funding. Requirements: the project open, the
    /// caller its developer, 0 < amount <= budget - funded.
    function _fund(uint256 projectId, uint256 amount) internal {
        Project storage project = _project(projectId, ProjectState.Open);
        bytes32 developer = _asParticipant(projectId, project.developer);
        if (amount == 0) revert EscrowZeroAmount();
        Ledger storage ledger = _ledgers[projectId];
        uint256 room = project.budget - ledger.funded;
        if (amount > room) revert EscrowAmountExceedsLimit(projectId, amount, room);
        // Cannot truncate: amount <= room <= budget < 2^128.
        ledger.funded += uint128(amount);
        ledger.unreleased += uint128(amount);
        _receive(project.token, amount);
        emit ProjectFunded(projectId, developer, msg.sender, amount);
    }

    /// @dev Marks an approved payroll paid and pays its workers: `fromWageAccount` out of the wage
    /// account, `fromGuarantee` out of the guarantee deposit (they add up to its total).
    function _payPayroll(
        uint256 projectId,
        uint256 payrollId,
        bytes32 departmentId,
        uint128 fromWageAccount,
        uint128 fromGuarantee,
        address[] calldata workers,
        uint256[] calldata amounts
    ) internal {
        Ledger storage ledger = _ledgers[projectId];
        _payrolls[projectId][payrollId].state = PayrollState.Paid;
        ledger.wagesOwed -= fromWageAccount + fromGuarantee;
        ledger.wageBalance -= fromWageAccount;
        ledger.wagesPaid += fromWageAccount;
        ledger.guaranteeBalance -= fromGuarantee;
        ledger.guaranteePaidOut += fromGuarantee;
        _payWorkers(_projects[projectId].token, workers, amounts);
        emit PayrollPaid(projectId, payrollId, departmentId, fromWageAccount, fromGuarantee);
    }

    /// @dev Every token that enters the escrow comes through here, from the caller. Tokens other
    /// than the settlement token are checked to deliver exactly `amount` (no fee on transfer),
    /// or the project's accounts would promise more than the escrow holds.
    function _receive(IERC20 token, uint256 amount) internal {
        if (address(token) == address(_settlementToken)) {
            token.safeTransferFrom(msg.sender, address(this), amount);
            return;
        }
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert EscrowUnsupportedToken(address(token), amount, received);
    }

    /// @dev Every token that leaves the escrow to one party goes through here.
    function _send(IERC20 token, address to, uint256 amount) internal {
        if (amount != 0) token.safeTransfer(to, amount);
    }

    /// @dev Pays a payroll's workers: one `transferBatch` for the settlement token (one balance
    /// write and one event per worker), one transfer each for any other token.
    function _payWorkers(IERC20 token, address[] calldata workers, uint256[] calldata amounts) internal {
        if (address(token) == address(_settlementToken)) {
            _settlementToken.transferBatch(workers, amounts);
            return;
        }
        for (uint256 i; i < workers.length; ++i) {
            token.safeTransfer(workers[i], amounts[i]);
        }
    }

    // ---- internal: checks ----------------------------------------------------------------------

    function _checkTerms(ProjectTerms calldata terms, MilestoneTerms[] calldata milestones) internal view {
        _checkParticipant(terms.developer, Roles.DEVELOPER);
        _checkParticipant(terms.contractor, Roles.CONTRACTOR);
        _checkParticipant(terms.supervisor, Roles.SUPERVISOR);
        if (terms.developer == terms.contractor || terms.developer == terms.supervisor) {
            revert EscrowInvalidParty(terms.developer, Roles.DEVELOPER);
        }
        if (terms.supervisor == terms.contractor) revert EscrowInvalidParty(terms.supervisor, Roles.SUPERVISOR);
        _checkDepartment(terms.bank, Roles.BANK);
        _checkDepartment(terms.regulator, Roles.PROJECT_REGULATOR);
        _checkDepartment(terms.humanResources, Roles.HUMAN_RESOURCES);
        if (address(terms.token).code.length == 0) revert EscrowInvalidToken(address(terms.token));
        uint256 total;
        bool zeroAmount;
        for (uint256 i; i < milestones.length; ++i) {
            total += milestones[i].amount;
            if (milestones[i].amount == 0) zeroAmount = true;
        }
        if (
            zeroAmount ||
            milestones.length == 0 ||
            milestones.length > MAX_MILESTONES ||
            total != terms.budget ||
            terms.labourShareBps > BPS
        ) revert EscrowInvalidTerms(terms.budget, total, terms.labourShareBps);
    }

    /// @dev `participantId` must be an active participant whose account holds `roleId`.
    function _checkParticipant(bytes32 participantId, uint64 roleId) internal view {
        bool valid;
        try _registry.getParticipant(participantId) returns (IConsortiumRegistry.Participant memory participant) {
            (bool isMember, ) = IAccessManager(authority()).hasRole(roleId, participant.account);
            valid = participant.active && isMember;
        } catch {}
        if (!valid) revert EscrowInvalidParty(participantId, roleId);
    }

    /// @dev `departmentId` must be an active department holding `roleId` in the registry.
    function _checkDepartment(bytes32 departmentId, uint64 roleId) internal view {
        bool valid;
        try _registry.getDepartment(departmentId) returns (IConsortiumRegistry.Department memory department) {
            for (uint256 i; i < department.roles.length; ++i) {
                if (department.roles[i] == roleId) valid = department.active;
            }
        } catch {}
        if (!valid) revert EscrowInvalidParty(departmentId, roleId);
    }

    function _addSubcontractor(uint256 projectId, bytes32 subcontractor, bytes32 departmentId) internal {
        _checkParticipant(subcontractor, Roles.SUBCONTRACTOR);
        if (_subcontractors[projectId][subcontractor]) revert EscrowSubcontractorExists(projectId, subcontractor);
        _subcontractors[projectId][subcontractor] = true;
        emit SubcontractorAdded(projectId, subcontractor, departmentId);
    }

    /// @dev `payee` must be registered on the project and active.
    function _checkSubcontractor(uint256 projectId, bytes32 payee) internal view {
        if (!_subcontractors[projectId][payee]) revert EscrowPayeeNotRegistered(projectId, payee);
        if (!_registry.isActiveParticipant(payee)) revert EscrowInvalidParty(payee, Roles.SUBCONTRACTOR);
    }

    function _checkBatch(uint256 length, uint256 otherLength) internal pure {
        if (length == 0 || length != otherLength || length > MAX_BATCH) revert EscrowInvalidBatch(length, otherLength);
    }

    /// @dev A payroll's total; every worker registered on the project, every amount nonzero.
    function _payrollTotal(
        uint256 projectId,
        address[] calldata workers,
        uint256[] calldata amounts
    ) internal view returns (uint256 total) {
        _checkBatch(workers.length, amounts.length);
        for (uint256 i; i < workers.length; ++i) {
            if (_workers[projectId][workers[i]] == bytes32(0)) revert EscrowWorkerNotRegistered(projectId, workers[i]);
            if (amounts[i] == 0) revert EscrowZeroAmount();
            total += amounts[i];
        }
    }

    function _entriesHash(address[] calldata workers, uint256[] calldata amounts) internal pure returns (bytes32) {
        return keccak256(abi.encode(workers, amounts));
    }

    function _checkGuarantee(uint256 projectId, Project storage project) internal view {
        uint256 balance = _ledgers[projectId].guaranteeBalance;
        if (balance < project.guaranteeAmount) revert EscrowGuaranteeShort(projectId, balance, project.guaranteeAmount);
    }

    function _checkNotFrozen(uint256 projectId, Project storage project) internal view {
        if (project.frozen) revert EscrowProjectFrozen(projectId);
    }

    /// @dev Nothing awaits a decision and no approved wages are unpaid: what closing and the
    /// guarantee's return need.
    function _checkSettled(uint256 projectId, Project storage project, Ledger storage ledger) internal view {
        if (project.pending != 0) revert EscrowPendingDecisions(projectId, project.pending);
        if (ledger.wagesOwed != 0) revert EscrowWagesOwed(projectId, ledger.wagesOwed);
    }

    // ---- internal: lookups ---------------------------------------------------------------------

    /// @dev The project, which must be in state `expected`.
    function _project(uint256 projectId, ProjectState expected) internal view returns (Project storage project) {
        project = _projects[projectId];
        if (project.state != expected) revert EscrowProjectUnexpectedState(projectId, project.state);
    }

    /// @dev The project, open or closed (a closed project still takes late wage claims until its
    /// guarantee is returned).
    function _liveProject(uint256 projectId) internal view returns (Project storage project) {
        project = _projects[projectId];
        if (project.state != ProjectState.Open && project.state != ProjectState.Closed) {
            revert EscrowProjectUnexpectedState(projectId, project.state);
        }
    }

    function _submittedMilestone(
        uint256 projectId,
        uint256 milestoneIndex
    ) internal view returns (Milestone storage milestone) {
        milestone = _milestones[projectId][milestoneIndex];
        if (milestone.state != MilestoneState.Submitted) {
            revert EscrowMilestoneUnexpectedState(projectId, milestoneIndex, milestone.state);
        }
    }

    function _orderedPayment(uint256 projectId, uint256 orderId) internal view returns (PaymentOrder storage order) {
        order = _paymentOrders[projectId][orderId];
        if (order.state != PaymentOrderState.Ordered) {
            revert EscrowPaymentOrderUnexpectedState(projectId, orderId, order.state);
        }
    }

    /// @dev The payroll, which must be in state `expected` and have exactly these entries.
    function _payroll(
        uint256 projectId,
        uint256 payrollId,
        PayrollState expected,
        address[] calldata workers,
        uint256[] calldata amounts
    ) internal view returns (Payroll storage payroll) {
        payroll = _payrolls[projectId][payrollId];
        if (payroll.state != expected) revert EscrowPayrollUnexpectedState(projectId, payrollId, payroll.state);
        if (payroll.entriesHash != _entriesHash(workers, amounts)) revert EscrowPayrollMismatch(projectId, payrollId);
    }

    /// @dev The caller's participant, which must be `party`.
    function _asParticipant(uint256 projectId, bytes32 party) internal view returns (bytes32 callerId) {
        callerId = _callerParticipant();
        if (callerId != party) revert EscrowCallerNotParty(projectId, callerId);
    }

    /// @dev The caller's department, which must be `party`.
    function _asDepartment(uint256 projectId, bytes32 party) internal view returns (bytes32 callerId) {
        callerId = _callerDepartment();
        if (callerId != party) revert EscrowCallerNotParty(projectId, callerId);
    }

    /// @dev The account of a participant about to be paid, which must be active (`roleId` is the
    /// role named in the error otherwise).
    function _activeAccountOf(bytes32 participantId, uint64 roleId) internal view returns (address) {
        IConsortiumRegistry.Participant memory participant = _registry.getParticipant(participantId);
        if (!participant.active) revert EscrowInvalidParty(participantId, roleId);
        return participant.account;
    }
}
