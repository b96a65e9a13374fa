// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IAccessManager} from "@openzeppelin/contracts/access/manager/IAccessManager.sol";

import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {Roles} from "./Roles.sol";

/**
 * @title ConsortiumRegistry
 * @notice Departments, their operators and roles, and participants with theirs.
 * @dev Owns the membership records and keeps the AccessManager's role grants in step with them,
 * which is why it holds the AccessManager's ADMIN role beside the governor. It never decides a
 * vote: the governance functions are `restricted`, and only the governor (ADMIN) may call them.
 * Participant functions are open to operators of active departments and checked here, because
 * who may act depends on which department registered a participant or administers a role.
 */
contract ConsortiumRegistry is IConsortiumRegistry, AccessManaged {
    /// @notice Most operator accounts one department may have.
    uint256 public constant MAX_OPERATORS = 16;
    /// @notice Most department roles one department may hold.
    uint256 public constant MAX_DEPARTMENT_ROLES = 16;
    /// @notice Most participant roles one participant may hold.
    uint256 public constant MAX_PARTICIPANT_ROLES = 8;
    /// @notice Most departments the consortium may ever admit.
    uint256 public constant MAX_DEPARTMENTS = 128;

    mapping(bytes32 departmentId => Department) private _departments;
    mapping(bytes32 participantId => Participant) private _participants;
    mapping(address account => bytes32 departmentId) private _departmentOf;
    mapping(address account => bytes32 participantId) private _participantOf;
    mapping(uint64 roleId => bytes32 departmentId) private _roleAdministrator;
    bytes32[] private _departmentIds;
    uint256 private _activeDepartmentCount;
    uint64 private _membershipNonce;
    IValidatorSet private _validatorSet;

    /// @param authority the consortium's AccessManager
    constructor(address authority) AccessManaged(authority) {}

    // ---- governance ----------------------------------------------------------------------------

    /// @inheritdoc IConsortiumRegistry
    function admitDepartment(
        bytes32 departmentId,
        string calldata name,
        DepartmentKind kind,
        address[] calldata operators
    ) external restricted {
        if (departmentId == bytes32(0)) revert RegistryInvalidId();
        if (_exists(departmentId)) revert RegistryDepartmentExists(departmentId);
        if (_departmentIds.length == MAX_DEPARTMENTS) revert RegistryLimitReached(MAX_DEPARTMENTS);
        if (operators.length == 0 || operators.length > MAX_OPERATORS) revert RegistryLimitReached(MAX_OPERATORS);

        Department storage department = _departments[departmentId];
        department.name = name;
        department.kind = kind;
        department.active = true;
        department.activeSince = ++_membershipNonce;
        for (uint256 i; i < operators.length; ++i) {
            _claimOperatorAccount(operators[i], departmentId);
            _departmentOf[operators[i]] = departmentId;
            department.operators.push(operators[i]);
        }
        _departmentIds.push(departmentId);
        ++_activeDepartmentCount;
        emit DepartmentAdmitted(departmentId, name, kind, operators);
        // Nodes may be named for a department before it is admitted (the founding validators).
        _reportToValidatorSet(departmentId);
    }

    /// @inheritdoc IConsortiumRegistry
    function suspendDepartment(bytes32 departmentId) external restricted {
        Department storage department = _activeDepartment(departmentId, true);
        if (_activeDepartmentCount == 1) revert RegistryLastActiveDepartment(departmentId);
        department.active = false;
        --_activeDepartmentCount;
        _setOperatorRoles(department.operators, department.roles, false);
        emit DepartmentSuspended(departmentId);
        _reportToValidatorSet(departmentId);
    }

    /// @inheritdoc IConsortiumRegistry
    function reinstateDepartment(bytes32 departmentId) external restricted {
        Department storage department = _activeDepartment(departmentId, false);
        department.active = true;
        department.activeSince = ++_membershipNonce;
        ++_activeDepartmentCount;
        _setOperatorRoles(department.operators, department.roles, true);
        emit DepartmentReinstated(departmentId);
        _reportToValidatorSet(departmentId);
    }

    /// @inheritdoc IConsortiumRegistry
    function addOperator(bytes32 departmentId, address account) external restricted {
        Department storage department = _department(departmentId);
        if (department.operators.length == MAX_OPERATORS) revert RegistryLimitReached(MAX_OPERATORS);
        _claimOperatorAccount(account, departmentId);
        _departmentOf[account] = departmentId;
        department.operators.push(account);
        if (department.active) _setAccountRoles(account, department.roles, true);
        emit OperatorAdded(departmentId, account);
    }

    /// @inheritdoc IConsortiumRegistry
    function removeOperator(bytes32 departmentId, address account) external restricted {
        Department storage department = _department(departmentId);
        if (_departmentOf[account] != departmentId) revert RegistryNotOperator(departmentId, account);
        if (department.operators.length == 1) revert RegistryLastOperator(departmentId);
        _removeAddress(department.operators, account);
        delete _departmentOf[account];
        _setAccountRoles(account, department.roles, false);
        emit OperatorRemoved(departmentId, account);
    }

    /// @inheritdoc IConsortiumRegistry
    function grantDepartmentRole(bytes32 departmentId, uint64 roleId) external restricted {
        Department storage department = _department(departmentId);
        if (roleId == Roles.ADMIN || roleId == Roles.PUBLIC || _roleAdministrator[roleId] != bytes32(0)) {
            revert RegistryRoleNotAllowed(roleId);
        }
        if (_contains(department.roles, roleId)) revert RegistryRoleAlreadyGranted(departmentId, roleId);
        if (department.roles.length == MAX_DEPARTMENT_ROLES) revert RegistryLimitReached(MAX_DEPARTMENT_ROLES);
        department.roles.push(roleId);
        if (department.active) _setRoleForAccounts(department.operators, roleId, true);
        emit DepartmentRoleGranted(departmentId, roleId);
    }

    /// @inheritdoc IConsortiumRegistry
    function revokeDepartmentRole(bytes32 departmentId, uint64 roleId) external restricted {
        Department storage department = _department(departmentId);
        if (!_removeRole(department.roles, roleId)) revert RegistryRoleNotGranted(departmentId, roleId);
        _setRoleForAccounts(department.operators, roleId, false);
        emit DepartmentRoleRevoked(departmentId, roleId);
    }

    /// @inheritdoc IConsortiumRegistry
    function setRoleAdministrator(uint64 roleId, bytes32 departmentId) external restricted {
        if (roleId == Roles.ADMIN || roleId == Roles.PUBLIC) revert RegistryRoleNotAllowed(roleId);
        if (departmentId != bytes32(0)) _department(departmentId);
        _roleAdministrator[roleId] = departmentId;
        emit RoleAdministratorSet(roleId, departmentId);
    }

    /// @inheritdoc IConsortiumRegistry
    function setValidatorSet(address validatorSet_) external restricted {
        if (validatorSet_.code.length == 0) revert RegistryInvalidValidatorSet(validatorSet_);
        _validatorSet = IValidatorSet(validatorSet_);
        emit ValidatorSetLinked(validatorSet_);
    }

    // ---- participants --------------------------------------------------------------------------

    /// @inheritdoc IConsortiumRegistry
    function registerParticipant(bytes32 participantId, address account, ParticipantKind kind) external {
        bytes32 departmentId = _callerDepartment();
        if (participantId == bytes32(0)) revert RegistryInvalidId();
        if (_participants[participantId].account != address(0)) revert RegistryParticipantExists(participantId);
        _claimAccount(account);
        Participant storage participant = _participants[participantId];
        participant.account = account;
        participant.registrar = departmentId;
        participant.kind = kind;
        participant.active = true;
        _participantOf[account] = participantId;
        emit ParticipantRegistered(participantId, account, departmentId, kind);
    }

    /// @inheritdoc IConsortiumRegistry
    function suspendParticipant(bytes32 participantId) external {
        (Participant storage participant, bytes32 departmentId) = _asRegistrar(participantId, true);
        participant.active = false;
        _setAccountRoles(participant.account, participant.roles, false);
        emit ParticipantSuspended(participantId, departmentId);
    }

    /// @inheritdoc IConsortiumRegistry
    function reinstateParticipant(bytes32 participantId) external {
        (Participant storage participant, bytes32 departmentId) = _asRegistrar(participantId, false);
        if (_participantOf[participant.account] != participantId) revert RegistryAccountInUse(participant.account);
        participant.active = true;
        _setAccountRoles(participant.account, participant.roles, true);
        emit ParticipantReinstated(participantId, departmentId);
    }

    /// @inheritdoc IConsortiumRegistry
    function grantParticipantRole(bytes32 participantId, uint64 roleId) external {
        bytes32 departmentId = _asRoleAdministrator(roleId);
        Participant storage participant = _participant(participantId);
        if (!participant.active) revert RegistryParticipantUnexpectedState(participantId, false);
        if (_contains(participant.roles, roleId)) revert RegistryRoleAlreadyGranted(participantId, roleId);
        if (participant.roles.length == MAX_PARTICIPANT_ROLES) revert RegistryLimitReached(MAX_PARTICIPANT_ROLES);
        participant.roles.push(roleId);
        _manager().grantRole(roleId, participant.account, 0);
        emit ParticipantRoleGranted(participantId, roleId, departmentId);
    }

    /// @inheritdoc IConsortiumRegistry
    function revokeParticipantRole(bytes32 participantId, uint64 roleId) external {
        bytes32 departmentId = _asRoleAdministrator(roleId);
        Participant storage participant = _participant(participantId);
        if (!_removeRole(participant.roles, roleId)) revert RegistryRoleNotGranted(participantId, roleId);
        _manager().revokeRole(roleId, participant.account);
        emit ParticipantRoleRevoked(participantId, roleId, departmentId);
    }

    // ---- views ---------------------------------------------------------------------------------

    /// @inheritdoc IConsortiumRegistry
    function departmentOf(address account) external view returns (bytes32) {
        return _departmentOf[account];
    }

    /// @inheritdoc IConsortiumRegistry
    function activeDepartmentOf(address account) public view returns (bytes32) {
        bytes32 departmentId = _departmentOf[account];
        return _departments[departmentId].active ? departmentId : bytes32(0);
    }

    /// @inheritdoc IConsortiumRegistry
    function participantOf(address account) external view returns (bytes32) {
        return _participantOf[account];
    }

    /// @inheritdoc IConsortiumRegistry
    function activeParticipantOf(address account) external view returns (bytes32) {
        bytes32 participantId = _participantOf[account];
        return _participants[participantId].active ? participantId : bytes32(0);
    }

    /// @inheritdoc IConsortiumRegistry
    function isActiveParticipant(bytes32 participantId) external view returns (bool) {
        return _participants[participantId].active;
    }

    /// @inheritdoc IConsortiumRegistry
    function activeSince(bytes32 departmentId) external view returns (uint64) {
        Department storage department = _departments[departmentId];
        return department.active ? department.activeSince : 0;
    }

    /// @inheritdoc IConsortiumRegistry
    function getDepartment(bytes32 departmentId) external view returns (Department memory) {
        return _department(departmentId);
    }

    /// @inheritdoc IConsortiumRegistry
    function getParticipant(bytes32 participantId) external view returns (Participant memory) {
        return _participant(participantId);
    }

    /// @inheritdoc IConsortiumRegistry
    function departmentIds() external view returns (bytes32[] memory) {
        return _departmentIds;
    }

    /// @inheritdoc IConsortiumRegistry
    function activeDepartmentCount() external view returns (uint256) {
        return _activeDepartmentCount;
    }

    /// @inheritdoc IConsortiumRegistry
    function membershipNonce() external view returns (uint64) {
        return _membershipNonce;
    }

    /// @inheritdoc IConsortiumRegistry
    function roleAdministrator(uint64 roleId) external view returns (bytes32) {
        return _roleAdministrator[roleId];
    }

    /// @inheritdoc IConsortiumRegistry
    function validatorSet() external view returns (address) {
        return address(_validatorSet);
    }

    // ---- internal ------------------------------------------------------------------------------

    /// @dev Tells the linked validator set that `departmentId` was admitted, suspended or
    /// reinstated, so its nodes' sealing change is on record in the same transaction. Nothing
    /// before linking, and nothing while the set asks another registry (a vote moved it): the
    /// set would refuse, and membership votes must never depend on it.
    function _reportToValidatorSet(bytes32 departmentId) internal {
        IValidatorSet validatorSet_ = _validatorSet;
        if (address(validatorSet_) == address(0) || validatorSet_.registry() != address(this)) return;
        validatorSet_.departmentChanged(departmentId);
    }

    function _exists(bytes32 departmentId) internal view returns (bool) {
        return _departments[departmentId].activeSince != 0;
    }

    function _department(bytes32 departmentId) internal view returns (Department storage department) {
        department = _departments[departmentId];
        if (department.activeSince == 0) revert RegistryUnknownDepartment(departmentId);
    }

    /// @dev The department, which must be in state `active`.
    function _activeDepartment(
        bytes32 departmentId,
        bool active
    ) internal view returns (Department storage department) {
        department = _department(departmentId);
        if (department.active != active) revert RegistryDepartmentUnexpectedState(departmentId, department.active);
    }

    function _participant(bytes32 participantId) internal view returns (Participant storage participant) {
        participant = _participants[participantId];
        if (participant.account == address(0)) revert RegistryUnknownParticipant(participantId);
    }

    function _callerDepartment() internal view returns (bytes32 departmentId) {
        departmentId = activeDepartmentOf(msg.sender);
        if (departmentId == bytes32(0)) revert RegistryCallerNotDepartment(msg.sender);
    }

    /// @dev The participant, which must be in state `active`, and the caller's department, which
    /// must be its registrar.
    function _asRegistrar(
        bytes32 participantId,
        bool active
    ) internal view returns (Participant storage participant, bytes32 departmentId) {
        departmentId = _callerDepartment();
        participant = _participant(participantId);
        if (participant.registrar != departmentId) revert RegistryNotRegistrar(participantId, departmentId);
        if (participant.active != active) revert RegistryParticipantUnexpectedState(participantId, participant.active);
    }

    function _asRoleAdministrator(uint64 roleId) internal view returns (bytes32 departmentId) {
        departmentId = _callerDepartment();
        if (_roleAdministrator[roleId] != departmentId) revert RegistryNotRoleAdministrator(roleId, departmentId);
    }

    function _claimAccount(address account) internal view {
        if (account == address(0)) revert RegistryInvalidAccount(account);
        if (_departmentOf[account] != bytes32(0) || _participantOf[account] != bytes32(0)) {
            revert RegistryAccountInUse(account);
        }
    }

    /// @dev Claims `account` for an operator of `departmentId` (by a vote): another department's
    /// account is refused, a participant's is released from it. Otherwise any department could
    /// block a passed proposal by registering the proposed operator account as a participant
    /// during the vote (proposals are public).
    function _claimOperatorAccount(address account, bytes32 departmentId) internal {
        bytes32 participantId = _participantOf[account];
        if (participantId == bytes32(0)) return _claimAccount(account);
        Participant storage participant = _participants[participantId];
        if (participant.active) {
            participant.active = false;
            _setAccountRoles(account, participant.roles, false);
        }
        delete _participantOf[account];
        emit ParticipantAccountReleased(participantId, account, departmentId);
    }

    function _manager() internal view returns (IAccessManager) {
        return IAccessManager(authority());
    }

    function _setOperatorRoles(address[] storage accounts, uint64[] storage roleIds, bool granted) internal {
        for (uint256 i; i < accounts.length; ++i) {
            _setAccountRoles(accounts[i], roleIds, granted);
        }
    }

    function _setAccountRoles(address account, uint64[] storage roleIds, bool granted) internal {
        IAccessManager manager = _manager();
        for (uint256 i; i < roleIds.length; ++i) {
            if (granted) manager.grantRole(roleIds[i], account, 0);
            else manager.revokeRole(roleIds[i], account);
        }
    }

    function _setRoleForAccounts(address[] storage accounts, uint64 roleId, bool granted) internal {
        IAccessManager manager = _manager();
        for (uint256 i; i < accounts.length; ++i) {
            if (granted) manager.grantRole(roleId, accounts[i], 0);
            else manager.revokeRole(roleId, accounts[i]);
        }
    }

    function _contains(uint64[] storage roleIds, uint64 roleId) internal view returns (bool) {
        for (uint256 i; i < roleIds.length; ++i) {
            if (roleIds[i] == roleId) return true;
        }
        return false;
    }

    /// @dev Removes `roleId` by swap-and-pop; false if it was not there.
    function _removeRole(uint64[] storage roleIds, uint64 roleId) internal returns (bool) {
        for (uint256 i; i < roleIds.length; ++i) {
            if (roleIds[i] == roleId) {
                roleIds[i] = roleIds[roleIds.length - 1];
                roleIds.pop();
                return true;
            }
        }
        return false;
    }

    /// @dev Removes `account` by swap-and-pop; the caller checked it is there.
    function _removeAddress(address[] storage accounts, address account) internal {
        for (uint256 i; i < accounts.length; ++i) {
            if (accounts[i] == account) {
                accounts[i] = accounts[accounts.length - 1];
                accounts.pop();
                return;
            }
        }
    }
}
