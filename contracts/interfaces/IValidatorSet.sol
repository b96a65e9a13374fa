// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IValidatorSet
 * @notice The QBFT validator set for Hyperledger Besu's contract-based validator selection. Besu
 * calls {getValidators} from the zero address after every block and halts the chain if the call
 * reverts or returns an empty list; so it never reverts, never returns an empty list, and sits
 * behind no role or pause check. The set changes only through consortium proposals.
 *
 * Nodes of a suspended department stop sealing: {getValidators} leaves them out (unless that would
 * leave no node at all) and they seal again once the department is reinstated; {isValidator} still
 * reports membership. The registry tells the set of each admission, suspension and reinstatement
 * ({departmentChanged}), and every node whose sealing changed then gets a
 * {ValidatorSealingChanged}. (Adding or removing a node can change whether the others seal only
 * when no node's department is active: {ValidatorAdded}/{ValidatorRemoved} mark that case.) A block
 * adds at most one node and removes at most one, so one proposal can never take more than one
 * node's worth of QBFT's fault tolerance (n = 3f + 1) at once: a set with more than a third of its
 * nodes offline halts and can no longer vote a repair.
 */
interface IValidatorSet {
    /// @notice A node joined the validator set, run by `departmentId`.
    event ValidatorAdded(address indexed validator, bytes32 indexed departmentId);
    /// @notice A node left the validator set; `departmentId` ran it.
    event ValidatorRemoved(address indexed validator, bytes32 indexed departmentId);
    /// @notice The set now asks `registry` which departments are active.
    event ValidatorRegistrySet(address indexed registry);
    /// @notice `validator` (run by `departmentId`) started (`sealing`) or stopped sealing because
    /// `changedDepartment` was admitted, reinstated or suspended. The two departments differ only when the
    /// change emptied or refilled the set of active departments' nodes: then every node seals.
    event ValidatorSealingChanged(
        address indexed validator,
        bytes32 indexed departmentId,
        bytes32 indexed changedDepartment,
        bool sealing
    );

    /// @notice The zero address is not a node.
    error ValidatorSetInvalidValidator(address validator);
    /// @notice Every validator must be run by a department, one the registry knows as active.
    error ValidatorSetInvalidDepartment(bytes32 departmentId);
    /// @notice This block already added (`added`) or removed a node: one of each per block.
    error ValidatorSetChangeLimit(bool added);
    /// @notice The registry is not a contract.
    error ValidatorSetInvalidRegistry(address registry);
    /// @notice The node is in the set already.
    error ValidatorSetDuplicate(address validator);
    /// @notice The node is not in the set.
    error ValidatorSetUnknown(address validator);
    /// @notice The set would grow past MAX_VALIDATORS.
    error ValidatorSetFull(uint256 limit);
    /// @notice The set would become empty, which halts the chain.
    error ValidatorSetLastValidator(address validator);
    /// @notice Only the registry the set asks reports department changes.
    error ValidatorSetCallerNotRegistry(address caller);

    /**
     * @notice Adds a validator node; at most one per block. Governance only.
     * @param validator the node's address (from its node key), not a department account
     * @param departmentId the department that runs the node: active in the registry
     */
    function addValidator(address validator, bytes32 departmentId) external;

    /// @notice Removes a validator node, never the last; at most one per block. Governance only.
    function removeValidator(address validator) external;

    /// @notice Sets the registry whose departments' state decides which nodes seal. Governance
    /// only (the deployment sets it, also for a set pre-deployed in the genesis).
    function setRegistry(address registry) external;

    /// @notice The registry reports that `departmentId` was just admitted, suspended or reinstated: emits
    /// {ValidatorSealingChanged} for every node whose sealing that changed. The registry only.
    function departmentChanged(bytes32 departmentId) external;

    /// @notice The validators of active departments, in the order they were added (removal moves
    /// the last into the gap); every validator if none is active or the registry is unset.
    /// @return the sealing set; never empty, never reverts
    function getValidators() external view returns (address[] memory);

    /// @notice Every node in the set, its department active or not.
    function allValidators() external view returns (address[] memory);

    /// @notice The registry the set asks (zero until set).
    function registry() external view returns (address);

    /// @notice Whether `validator` is in the set (it seals only while its department is active).
    function isValidator(address validator) external view returns (bool);

    /// @notice The department that runs `validator` (zero if it is not in the set).
    function departmentOfValidator(address validator) external view returns (bytes32);
}
