// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";

import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";

/**
 * @title ValidatorSet
 * @notice The QBFT validator set, changed only by consortium proposals.
 * @dev Designed to be pre-deployed in a Besu genesis `alloc` (see README and
 * `deploy/genesis-alloc.ts`), where no constructor runs: so no immutables, and the storage
 * layout below is part of the contract's interface with the genesis file:
 *   slot 0: AccessManaged._authority
 *   slot 1: _validators (length; elements at keccak256(1) + i)
 *   slot 2: _entries (mapping validator => Entry, at keccak256(validator . 2): position = index + 1
 *           as uint64, then departmentId in the next slot)
 *   slot 3: _registry (zero in the genesis; the deployment sets it by `setRegistry`)
 *   slot 4: 128 bits empty | _lastRemoval (64, block number) | _lastAddition (64, block number)
 * `getValidators` reads no role and no pause flag and cannot revert: a registry that reverts or
 * is missing leaves the whole set sealing. The mutators keep the set non-empty, free of
 * duplicates and zero addresses, and at most MAX_VALIDATORS long.
 */
contract ValidatorSet is IValidatorSet, AccessManaged {
    struct Entry {
        uint64 position;
        bytes32 departmentId;
    }

    /// @notice QBFT rounds grow with the set; 256 bounds both the chain and `getValidators`' gas.
    uint256 public constant MAX_VALIDATORS = 256;

    address[] private _validators;
    mapping(address validator => Entry) private _entries;
    IConsortiumRegistry private _registry;
    uint64 private _lastAddition;
    uint64 private _lastRemoval;

    /**
     * @param authority the consortium's AccessManager
     * @param validators the initial set (at least one)
     * @param departmentIds the department running each initial validator (not checked: the
     *        registry admits the departments after this is deployed)
     */
    constructor(
        address authority,
        address[] memory validators,
        bytes32[] memory departmentIds
    ) AccessManaged(authority) {
        if (validators.length == 0) revert ValidatorSetLastValidator(address(0));
        if (validators.length != departmentIds.length) revert ValidatorSetInvalidDepartment(bytes32(0));
        for (uint256 i; i < validators.length; ++i) {
            _add(validators[i], departmentIds[i]);
        }
    }

    /// @inheritdoc IValidatorSet
    function addValidator(address validator, bytes32 departmentId) external restricted {
        if (_lastAddition == block.number) revert ValidatorSetChangeLimit(true);
        IConsortiumRegistry registry_ = _registry;
        if (address(registry_) == address(0) || registry_.activeSince(departmentId) == 0) {
            revert ValidatorSetInvalidDepartment(departmentId);
        }
        _lastAddition = uint64(block.number);
        _add(validator, departmentId);
    }

    /// @inheritdoc IValidatorSet
    function removeValidator(address validator) external restricted {
        if (_lastRemoval == block.number) revert ValidatorSetChangeLimit(false);
        Entry memory entry = _entries[validator];
        if (entry.position == 0) revert ValidatorSetUnknown(validator);
        uint256 length = _validators.length;
        if (length == 1) revert ValidatorSetLastValidator(validator);
        _lastRemoval = uint64(block.number);
        address last = _validators[length - 1];
        _validators[entry.position - 1] = last;
        _entries[last].position = entry.position;
        _validators.pop();
        delete _entries[validator];
        emit ValidatorRemoved(validator, entry.departmentId);
    }

    /// @inheritdoc IValidatorSet
    function setRegistry(address registry_) external restricted {
        if (registry_.code.length == 0) revert ValidatorSetInvalidRegistry(registry_);
        _registry = IConsortiumRegistry(registry_);
        emit ValidatorRegistrySet(registry_);
    }

    /// @inheritdoc IValidatorSet
    /// @dev Requirements: the caller is the registry, which calls right after the change, so the
    /// state before it is the current one with `departmentId`'s flipped.
    function departmentChanged(bytes32 departmentId) external {
        IConsortiumRegistry registry_ = _registry;
        if (msg.sender != address(registry_)) revert ValidatorSetCallerNotRegistry(msg.sender);
        bool nowActive = registry_.activeSince(departmentId) != 0;
        address[] memory all = _validators;
        bytes32[] memory departments = new bytes32[](all.length);
        bool[] memory active = new bool[](all.length);
        uint256 activeNow;
        uint256 activeBefore;
        for (uint256 i; i < all.length; ++i) {
            departments[i] = _entries[all[i]].departmentId;
            bool changed = departments[i] == departmentId;
            active[i] = changed ? nowActive : _isActive(registry_, departments[i]);
            if (active[i]) ++activeNow;
            if (changed ? !nowActive : active[i]) ++activeBefore;
        }
        // A node seals while its department is active, or while no node's department is.
        for (uint256 i; i < all.length; ++i) {
            bool changed = departments[i] == departmentId;
            bool sealingNow = active[i] || activeNow == 0;
            bool sealingBefore = (changed ? !nowActive : active[i]) || activeBefore == 0;
            if (sealingNow != sealingBefore) {
                emit ValidatorSealingChanged(all[i], departments[i], departmentId, sealingNow);
            }
        }
    }

    /// @inheritdoc IValidatorSet
    function getValidators() external view returns (address[] memory) {
        address[] memory all = _validators;
        IConsortiumRegistry registry_ = _registry;
        if (address(registry_).code.length == 0) return all;
        address[] memory sealing = new address[](all.length);
        uint256 count;
        for (uint256 i; i < all.length; ++i) {
            if (!_isActive(registry_, _entries[all[i]].departmentId)) continue;
            sealing[count++] = all[i];
        }
        // Every department suspended (or the registry lost): an empty list would halt the chain.
        if (count == 0) return all;
        if (count == all.length) return all;
        address[] memory trimmed = new address[](count);
        for (uint256 i; i < count; ++i) trimmed[i] = sealing[i];
        return trimmed;
    }

    /// @inheritdoc IValidatorSet
    function allValidators() external view returns (address[] memory) {
        return _validators;
    }

    /// @inheritdoc IValidatorSet
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IValidatorSet
    function isValidator(address validator) external view returns (bool) {
        return _entries[validator].position != 0;
    }

    /// @inheritdoc IValidatorSet
    function departmentOfValidator(address validator) external view returns (bytes32) {
        return _entries[validator].departmentId;
    }

    /// @dev Whether the registry reports `departmentId` active. A registry that fails to answer,
    /// or answers garbage, must not halt the chain: the node keeps sealing. Hence a raw call,
    /// whose answer cannot make this revert.
    function _isActive(IConsortiumRegistry registry_, bytes32 departmentId) internal view returns (bool) {
        (bool ok, bytes memory answer) = address(registry_).staticcall(
            abi.encodeCall(IConsortiumRegistry.activeSince, (departmentId))
        );
        return !(ok && answer.length >= 32 && abi.decode(answer, (uint256)) == 0);
    }

    function _add(address validator, bytes32 departmentId) internal {
        if (validator == address(0)) revert ValidatorSetInvalidValidator(validator);
        if (departmentId == bytes32(0)) revert ValidatorSetInvalidDepartment(departmentId);
        if (_entries[validator].position != 0) revert ValidatorSetDuplicate(validator);
        if (_validators.length == MAX_VALIDATORS) revert ValidatorSetFull(MAX_VALIDATORS);
        _validators.push(validator);
        // Cannot overflow: the length is at most MAX_VALIDATORS.
        _entries[validator] = Entry({position: uint64(_validators.length), departmentId: departmentId});
        emit ValidatorAdded(validator, departmentId);
    }
}
