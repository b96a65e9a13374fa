// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ConstructionEscrow} from "../../contracts/escrow/ConstructionEscrow.sol";
import {SettlementToken} from "../../contracts/escrow/SettlementToken.sol";
import {ConsortiumRegistry} from "../../contracts/governance/ConsortiumRegistry.sol";
import {Roles} from "../../contracts/governance/Roles.sol";
import {IConsortiumRegistry} from "../../contracts/interfaces/IConsortiumRegistry.sol";
import {IConstructionEscrow} from "../../contracts/interfaces/IConstructionEscrow.sol";
import {BlacklistTestToken} from "../../contracts/mocks/BlacklistTestToken.sol";
import {EscrowTestToken} from "../../contracts/mocks/EscrowTestToken.sol";
import {TestBase, Vm} from "../utils/TestBase.sol";

/// @dev The escrow with a real AccessManager and registry, wired as deploy/modules/escrow.ts wires
/// it, and the construction parties registered. The test contract is the AccessManager's admin.
abstract contract EscrowTestSystem is TestBase {
    bytes32 internal constant CONS = "CONS";
    bytes32 internal constant BANK = "BANK";
    bytes32 internal constant HRSS = "HRSS";
    /// @dev The departments a vote hands a project's parts to (replaceParty): a second bank, and a
    /// district bureau that regulates and acts as human resources.
    bytes32 internal constant BANK2 = "BANK2";
    bytes32 internal constant CONS2 = "CONS2";
    bytes32 internal constant DEVELOPER = keccak256("developer");
    bytes32 internal constant CONTRACTOR = keccak256("contractor");
    bytes32 internal constant SUPERVISOR = keccak256("supervisor");
    bytes32 internal constant SUBCONTRACTOR = keccak256("subcontractor");

    address internal constant BUREAU = address(0xC0);
    address internal constant BANKER = address(0xB0);
    address internal constant HR = address(0xD0);
    address internal constant BANKER2 = address(0xB1);
    address internal constant BUREAU2 = address(0xC1);
    address internal constant DEVELOPER_ACCOUNT = address(0x1001);
    address internal constant CONTRACTOR_ACCOUNT = address(0x1002);
    address internal constant SUPERVISOR_ACCOUNT = address(0x1003);
    address internal constant SUBCONTRACTOR_ACCOUNT = address(0x1004);
    /// @dev Never registered as a worker: must never receive wage money.
    address internal constant INTRUDER = address(0xBAD);
    uint256 internal constant WORKERS = 6;
    uint256 internal constant MINTED = 1e36;

    AccessManager internal manager;
    ConsortiumRegistry internal registry;
    SettlementToken internal settlement;
    EscrowTestToken internal plain;
    ConstructionEscrow internal escrow;

    function _deploySystem() internal {
        manager = new AccessManager(address(this));
        registry = new ConsortiumRegistry(address(manager));
        manager.grantRole(Roles.ADMIN, address(registry), 0);
        _admit(CONS, BUREAU, IConsortiumRegistry.DepartmentKind.ConstructionBureau);
        _admit(BANK, BANKER, IConsortiumRegistry.DepartmentKind.Bank);
        _admit(HRSS, HR, IConsortiumRegistry.DepartmentKind.HumanResources);
        registry.grantDepartmentRole(CONS, Roles.CONSTRUCTION_BUREAU);
        registry.grantDepartmentRole(CONS, Roles.PROJECT_REGULATOR);
        registry.grantDepartmentRole(BANK, Roles.BANK);
        registry.grantDepartmentRole(HRSS, Roles.HUMAN_RESOURCES);
        _admit(BANK2, BANKER2, IConsortiumRegistry.DepartmentKind.Bank);
        _admit(CONS2, BUREAU2, IConsortiumRegistry.DepartmentKind.ConstructionBureau);
        registry.grantDepartmentRole(BANK2, Roles.BANK);
        registry.grantDepartmentRole(CONS2, Roles.PROJECT_REGULATOR);
        registry.grantDepartmentRole(CONS2, Roles.HUMAN_RESOURCES);
        _participant(DEVELOPER, DEVELOPER_ACCOUNT, Roles.DEVELOPER);
        _participant(CONTRACTOR, CONTRACTOR_ACCOUNT, Roles.CONTRACTOR);
        _participant(SUPERVISOR, SUPERVISOR_ACCOUNT, Roles.SUPERVISOR);
        _participant(SUBCONTRACTOR, SUBCONTRACTOR_ACCOUNT, Roles.SUBCONTRACTOR);

        settlement = new SettlementToken(address(manager), registry, "Settlement", "SET");
        plain = new EscrowTestToken();
        escrow = new ConstructionEscrow(address(manager), registry, settlement);
        _wire();

        for (uint256 i; i < 2; ++i) {
            address holder = i == 0 ? DEVELOPER_ACCOUNT : CONTRACTOR_ACCOUNT;
            vm.prank(BANKER);
            settlement.mint(holder, MINTED);
            plain.mint(holder, MINTED);
            vm.startPrank(holder);
            settlement.approve(address(escrow), type(uint256).max);
            plain.approve(address(escrow), type(uint256).max);
            vm.stopPrank();
        }
    }

    function _admit(bytes32 id, address operator, IConsortiumRegistry.DepartmentKind kind) private {
        address[] memory operators = new address[](1);
        operators[0] = operator;
        registry.admitDepartment(id, "department", kind, operators);
    }

    function _participant(bytes32 id, address account, uint64 roleId) private {
        registry.setRoleAdministrator(roleId, CONS);
        vm.startPrank(BUREAU);
        registry.registerParticipant(id, account, IConsortiumRegistry.ParticipantKind.Enterprise);
        registry.grantParticipantRole(id, roleId);
        vm.stopPrank();
    }

    function _wire() private {
        bytes4[] memory s = new bytes4[](2);
        (s[0], s[1]) = (settlement.mint.selector, settlement.burnFrom.selector);
        manager.setTargetFunctionRole(address(settlement), s, Roles.BANK);
        s = new bytes4[](3);
        (s[0], s[1]) = (escrow.createProject.selector, escrow.addSubcontractor.selector);
        s[2] = escrow.removeSubcontractor.selector;
        manager.setTargetFunctionRole(address(escrow), s, Roles.CONSTRUCTION_BUREAU);
        s = new bytes4[](2);
        (s[0], s[1]) = (escrow.fund.selector, escrow.fundWithPermit.selector);
        manager.setTargetFunctionRole(address(escrow), s, Roles.DEVELOPER);
        s = new bytes4[](6);
        (s[0], s[1]) = (escrow.depositGuarantee.selector, escrow.registerWorkers.selector);
        (s[2], s[3]) = (escrow.submitMilestone.selector, escrow.orderPayment.selector);
        (s[4], s[5]) = (escrow.submitPayroll.selector, escrow.releaseGuarantee.selector);
        manager.setTargetFunctionRole(address(escrow), s, Roles.CONTRACTOR);
        s = new bytes4[](4);
        (s[0], s[1]) = (escrow.approveMilestone.selector, escrow.rejectMilestone.selector);
        (s[2], s[3]) = (escrow.approvePaymentOrder.selector, escrow.rejectPaymentOrder.selector);
        manager.setTargetFunctionRole(address(escrow), s, Roles.SUPERVISOR);
        s = new bytes4[](4);
        (s[0], s[1]) = (escrow.approvePayroll.selector, escrow.rejectPayroll.selector);
        (s[2], s[3]) = (escrow.payPayroll.selector, escrow.cancelPayroll.selector);
        manager.setTargetFunctionRole(address(escrow), s, Roles.BANK);
        s = new bytes4[](1);
        s[0] = escrow.drawGuarantee.selector;
        manager.setTargetFunctionRole(address(escrow), s, Roles.HUMAN_RESOURCES);
        s = new bytes4[](3);
        (s[0], s[1]) = (escrow.freezeProject.selector, escrow.unfreezeProject.selector);
        s[2] = escrow.closeProject.selector;
        manager.setTargetFunctionRole(address(escrow), s, Roles.PROJECT_REGULATOR);
    }

    function _worker(uint256 i) internal pure returns (address) {
        return address(uint160(0xA000 + i));
    }

    /// @dev Opens a project as the bureau and registers the workers as its contractor.
    function _openProject(
        IERC20 token,
        uint128[] memory amounts,
        uint16 labourShareBps,
        uint128 guarantee
    ) internal returns (uint256 projectId) {
        IConstructionEscrow.MilestoneTerms[] memory milestones = new IConstructionEscrow.MilestoneTerms[](
            amounts.length
        );
        uint128 budget;
        for (uint256 i; i < amounts.length; ++i) {
            milestones[i] = IConstructionEscrow.MilestoneTerms(amounts[i], uint64(block.timestamp + i), bytes32(i));
            budget += amounts[i];
        }
        IConstructionEscrow.ProjectTerms memory terms = IConstructionEscrow.ProjectTerms({
            developer: DEVELOPER,
            contractor: CONTRACTOR,
            supervisor: SUPERVISOR,
            bank: BANK,
            regulator: CONS,
            humanResources: HRSS,
            token: token,
            budget: budget,
            labourShareBps: labourShareBps,
            guaranteeAmount: guarantee,
            guaranteeHoldingPeriod: 1 days,
            contractHash: keccak256("contract")
        });
        bytes32[] memory subcontractors = new bytes32[](1);
        subcontractors[0] = SUBCONTRACTOR;
        vm.prank(BUREAU);
        projectId = escrow.createProject(terms, milestones, subcontractors);
        address[] memory workers = new address[](WORKERS);
        bytes32[] memory identities = new bytes32[](WORKERS);
        for (uint256 i; i < WORKERS; ++i) {
            workers[i] = _worker(i);
            identities[i] = keccak256(abi.encode(projectId, i));
        }
        vm.prank(CONTRACTOR_ACCOUNT);
        escrow.registerWorkers(projectId, workers, identities);
    }

    function _balance(IConstructionEscrow.Ledger memory l) internal pure returns (uint256) {
        return uint256(l.unreleased) + l.wageBalance + l.payableBalance + l.guaranteeBalance;
    }

    function _moneyIn(IConstructionEscrow.Ledger memory l) internal pure returns (uint256) {
        return uint256(l.funded) + l.guaranteeDeposited;
    }

    function _moneyOut(IConstructionEscrow.Ledger memory l) internal pure returns (uint256) {
        return uint256(l.wagesPaid) + l.guaranteePaidOut + l.paidOut + l.refunded + l.guaranteeReturned;
    }
}

