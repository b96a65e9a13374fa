// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {ConsortiumGovernor} from "../../contracts/governance/ConsortiumGovernor.sol";
import {ConsortiumRegistry} from "../../contracts/governance/ConsortiumRegistry.sol";
import {IConsortiumGovernor} from "../../contracts/interfaces/IConsortiumGovernor.sol";
import {IConsortiumRegistry} from "../../contracts/interfaces/IConsortiumRegistry.sol";
import {TestBase, Vm} from "../utils/TestBase.sol";

/// @dev The target of every proposal: counts how often each proposal's call ran.
contract ExecutionLog {
    mapping(uint256 proposalId => uint256) public runs;

    function record(uint256 proposalId) external {
        ++runs[proposalId];
    }
}

/// @dev Random proposals (one to three calls), votes, cancellations, executions and time jumps
/// by up to eight departments, some admitted, suspended and reinstated along the way, so that the
/// eligibility snapshot (who may vote on what) is exercised. This handler is the AccessManager
/// admin for the registry's governance functions. Counts its successful calls per function.
contract GovernorHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    ConsortiumGovernor public immutable governor;
    ConsortiumRegistry public immutable registry;
    ExecutionLog public immutable log;
    address[] public operators;
    uint256 public executions;
    mapping(bytes4 selector => uint256) public succeeded;
    /// @dev Set if a department voted on a proposal made before it became active.
    bool public ineligibleVoteCounted;

    constructor(
        ConsortiumGovernor governor_,
        ConsortiumRegistry registry_,
        ExecutionLog log_,
        address[] memory operators_
    ) {
        governor = governor_;
        registry = registry_;
        log = log_;
        operators = operators_;
    }

    function propose(uint8 who, uint8 size) external {
        IConsortiumGovernor.Call[] memory calls = new IConsortiumGovernor.Call[](1 + (size % 3));
        uint256 next = governor.proposalCount() + 1;
        for (uint256 i; i < calls.length; ++i) {
            // Only the first call records, so that one run per proposal stays countable.
            calls[i] = i == 0
                ? IConsortiumGovernor.Call(address(log), abi.encodeCall(ExecutionLog.record, (next)))
                : IConsortiumGovernor.Call(address(log), abi.encodeWithSignature("runs(uint256)", next));
        }
        vm.prank(operators[who % operators.length]);
        try governor.propose(calls, "fuzz") {
            ++succeeded[msg.sig];
        } catch {}
    }

    function vote(uint8 who, uint8 proposal, bool support) external {
        uint256 count = governor.proposalCount();
        if (count == 0) return;
        uint256 id = 1 + (proposal % count);
        address voter = operators[who % operators.length];
        bytes32 departmentId = registry.departmentOf(voter);
        uint64 since = registry.activeSince(departmentId);
        uint64 nonce = governor.getProposal(id).membershipNonce;
        vm.prank(voter);
        try governor.castVote(id, support) {
            ++succeeded[msg.sig];
            if (since == 0 || since > nonce) ineligibleVoteCounted = true;
        } catch {}
    }

    /// @dev Admits the next of the departments 6-8 not yet admitted.
    function admit() external {
        uint256 next = registry.departmentIds().length + 1;
        if (next > operators.length) return;
        address[] memory one = new address[](1);
        one[0] = operators[next - 1];
        try registry.admitDepartment(bytes32(next), "dept", IConsortiumRegistry.DepartmentKind.Other, one) {
            ++succeeded[msg.sig];
        } catch {}
    }

    function suspend(uint8 which) external {
        try registry.suspendDepartment(bytes32(uint256(1 + (which % operators.length)))) {
            ++succeeded[msg.sig];
        } catch {}
    }

    function reinstate(uint8 which) external {
        try registry.reinstateDepartment(bytes32(uint256(1 + (which % operators.length)))) {
            ++succeeded[msg.sig];
        } catch {}
    }

    function execute(uint8 who, uint8 proposal) external {
        uint256 count = governor.proposalCount();
        if (count == 0) return;
        vm.prank(operators[who % operators.length]);
        try governor.execute(1 + (proposal % count)) {
            ++executions;
            ++succeeded[msg.sig];
        } catch {}
    }

    function cancel(uint8 who, uint8 proposal) external {
        uint256 count = governor.proposalCount();
        if (count == 0) return;
        vm.prank(operators[who % operators.length]);
        try governor.cancel(1 + (proposal % count)) {
            ++succeeded[msg.sig];
        } catch {}
    }

    function wait(uint32 secondsAhead) external {
        vm.warp(block.timestamp + (secondsAhead % 3 days));
        ++succeeded[msg.sig];
    }
}

