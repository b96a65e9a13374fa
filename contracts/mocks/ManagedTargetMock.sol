// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";
import {ConsortiumManaged} from "../governance/ConsortiumManaged.sol";

/// @dev Test harness for ConsortiumManaged: the smallest domain contract, to exercise roles,
/// pause and attribution before the real domains exist. Never deployed outside tests.
contract ManagedTargetMock is ConsortiumManaged {
    event Touched(bytes32 indexed departmentId, uint256 value);
    event TouchedByParticipant(bytes32 indexed participantId, uint256 value);

    uint256 public value;

    constructor(address authority, IConsortiumRegistry registry_) ConsortiumManaged(authority, registry_) {}

    function touch(uint256 newValue) external restricted whenNotPaused {
        value = newValue;
        emit Touched(_callerDepartment(), newValue);
    }

    function touchAsParticipant(uint256 newValue) external restricted whenNotPaused {
        value = newValue;
        emit TouchedByParticipant(_callerParticipant(), newValue);
    }
}
