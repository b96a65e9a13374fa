// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";

/**
 * @title ConsortiumManaged
 * @notice Base of every domain contract: permissions from the consortium's AccessManager, an
 * emergency pause, and attribution of callers to departments and participants.
 * @dev Which role may call `pause` and `unpause` is configured in the AccessManager at deployment:
 * `pause` to the guardian role (at once, no vote), `unpause` left to ADMIN (the governor, by vote).
 */
abstract contract ConsortiumManaged is AccessManaged, Pausable {
    IConsortiumRegistry internal immutable _registry;

    /// @notice The caller acts for no active department.
    error ConsortiumCallerNotDepartment(address caller);
    /// @notice The caller acts for no active participant.
    error ConsortiumCallerNotParticipant(address caller);

    /**
     * @param authority the consortium's AccessManager
     * @param registry_ the consortium's registry of departments and participants
     */
    constructor(address authority, IConsortiumRegistry registry_) AccessManaged(authority) {
        _registry = registry_;
    }

    /// @notice Stops every state change of this contract at once. Guardian role, from an active
    /// department: a role left in the AccessManager for a suspended department's operator (a
    /// grant made there directly, past the registry) must not stop the consortium's business.
    function pause() external restricted {
        _callerDepartment();
        _pause();
    }

    /// @notice Resumes after an emergency. Governance (a vote) only.
    function unpause() external restricted {
        _unpause();
    }

    /// @notice The consortium registry this contract attributes callers with.
    function registry() external view returns (IConsortiumRegistry) {
        return _registry;
    }

    /// @dev The caller's active department; reverts if it acts for none.
    function _callerDepartment() internal view returns (bytes32 departmentId) {
        departmentId = _registry.activeDepartmentOf(msg.sender);
        if (departmentId == bytes32(0)) revert ConsortiumCallerNotDepartment(msg.sender);
    }

    /// @dev The caller's active participant; reverts if it acts for none.
    function _callerParticipant() internal view returns (bytes32 participantId) {
        participantId = _registry.activeParticipantOf(msg.sender);
        if (participantId == bytes32(0)) revert ConsortiumCallerNotParticipant(msg.sender);
    }
}
