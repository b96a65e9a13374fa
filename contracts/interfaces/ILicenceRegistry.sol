// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title ILicenceRegistry
 * @notice E-licences: licence types and the departments trusted to issue them (both set by
 * governance), licences with their life cycle, the holder's consent to their use, and an audit
 * record of every use.
 *
 * Life of a licence: issued (Pending until `validFrom`, then Active) → Expired when `validUntil`
 * passes; renewed (new validity window and document, version + 1) from Active or Expired;
 * Suspended ⇄ reinstated; Revoked (final, from any state). A licence that depends on other
 * licences is valid only while all of them are. Validity windows are half-open:
 * valid from `validFrom` (included) until `validUntil` (excluded); time is the block timestamp.
 *
 * Nothing here holds an identifier in clear: a licence issued by a department has the id
 * `keccak256(abi.encode(departmentId, issuerReference))` (see {licenceIdOf}), derived on chain from the
 * issuing department and its own reference (a salted hash); holders are accounts, documents are
 * hashes of encrypted files kept off chain, purposes are codes or hashes.
 *
 * Licence ids of joint applications are `keccak256(abi.encode(chainId, jointApprovals,
 * applicationId))`: a 96-byte preimage, where every id {issue} can make hashes 64 bytes, so no
 * department can take the id of an application's licence before it is issued, and no department
 * can take another's ids.
 */
interface ILicenceRegistry {
    /**
     * @notice Where a licence stands, by itself (dependencies aside, see {isValid}).
     * `None` for an unknown id; `Pending` before its validity window, `Expired` after it.
     */
    enum LicenceStatus {
        None,
        Pending,
        Active,
        Suspended,
        Revoked,
        Expired
    }

    /**
     * @notice A kind of licence.
     * @param defaultValidity seconds a licence of this type is valid when the issuer names no end;
     *        never zero for a defined type
     * @param consentRequired whether a department may use such a licence only under a live consent
     *        of its holder
     */
    struct LicenceType {
        uint64 defaultValidity;
        bool consentRequired;
    }

    /**
     * @notice A licence as it stands now.
     * @param typeId its licence type
     * @param issuer the department that issued it
     * @param holder the account holding it
     * @param documentHash hash of the current version's encrypted document, kept off chain
     * @param validFrom start of the current version's validity window
     * @param validUntil end (excluded) of the current version's validity window
     * @param version 1 at issue, + 1 per renewal
     * @param status where it stands now, dependencies aside
     * @param revokedAt when it was revoked; zero if it was not
     * @param dependsOn licences it depends on
     */
    struct Licence {
        bytes32 typeId;
        bytes32 issuer;
        address holder;
        bytes32 documentHash;
        uint64 validFrom;
        uint64 validUntil;
        uint16 version;
        LicenceStatus status;
        uint64 revokedAt;
        bytes32[] dependsOn;
    }

    /**
     * @notice One version's validity window as recorded.
     * @param validFrom start of the window
     * @param validUntil end of the window (excluded)
     * @param supersededAt when the next renewal replaced it; zero for the current version. Version
     *        k was in force from version k - 1's `supersededAt` (from its issue for version 1).
     */
    struct VersionWindow {
        uint64 validFrom;
        uint64 validUntil;
        uint64 supersededAt;
    }

    /// @notice A suspension interval: from `start` (included) until `end` (excluded; zero while
    /// the licence is still suspended).
    struct Suspension {
        uint64 start;
        uint64 end;
    }

