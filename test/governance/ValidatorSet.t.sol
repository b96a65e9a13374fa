// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {ConsortiumRegistry} from "../../contracts/governance/ConsortiumRegistry.sol";
import {ValidatorSet} from "../../contracts/governance/ValidatorSet.sol";
import {IConsortiumRegistry} from "../../contracts/interfaces/IConsortiumRegistry.sol";
import {TestBase, Vm} from "../utils/TestBase.sol";

/// @dev Drives the validator set and the registry as governance would (this handler is the
/// AccessManager admin): arbitrary adds and removes, some of which must be rejected, and
/// departments suspended and reinstated under the set. Counts the calls that succeeded, so a
/// handler whose calls all revert shows up (see `test_everyHandlerSucceeds`).
contract ValidatorSetHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    ValidatorSet public immutable set;
    ConsortiumRegistry public immutable registry;
    bytes32[3] internal _departments = [bytes32("TAX"), bytes32("FIRE"), bytes32("BANK")];
    uint256 public adds;
    uint256 public removes;
    uint256 public suspensions;
    uint256 public reinstatements;

    constructor(ValidatorSet set_, ConsortiumRegistry registry_) {
        set = set_;
        registry = registry_;
    }

    function add(uint8 seed, uint8 department) external {
        // One addition per block: each call is a proposal of its own, in a block of its own.
        vm.roll(block.number + 1);
        // A small address space, so duplicates come up often.
        address validator = address(uint160(uint256(seed) % 40));
        try set.addValidator(validator, _departments[department % 3]) {
            ++adds;
        } catch {}
    }

    function remove(uint8 seed) external {
        vm.roll(block.number + 1);
        address[] memory current = set.allValidators();
        address validator = current[seed % current.length];
        try set.removeValidator(validator) {
            ++removes;
        } catch {}
    }

    function suspend(uint8 department) external {
        try registry.suspendDepartment(_departments[department % 3]) {
            ++suspensions;
        } catch {}
    }

    function reinstate(uint8 department) external {
        try registry.reinstateDepartment(_departments[department % 3]) {
            ++reinstatements;
        } catch {}
    }
}

contract ValidatorSetInvariantTest is TestBase {
    AccessManager internal manager;
    ConsortiumRegistry internal registry;
    ValidatorSet internal set;
    ValidatorSetHandler internal handler;

    function setUp() public {
        manager = new AccessManager(address(this));
        registry = new ConsortiumRegistry(address(manager));
        manager.grantRole(0, address(registry), 0);
        // A fourth department that is never suspended keeps the registry's last-member rule out
        // of the handler's way.
        bytes32[4] memory ids = [bytes32("TAX"), bytes32("FIRE"), bytes32("BANK"), bytes32("AUDIT")];
        for (uint256 i; i < ids.length; ++i) {
            address[] memory operators = new address[](1);
            operators[0] = address(uint160(0x1000 + i));
            registry.admitDepartment(ids[i], "department", IConsortiumRegistry.DepartmentKind.Other, operators);
        }
        address[] memory initial = new address[](1);
        initial[0] = address(0xA11CE);
        bytes32[] memory departments = new bytes32[](1);
        departments[0] = bytes32("TAX");
        set = new ValidatorSet(address(manager), initial, departments);
        set.setRegistry(address(registry));
        handler = new ValidatorSetHandler(set, registry);
        manager.grantRole(0, address(handler), 0);
        targetContract(address(handler));
    }

    /// @dev Besu halts the chain on an empty list, or on a call that reverts.
    function invariant_neverEmpty() public view {
        assertTrue(set.getValidators().length > 0, "validator set is empty");
    }

    function invariant_noDuplicatesNoZero() public view {
        address[] memory validators = set.allValidators();
        assertTrue(validators.length <= set.MAX_VALIDATORS(), "validator set over its bound");
        for (uint256 i; i < validators.length; ++i) {
            assertTrue(validators[i] != address(0), "zero address in set");
            assertTrue(set.isValidator(validators[i]), "listed but not indexed");
            for (uint256 j = i + 1; j < validators.length; ++j) {
                assertTrue(validators[i] != validators[j], "duplicate validator");
            }
        }
    }

    /// @dev The sealing set is the nodes of active departments, or every node if there are none.
    function invariant_sealingSetFollowsTheRegistry() public view {
        address[] memory all = set.allValidators();
        address[] memory sealing = set.getValidators();
        uint256 active;
        for (uint256 i; i < all.length; ++i) {
            if (registry.activeSince(set.departmentOfValidator(all[i])) != 0) ++active;
        }
        if (active == 0) {
            assertEq(sealing.length, all.length, "no active department: every node seals");
            return;
        }
        assertEq(sealing.length, active, "only active departments' nodes seal");
        for (uint256 i; i < sealing.length; ++i) {
            assertTrue(registry.activeSince(set.departmentOfValidator(sealing[i])) != 0, "suspended node seals");
        }
    }

    /// @dev Fails when a handler can no longer succeed (a wiring change, a new check): invariants
    /// over calls that all revert would pass silently.
    function test_everyHandlerSucceeds() public {
        handler.add(1, 0);
        handler.add(2, 1);
        handler.suspend(1);
        handler.reinstate(1);
        handler.remove(0);
        assertTrue(handler.adds() == 2, "add never succeeds");
        assertTrue(handler.suspensions() == 1, "suspend never succeeds");
        assertTrue(handler.reinstatements() == 1, "reinstate never succeeds");
        assertTrue(handler.removes() == 1, "remove never succeeds");
    }

    function testFuzz_addRemove(address validator) public {
        vm.assume(validator != address(0) && validator != address(0xA11CE));
        set.addValidator(validator, bytes32("FIRE"));
        assertEq(set.getValidators().length, 2, "added");
        assertEq(set.departmentOfValidator(validator), bytes32("FIRE"), "department recorded");
        set.removeValidator(address(0xA11CE));
        assertEq(set.getValidators()[0], validator, "last moved into the gap");
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSignature("ValidatorSetLastValidator(address)", validator));
        set.removeValidator(validator);
    }
}
