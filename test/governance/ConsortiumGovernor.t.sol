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

/// @dev Random proposals, votes, cancellations, executions and time jumps by five departments.
contract GovernorHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    ConsortiumGovernor public immutable governor;
    ExecutionLog public immutable log;
    address[] public operators;
    uint256 public executions;

    constructor(ConsortiumGovernor governor_, ExecutionLog log_, address[] memory operators_) {
        governor = governor_;
        log = log_;
        operators = operators_;
    }

    function propose(uint8 who) external {
        IConsortiumGovernor.Call[] memory calls = new IConsortiumGovernor.Call[](1);
        uint256 next = governor.proposalCount() + 1;
        calls[0] = IConsortiumGovernor.Call(address(log), abi.encodeCall(ExecutionLog.record, (next)));
        vm.prank(operators[who % operators.length]);
        governor.propose(calls, "fuzz");
    }

    function vote(uint8 who, uint8 proposal, bool support) external {
        uint256 count = governor.proposalCount();
        if (count == 0) return;
        vm.prank(operators[who % operators.length]);
        try governor.castVote(1 + (proposal % count), support) {} catch {}
    }

    function execute(uint8 who, uint8 proposal) external {
        uint256 count = governor.proposalCount();
        if (count == 0) return;
        vm.prank(operators[who % operators.length]);
        try governor.execute(1 + (proposal % count)) {
            ++executions;
        } catch {}
    }

    function cancel(uint8 who, uint8 proposal) external {
        uint256 count = governor.proposalCount();
        if (count == 0) return;
        vm.prank(operators[who % operators.length]);
        try governor.cancel(1 + (proposal % count)) {} catch {}
    }

    function wait(uint32 secondsAhead) external {
        vm.warp(block.timestamp + (secondsAhead % 3 days));
    }
}

contract ConsortiumGovernorInvariantTest is TestBase {
    ConsortiumGovernor internal governor;
    ExecutionLog internal log;
    GovernorHandler internal handler;

    function setUp() public {
        AccessManager manager = new AccessManager(address(this));
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
        address[] memory operators = new address[](5);
        for (uint256 i; i < operators.length; ++i) {
            operators[i] = address(uint160(0x1000 + i));
            address[] memory one = new address[](1);
            one[0] = operators[i];
            registry.admitDepartment(bytes32(uint256(i + 1)), "dept", IConsortiumRegistry.DepartmentKind.Other, one);
        }
        log = new ExecutionLog();
        handler = new GovernorHandler(governor, log, operators);
        targetContract(address(handler));
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
