// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IConsortiumRegistry
 * @notice Who is who on the consortium chain: member departments with their operator accounts and
 * department roles, and participants (enterprises, organisations) with their participant roles.
 * Every domain contract asks this registry to attribute an action to a department or participant.
 *
 * The registry keeps the AccessManager in step with itself: a department's roles are held by all
 * of its operator accounts while it is active, a participant's roles by its account while it is
 * active. Suspending either revokes its roles in the AccessManager; reinstating grants them again.
 */
interface IConsortiumRegistry {
    /// @notice What a department is; informational, permissions come from roles.
    enum DepartmentKind {
        Other,
        TaxAuthority,
        MarketRegulator,
        ConstructionBureau,
        FireBrigade,
        HumanResources,
        Bank,
        Auditor,
        Environment,
        HealthAuthority
    }

    /// @notice What a participant is; informational, permissions come from roles.
    enum ParticipantKind {
        Enterprise,
        Organisation,
        Individual
    }

    /**
     * @notice A department as stored.
     * @param name human-readable name
     * @param kind what kind of department it is
     * @param active false while suspended
     * @param activeSince the membership nonce at which it last became active (see {membershipNonce})
     * @param operators accounts acting for it
     * @param roles its department roles, held by every operator while active
     */
    struct Department {
        string name;
        DepartmentKind kind;
        bool active;
        uint64 activeSince;
        address[] operators;
        uint64[] roles;
    }

    /**
     * @notice A participant as stored.
     * @param account the one account acting for it
     * @param registrar the department that registered it and may suspend it
     * @param kind what kind of participant it is
     * @param active false while suspended
     * @param roles its participant roles, held by its account while active
     */
    struct Participant {
        address account;
        bytes32 registrar;
        ParticipantKind kind;
        bool active;
        uint64[] roles;
    }

    /// @notice A department joined the consortium.
    event DepartmentAdmitted(bytes32 indexed departmentId, string name, DepartmentKind kind, address[] operators);
    /// @notice A department was suspended: its operators lost its roles and it no longer votes.
    event DepartmentSuspended(bytes32 indexed departmentId);
    /// @notice A suspended department was reinstated: its operators hold its roles again.
    event DepartmentReinstated(bytes32 indexed departmentId);
    /// @notice An account now acts for a department.
    event OperatorAdded(bytes32 indexed departmentId, address indexed account);
    /// @notice An account no longer acts for a department.
    event OperatorRemoved(bytes32 indexed departmentId, address indexed account);
    /// @notice A department was given a department role.
    event DepartmentRoleGranted(bytes32 indexed departmentId, uint64 indexed roleId);
    /// @notice A department lost a department role.
    event DepartmentRoleRevoked(bytes32 indexed departmentId, uint64 indexed roleId);
    /// @notice `departmentId` now administers participant role `roleId` (zero: nobody does).
    event RoleAdministratorSet(uint64 indexed roleId, bytes32 indexed departmentId);
    /// @notice `departmentId` registered a participant.
    event ParticipantRegistered(
        bytes32 indexed participantId,
        address indexed account,
        bytes32 indexed departmentId,
        ParticipantKind kind
    );
    /// @notice `departmentId` (the registrar) suspended a participant: it lost all its roles.
    event ParticipantSuspended(bytes32 indexed participantId, bytes32 indexed departmentId);
    /// @notice `departmentId` (the registrar) reinstated a participant: its roles are back.
    event ParticipantReinstated(bytes32 indexed participantId, bytes32 indexed departmentId);
    /// @notice `departmentId` (the role's administrator) granted a participant role.
    event ParticipantRoleGranted(bytes32 indexed participantId, uint64 indexed roleId, bytes32 indexed departmentId);
    /// @notice `departmentId` (the role's administrator) revoked a participant role.
    event ParticipantRoleRevoked(bytes32 indexed participantId, uint64 indexed roleId, bytes32 indexed departmentId);
    /// @notice A vote made `account` an operator of `departmentId`, taking it from participant
    /// `participantId`, which is suspended with no account (its roles revoked) and can no longer
    /// be reinstated: an operator registration takes precedence over a participant's.
    event ParticipantAccountReleased(
        bytes32 indexed participantId,
        address indexed account,
        bytes32 indexed departmentId
    );
    /// @notice The registry now reports each admission, suspension and reinstatement to
    /// `validatorSet`, so that the nodes whose sealing changed say so
    /// ({IValidatorSet.ValidatorSealingChanged}).
    event ValidatorSetLinked(address indexed validatorSet);