/// @dev Drives the escrow as its parties would, with arbitrary amounts and orders of steps, many of
/// which the escrow must reject. Records whether anything but wages ever left a frozen project.
contract EscrowHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    struct Entries {
        address[] workers;
        uint256[] amounts;
    }

    // The departments of EscrowTestSystem, whose operators act for a project's current parts.
    bytes32 private constant BANK = "BANK";
    bytes32 private constant HRSS = "HRSS";
    bytes32 private constant CONS = "CONS";
    bytes32 private constant BANK2 = "BANK2";
    bytes32 private constant CONS2 = "CONS2";
    address private constant BANKER2 = address(0xB1);
    address private constant BUREAU2 = address(0xC1);

    ConstructionEscrow public immutable escrow;
    address public immutable developer;
    address public immutable contractor;
    address public immutable supervisor;
    address public immutable subcontractor;
    address public immutable banker;
    address public immutable hr;
    address public immutable bureau;
    address public immutable intruder;

    uint256[] public projectIds;
    address[] public workers;
    /// @dev Set if a call on a frozen project moved money to anyone but workers.
    bool public frozenLeak;
    uint256 public successes;
    /// @dev Successful calls per handler function: a function that never succeeds would leave
    /// the invariants checked over nothing (see `test_everyHandlerSucceeds`).
    mapping(bytes4 selector => uint256) public succeeded;
    /// @dev The token that refuses blacklisted accounts (USDC-style).
    BlacklistTestToken public blacklistToken;

    mapping(uint256 projectId => mapping(uint256 payrollId => Entries)) private _entries;

    // Observation of the project a call acts on, taken before the call.
    bool private _wasFrozen;
    uint256 private _nonWageOut;
    uint256[3] private _partyBalances;

    constructor(
        ConstructionEscrow escrow_,
        address[8] memory accounts,
        uint256[] memory projectIds_,
        address[] memory workers_
    ) {
        escrow = escrow_;
        (developer, contractor, supervisor, subcontractor) = (accounts[0], accounts[1], accounts[2], accounts[3]);
        (banker, hr, bureau, intruder) = (accounts[4], accounts[5], accounts[6], accounts[7]);
        projectIds = projectIds_;
        workers = workers_;
    }

    // ---- actions -------------------------------------------------------------------------------

    function fund(uint256 seed, uint256 amount) external {
        uint256 p = _observe(seed);
        IConstructionEscrow.Project memory project = escrow.getProject(p);
        amount = _bound(amount, 1, project.budget);
        vm.prank(developer);
        try escrow.fund(p, amount) {
            _succeeded();
        } catch {}
        _check(p);
    }

    function depositGuarantee(uint256 seed, uint256 amount) external {
        uint256 p = _observe(seed);
        amount = _bound(amount, 1, escrow.getProject(p).guaranteeAmount + 1);
        vm.prank(contractor);
        try escrow.depositGuarantee(p, amount) {
            _succeeded();
        } catch {}
        _check(p);
    }

    function submitMilestone(uint256 seed, uint256 index) external {
        uint256 p = _observe(seed);
        vm.prank(contractor);
        try escrow.submitMilestone(p, index % 4, keccak256("evidence")) {
            _succeeded();
        } catch {}
        _check(p);
    }

    function decideMilestone(uint256 seed, uint256 index, bool approve) external {
        uint256 p = _observe(seed);
        vm.prank(supervisor);
        if (approve) {
            try escrow.approveMilestone(p, index % 4) {
                _succeeded();
            } catch {}
        } else {
            try escrow.rejectMilestone(p, index % 4, "rejected") {
                _succeeded();
            } catch {}
        }
        _check(p);
    }

    function orderPayment(uint256 seed, uint256 payeeSeed, uint256 amount) external {
        uint256 p = _observe(seed);
        bytes32 payee = [keccak256("subcontractor"), keccak256("contractor"), keccak256("developer")][payeeSeed % 3];
        amount = _bound(amount, 1, escrow.getProject(p).budget / 8 + 1);
        vm.prank(contractor);
        try escrow.orderPayment(p, payee, amount, keccak256("invoice")) {
            _succeeded();
        } catch {}
        _check(p);
    }

    function decidePaymentOrder(uint256 seed, uint256 orderSeed, bool approve) external {
        uint256 p = _observe(seed);
        uint256 count = escrow.getProject(p).paymentOrderCount;
        if (count == 0) return;
        uint256 orderId = (orderSeed % count) + 1;
        vm.prank(supervisor);
        if (approve) {
            try escrow.approvePaymentOrder(p, orderId) {
                _succeeded();
            } catch {}
        } else {
            try escrow.rejectPaymentOrder(p, orderId, "rejected") {
                _succeeded();
            } catch {}
        }
        _check(p);
    }

    function submitPayroll(uint256 seed, uint256 count, uint256 amountSeed, bool withIntruder) external {
        uint256 p = _observe(seed);
        count = _bound(count, 1, workers.length);
        address[] memory payees = new address[](count);
        uint256[] memory amounts = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            payees[i] = workers[(amountSeed % workers.length + i) % workers.length];
            amounts[i] = _bound(uint256(keccak256(abi.encode(amountSeed, i))), 1, escrow.getProject(p).budget / 64 + 1);
        }
        if (withIntruder) payees[count - 1] = intruder;
        vm.prank(contractor);
        try escrow.submitPayroll(p, 202401, keccak256("payroll"), payees, amounts) returns (uint256 payrollId) {
            _entries[p][payrollId] = Entries(payees, amounts);
            _succeeded();
        } catch {}
        _check(p);
    }

    /// @dev action: 0 approve, 1 reject, 2 pay (bank), 3 draw on the guarantee (HR).
    function decidePayroll(uint256 seed, uint256 payrollSeed, uint8 action) external {
        uint256 p = _observe(seed);
        uint256 count = escrow.getProject(p).payrollCount;
        if (count == 0) return;
        uint256 payrollId = (payrollSeed % count) + 1;
        Entries storage entries = _entries[p][payrollId];
        action %= 4;
        vm.prank(action == 3 ? _operator(escrow.getProject(p).humanResources) : _operator(escrow.getProject(p).bank));
        if (action == 0) {
            try escrow.approvePayroll(p, payrollId, entries.workers, entries.amounts) {
                _succeeded();
            } catch {}
        } else if (action == 1) {
            try escrow.rejectPayroll(p, payrollId, "rejected") {
                _succeeded();
            } catch {}
        } else if (action == 2) {
            try escrow.payPayroll(p, payrollId, entries.workers, entries.amounts) {
                _succeeded();
            } catch {}
        } else {
            try escrow.drawGuarantee(p, payrollId, entries.workers, entries.amounts) {
                _succeeded();
            } catch {}
        }
        _check(p);
    }

    function setFrozen(uint256 seed, bool frozen) external {
        uint256 p = _observe(seed);
        vm.prank(_operator(escrow.getProject(p).regulator));
        if (frozen) {
            try escrow.freezeProject(p, "inspection") {
                _succeeded();
            } catch {}
        } else {
            try escrow.unfreezeProject(p) {
                _succeeded();
            } catch {}
        }
        _check(p);
    }

    /// @dev A vote hands one part of the project to the other department holding its role
    /// (the handler is an ADMIN, as the governor is); the other actions act as whoever holds
    /// the part now, so the ledger invariants are checked across replacements.
    function replaceParty(uint256 seed, uint8 partySeed) external {
        uint256 p = _observe(seed);
        IConstructionEscrow.ProjectParty party = IConstructionEscrow.ProjectParty(partySeed % 3);
        IConstructionEscrow.Project memory project = escrow.getProject(p);
        bytes32 next;
        if (party == IConstructionEscrow.ProjectParty.Bank) {
            next = project.bank == BANK ? BANK2 : BANK;
        } else if (party == IConstructionEscrow.ProjectParty.Regulator) {
            next = project.regulator == CONS ? CONS2 : CONS;
        } else {
            next = project.humanResources == HRSS ? CONS2 : HRSS;
        }
        try escrow.replaceParty(p, party, next) {
            _succeeded();
        } catch {}
        _check(p);
    }

    // ---- guided rounds: two steps in one, so that short random runs reach deep states ----------

    function releaseRound(uint256 seed, uint256 index) external {
        uint256 p = _observe(seed);
        vm.prank(contractor);
        try escrow.submitMilestone(p, index % 4, keccak256("evidence")) {} catch {}
        vm.prank(supervisor);
        try escrow.approveMilestone(p, index % 4) {
            _succeeded();
        } catch {}
        _check(p);
    }

    function paymentRound(uint256 seed, uint256 payeeSeed, uint256 amount) external {
        uint256 p = _observe(seed);
        bytes32 payee = payeeSeed % 2 == 0 ? keccak256("subcontractor") : keccak256("contractor");
        amount = _bound(amount, 1, escrow.getProject(p).budget / 8 + 1);
        vm.prank(contractor);
        try escrow.orderPayment(p, payee, amount, keccak256("invoice")) returns (uint256 orderId) {
            vm.prank(supervisor);
            try escrow.approvePaymentOrder(p, orderId) {
                _succeeded();
            } catch {}
        } catch {}
        _check(p);
    }

    /// @dev Submits a payroll and has the bank approve it: paid at once if the wage account holds
    /// it, else owed (for decidePayroll's pay and guarantee draws).
    function payrollRound(uint256 seed, uint256 count, uint256 amountSeed) external {
        uint256 p = _observe(seed);
        count = _bound(count, 1, workers.length);
        address[] memory payees = new address[](count);
        uint256[] memory amounts = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            payees[i] = workers[(amountSeed % workers.length + i) % workers.length];
            amounts[i] = _bound(uint256(keccak256(abi.encode(amountSeed, i))), 1, escrow.getProject(p).budget / 64 + 1);
        }
        vm.prank(contractor);
        try escrow.submitPayroll(p, 202402, keccak256("payroll"), payees, amounts) returns (uint256 payrollId) {
            _entries[p][payrollId] = Entries(payees, amounts);
            vm.prank(_operator(escrow.getProject(p).bank));
            try escrow.approvePayroll(p, payrollId, payees, amounts) {
                _succeeded();
            } catch {}
        } catch {}
        _check(p);
    }

    /// @dev Tried one time in four only: a closed project takes almost no other step, and
    /// closing early would leave most runs with nothing to exercise.
    function closeProject(uint256 seed) external {
        if (seed % 4 != 0) return;
        uint256 p = _observe(seed / 4);
        vm.prank(_operator(escrow.getProject(p).regulator));
        try escrow.closeProject(p) {
            _succeeded();
        } catch {}
        _check(p);
    }

    function releaseGuarantee(uint256 seed, uint256 wait) external {
        uint256 p = _observe(seed);
        vm.warp(block.timestamp + _bound(wait, 0, 2 days));
        vm.prank(contractor);
        try escrow.releaseGuarantee(p) {
            _succeeded();
        } catch {}
        _check(p);
    }

    /// @dev Blacklists or clears a worker on the blacklisting token: that project's payrolls to
    /// the worker revert, and only the bank's cancellation frees them.
    function setBlacklisted(uint256 workerSeed, bool value) external {
        if (address(blacklistToken) == address(0)) return;
        blacklistToken.setBlacklisted(workers[workerSeed % workers.length], value);
        _succeeded();
    }

    /// @dev The bank cancels an approved (owed) payroll.
    function cancelPayroll(uint256 seed, uint256 payrollSeed) external {
        uint256 p = _observe(seed);
        uint256 count = escrow.getProject(p).payrollCount;
        if (count == 0) return;
        vm.prank(_operator(escrow.getProject(p).bank));
        try escrow.cancelPayroll(p, (payrollSeed % count) + 1, "cannot be paid") {
            _succeeded();
        } catch {}
        _check(p);
    }

    function setBlacklistToken(BlacklistTestToken token) external {
        blacklistToken = token;
    }

    // ---- views for the invariants --------------------------------------------------------------

    function projectCount() external view returns (uint256) {
        return projectIds.length;
    }

    function workerCount() external view returns (uint256) {
        return workers.length;
    }

    // ---- internal ------------------------------------------------------------------------------

    function _succeeded() private {
        ++successes;
        ++succeeded[msg.sig];
    }

    /// @dev Picks a project and records what must not change if it is frozen.
    /// @dev The operator of a department the project names.
    function _operator(bytes32 departmentId) private view returns (address) {
        if (departmentId == BANK) return banker;
        if (departmentId == HRSS) return hr;
        if (departmentId == CONS) return bureau;
        return departmentId == BANK2 ? BANKER2 : BUREAU2;
    }

    function _observe(uint256 seed) private returns (uint256 p) {
        p = projectIds[seed % projectIds.length];
        _wasFrozen = escrow.getProject(p).frozen;
        _nonWageOut = _nonWageOutflow(p);
        IERC20 token = escrow.getProject(p).token;
        _partyBalances = [token.balanceOf(developer), token.balanceOf(contractor), token.balanceOf(subcontractor)];
    }

    /// @dev After a call on a frozen project: no payment order, refund or guarantee return happened,
    /// and no party but the workers received a token.
    function _check(uint256 p) private {
        if (!_wasFrozen) return;
        IERC20 token = escrow.getProject(p).token;
        if (
            _nonWageOutflow(p) != _nonWageOut ||
            token.balanceOf(developer) > _partyBalances[0] ||
            token.balanceOf(contractor) > _partyBalances[1] ||
            token.balanceOf(subcontractor) > _partyBalances[2]
        ) frozenLeak = true;
    }

    function _nonWageOutflow(uint256 p) private view returns (uint256) {
        IConstructionEscrow.Ledger memory l = escrow.getLedger(p);
        return uint256(l.paidOut) + l.refunded + l.guaranteeReturned;
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}