    /// @notice Governance defined or changed a licence type.
    event LicenceTypeSet(bytes32 indexed typeId, uint64 defaultValidity, bool consentRequired);
    /// @notice Governance trusted `departmentId` to issue licences of `typeId`, or withdrew that
    /// trust. Licences it issued before a withdrawal stay as they are (see the README).
    event TrustedIssuerSet(bytes32 indexed typeId, bytes32 indexed departmentId, bool trusted);
    /// @notice `issuer` issued a licence (version 1) to `holder`.
    event LicenceIssued(
        bytes32 indexed licenceId,
        bytes32 indexed typeId,
        bytes32 indexed issuer,
        address holder,
        bytes32 documentHash,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] dependsOn
    );
    /// @notice `issuer` renewed a licence: version `version` is in force from now with this window
    /// and document; the previous window stays on record for {isValidAt}.
    event LicenceRenewed(
        bytes32 indexed licenceId,
        bytes32 indexed issuer,
        uint16 version,
        bytes32 documentHash,
        uint64 validFrom,
        uint64 validUntil
    );
    /// @notice `issuer` suspended a licence for `reason` (a code).
    event LicenceSuspended(bytes32 indexed licenceId, bytes32 indexed issuer, bytes32 reason);
    /// @notice `issuer` lifted a licence's suspension.
    event LicenceReinstated(bytes32 indexed licenceId, bytes32 indexed issuer);
    /// @notice A licence was revoked for `reason` (a code), for good. `departmentId` is its issuer,
    /// or zero when the consortium revoked it by vote.
    event LicenceRevoked(bytes32 indexed licenceId, bytes32 indexed departmentId, bytes32 reason);
    /// @notice `holder` (participant `holderParticipant`, zero if it is none) authorised
    /// `departmentId` to use a licence for `purpose` until `until` (excluded), by its own
    /// transaction or by a signature the department submitted.
    event ConsentGranted(
        bytes32 indexed licenceId,
        bytes32 indexed departmentId,
        bytes32 indexed purpose,
        address holder,
        bytes32 holderParticipant,
        uint64 until,
        bool bySignature
    );
    /// @notice `holder` withdrew a consent before it ran out.
    event ConsentWithdrawn(
        bytes32 indexed licenceId,
        bytes32 indexed departmentId,
        bytes32 indexed purpose,
        address holder,
        bytes32 holderParticipant
    );
    /// @notice `holder` used up its signature nonce `nonce`: consents it signed with that nonce
    /// can no longer be submitted.
    event SignedConsentsCancelled(address indexed holder, bytes32 indexed holderParticipant, uint256 nonce);
    /// @notice `departmentId` (through its operator `operator`) used version `version` of a
    /// licence for `purpose`; the block's timestamp says when.
    event LicenceUsed(
        bytes32 indexed licenceId,
        bytes32 indexed departmentId,
        bytes32 indexed purpose,
        address operator,
        uint16 version
    );

    /// @notice Zero is not a valid licence, type or department id, purpose or document hash.
    error LicenceInvalidId();
    /// @notice No licence type has this id.
    error LicenceUnknownType(bytes32 typeId);
    /// @notice A licence type needs a default validity above zero that fits the time range.
    error LicenceInvalidType(bytes32 typeId, uint64 defaultValidity);
    /// @notice No licence has this id.
    error LicenceUnknown(bytes32 licenceId);
    /// @notice A licence with this id exists already.
    error LicenceExists(bytes32 licenceId);
    /// @notice A licence is held by an account, never the zero address.
    error LicenceInvalidHolder(address holder);
    /// @notice The department is not (or no longer) trusted to issue licences of this type.
    error LicenceUntrustedIssuer(bytes32 typeId, bytes32 departmentId);
    /// @notice The department is unknown to the consortium registry or suspended.
    error LicenceInactiveDepartment(bytes32 departmentId);
    /// @notice A validity window must start now or later and end after it starts.
    error LicenceInvalidValidity(uint256 validFrom, uint256 validUntil);
    /// @notice Only the issuing department may change a licence.
    error LicenceNotIssuer(bytes32 licenceId, bytes32 departmentId);
    /// @notice Only the holder may give or withdraw consent.
    error LicenceNotHolder(bytes32 licenceId, address caller);
    /// @notice The licence is not in a state that allows this (`current` is where it stands).
    error LicenceUnexpectedStatus(bytes32 licenceId, LicenceStatus current);
    /// @notice A licence it depends on is unknown or not valid now.
    error LicenceDependencyNotValid(bytes32 licenceId, bytes32 dependencyId);
    /// @notice The department has no live consent of the holder for this use.
    error LicenceNoConsent(bytes32 licenceId, bytes32 departmentId, bytes32 purpose);
    /// @notice A consent must end in the future, within the time range.
    error LicenceInvalidConsent(uint256 until);
    /// @notice The consent signature's deadline has passed.
    error LicenceSignatureExpired(uint256 deadline);
    /// @notice The signature is not the holder's over this consent.
    error LicenceInvalidSignature(bytes32 licenceId, address holder);
    /// @notice The licence has no such version (versions run from 1 to the current one).
    error LicenceUnknownVersion(bytes32 licenceId, uint16 version);
    /// @notice A bounded quantity would pass its limit.
    error LicenceLimitReached(uint256 limit);

    // ---- governance (consortium vote) ----------------------------------------------------------

    /**
     * @notice Defines a licence type or changes one. Governance only. A change applies to every
     * licence of the type from then on (the consent requirement at use, the default validity at
     * issue and renewal).
     * @param typeId short code, e.g. "FOOD_BUSINESS" as bytes32; never zero
     * @param defaultValidity seconds a licence is valid when the issuer names no end; above zero
     * @param consentRequired whether use needs a live consent of the holder
     */
    function setLicenceType(bytes32 typeId, uint64 defaultValidity, bool consentRequired) external;

    /**
     * @notice Trusts a department to issue licences of a type, or withdraws that trust.
     * Governance only. Withdrawal stops its issuing and renewing licences of the type; licences it
     * issued before stay valid until they expire and it may still suspend, reinstate and revoke
     * them; the consortium may revoke any of them with {revokeByConsortium}.
     */
    function setTrustedIssuer(bytes32 typeId, bytes32 departmentId, bool trusted) external;

    /// @notice Revokes any licence for `reason`, for good. Governance only: the remedy when an
    /// issuer's trust was withdrawn for cause.
    function revokeByConsortium(bytes32 licenceId, bytes32 reason) external;

    // ---- issuing departments -------------------------------------------------------------------

    /**
     * @notice Issues a licence in the name of the caller's department, which must be trusted for
     * the type. Its id is derived from the department and `issuerReference` ({licenceIdOf}).
     * @param issuerReference the issuer's own reference for it (a salted hash), unique per department;
     *        never zero
     * @param typeId the licence type
     * @param holder the account that holds it
     * @param documentHash hash of the encrypted licence document kept off chain; never zero
     * @param validFrom start of validity, now or later; zero for now
     * @param validUntil end of validity (excluded); zero for `validFrom` + the type's default validity
     * @param dependsOn licences it depends on (at most MAX_DEPENDENCIES), each valid now
     */
    function issue(
        bytes32 issuerReference,
        bytes32 typeId,
        address holder,
        bytes32 documentHash,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] calldata dependsOn
    ) external returns (bytes32 licenceId);

    /**
     * @notice Issues the licence that completes a joint application, in the name of `issuer`,
     * which must be active and trusted for the type; valid from now for the type's default
     * validity. Only the joint-approvals contract (role LICENCE_WORKFLOW) calls it.
     */
    function issueFromWorkflow(
        bytes32 licenceId,
        bytes32 typeId,
        bytes32 issuer,
        address holder,
        bytes32 documentHash,
        bytes32[] calldata dependsOn
    ) external;

    /**
     * @notice Renews an Active or Expired licence: a new window from now, a new document,
     * version + 1. The previous window stays on record. The issuer must still be trusted.
     * @param validUntil end of the new window (excluded); zero for the type's default validity
     *        counted from the later of now and the current window's end
     */
    function renew(bytes32 licenceId, bytes32 documentHash, uint64 validUntil) external;

    /// @notice Suspends an Active or Pending licence for `reason`, until it is reinstated. Issuer only.
    function suspend(bytes32 licenceId, bytes32 reason) external;

    /// @notice Lifts the suspension of a Suspended licence. Issuer only.
    function reinstate(bytes32 licenceId) external;

    /// @notice Revokes a licence for `reason`, for good. Issuer only.
    function revoke(bytes32 licenceId, bytes32 reason) external;

    // ---- holders -------------------------------------------------------------------------------

    /**
     * @notice The holder authorises a department to use a licence for a purpose until a time.
     * Replaces an earlier consent for the same department and purpose.
     * @param until end of the consent (excluded); in the future
     */
    function grantConsent(bytes32 licenceId, bytes32 departmentId, bytes32 purpose, uint64 until) external;

    /**
     * @notice The holder withdraws a live consent. It also uses up the holder's current signature
     * nonce, so a consent it signed but nobody submitted yet can no longer be submitted.
     */
    function withdrawConsent(bytes32 licenceId, bytes32 departmentId, bytes32 purpose) external;

    /**
     * @notice Uses up the caller's current signature nonce, so that every consent it signed with
     * that nonce and nobody submitted yet can no longer be submitted, whether or not a consent is
     * live. Any account, for itself.
     * @return nonce the nonce used up
     */
    function cancelSignedConsents() external returns (uint256 nonce);

    /**
     * @notice The caller's department submits a consent the holder signed (EIP-712, type
     * `Consent(bytes32 licenceId,bytes32 departmentId,bytes32 purpose,uint64 until,uint256 nonce,
     * uint256 deadline)`, `departmentId` being the submitting department). The holder pays nothing;
     * the nonce makes it single-use, the deadline makes it expire. Holders that are contracts sign
     * through ERC-1271.
     * @param nonce the holder's current nonce (see {nonces})
     * @param deadline last timestamp at which the signature may be submitted
     */
    function grantConsentBySig(
        bytes32 licenceId,
        bytes32 purpose,
        uint64 until,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    // ---- using departments ---------------------------------------------------------------------

    /**
     * @notice Records that the caller's department uses (verifies) a licence for `purpose`.
     * Allowed only while the licence and every licence it depends on are valid and, when its type
     * requires consent, while the holder's consent for this department and purpose is live.
     */
    function use(bytes32 licenceId, bytes32 purpose) external;

    // ---- views ---------------------------------------------------------------------------------

    /// @notice A licence type; `defaultValidity` is zero for an unknown type.
    function licenceType(bytes32 typeId) external view returns (LicenceType memory);

    /// @notice Whether `departmentId` is trusted now to issue licences of `typeId`.
    function isTrustedIssuer(bytes32 typeId, bytes32 departmentId) external view returns (bool);

    /// @notice A licence as it stands now; reverts for an unknown id.
    function getLicence(bytes32 licenceId) external view returns (Licence memory);

    /// @notice Where a licence stands now by itself; `None` for an unknown id.
    function statusOf(bytes32 licenceId) external view returns (LicenceStatus);

    /// @notice The account holding a licence; zero for an unknown id.
    function holderOf(bytes32 licenceId) external view returns (address);

    /// @notice Whether a licence and everything it depends on are valid now.
    function isValid(bytes32 licenceId) external view returns (bool);

    /**
     * @notice Whether a licence and everything it depends on were valid at `timestamp`, as the
     * records stood then: the window of the version in force at that time, not revoked by then,
     * not suspended then. For a future time: as the records stand now.
     */
    function isValidAt(bytes32 licenceId, uint64 timestamp) external view returns (bool);

    /**
     * @notice On-chain verification of a presented licence.
     * @return valid whether the licence and everything it depends on are valid now
     * @return current whether `documentHash` is the current version's document
     */
    function verify(bytes32 licenceId, bytes32 documentHash) external view returns (bool valid, bool current);

    /// @notice The validity window of version `version` (1 to the current version) of a licence.
    function versionWindow(bytes32 licenceId, uint16 version) external view returns (VersionWindow memory);

    /// @notice Every suspension of a licence, oldest first.
    function suspensions(bytes32 licenceId) external view returns (Suspension[] memory);

    /// @notice When the holder's consent for this department and purpose ends (zero: none given).
    function consentUntil(bytes32 licenceId, bytes32 departmentId, bytes32 purpose) external view returns (uint64);

    /// @notice Whether the holder's consent for this department and purpose is live now.
    function hasConsent(bytes32 licenceId, bytes32 departmentId, bytes32 purpose) external view returns (bool);

    /// @notice The id of the licence department `departmentId` issues under its `issuerReference`.
    function licenceIdOf(bytes32 departmentId, bytes32 issuerReference) external pure returns (bytes32);
}
