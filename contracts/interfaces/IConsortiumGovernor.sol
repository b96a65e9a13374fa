// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IConsortiumGovernor
 * @notice Collective decisions of the consortium: a proposal is a list of calls (admit a
 * department, grant a role, change a function's role, change the validator set, unpause a domain
 * contract, change these voting rules...) that runs only after enough member departments voted
 * for it. One vote per department, cast by any of its operators.
 *
 * Life of a proposal: Active (voting) → Succeeded once the yes votes pass the threshold → executed
 * at or after `readyAt` (threshold time + execution delay) and before `expiresAt`; otherwise
 * Defeated (the threshold can no longer be reached, or voting ended without it), Expired (passed
 * but not executed in time) or Cancelled (by the proposing department).
 */
interface IConsortiumGovernor {
    /// @notice One call a proposal makes, from the governor.
    struct Call {
        address target;
        bytes data;
    }

    /// @notice Where a proposal stands. `None` for an id that was never proposed.
    enum ProposalState {
        None,
        Active,
        Defeated,
        Succeeded,
        Expired,
        Executed,
        Cancelled
    }

    /**
     * @notice The voting rules; a proposal keeps the rules in force when it was made.
     * @param thresholdBps a proposal passes when yes × 10,000 > eligible departments × thresholdBps
     *        (5,000: more than half; 1 to 9,999)
     * @param votingPeriod seconds during which votes are taken (1 hour to 30 days)
     * @param executionDelay seconds between passing and the earliest execution (at most 30 days)
     * @param executionWindow seconds after `readyAt` during which a passed proposal may run
     *        (1 day to 90 days)
     */
    struct VotingRules {
        uint16 thresholdBps;
        uint32 votingPeriod;
        uint32 executionDelay;
        uint32 executionWindow;
    }

    /**
     * @notice A proposal as stored (calls apart; see {proposalCalls}).
     * @param proposer the department that made it
     * @param createdAt when it was made
     * @param voteEnd when voting ends
     * @param readyAt earliest execution time; zero until it passes
     * @param expiresAt end of the execution window; zero until it passes
     * @param membershipNonce the registry's membership nonce when it was made: only departments
     *        active since then or earlier may vote
     * @param executionDelay the rules' execution delay when it was made
     * @param executionWindow the rules' execution window when it was made
     * @param eligible active departments when it was made
     * @param required yes votes it needs
     * @param yes yes votes so far
     * @param no no votes so far
     * @param executed whether it ran
     * @param cancelled whether its proposer withdrew it
     */
    struct Proposal {
        bytes32 proposer;
        uint64 createdAt;
        uint64 voteEnd;
        uint64 readyAt;
        uint64 expiresAt;
        uint64 membershipNonce;
        uint32 executionDelay;
        uint32 executionWindow;
        uint16 eligible;
        uint16 required;
        uint16 yes;
        uint16 no;
        bool executed;
        bool cancelled;
    }

    /// @notice A department proposed `calls`; `description` says why (or points to a document).
    event ProposalCreated(
        uint256 indexed proposalId,
        bytes32 indexed departmentId,
        address indexed proposer,
        Call[] calls,
        string description,
        uint64 voteEnd,
        uint16 required
    );
    /// @notice A department voted.
    event VoteCast(uint256 indexed proposalId, bytes32 indexed departmentId, address indexed voter, bool support);
    /// @notice The yes votes passed the threshold; the proposal runs from `readyAt` to `expiresAt`.
    event ProposalSucceeded(uint256 indexed proposalId, uint64 readyAt, uint64 expiresAt);
    /// @notice The proposal's calls ran, at the request of `departmentId`'s operator.
    event ProposalExecuted(uint256 indexed proposalId, bytes32 indexed departmentId, address indexed executor);
    /// @notice The proposing department withdrew its proposal.
    event ProposalCancelled(uint256 indexed proposalId, bytes32 indexed departmentId);
    /// @notice The voting rules changed (by a proposal).
    event VotingRulesChanged(VotingRules rules);

    /// @notice The caller is no operator of an active member department.
    error GovernorCallerNotMember(address caller);
    /// @notice The department became a member after the proposal was made.
    error GovernorNotEligible(uint256 proposalId, bytes32 departmentId);
    /// @notice The department voted on this proposal already.
    error GovernorAlreadyVoted(uint256 proposalId, bytes32 departmentId);
    /// @notice The proposal is not in a state that allows the call.
    error GovernorUnexpectedProposalState(uint256 proposalId, ProposalState current);
    /// @notice The proposal passed but its execution delay has not run out.
    error GovernorProposalNotReady(uint256 proposalId, uint64 readyAt);
    /// @notice Only the department that made a proposal may cancel it.
    error GovernorNotProposer(uint256 proposalId, bytes32 departmentId);
    /// @notice A proposal must make 1 to MAX_CALLS calls, each to a contract.
    error GovernorInvalidCalls();
    /// @notice The voting rules are out of range: threshold 1 to 9,999 bps, voting period 1 hour to
    /// 30 days, execution delay at most 30 days, execution window 1 to 90 days.
    error GovernorInvalidRules(VotingRules rules);
    /// @notice Only the governor itself (through a proposal) may call this.
    error GovernorOnlyGovernance(address caller);

    /**
     * @notice Proposes calls for the consortium to vote on. Operators of active departments only.
     * @param calls what to run, in order, if the proposal passes
     * @param description why, or a reference to the document that says why
     * @return proposalId the new proposal's id (1, 2, 3...)
     */
    function propose(Call[] calldata calls, string calldata description) external returns (uint256 proposalId);

    /// @notice Casts the caller's department's vote. Operators of eligible active departments only.
    function castVote(uint256 proposalId, bool support) external;

    /// @notice Runs a passed proposal's calls. Operators of active departments only.
    function execute(uint256 proposalId) external;

    /// @notice Withdraws a proposal not yet executed. The proposing department's operators only.
    function cancel(uint256 proposalId) external;

    /// @notice Changes the voting rules. Only through a proposal.
    function setVotingRules(VotingRules calldata rules) external;

    /// @notice Where a proposal stands now.
    function state(uint256 proposalId) external view returns (ProposalState);

    /// @notice A proposal as stored.
    function getProposal(uint256 proposalId) external view returns (Proposal memory);

    /// @notice A proposal's calls.
    function proposalCalls(uint256 proposalId) external view returns (Call[] memory);

    /// @notice Whether `departmentId` voted on the proposal.
    function hasVoted(uint256 proposalId, bytes32 departmentId) external view returns (bool);

    /// @notice The voting rules new proposals get.
    function votingRules() external view returns (VotingRules memory);

    /// @notice How many proposals were ever made (the last id).
    function proposalCount() external view returns (uint256);

    /// @notice The registry whose departments vote.
    function registry() external view returns (address);
}
