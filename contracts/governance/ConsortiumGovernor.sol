// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IConsortiumGovernor} from "../interfaces/IConsortiumGovernor.sol";
import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";

/**
 * @title ConsortiumGovernor
 * @notice Proposals, one vote per member department, execution of what passed.
 * @dev Holds the AccessManager's ADMIN role: everything the consortium changes collectively (the
 * registry's governance functions, role and function wiring in the AccessManager, the validator
 * set, unpausing) is a call made from here, after a vote. It keeps no membership of its own: it
 * asks the registry. It is deliberately not pausable and not AccessManaged, so that an emergency
 * pause can never stop the vote that ends it, and its voting rules change only by its own vote.
 */
contract ConsortiumGovernor is IConsortiumGovernor {
    /// @notice Most calls one proposal may make.
    uint256 public constant MAX_CALLS = 32;
    /// @notice Bounds of the voting rules. The rules change only through a vote under the rules
    /// in force, so a rule that could stop every vote (a 136-year delay, a one-second window or
    /// voting period) could never be undone: these keep every rule within reach of a repair.
    uint32 public constant MIN_VOTING_PERIOD = 1 hours;
    uint32 public constant MAX_VOTING_PERIOD = 30 days;
    uint32 public constant MAX_EXECUTION_DELAY = 30 days;
    uint32 public constant MIN_EXECUTION_WINDOW = 1 days;
    uint32 public constant MAX_EXECUTION_WINDOW = 90 days;

    IConsortiumRegistry private immutable _registry;
    VotingRules private _rules;
    uint256 private _proposalCount;
    mapping(uint256 proposalId => Proposal) private _proposals;
    mapping(uint256 proposalId => Call[]) private _calls;
    mapping(uint256 proposalId => mapping(bytes32 departmentId => bool)) private _voted;

    modifier onlyGovernance() {
        if (msg.sender != address(this)) revert GovernorOnlyGovernance(msg.sender);
        _;
    }

    /**
     * @param registry_ the registry whose departments vote
     * @param rules the initial voting rules
     */
    constructor(IConsortiumRegistry registry_, VotingRules memory rules) {
        _registry = registry_;
        _setVotingRules(rules);
    }

    /// @inheritdoc IConsortiumGovernor
    function propose(Call[] calldata calls, string calldata description) external returns (uint256 proposalId) {
        bytes32 departmentId = _callerDepartment();
        if (calls.length == 0 || calls.length > MAX_CALLS) revert GovernorInvalidCalls();
        for (uint256 i; i < calls.length; ++i) {
            if (calls[i].target.code.length == 0) revert GovernorInvalidCalls();
            _calls[_proposalCount + 1].push(calls[i]);
        }
        proposalId = ++_proposalCount;

        VotingRules memory rules = _rules;
        uint256 eligible = _registry.activeDepartmentCount();
        // Cannot overflow: eligible <= MAX_DEPARTMENTS (128) and thresholdBps < 10,000.
        uint16 required = uint16((eligible * rules.thresholdBps) / 10_000 + 1);
        uint64 voteEnd = uint64(block.timestamp) + rules.votingPeriod;
        _proposals[proposalId] = Proposal({
            proposer: departmentId,
            createdAt: uint64(block.timestamp),
            voteEnd: voteEnd,
            readyAt: 0,
            expiresAt: 0,
            membershipNonce: _registry.membershipNonce(),
            executionDelay: rules.executionDelay,
            executionWindow: rules.executionWindow,
            eligible: uint16(eligible),
            required: required,
            yes: 0,
            no: 0,
            executed: false,
            cancelled: false
        });
        emit ProposalCreated(proposalId, departmentId, msg.sender, calls, description, voteEnd, required);
    }

    /// @inheritdoc IConsortiumGovernor
    function castVote(uint256 proposalId, bool support) external {
        bytes32 departmentId = _callerDepartment();
        _expectState(proposalId, ProposalState.Active);
        Proposal storage proposal = _proposals[proposalId];
        if (_registry.activeSince(departmentId) > proposal.membershipNonce) {
            revert GovernorNotEligible(proposalId, departmentId);
        }
        if (_voted[proposalId][departmentId]) revert GovernorAlreadyVoted(proposalId, departmentId);
        _voted[proposalId][departmentId] = true;
        // Cannot overflow: one vote per department and at most 128 departments.
        if (support) ++proposal.yes;
        else ++proposal.no;
        emit VoteCast(proposalId, departmentId, msg.sender, support);

        if (proposal.yes == proposal.required) {
            uint64 readyAt = uint64(block.timestamp) + proposal.executionDelay;
            uint64 expiresAt = readyAt + proposal.executionWindow;
            proposal.readyAt = readyAt;
            proposal.expiresAt = expiresAt;
            emit ProposalSucceeded(proposalId, readyAt, expiresAt);
        }
    }

    /// @inheritdoc IConsortiumGovernor
    function execute(uint256 proposalId) external {
        bytes32 departmentId = _callerDepartment();
        _expectState(proposalId, ProposalState.Succeeded);
        Proposal storage proposal = _proposals[proposalId];
        if (block.timestamp < proposal.readyAt) revert GovernorProposalNotReady(proposalId, proposal.readyAt);
        // Marked before the calls run, so that a call re-entering execute finds it Executed.
        proposal.executed = true;
        Call[] storage calls = _calls[proposalId];
        for (uint256 i; i < calls.length; ++i) {
            Address.functionCall(calls[i].target, calls[i].data);
        }
        emit ProposalExecuted(proposalId, departmentId, msg.sender);
    }

    /// @inheritdoc IConsortiumGovernor
    function cancel(uint256 proposalId) external {
        bytes32 departmentId = _callerDepartment();
        ProposalState current = state(proposalId);
        if (current != ProposalState.Active && current != ProposalState.Succeeded) {
            revert GovernorUnexpectedProposalState(proposalId, current);
        }
        Proposal storage proposal = _proposals[proposalId];
        if (proposal.proposer != departmentId) revert GovernorNotProposer(proposalId, departmentId);
        proposal.cancelled = true;
        emit ProposalCancelled(proposalId, departmentId);
    }

    /// @inheritdoc IConsortiumGovernor
    function setVotingRules(VotingRules calldata rules) external onlyGovernance {
        _setVotingRules(rules);
    }

    /// @inheritdoc IConsortiumGovernor
    function getProposal(uint256 proposalId) external view returns (Proposal memory) {
        return _proposals[proposalId];
    }

    /// @inheritdoc IConsortiumGovernor
    function proposalCalls(uint256 proposalId) external view returns (Call[] memory) {
        return _calls[proposalId];
    }

    /// @inheritdoc IConsortiumGovernor
    function hasVoted(uint256 proposalId, bytes32 departmentId) external view returns (bool) {
        return _voted[proposalId][departmentId];
    }

    /// @inheritdoc IConsortiumGovernor
    function votingRules() external view returns (VotingRules memory) {
        return _rules;
    }

    /// @inheritdoc IConsortiumGovernor
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc IConsortiumGovernor
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IConsortiumGovernor
    function state(uint256 proposalId) public view returns (ProposalState) {
        Proposal storage proposal = _proposals[proposalId];
        if (proposal.createdAt == 0) return ProposalState.None;
        if (proposal.executed) return ProposalState.Executed;
        if (proposal.cancelled) return ProposalState.Cancelled;
        if (proposal.readyAt != 0) {
            return block.timestamp < proposal.expiresAt ? ProposalState.Succeeded : ProposalState.Expired;
        }
        if (proposal.eligible - proposal.no < proposal.required || block.timestamp >= proposal.voteEnd) {
            return ProposalState.Defeated;
        }
        return ProposalState.Active;
    }

    function _setVotingRules(VotingRules memory rules) internal {
        if (
            rules.thresholdBps == 0 ||
            rules.thresholdBps >= 10_000 ||
            rules.votingPeriod < MIN_VOTING_PERIOD ||
            rules.votingPeriod > MAX_VOTING_PERIOD ||
            rules.executionDelay > MAX_EXECUTION_DELAY ||
            rules.executionWindow < MIN_EXECUTION_WINDOW ||
            rules.executionWindow > MAX_EXECUTION_WINDOW
        ) revert GovernorInvalidRules(rules);
        _rules = rules;
        emit VotingRulesChanged(rules);
    }

    function _expectState(uint256 proposalId, ProposalState expected) internal view {
        ProposalState current = state(proposalId);
        if (current != expected) revert GovernorUnexpectedProposalState(proposalId, current);
    }

    function _callerDepartment() internal view returns (bytes32 departmentId) {
        departmentId = _registry.activeDepartmentOf(msg.sender);
        if (departmentId == bytes32(0)) revert GovernorCallerNotMember(msg.sender);
    }
}