contract ConstructionEscrowInvariantTest is EscrowTestSystem {
    EscrowHandler internal handler;
    IERC20[3] internal tokens;
    BlacklistTestToken internal blacklisting;
    bytes4[] internal _selectors;

    function setUp() public {
        _deploySystem();
        blacklisting = new BlacklistTestToken();
        for (uint256 i; i < 2; ++i) {
            address holder = i == 0 ? DEVELOPER_ACCOUNT : CONTRACTOR_ACCOUNT;
            blacklisting.mint(holder, MINTED);
            vm.prank(holder);
            blacklisting.approve(address(escrow), type(uint256).max);
        }
        tokens = [IERC20(address(settlement)), IERC20(address(plain)), IERC20(address(blacklisting))];
        uint256[] memory projectIds = new uint256[](4);
        uint128[] memory amounts = new uint128[](3);
        (amounts[0], amounts[1], amounts[2]) = (100e18, 250e18, 400e18);
        projectIds[0] = _openProject(tokens[0], amounts, 2_000, 30e18);
        projectIds[1] = _openProject(tokens[1], amounts, 2_500, 20e18);
        amounts = new uint128[](2);
        (amounts[0], amounts[1]) = (7, 1e6);
        projectIds[2] = _openProject(tokens[0], amounts, 1_900, 0);
        amounts = new uint128[](3);
        (amounts[0], amounts[1], amounts[2]) = (100e18, 250e18, 400e18);
        projectIds[3] = _openProject(tokens[2], amounts, 2_000, 30e18);
        // Start the runs part-way, so that short random sequences reach payments and payrolls:
        // project 1 fully funded with its first milestone released, project 2 half funded.
        _fundAndRelease(projectIds[0], 750e18, 30e18, true);
        _fundAndRelease(projectIds[1], 375e18, 20e18, false);
        _fundAndRelease(projectIds[3], 750e18, 30e18, true);
        address[] memory workers = new address[](WORKERS);
        for (uint256 i; i < WORKERS; ++i) workers[i] = _worker(i);
        address[8] memory accounts = [
            DEVELOPER_ACCOUNT,
            CONTRACTOR_ACCOUNT,
            SUPERVISOR_ACCOUNT,
            SUBCONTRACTOR_ACCOUNT,
            BANKER,
            HR,
            BUREAU,
            INTRUDER
        ];
        handler = new EscrowHandler(escrow, accounts, projectIds, workers);
        handler.setBlacklistToken(blacklisting);
        manager.grantRole(Roles.ADMIN, address(handler), 0);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](17);
        selectors[0] = handler.fund.selector;
        selectors[1] = handler.depositGuarantee.selector;
        selectors[2] = handler.submitMilestone.selector;
        selectors[3] = handler.decideMilestone.selector;
        selectors[4] = handler.orderPayment.selector;
        selectors[5] = handler.decidePaymentOrder.selector;
        selectors[6] = handler.submitPayroll.selector;
        selectors[7] = handler.decidePayroll.selector;
        selectors[8] = handler.setFrozen.selector;
        selectors[9] = handler.closeProject.selector;
        selectors[10] = handler.releaseGuarantee.selector;
        selectors[11] = handler.releaseRound.selector;
        selectors[12] = handler.paymentRound.selector;
        selectors[13] = handler.payrollRound.selector;
        selectors[14] = handler.setBlacklisted.selector;
        selectors[15] = handler.cancelPayroll.selector;
        selectors[16] = handler.replaceParty.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
        _selectors = selectors;
    }

    /// @dev Fails when a handler function can no longer succeed (a new check, a wiring change):
    /// the invariants would otherwise be checked over calls that all revert. A fixed sequence of
    /// rounds, so the outcome never depends on the fuzzer's luck.
    function test_everyHandlerSucceeds() public {
        handler.closeProject(8); // project 2: nothing paid in, nothing pending
        handler.releaseGuarantee(2, 2 days);
        // Project 1 has no wage account yet: a payroll stays owed, HR draws it from the guarantee,
        // and the contractor tops the guarantee up.
        handler.payrollRound(1, 1, 0);
        handler.decidePayroll(1, 0, 3);
        handler.depositGuarantee(1, 0);
        for (uint256 i; i < 24; ++i) {
            uint256 seed = i % 4;
            handler.fund(seed, i * 1e18 + 1);
            handler.submitMilestone(seed, i / 4);
            handler.decideMilestone(seed, i / 4, i % 3 != 0);
            handler.orderPayment(seed, i, i * 7e17 + 1);
            handler.decidePaymentOrder(seed, i / 4, i % 2 == 0);
            handler.submitPayroll(seed, i, i, false);
            handler.decidePayroll(seed, i / 4, uint8(i / 4));
            handler.setFrozen(seed, i % 5 == 0);
            handler.releaseRound(seed, i / 4 + 2);
            handler.paymentRound(seed, i, i * 3e17 + 1);
            handler.payrollRound(seed, 6, i);
            handler.setBlacklisted(i, i % 2 == 0);
            handler.cancelPayroll(seed, i / 4);
            handler.depositGuarantee(seed, 0);
            handler.replaceParty(seed, uint8(i));
        }
        for (uint256 i; i < _selectors.length; ++i) {
            string memory which = string(abi.encodePacked("handler never succeeds: #", bytes1(uint8(65 + i))));
            assertTrue(handler.succeeded(_selectors[i]) > 0, which);
        }
    }

    function _fundAndRelease(uint256 p, uint256 amount, uint256 guarantee, bool release) private {
        vm.prank(DEVELOPER_ACCOUNT);
        escrow.fund(p, amount);
        vm.prank(CONTRACTOR_ACCOUNT);
        escrow.depositGuarantee(p, guarantee);
        if (!release) return;
        vm.prank(CONTRACTOR_ACCOUNT);
        escrow.submitMilestone(p, 0, keccak256("evidence"));
        vm.prank(SUPERVISOR_ACCOUNT);
        escrow.approveMilestone(p, 0);
    }

    /// @dev For every project: money in = money out + balance, and each sub-account within what
    /// fed it (releases only from funding, payments only from releases, the guarantee apart).
    function invariant_moneyInEqualsMoneyOutPlusBalance() public view {
        for (uint256 i; i < handler.projectCount(); ++i) {
            IConstructionEscrow.Ledger memory l = escrow.getLedger(handler.projectIds(i));
            assertEq(_moneyIn(l), _moneyOut(l) + _balance(l), "money in != money out + balance");
            assertTrue(uint256(l.unreleased) + l.released <= l.funded, "released more than funded");
            assertTrue(l.wageCredited <= l.released, "wage credits beyond releases");
            assertTrue(uint256(l.paidOut) + l.payableBalance <= l.released - l.wageCredited, "payable overdrawn");
            assertEq(
                l.guaranteeDeposited,
                uint256(l.guaranteePaidOut) + l.guaranteeReturned + l.guaranteeBalance,
                "guarantee deposited != paid out + returned + held"
            );
        }
    }

    /// @dev The escrow's balance of each token is the sum of the balances of the projects in it.
    function invariant_escrowHoldsEveryProjectBalance() public view {
        for (uint256 t; t < tokens.length; ++t) {
            uint256 sum;
            for (uint256 i; i < handler.projectCount(); ++i) {
                uint256 p = handler.projectIds(i);
                if (address(escrow.getProject(p).token) == address(tokens[t])) sum += _balance(escrow.getLedger(p));
            }
            assertEq(tokens[t].balanceOf(address(escrow)), sum, "escrow balance != sum of project balances");
        }
    }

    /// @dev Wages paid never exceed what went into the wage account; wages paid in all never exceed
    /// the wage account's credits plus the guarantee deposits.
    function invariant_wagesWithinWageAccount() public view {
        for (uint256 i; i < handler.projectCount(); ++i) {
            IConstructionEscrow.Ledger memory l = escrow.getLedger(handler.projectIds(i));
            assertTrue(uint256(l.wagesPaid) + l.wageBalance <= l.wageCredited, "wages paid exceed the wage account");
            assertTrue(
                uint256(l.wagesPaid) + l.guaranteePaidOut <= uint256(l.wageCredited) + l.guaranteeDeposited,
                "wages paid exceed wage account and guarantee"
            );
        }
    }

    /// @dev Nothing but wages ever left a frozen project.
    function invariant_frozenProjectsPayOnlyWages() public view {
        assertTrue(!handler.frozenLeak(), "money other than wages left a frozen project");
    }

    /// @dev Workers received exactly the wages the ledgers paid, and nobody else got wage money.
    function invariant_wageMoneyReachesOnlyWorkers() public view {
        for (uint256 t; t < tokens.length; ++t) {
            uint256 wages;
            for (uint256 i; i < handler.projectCount(); ++i) {
                uint256 p = handler.projectIds(i);
                if (address(escrow.getProject(p).token) != address(tokens[t])) continue;
                IConstructionEscrow.Ledger memory l = escrow.getLedger(p);
                wages += uint256(l.wagesPaid) + l.guaranteePaidOut;
            }
            uint256 received;
            for (uint256 w; w < handler.workerCount(); ++w) received += tokens[t].balanceOf(handler.workers(w));
            assertEq(received, wages, "workers' balances != wages paid");
            assertEq(tokens[t].balanceOf(INTRUDER), 0, "an unregistered account got wages");
        }
    }
}

