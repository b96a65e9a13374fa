// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IValidatorSet
 * @notice The QBFT validator set for Hyperledger Besu's contract-based validator selection. Besu
 * calls {getValidators} from the zero address after every block and halts the chain if the call
 * reverts or returns an empty list; so it never reverts, never returns an empty list, and sits
 * behind no role or pause check. The set changes only through consortium proposals.
 */
interface IValidatorSet {
    /// @notice A node joined the validator set, run by `departmentId`.
    event ValidatorAdded(address indexed validator, bytes32 indexed departmentId);
    /// @notice A node left the validator set; `departmentId` ran it.
    event ValidatorRemoved(address indexed validator, bytes32 indexed departmentId);

    /// @notice The zero address is not a node.
    error ValidatorSetInvalidValidator(address validator);
    /// @notice Every validator must be run by a department.
    error ValidatorSetInvalidDepartment(bytes32 departmentId);
    /// @notice The node is in the set already.
    error ValidatorSetDuplicate(address validator);
    /// @notice The node is not in the set.
    error ValidatorSetUnknown(address validator);
    /// @notice The set would grow past MAX_VALIDATORS.
    error ValidatorSetFull(uint256 limit);
    /// @notice The set would become empty, which halts the chain.
    error ValidatorSetLastValidator(address validator);

    /**
     * @notice Adds a validator node. Governance only.
     * @param validator the node's address (from its node key), not a department account
     * @param departmentId the department that runs the node
     */
    function addValidator(address validator, bytes32 departmentId) external;

    /// @notice Removes a validator node, never the last. Governance only.
    function removeValidator(address validator) external;

    /// @notice The validators, in the order they were added (removal moves the last into the gap).
    /// @return the current set; never empty, never reverts
    function getValidators() external view returns (address[] memory);

    /// @notice Whether `validator` is in the set.
    function isValidator(address validator) external view returns (bool);

    /// @notice The department that runs `validator` (zero if it is not in the set).
    function departmentOfValidator(address validator) external view returns (bytes32);
}
