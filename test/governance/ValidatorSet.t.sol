// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {ValidatorSet} from "../../contracts/governance/ValidatorSet.sol";
import {TestBase} from "../utils/TestBase.sol";

/// @dev Drives the validator set as governance would (this handler is the AccessManager admin),
/// with arbitrary adds and removes, some of which must be rejected.
contract ValidatorSetHandler {
    ValidatorSet public immutable set;
    uint256 public adds;
    uint256 public removes;

    constructor(ValidatorSet set_) {
        set = set_;
    }

    function add(uint8 seed) external {
        // A small address space, so duplicates come up often.
        address validator = address(uint160(uint256(seed) % 40));
        try set.addValidator(validator, bytes32("DEPT")) {
            ++adds;
        } catch {}
    }

    function remove(uint8 seed) external {
        address[] memory current = set.getValidators();
        address validator = current[seed % current.length];
        try set.removeValidator(validator) {
            ++removes;
        } catch {}
    }
}

contract ValidatorSetInvariantTest is TestBase {
    AccessManager internal manager;
    ValidatorSet internal set;
    ValidatorSetHandler internal handler;

    function setUp() public {
        manager = new AccessManager(address(this));
        address[] memory initial = new address[](1);
        initial[0] = address(0xA11CE);
        bytes32[] memory departments = new bytes32[](1);
        departments[0] = bytes32("TAX");
        set = new ValidatorSet(address(manager), initial, departments);
        handler = new ValidatorSetHandler(set);
        manager.grantRole(0, address(handler), 0);
        targetContract(address(handler));
    }

    /// @dev Besu halts the chain on an empty list.
    function invariant_neverEmpty() public view {
        assertTrue(set.getValidators().length > 0, "validator set is empty");
    }

    function invariant_noDuplicatesNoZero() public view {
        address[] memory validators = set.getValidators();
        assertTrue(validators.length <= set.MAX_VALIDATORS(), "validator set over its bound");
        for (uint256 i; i < validators.length; ++i) {
            assertTrue(validators[i] != address(0), "zero address in set");
            assertTrue(set.isValidator(validators[i]), "listed but not indexed");
            for (uint256 j = i + 1; j < validators.length; ++j) {
                assertTrue(validators[i] != validators[j], "duplicate validator");
            }
        }
    }

    function testFuzz_addRemove(address validator) public {
        vm.assume(validator != address(0) && validator != address(0xA11CE));
        set.addValidator(validator, bytes32("FIRE"));
        assertEq(set.getValidators().length, 2, "added");
        assertEq(set.departmentOfValidator(validator), bytes32("FIRE"), "department recorded");
        set.removeValidator(address(0xA11CE));
        assertEq(set.getValidators()[0], validator, "last moved into the gap");
        vm.expectRevert(abi.encodeWithSignature("ValidatorSetLastValidator(address)", validator));
        set.removeValidator(validator);
    }
}