    /// @notice Zero is not a valid department or participant id.
    error RegistryInvalidId();
    /// @notice The validator set is not a contract.
    error RegistryInvalidValidatorSet(address validatorSet);
    /// @notice The zero address cannot act for anyone.
    error RegistryInvalidAccount(address account);
    /// @notice The account already acts for a department or participant.
    error RegistryAccountInUse(address account);
    /// @notice No department has this id.
    error RegistryUnknownDepartment(bytes32 departmentId);
    /// @notice A department with this id exists already.
    error RegistryDepartmentExists(bytes32 departmentId);
    /// @notice The department is not in the state the call needs (`active` is its current state).
    error RegistryDepartmentUnexpectedState(bytes32 departmentId, bool active);
    /// @notice The last active department cannot be suspended: governance would stop.
    error RegistryLastActiveDepartment(bytes32 departmentId);
    /// @notice The account is not an operator of that department.
    error RegistryNotOperator(bytes32 departmentId, address account);
    /// @notice A department keeps at least one operator.
    error RegistryLastOperator(bytes32 departmentId);
    /// @notice A bounded list would grow past its limit.
    error RegistryLimitReached(uint256 limit);
    /// @notice The department already has this role.
    error RegistryRoleAlreadyGranted(bytes32 id, uint64 roleId);
    /// @notice The department or participant does not have this role.
    error RegistryRoleNotGranted(bytes32 id, uint64 roleId);
    /// @notice ADMIN and PUBLIC are not grantable through the registry; participant roles are not
    /// department roles and the other way round.
    error RegistryRoleNotAllowed(uint64 roleId);
    /// @notice The caller is no operator of an active department.
    error RegistryCallerNotDepartment(address caller);
    /// @notice No participant has this id.
    error RegistryUnknownParticipant(bytes32 participantId);
    /// @notice A participant with this id exists already.
    error RegistryParticipantExists(bytes32 participantId);
    /// @notice The participant is not in the state the call needs (`active` is its current state).
    error RegistryParticipantUnexpectedState(bytes32 participantId, bool active);
    /// @notice Only the department that registered a participant may suspend or reinstate it.
    error RegistryNotRegistrar(bytes32 participantId, bytes32 departmentId);
    /// @notice Only the department that administers a participant role may grant or revoke it.
    error RegistryNotRoleAdministrator(uint64 roleId, bytes32 departmentId);

    // ---- governance (consortium vote) ----------------------------------------------------------

    /**
     * @notice Admits a department with its operator accounts. Governance only.
     * @param departmentId short code, e.g. "TAX" as bytes32; never zero
     * @param name human-readable name
     * @param kind what kind of department it is
     * @param operators accounts acting for it (1 to MAX_OPERATORS, nonzero, no other
     *        department's; a participant's account is taken from it, as in {addOperator})
     */
    function admitDepartment(
        bytes32 departmentId,
        string calldata name,
        DepartmentKind kind,
        address[] calldata operators
    ) external;

    /// @notice Suspends an active department: no vote, no roles. Governance only.
    function suspendDepartment(bytes32 departmentId) external;

    /// @notice Reinstates a suspended department. Governance only.
    function reinstateDepartment(bytes32 departmentId) external;