contract ConsortiumGovernorInvariantTest is TestBase {
    AccessManager internal manager;
    ConsortiumGovernor internal governor;
    ExecutionLog internal log;
    GovernorHandler internal handler;

    function setUp() public {
        manager = new AccessManager(address(this));
        ConsortiumRegistry registry = new ConsortiumRegistry(address(manager));
        manager.grantRole(0, address(registry), 0);
        governor = new ConsortiumGovernor(
            IConsortiumRegistry(address(registry)),
            IConsortiumGovernor.VotingRules({
                thresholdBps: 5_000,
                votingPeriod: 7 days,
                executionDelay: 1 days,
                executionWindow: 3 days
            })
        );
        address[] memory operators = new address[](8);
        for (uint256 i; i < operators.length; ++i) {
            operators[i] = address(uint160(0x1000 + i));
            if (i >= 5) continue; // departments 6-8 are admitted by the handler
            address[] memory one = new address[](1);
            one[0] = operators[i];
            registry.admitDepartment(bytes32(uint256(i + 1)), "dept", IConsortiumRegistry.DepartmentKind.Other, one);
        }
        log = new ExecutionLog();
        handler = new GovernorHandler(governor, registry, log, operators);
        manager.grantRole(0, address(handler), 0);
        targetContract(address(handler));
    }

    /// @dev A department votes only on proposals made while it was active.
    function invariant_onlyEligibleDepartmentsVote() public view {
        assertTrue(!handler.ineligibleVoteCounted(), "a department admitted or reinstated later voted");
    }

    /// @dev Fails when a handler function can no longer succeed: invariants over calls that all
    /// revert would pass silently.
    function test_everyHandlerSucceeds() public {
        handler.propose(0, 2);
        handler.admit();
        handler.vote(5, 0, true); // department 6, admitted after the proposal: refused
        for (uint8 who; who < 3; ++who) handler.vote(who, 0, true);
        handler.wait(1 days);
        handler.wait(1 days);
        handler.execute(0, 0);
        handler.propose(1, 0);
        handler.cancel(1, 1);
        handler.suspend(2);
        handler.reinstate(2);
        bytes4[8] memory selectors = [
            handler.propose.selector,
            handler.vote.selector,
            handler.admit.selector,
            handler.suspend.selector,
            handler.reinstate.selector,
            handler.execute.selector,
            handler.cancel.selector,
            handler.wait.selector
        ];
        for (uint256 i; i < selectors.length; ++i) {
            assertTrue(handler.succeeded(selectors[i]) > 0, "a handler function never succeeds");
        }
        assertEq(handler.succeeded(handler.vote.selector), 3, "the late department's vote refused");
    }

    /// @dev A proposal runs at most once, and has run exactly when its state says Executed.
    function invariant_proposalNeverExecutesTwice() public view {
        uint256 count = governor.proposalCount();
        uint256 executed;
        for (uint256 id = 1; id <= count; ++id) {
            uint256 runs = log.runs(id);
            assertTrue(runs <= 1, "a proposal ran twice");
            bool isExecuted = governor.state(id) == IConsortiumGovernor.ProposalState.Executed;
            assertTrue(isExecuted == (runs == 1), "state and runs disagree");
            if (isExecuted) ++executed;
        }
        assertEq(executed, handler.executions(), "executions counted");
    }

    /// @dev Yes and no votes never exceed the departments eligible when the proposal was made.
    function invariant_votesBounded() public view {
        uint256 count = governor.proposalCount();
        for (uint256 id = 1; id <= count; ++id) {
            IConsortiumGovernor.Proposal memory proposal = governor.getProposal(id);
            assertTrue(uint256(proposal.yes) + proposal.no <= proposal.eligible, "more votes than voters");
            assertTrue(proposal.required <= proposal.eligible, "threshold out of reach by construction");
        }
    }

    function testFuzz_thresholdIsMoreThanTheShare(uint16 bps, uint8 members) public pure {
        bps = uint16(bound(bps, 1, 9_999));
        uint256 eligible = bound(members, 1, 128);
        uint256 required = (eligible * bps) / 10_000 + 1;
        // Passing means yes × 10,000 > eligible × bps; one vote fewer does not pass.
        assertTrue(required * 10_000 > eligible * bps, "required passes");
        assertTrue((required - 1) * 10_000 <= eligible * bps, "one fewer fails");
        assertTrue(required <= eligible, "reachable");
    }
}
