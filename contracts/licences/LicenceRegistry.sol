// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {ConsortiumManaged} from "../governance/ConsortiumManaged.sol";
import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";
import {ILicenceRegistry} from "../interfaces/ILicenceRegistry.sol";

/**
 * @title LicenceRegistry
 * @notice Licence types, trusted issuers, licences, holder consent and the audit record of uses.
 * @dev Owns every licence record; issues nothing on its own. Who may call what is decided in the
 * AccessManager (deploy/modules/licences.ts): issuing and changing licences LICENCE_AUTHORITY,
 * uses and signed consents LICENCE_USER, the holder's own consent calls PUBLIC (the holder is
 * checked here), workflow issuance LICENCE_WORKFLOW, types and trust ADMIN (a vote). Which
 * department acts comes from the consortium registry; which department may issue a type, and
 * which issued a licence, is checked here.
 *
 * Storage of a licence is laid out for a cheap issue (two new slots) and a cheap use (three
 * reads): see {Record}. Everything a change replaces goes to history records that only
 * {isValidAt} reads: past version windows and suspension intervals.
 */
contract LicenceRegistry is ILicenceRegistry, ConsortiumManaged, EIP712, Nonces {
    /// @dev Where a licence stands by itself, as stored; time decides Pending/Active/Expired.
    enum Standing {
        Active,
        Suspended,
        Revoked
    }

    /**
     * @dev A licence as stored, three slots:
     *   slot 0: holder 160 | validFrom 40 | validUntil 40 | issuance 16
     *   slot 1: documentHash
     *   slot 2: standing 8 | dependencyCount 8 | depth 8 | renewals 16 | suspensionCount 16 |
     *           revokedAt 40 | 120 bits empty
     * Slot 2 is zero at issue unless the licence has dependencies, so an issue writes two slots.
     * `issuance` numbers its (type, issuer) pair in `_issuances` (from 1): 16 bits name both
     * 32-byte ids and lead to the type's consent requirement in one read. Timestamps are uint40
     * seconds (good for 34,000 years).
     */
    struct Record {
        address holder;
        uint40 validFrom;
        uint40 validUntil;
        uint16 issuance;
        bytes32 documentHash;
        Standing standing;
        uint8 dependencyCount;
        uint8 depth;
        uint16 renewals;
        uint16 suspensionCount;
        uint40 revokedAt;
    }

    /// @dev A department's standing for a type: `issuance` (its number in `_issuances`,
    /// assigned on first trust and kept after a withdrawal) and whether it is trusted now.
    struct IssuerEntry {
        uint16 issuance;
        bool trusted;
    }

    /// @dev A (type, issuing department) pair that licences point to, with a copy of the type's
    /// consent requirement (kept in step by {setLicenceType}) so that a use reads one slot for it.
    struct Issuance {
        bytes32 typeId;
        bytes32 departmentId;
        bool consentRequired;
    }

    /// @dev A replaced version: validFrom 40 | validUntil 40 | supersededAt 40.
    struct PastVersion {
        uint40 validFrom;
        uint40 validUntil;
        uint40 supersededAt;
    }

    /// @dev A suspension interval: start 40 | end 40 (zero while open).
    struct Interval {
        uint40 start;
        uint40 end;
    }

    /// @notice The EIP-712 type of a signed consent.
    bytes32 public constant CONSENT_TYPEHASH =
        keccak256(
            "Consent(bytes32 licenceId,bytes32 departmentId,bytes32 purpose,uint64 until,"
            "uint256 nonce,uint256 deadline)"
        );
    /// @notice Most licences one licence may depend on.
    uint256 public constant MAX_DEPENDENCIES = 4;
    /// @notice Longest chain of dependencies (a licence without any has depth 0): bounds the gas
    /// of every validity check.
    uint256 public constant MAX_DEPENDENCY_DEPTH = 4;
    /// @notice Most departments that may ever be trusted for one type (bounds {setLicenceType}).
    uint256 public constant MAX_ISSUERS_PER_TYPE = 32;

    uint256 private constant MAX_TIMESTAMP = type(uint40).max;
    uint256 private constant MAX_COUNT = type(uint16).max;

    mapping(bytes32 typeId => LicenceType) private _types;
    mapping(bytes32 typeId => mapping(bytes32 departmentId => IssuerEntry)) private _issuers;
    mapping(uint256 issuance => Issuance) private _issuances;
    mapping(bytes32 typeId => uint16[]) private _typeIssuances;
    uint256 private _issuanceCount;
    mapping(bytes32 licenceId => Record) private _licences;
    mapping(bytes32 licenceId => bytes32[]) private _dependencies;
    mapping(bytes32 licenceId => mapping(uint256 version => PastVersion)) private _pastVersions;
    mapping(bytes32 licenceId => mapping(uint256 index => Interval)) private _suspensions;
    mapping(bytes32 licenceId => mapping(bytes32 departmentId => mapping(bytes32 purpose => uint40 until)))
        private _consents;

    /**
     * @param authority the consortium's AccessManager
     * @param registry_ the consortium's registry of departments and participants
     */
    constructor(
        address authority,
        IConsortiumRegistry registry_
    ) ConsortiumManaged(authority, registry_) EIP712("GovledgerLicences", "1") {}

    // ---- governance ----------------------------------------------------------------------------

    /// @inheritdoc ILicenceRegistry
    function setLicenceType(
        bytes32 typeId,
        uint64 defaultValidity,
        bool consentRequired
    ) external restricted whenNotPaused {
        if (typeId == bytes32(0)) revert LicenceInvalidId();
        if (defaultValidity == 0 || defaultValidity > MAX_TIMESTAMP) {
            revert LicenceInvalidType(typeId, defaultValidity);
        }
        _types[typeId] = LicenceType({defaultValidity: defaultValidity, consentRequired: consentRequired});
        uint16[] storage issuances = _typeIssuances[typeId];
        for (uint256 i; i < issuances.length; ++i) {
            _issuances[issuances[i]].consentRequired = consentRequired;
        }
        emit LicenceTypeSet(typeId, defaultValidity, consentRequired);
    }

    /// @inheritdoc ILicenceRegistry
    function setTrustedIssuer(bytes32 typeId, bytes32 departmentId, bool trusted) external restricted whenNotPaused {
        _type(typeId);
        if (departmentId == bytes32(0)) revert LicenceInvalidId();
        IssuerEntry storage entry = _issuers[typeId][departmentId];
        // A department gets its issuance number when first trusted, and keeps it afterwards.
        if (entry.issuance == 0 && trusted) {
            uint256 issuance = _issuanceCount + 1;
            if (issuance > MAX_COUNT) revert LicenceLimitReached(MAX_COUNT);
            if (_typeIssuances[typeId].length == MAX_ISSUERS_PER_TYPE) {
                revert LicenceLimitReached(MAX_ISSUERS_PER_TYPE);
            }
            _issuanceCount = issuance;
            _issuances[issuance] = Issuance({
                typeId: typeId,
                departmentId: departmentId,
                consentRequired: _types[typeId].consentRequired
            });
            // Cannot truncate: issuance <= MAX_COUNT.
            entry.issuance = uint16(issuance);
            _typeIssuances[typeId].push(uint16(issuance));
        }
        entry.trusted = trusted;
        emit TrustedIssuerSet(typeId, departmentId, trusted);
    }

    /// @inheritdoc ILicenceRegistry
    function revokeByConsortium(bytes32 licenceId, bytes32 reason) external restricted whenNotPaused {
        _revoke(licenceId, _existing(licenceId), bytes32(0), reason);
    }

    // ---- issuing departments -------------------------------------------------------------------

    /// @inheritdoc ILicenceRegistry
    /// @dev The id is derived, not chosen: a department chooses only within its own ids, and never
    /// a joint application's (see {ILicenceRegistry}; issue 12, finding 1).
    function issue(
        bytes32 issuerReference,
        bytes32 typeId,
        address holder,
        bytes32 documentHash,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] calldata dependsOn
    ) external restricted whenNotPaused returns (bytes32 licenceId) {
        if (issuerReference == bytes32(0)) revert LicenceInvalidId();
        bytes32 departmentId = _callerDepartment();
        licenceId = licenceIdOf(departmentId, issuerReference);
        _issue(licenceId, typeId, departmentId, holder, documentHash, validFrom, validUntil, dependsOn);
    }

    /// @inheritdoc ILicenceRegistry
    function issueFromWorkflow(
        bytes32 licenceId,
        bytes32 typeId,
        bytes32 issuer,
        address holder,
        bytes32 documentHash,
        bytes32[] calldata dependsOn
    ) external restricted whenNotPaused {
        if (_registry.activeSince(issuer) == 0) revert LicenceInactiveDepartment(issuer);
        _issue(licenceId, typeId, issuer, holder, documentHash, 0, 0, dependsOn);
    }

    /// @inheritdoc ILicenceRegistry
    function renew(bytes32 licenceId, bytes32 documentHash, uint64 validUntil) external restricted whenNotPaused {
        (Record storage licence, bytes32 issuer) = _asIssuer(licenceId);
        if (documentHash == bytes32(0)) revert LicenceInvalidId();
        LicenceStatus status = _status(licence);
        if (status != LicenceStatus.Active && status != LicenceStatus.Expired) {
            revert LicenceUnexpectedStatus(licenceId, status);
        }
        bytes32 typeId = _issuances[licence.issuance].typeId;
        if (!_issuers[typeId][issuer].trusted) revert LicenceUntrustedIssuer(typeId, issuer);
        uint256 version = uint256(licence.renewals) + 1;
        if (version == MAX_COUNT) revert LicenceLimitReached(MAX_COUNT);

        uint256 from = block.timestamp;
        uint256 until = validUntil;
        if (until == 0) {
            uint256 start = licence.validUntil > from ? licence.validUntil : from;
            until = start + _types[typeId].defaultValidity;
        }
        _checkWindow(from, until);
        // Cannot truncate: block.timestamp is far below 2^40.
        _pastVersions[licenceId][version] = PastVersion({
            validFrom: licence.validFrom,
            validUntil: licence.validUntil,
            supersededAt: uint40(from)
        });
        // Cannot truncate: _checkWindow bounds both by MAX_TIMESTAMP; version < MAX_COUNT.
        licence.validFrom = uint40(from);
        licence.validUntil = uint40(until);
        licence.documentHash = documentHash;
        licence.renewals = uint16(version);
        emit LicenceRenewed(licenceId, issuer, uint16(version + 1), documentHash, uint64(from), uint64(until));
    }

    /// @inheritdoc ILicenceRegistry
    function suspend(bytes32 licenceId, bytes32 reason) external restricted whenNotPaused {
        (Record storage licence, bytes32 issuer) = _asIssuer(licenceId);
        LicenceStatus status = _status(licence);
        if (status != LicenceStatus.Active && status != LicenceStatus.Pending) {
            revert LicenceUnexpectedStatus(licenceId, status);
        }
        uint256 index = licence.suspensionCount;
        if (index == MAX_COUNT) revert LicenceLimitReached(MAX_COUNT);
        // Cannot truncate: block.timestamp is far below 2^40.
        _suspensions[licenceId][index] = Interval({start: uint40(block.timestamp), end: 0});
        // Cannot truncate: index < MAX_COUNT.
        licence.suspensionCount = uint16(index + 1);
        licence.standing = Standing.Suspended;
        emit LicenceSuspended(licenceId, issuer, reason);
    }

    /// @inheritdoc ILicenceRegistry
    function reinstate(bytes32 licenceId) external restricted whenNotPaused {
        (Record storage licence, bytes32 issuer) = _asIssuer(licenceId);
        if (licence.standing != Standing.Suspended) revert LicenceUnexpectedStatus(licenceId, _status(licence));
        // A suspended licence has at least one interval, and only its last one is open.
        _suspensions[licenceId][licence.suspensionCount - 1].end = uint40(block.timestamp);
        licence.standing = Standing.Active;
        emit LicenceReinstated(licenceId, issuer);
    }

    /// @inheritdoc ILicenceRegistry
    function revoke(bytes32 licenceId, bytes32 reason) external restricted whenNotPaused {
        (Record storage licence, bytes32 issuer) = _asIssuer(licenceId);
        _revoke(licenceId, licence, issuer, reason);
    }

    // ---- holders -------------------------------------------------------------------------------

    /// @inheritdoc ILicenceRegistry
    function grantConsent(
        bytes32 licenceId,
        bytes32 departmentId,
        bytes32 purpose,
        uint64 until
    ) external restricted whenNotPaused {
        Record storage licence = _existing(licenceId);
        if (msg.sender != licence.holder) revert LicenceNotHolder(licenceId, msg.sender);
        _grantConsent(licenceId, licence, departmentId, purpose, until, false);
    }

    /// @inheritdoc ILicenceRegistry
    function withdrawConsent(
        bytes32 licenceId,
        bytes32 departmentId,
        bytes32 purpose
    ) external restricted whenNotPaused {
        Record storage licence = _existing(licenceId);
        address holder = licence.holder;
        if (msg.sender != holder) revert LicenceNotHolder(licenceId, msg.sender);
        if (_consents[licenceId][departmentId][purpose] <= block.timestamp) {
            revert LicenceNoConsent(licenceId, departmentId, purpose);
        }
        delete _consents[licenceId][departmentId][purpose];
        _useNonce(holder);
        emit ConsentWithdrawn(licenceId, departmentId, purpose, holder, _registry.participantOf(holder));
    }

    /// @inheritdoc ILicenceRegistry
    function cancelSignedConsents() external restricted whenNotPaused returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit SignedConsentsCancelled(msg.sender, _registry.participantOf(msg.sender), nonce);
    }

    /// @inheritdoc ILicenceRegistry
    function grantConsentBySig(
        bytes32 licenceId,
        bytes32 purpose,
        uint64 until,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external restricted whenNotPaused {
        bytes32 departmentId = _callerDepartment();
        if (block.timestamp > deadline) revert LicenceSignatureExpired(deadline);
        Record storage licence = _existing(licenceId);
        address holder = licence.holder;
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(CONSENT_TYPEHASH, licenceId, departmentId, purpose, until, nonce, deadline))
        );
        if (!SignatureChecker.isValidSignatureNow(holder, digest, signature)) {
            revert LicenceInvalidSignature(licenceId, holder);
        }
        _useCheckedNonce(holder, nonce);
        _grantConsent(licenceId, licence, departmentId, purpose, until, true);
    }

    // ---- using departments ---------------------------------------------------------------------

    /// @inheritdoc ILicenceRegistry
    function use(bytes32 licenceId, bytes32 purpose) external restricted whenNotPaused {
        bytes32 departmentId = _callerDepartment();
        Record storage licence = _existing(licenceId);
        LicenceStatus status = _status(licence);
        if (status != LicenceStatus.Active) revert LicenceUnexpectedStatus(licenceId, status);
        if (licence.dependencyCount != 0) _checkDependencies(licenceId, block.timestamp);
        if (
            _issuances[licence.issuance].consentRequired &&
            _consents[licenceId][departmentId][purpose] <= block.timestamp
        ) revert LicenceNoConsent(licenceId, departmentId, purpose);
        emit LicenceUsed(licenceId, departmentId, purpose, msg.sender, licence.renewals + 1);
    }

    // ---- views ---------------------------------------------------------------------------------

    /// @inheritdoc ILicenceRegistry
    function licenceType(bytes32 typeId) external view returns (LicenceType memory) {
        return _types[typeId];
    }

    /// @inheritdoc ILicenceRegistry
    function isTrustedIssuer(bytes32 typeId, bytes32 departmentId) external view returns (bool) {
        return _issuers[typeId][departmentId].trusted;
    }

    /// @inheritdoc ILicenceRegistry
    function getLicence(bytes32 licenceId) external view returns (Licence memory) {
        Record storage licence = _existing(licenceId);
        Issuance memory issuance = _issuances[licence.issuance];
        return
            Licence({
                typeId: issuance.typeId,
                issuer: issuance.departmentId,
                holder: licence.holder,
                documentHash: licence.documentHash,
                validFrom: licence.validFrom,
                validUntil: licence.validUntil,
                version: licence.renewals + 1,
                status: _status(licence),
                revokedAt: licence.revokedAt,
                dependsOn: _dependencies[licenceId]
            });
    }

    /// @inheritdoc ILicenceRegistry
    function statusOf(bytes32 licenceId) external view returns (LicenceStatus) {
        Record storage licence = _licences[licenceId];
        return licence.holder == address(0) ? LicenceStatus.None : _status(licence);
    }

    /// @inheritdoc ILicenceRegistry
    function holderOf(bytes32 licenceId) external view returns (address) {
        return _licences[licenceId].holder;
    }

    /// @inheritdoc ILicenceRegistry
    function isValid(bytes32 licenceId) external view returns (bool) {
        return _isValidAt(licenceId, block.timestamp);
    }

    /// @inheritdoc ILicenceRegistry
    function isValidAt(bytes32 licenceId, uint64 timestamp) external view returns (bool) {
        return _isValidAt(licenceId, timestamp);
    }

    /// @inheritdoc ILicenceRegistry
    function verify(bytes32 licenceId, bytes32 documentHash) external view returns (bool valid, bool current) {
        valid = _isValidAt(licenceId, block.timestamp);
        Record storage licence = _licences[licenceId];
        current = licence.holder != address(0) && licence.documentHash == documentHash;
    }

    /// @inheritdoc ILicenceRegistry
    function versionWindow(bytes32 licenceId, uint16 version) external view returns (VersionWindow memory) {
        Record storage licence = _existing(licenceId);
        uint256 current = uint256(licence.renewals) + 1;
        if (version == 0 || version > current) revert LicenceUnknownVersion(licenceId, version);
        if (version == current) return VersionWindow(licence.validFrom, licence.validUntil, 0);
        PastVersion memory past = _pastVersions[licenceId][version];
        return VersionWindow(past.validFrom, past.validUntil, past.supersededAt);
    }

    /// @inheritdoc ILicenceRegistry
    function suspensions(bytes32 licenceId) external view returns (Suspension[] memory list) {
        uint256 count = _existing(licenceId).suspensionCount;
        list = new Suspension[](count);
        for (uint256 i; i < count; ++i) {
            Interval memory interval = _suspensions[licenceId][i];
            list[i] = Suspension(interval.start, interval.end);
        }
    }

    /// @inheritdoc ILicenceRegistry
    function consentUntil(bytes32 licenceId, bytes32 departmentId, bytes32 purpose) external view returns (uint64) {
        return _consents[licenceId][departmentId][purpose];
    }

    /// @inheritdoc ILicenceRegistry
    function hasConsent(bytes32 licenceId, bytes32 departmentId, bytes32 purpose) external view returns (bool) {
        return _consents[licenceId][departmentId][purpose] > block.timestamp;
    }

    /// @inheritdoc ILicenceRegistry
    function licenceIdOf(bytes32 departmentId, bytes32 issuerReference) public pure returns (bytes32) {
        return keccak256(abi.encode(departmentId, issuerReference));
    }

    // ---- internal ------------------------------------------------------------------------------

    function _issue(
        bytes32 licenceId,
        bytes32 typeId,
        bytes32 issuer,
        address holder,
        bytes32 documentHash,
        uint256 validFrom,
        uint256 validUntil,
        bytes32[] calldata dependsOn
    ) internal {
        if (licenceId == bytes32(0) || documentHash == bytes32(0)) revert LicenceInvalidId();
        if (holder == address(0)) revert LicenceInvalidHolder(holder);
        Record storage licence = _licences[licenceId];
        if (licence.holder != address(0)) revert LicenceExists(licenceId);
        uint64 defaultValidity = _type(typeId).defaultValidity;
        IssuerEntry memory entry = _issuers[typeId][issuer];
        if (!entry.trusted) revert LicenceUntrustedIssuer(typeId, issuer);

        if (validFrom == 0) validFrom = block.timestamp;
        if (validUntil == 0) validUntil = validFrom + defaultValidity;
        if (validFrom < block.timestamp) revert LicenceInvalidValidity(validFrom, validUntil);
        _checkWindow(validFrom, validUntil);

        licence.holder = holder;
        // Cannot truncate: _checkWindow bounds both by MAX_TIMESTAMP.
        licence.validFrom = uint40(validFrom);
        licence.validUntil = uint40(validUntil);
        licence.issuance = entry.issuance;
        licence.documentHash = documentHash;
        if (dependsOn.length != 0) _setDependencies(licenceId, licence, dependsOn);
        emit LicenceIssued(
            licenceId,
            typeId,
            issuer,
            holder,
            documentHash,
            uint64(validFrom),
            uint64(validUntil),
            dependsOn
        );
    }

    function _setDependencies(bytes32 licenceId, Record storage licence, bytes32[] calldata dependsOn) internal {
        if (dependsOn.length > MAX_DEPENDENCIES) revert LicenceLimitReached(MAX_DEPENDENCIES);
        uint256 depth;
        for (uint256 i; i < dependsOn.length; ++i) {
            bytes32 dependencyId = dependsOn[i];
            for (uint256 j; j < i; ++j) {
                if (dependsOn[j] == dependencyId) revert LicenceDependencyNotValid(licenceId, dependencyId);
            }
            // An unknown licence is never valid, and a licence cannot depend on itself: it does
            // not exist yet. So the dependency graph stays acyclic.
            if (!_isValidAt(dependencyId, block.timestamp)) revert LicenceDependencyNotValid(licenceId, dependencyId);
            uint256 dependencyDepth = _licences[dependencyId].depth;
            if (dependencyDepth >= depth) depth = dependencyDepth + 1;
        }
        if (depth > MAX_DEPENDENCY_DEPTH) revert LicenceLimitReached(MAX_DEPENDENCY_DEPTH);
        // Cannot truncate: both are at most 4.
        licence.dependencyCount = uint8(dependsOn.length);
        licence.depth = uint8(depth);
        _dependencies[licenceId] = dependsOn;
    }

    function _revoke(bytes32 licenceId, Record storage licence, bytes32 departmentId, bytes32 reason) internal {
        if (licence.standing == Standing.Revoked) revert LicenceUnexpectedStatus(licenceId, LicenceStatus.Revoked);
        licence.standing = Standing.Revoked;
        // Cannot truncate: block.timestamp is far below 2^40.
        licence.revokedAt = uint40(block.timestamp);
        emit LicenceRevoked(licenceId, departmentId, reason);
    }

    function _grantConsent(
        bytes32 licenceId,
        Record storage licence,
        bytes32 departmentId,
        bytes32 purpose,
        uint64 until,
        bool bySignature
    ) internal {
        if (licence.standing == Standing.Revoked) revert LicenceUnexpectedStatus(licenceId, LicenceStatus.Revoked);
        if (until <= block.timestamp || until > MAX_TIMESTAMP) revert LicenceInvalidConsent(until);
        if (_registry.activeSince(departmentId) == 0) revert LicenceInactiveDepartment(departmentId);
        // Cannot truncate: checked against MAX_TIMESTAMP above.
        _consents[licenceId][departmentId][purpose] = uint40(until);
        address holder = licence.holder;
        emit ConsentGranted(
            licenceId,
            departmentId,
            purpose,
            holder,
            _registry.participantOf(holder),
            until,
            bySignature
        );
    }

    /// @dev The licence and the caller's department, which must be its issuer.
    function _asIssuer(bytes32 licenceId) internal view returns (Record storage licence, bytes32 issuer) {
        bytes32 departmentId = _callerDepartment();
        licence = _existing(licenceId);
        issuer = _issuances[licence.issuance].departmentId;
        if (departmentId != issuer) revert LicenceNotIssuer(licenceId, departmentId);
    }

    function _existing(bytes32 licenceId) internal view returns (Record storage licence) {
        licence = _licences[licenceId];
        if (licence.holder == address(0)) revert LicenceUnknown(licenceId);
    }

    function _type(bytes32 typeId) internal view returns (LicenceType storage licenceType_) {
        licenceType_ = _types[typeId];
        if (licenceType_.defaultValidity == 0) revert LicenceUnknownType(typeId);
    }

    function _checkWindow(uint256 validFrom, uint256 validUntil) internal pure {
        if (validUntil <= validFrom || validUntil > MAX_TIMESTAMP) revert LicenceInvalidValidity(validFrom, validUntil);
    }

    /// @dev Where an existing licence stands now, by itself.
    function _status(Record storage licence) internal view returns (LicenceStatus) {
        Standing standing = licence.standing;
        if (standing == Standing.Revoked) return LicenceStatus.Revoked;
        if (standing == Standing.Suspended) return LicenceStatus.Suspended;
        if (block.timestamp < licence.validFrom) return LicenceStatus.Pending;
        if (block.timestamp >= licence.validUntil) return LicenceStatus.Expired;
        return LicenceStatus.Active;
    }

    function _checkDependencies(bytes32 licenceId, uint256 timestamp) internal view {
        bytes32[] storage dependencies = _dependencies[licenceId];
        for (uint256 i; i < dependencies.length; ++i) {
            if (!_isValidAt(dependencies[i], timestamp)) revert LicenceDependencyNotValid(licenceId, dependencies[i]);
        }
    }

    /**
     * @dev Whether a licence and its dependencies were valid at `timestamp` as the records stood
     * then. Version k was in force from version k - 1's `supersededAt` until its own, so the
     * window that applies is the latest version recorded at or before `timestamp`; windows never
     * start before they were recorded (no backdating), so a time before the issue finds none.
     *
     * Bounded work (issue 12): past versions and suspension intervals are both appended in time
     * order, so each is found by binary search, at most 16 reads for the 65,535 either may hold;
     * at or after the current block's time neither history is read at all (every past version
     * was superseded and every closed interval ended by now, so the record's current window and
     * standing decide), which is what {use} and {isValid} ask. Recursion is bounded by
     * MAX_DEPENDENCY_DEPTH and MAX_DEPENDENCIES.
     */
    function _isValidAt(bytes32 licenceId, uint256 timestamp) internal view returns (bool) {
        Record storage licence = _licences[licenceId];
        if (licence.holder == address(0)) return false;
        Standing standing = licence.standing;
        if (standing == Standing.Revoked && timestamp >= licence.revokedAt) return false;

        bool atOrAfterNow = timestamp >= block.timestamp;
        (uint256 validFrom, uint256 validUntil) = atOrAfterNow
            ? (uint256(licence.validFrom), uint256(licence.validUntil))
            : _windowAt(licenceId, licence, timestamp);
        if (timestamp < validFrom || timestamp >= validUntil) return false;
        if (atOrAfterNow ? standing == Standing.Suspended : _suspendedAt(licenceId, licence, timestamp)) return false;

        if (licence.dependencyCount != 0) {
            bytes32[] storage dependencies = _dependencies[licenceId];
            for (uint256 i; i < dependencies.length; ++i) {
                if (!_isValidAt(dependencies[i], timestamp)) return false;
            }
        }
        return true;
    }

    /// @dev The validity window in force at a past `timestamp`: that of the first version
    /// superseded after it (`supersededAt` never decreases with the version), else the current.
    function _windowAt(
        bytes32 licenceId,
        Record storage licence,
        uint256 timestamp
    ) private view returns (uint256 validFrom, uint256 validUntil) {
        mapping(uint256 version => PastVersion) storage past = _pastVersions[licenceId];
        // Versions 1..renewals are on record; find the first in [low, high) superseded after `timestamp`.
        uint256 low = 1;
        uint256 high = uint256(licence.renewals) + 1;
        while (low < high) {
            uint256 middle = (low + high) / 2;
            if (past[middle].supersededAt > timestamp) high = middle;
            else low = middle + 1;
        }
        if (low > licence.renewals) return (licence.validFrom, licence.validUntil);
        PastVersion storage version = past[low];
        return (version.validFrom, version.validUntil);
    }

    /// @dev Whether a suspension interval covered a past `timestamp`. Intervals never overlap and
    /// start in time order, so only the last one starting at or before `timestamp` can.
    function _suspendedAt(bytes32 licenceId, Record storage licence, uint256 timestamp) private view returns (bool) {
        mapping(uint256 index => Interval) storage intervals = _suspensions[licenceId];
        // Count the intervals that start at or before `timestamp`: they are a prefix.
        uint256 low;
        uint256 high = licence.suspensionCount;
        while (low < high) {
            uint256 middle = (low + high) / 2;
            if (intervals[middle].start <= timestamp) low = middle + 1;
            else high = middle;
        }
        if (low == 0) return false;
        Interval storage last = intervals[low - 1];
        return last.end == 0 || timestamp < last.end;
    }
}