    /// @notice Adds an operator account to a department. Governance only. A participant's account
    /// is taken from it (see {ParticipantAccountReleased}), so that no department can block a
    /// pending proposal by registering its operator account as a participant first.
    function addOperator(bytes32 departmentId, address account) external;

    /// @notice Removes an operator account from a department (never its last). Governance only.
    function removeOperator(bytes32 departmentId, address account) external;

    /// @notice Gives a department a department role, held by all its operators. Governance only.
    function grantDepartmentRole(bytes32 departmentId, uint64 roleId) external;

    /// @notice Takes a department role from a department. Governance only.
    function revokeDepartmentRole(bytes32 departmentId, uint64 roleId) external;

    /**
     * @notice Makes `departmentId` the administrator of participant role `roleId`: its operators
     * grant and revoke the role to participants without a vote. Zero removes the administrator.
     * Governance only.
     */
    function setRoleAdministrator(uint64 roleId, bytes32 departmentId) external;

    /// @notice Links the validator set that hears of every admission, suspension and
    /// reinstatement (the deployment links it), as long as that set asks this registry.
    /// Governance only.
    function setValidatorSet(address validatorSet) external;

    // ---- departments acting on participants (no vote) ------------------------------------------

    /**
     * @notice Registers a participant; the caller's department becomes its registrar.
     * @param participantId e.g. the salted hash of the enterprise's credit code; never zero
     * @param account the account acting for it
     * @param kind what kind of participant it is
     */
    function registerParticipant(bytes32 participantId, address account, ParticipantKind kind) external;

    /// @notice Suspends a participant and revokes its roles. Registrar only.
    function suspendParticipant(bytes32 participantId) external;

    /// @notice Reinstates a suspended participant and grants its roles again; not one whose
    /// account a vote made an operator's. Registrar only.
    function reinstateParticipant(bytes32 participantId) external;

    /// @notice Grants a participant role to an active participant. The role's administrator only.
    function grantParticipantRole(bytes32 participantId, uint64 roleId) external;

    /// @notice Revokes a participant role. The role's administrator only.
    function revokeParticipantRole(bytes32 participantId, uint64 roleId) external;

    // ---- views ---------------------------------------------------------------------------------

    /// @notice The department `account` operates for (zero if none), active or not.
    function departmentOf(address account) external view returns (bytes32);

    /// @notice The department `account` operates for if that department is active, else zero.
    function activeDepartmentOf(address account) external view returns (bytes32);

    /// @notice The participant `account` acts for (zero if none), active or not.
    function participantOf(address account) external view returns (bytes32);

    /// @notice The participant `account` acts for if it is active, else zero.
    function activeParticipantOf(address account) external view returns (bytes32);

    /// @notice Whether `participantId` is registered and active (one storage read: what domain
    /// contracts check before paying a participant).
    function isActiveParticipant(bytes32 participantId) external view returns (bool);

    /// @notice The membership nonce at which `departmentId` last became active; zero while it is
    /// suspended or unknown.
    function activeSince(bytes32 departmentId) external view returns (uint64);

    /// @notice A department as stored; reverts for an unknown id.
    function getDepartment(bytes32 departmentId) external view returns (Department memory);

    /// @notice A participant as stored; reverts for an unknown id.
    function getParticipant(bytes32 participantId) external view returns (Participant memory);

    /// @notice Every department id ever admitted, in admission order.
    function departmentIds() external view returns (bytes32[] memory);

    /// @notice How many departments are active now.
    function activeDepartmentCount() external view returns (uint256);

    /// @notice Grows by one whenever a department becomes active (admitted or reinstated), so that
    /// governance can tell whether a department was an active member when a proposal was made.
    function membershipNonce() external view returns (uint64);

    /// @notice The department that administers participant role `roleId` (zero if none).
    function roleAdministrator(uint64 roleId) external view returns (bytes32);

    /// @notice The validator set told of admissions, suspensions and reinstatements (zero until
    /// linked).
    function validatorSet() external view returns (address);
}