contract ConstructionEscrowFuzzTest is EscrowTestSystem {
    function setUp() public {
        _deploySystem();
    }

    function testFuzz_approveMilestoneSplitsLabourShare(uint128 amount, uint16 labourShareBps) public {
        amount = uint128(bound(amount, 1, 1e30));
        labourShareBps = uint16(bound(labourShareBps, 0, 10_000));
        uint128[] memory amounts = new uint128[](1);
        amounts[0] = amount;
        uint256 p = _openProject(IERC20(address(settlement)), amounts, labourShareBps, 0);
        vm.prank(DEVELOPER_ACCOUNT);
        escrow.fund(p, amount);
        vm.prank(CONTRACTOR_ACCOUNT);
        escrow.submitMilestone(p, 0, keccak256("done"));
        vm.prank(SUPERVISOR_ACCOUNT);
        escrow.approveMilestone(p, 0);

        IConstructionEscrow.Ledger memory l = escrow.getLedger(p);
        uint256 wage = (uint256(amount) * labourShareBps + 9_999) / 10_000;
        assertEq(l.wageBalance, wage, "labour share, rounded up, into the wage account");
        assertEq(l.payableBalance, amount - wage, "the rest payable");
        assertEq(l.unreleased, 0, "all released");
        assertEq(settlement.balanceOf(address(escrow)), amount, "escrow holds it all");
        vm.prank(SUPERVISOR_ACCOUNT);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConstructionEscrow.EscrowMilestoneUnexpectedState.selector,
                p,
                0,
                IConstructionEscrow.MilestoneState.Released
            )
        );
        escrow.approveMilestone(p, 0);
    }

    function testFuzz_fundNeverPassesTheBudget(uint256 first, uint256 second) public {
        uint128[] memory amounts = new uint128[](2);
        (amounts[0], amounts[1]) = (600e18, 400e18);
        uint256 p = _openProject(IERC20(address(plain)), amounts, 2_000, 0);
        first = bound(first, 1, 1_000e18);
        vm.prank(DEVELOPER_ACCOUNT);
        escrow.fund(p, first);
        second = bound(second, 1, 2_000e18);
        vm.prank(DEVELOPER_ACCOUNT);
        try escrow.fund(p, second) {
            assertTrue(first + second <= 1_000e18, "funded past the budget");
        } catch {
            assertTrue(first + second > 1_000e18, "rejected funding within the budget");
        }
        IConstructionEscrow.Ledger memory l = escrow.getLedger(p);
        assertTrue(l.funded <= 1_000e18, "funded <= budget");
        assertEq(plain.balanceOf(address(escrow)), l.funded, "escrow holds what was funded");
    }

    function testFuzz_payrollPaysEachWorkerExactly(uint256 count, uint256 seed, bool plainToken) public {
        IERC20 token = plainToken ? IERC20(address(plain)) : IERC20(address(settlement));
        uint128[] memory amounts = new uint128[](1);
        amounts[0] = 1_000e18;
        uint256 p = _openProject(token, amounts, 2_500, 0);
        vm.prank(DEVELOPER_ACCOUNT);
        escrow.fund(p, 1_000e18);
        vm.prank(CONTRACTOR_ACCOUNT);
        escrow.submitMilestone(p, 0, keccak256("done"));
        vm.prank(SUPERVISOR_ACCOUNT);
        escrow.approveMilestone(p, 0);

        count = bound(count, 1, WORKERS);
        address[] memory workers = new address[](count);
        uint256[] memory wages = new uint256[](count);
        uint256 total;
        for (uint256 i; i < count; ++i) {
            workers[i] = _worker(i);
            wages[i] = bound(uint256(keccak256(abi.encode(seed, i))), 1, 40e18);
            total += wages[i];
        }
        vm.prank(CONTRACTOR_ACCOUNT);
        uint256 payrollId = escrow.submitPayroll(p, 202406, keccak256("payroll"), workers, wages);
        vm.prank(BANKER);
        escrow.approvePayroll(p, payrollId, workers, wages);

        for (uint256 i; i < count; ++i) assertEq(token.balanceOf(workers[i]), wages[i], "worker paid their amount");
        IConstructionEscrow.Ledger memory l = escrow.getLedger(p);
        assertEq(l.wagesPaid, total, "wages paid booked");
        assertEq(l.wageBalance, 250e18 - total, "wage account debited");
        assertEq(token.balanceOf(address(escrow)), 1_000e18 - total, "escrow paid out exactly the wages");
    }

    function testFuzz_frozenProjectPaysOnlyWages(uint256 orderAmount, uint256 wage) public {
        uint128[] memory amounts = new uint128[](1);
        amounts[0] = 1_000e18;
        uint256 p = _openProject(IERC20(address(settlement)), amounts, 2_000, 0);
        vm.prank(DEVELOPER_ACCOUNT);
        escrow.fund(p, 1_000e18);
        vm.prank(CONTRACTOR_ACCOUNT);
        escrow.submitMilestone(p, 0, keccak256("done"));
        vm.prank(SUPERVISOR_ACCOUNT);
        escrow.approveMilestone(p, 0);
        orderAmount = bound(orderAmount, 1, 800e18);
        vm.prank(CONTRACTOR_ACCOUNT);
        uint256 orderId = escrow.orderPayment(p, SUBCONTRACTOR, orderAmount, keccak256("invoice"));
        vm.prank(BUREAU);
        escrow.freezeProject(p, "inspection");

        vm.prank(SUPERVISOR_ACCOUNT);
        vm.expectRevert(abi.encodeWithSelector(IConstructionEscrow.EscrowProjectFrozen.selector, p));
        escrow.approvePaymentOrder(p, orderId);

        address[] memory workers = new address[](1);
        workers[0] = _worker(0);
        uint256[] memory wages = new uint256[](1);
        wages[0] = bound(wage, 1, 200e18);
        vm.prank(CONTRACTOR_ACCOUNT);
        uint256 payrollId = escrow.submitPayroll(p, 202406, keccak256("payroll"), workers, wages);
        vm.prank(BANKER);
        escrow.approvePayroll(p, payrollId, workers, wages);
        assertEq(settlement.balanceOf(workers[0]), wages[0], "wages still paid while frozen");
        assertEq(settlement.balanceOf(SUBCONTRACTOR_ACCOUNT), 0, "nothing else paid while frozen");
    }
}
