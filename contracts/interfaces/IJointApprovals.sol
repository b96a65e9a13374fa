// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IJointApprovals
 * @notice Joint approvals: a licence that needs several departments' approvals (opening a
 * restaurant: fire safety check, environmental assessment, tax registration, food business
 * licence) follows a workflow template set up by governance, and the application moves from one
 * department to the next on chain.
 *
 * A template is a list of steps, each owned by a department, with the steps that must be approved
 * before it opens (a bitmask over earlier steps: the step order is a topological order, so every
 * template is a DAG). One step, owned by the issuing department, is the licence step: its result
 * hash becomes the licence's document. Life of a step: Locked → Open as soon as all its
 * prerequisites are approved → Approved (final), or Rejected → Open again when the applicant
 * resubmits. Life of an application: InProgress → Completed (the licence is issued in the same
 * transaction as the last approval) or Withdrawn by the applicant.
 */
interface IJointApprovals {
    /// @notice Where a step of an application stands.
    enum StepState {
        Locked,
        Open,
        Approved,
        Rejected
    }

    /// @notice Where an application stands. `None` for an unknown id.
    enum ApplicationStatus {
        None,
        InProgress,
        Completed,
        Withdrawn
    }

    /**
     * @notice One step of a template.
     * @param code what the step is, e.g. "FIRE_SAFETY_CHECK" as bytes32
     * @param departmentId the department that approves or rejects it
     * @param prerequisites bit i set: step i must be approved before this step opens (only
     *        earlier steps)
     */
    struct Step {
        bytes32 code;
        bytes32 departmentId;
        uint16 prerequisites;
    }

    /**
     * @notice A workflow template.
     * @param licenceType the type of licence a completed application gets
     * @param issuer the department in whose name that licence is issued
     * @param licenceStep the step (owned by `issuer`) whose result hash is the licence's document
     * @param active whether new applications may follow it
     * @param steps its steps
     */
    struct Template {
        bytes32 licenceType;
        bytes32 issuer;
        uint8 licenceStep;
        bool active;
        Step[] steps;
    }

    /**
     * @notice An application as it stands.
     * @param templateId the template it follows
     * @param applicant the account that applied and will hold the licence
     * @param status where it stands
     * @param approved bit i set: step i is approved
     * @param open bit i set: step i awaits its department's decision
     * @param rejected bit i set: step i was rejected and awaits the applicant's resubmission
     * @param licenceId the licence it gets (issued once every step is approved)
     * @param dependsOn licences the issued licence will depend on
     */
    struct Application {
        bytes32 templateId;
        address applicant;
        ApplicationStatus status;
        uint16 approved;
        uint16 open;
        uint16 rejected;
        bytes32 licenceId;
        bytes32[] dependsOn;
    }

    /// @notice Governance defined a workflow template.
    event TemplateDefined(
        bytes32 indexed templateId,
        bytes32 indexed licenceType,
        bytes32 indexed issuer,
        uint8 licenceStep,
        Step[] steps
    );
    /// @notice Governance retired a template: no new applications follow it; those in progress go on.
    event TemplateRetired(bytes32 indexed templateId);
    /// @notice `applicant` (participant `applicantParticipant`, zero if it is none) applied,
    /// presenting the encrypted dossier `documentHash` kept off chain.
    event ApplicationSubmitted(
        uint256 indexed applicationId,
        bytes32 indexed templateId,
        address indexed applicant,
        bytes32 applicantParticipant,
        bytes32 documentHash,
        bytes32[] dependsOn
    );
    /// @notice A step opened: `departmentId` should decide it now.
    event StepOpened(uint256 indexed applicationId, bytes32 indexed departmentId, uint8 step);
    /// @notice `departmentId` (through `operator`) approved a step with the result document `resultHash`.
    event StepApproved(
        uint256 indexed applicationId,
        bytes32 indexed departmentId,
        uint8 step,
        bytes32 resultHash,
        address operator
    );
    /// @notice `departmentId` (through `operator`) rejected a step for `reason` (a code or hash).
    event StepRejected(
        uint256 indexed applicationId,
        bytes32 indexed departmentId,
        uint8 step,
        bytes32 reason,
        address operator
    );
    /// @notice The applicant corrected a rejected step with the dossier `documentHash`; it is open again.
    event StepResubmitted(uint256 indexed applicationId, uint8 step, bytes32 documentHash);
    /// @notice Every step is approved and licence `licenceId` was issued in `issuer`'s name.
    event ApplicationCompleted(uint256 indexed applicationId, bytes32 indexed licenceId, bytes32 indexed issuer);
    /// @notice The applicant withdrew an application in progress.
    event ApplicationWithdrawn(uint256 indexed applicationId);

    /// @notice Zero is not a valid template id, result or document hash.
    error JointApprovalInvalidId();
    /// @notice A template with this id exists already.
    error JointApprovalTemplateExists(bytes32 templateId);
    /// @notice No template has this id.
    error JointApprovalUnknownTemplate(bytes32 templateId);
    /// @notice The template is retired: no new applications.
    error JointApprovalTemplateRetired(bytes32 templateId);
    /// @notice A template has 1 to MAX_STEPS steps and a licence step owned by its issuer.
    error JointApprovalInvalidTemplate(bytes32 templateId);
    /// @notice Step `index` names an unknown or suspended department, or a prerequisite that is
    /// not an earlier step.
    error JointApprovalInvalidStep(uint256 index);
    /// @notice The licence type is unknown or `issuer` is not trusted for it.
    error JointApprovalUntrustedIssuer(bytes32 licenceType, bytes32 issuer);
    /// @notice No application has this id.
    error JointApprovalUnknownApplication(uint256 applicationId);
    /// @notice The application is not in progress (`current` is where it stands).
    error JointApprovalUnexpectedStatus(uint256 applicationId, ApplicationStatus current);
    /// @notice The template of this application has no such step.
    error JointApprovalUnknownStep(uint256 applicationId, uint8 step);
    /// @notice The step is not in a state that allows this (`current` is where it stands).
    error JointApprovalUnexpectedStepState(uint256 applicationId, uint8 step, StepState current);
    /// @notice Only the department owning a step decides it.
    error JointApprovalNotStepOwner(uint256 applicationId, uint8 step, bytes32 departmentId);
    /// @notice Only the applicant resubmits or withdraws.
    error JointApprovalNotApplicant(uint256 applicationId, address caller);
    /// @notice A licence the application names is not valid now.
    error JointApprovalDependencyNotValid(bytes32 dependencyId);
    /// @notice A licence the application names is held by another account than the applicant.
    error JointApprovalNotDependencyHolder(bytes32 dependencyId, address applicant);
    /// @notice An application names at most MAX_DEPENDENCIES licences.
    error JointApprovalLimitReached(uint256 limit);

    // ---- governance (consortium vote) ----------------------------------------------------------

    /**
     * @notice Defines a workflow template, once. Governance only.
     * @param templateId e.g. "RESTAURANT_OPENING" as bytes32; never zero
     * @param licenceType type of the licence a completed application gets
     * @param issuer department trusted for `licenceType`, in whose name the licence is issued
     * @param licenceStep index of the step owned by `issuer` whose result is the licence document
     * @param steps 1 to MAX_STEPS steps; each owned by an active department; prerequisites only
     *        over earlier steps
     */
    function defineTemplate(
        bytes32 templateId,
        bytes32 licenceType,
        bytes32 issuer,
        uint8 licenceStep,
        Step[] calldata steps
    ) external;

    /// @notice Retires a template: no new applications follow it. Governance only.
    function retireTemplate(bytes32 templateId) external;

    // ---- applicants ----------------------------------------------------------------------------

    /**
     * @notice Applies for a licence along an active template; the caller is the applicant and the
     * future holder. Steps without prerequisites open at once.
     * @param documentHash hash of the encrypted dossier kept off chain
     * @param dependsOn licences the issued licence will depend on (e.g. the business
     *        registration), each held by the applicant and valid now and again at issue
     * @return applicationId the new application's id (1, 2, ...)
     */
    function submitApplication(
        bytes32 templateId,
        bytes32 documentHash,
        bytes32[] calldata dependsOn
    ) external returns (uint256 applicationId);

    /// @notice The applicant corrects a rejected step with a new dossier; the step opens again.
    function resubmitStep(uint256 applicationId, uint8 step, bytes32 documentHash) external;

    /// @notice The applicant withdraws an application in progress.
    function withdrawApplication(uint256 applicationId) external;

    // ---- departments ---------------------------------------------------------------------------

    /**
     * @notice The owning department approves an open step with its result document. Steps whose
     * prerequisites are now all approved open; when every step is approved, the licence is issued
     * in the same transaction.
     */
    function approveStep(uint256 applicationId, uint8 step, bytes32 resultHash) external;

    /// @notice The owning department rejects an open step for `reason`; the applicant may resubmit.
    function rejectStep(uint256 applicationId, uint8 step, bytes32 reason) external;

    // ---- views ---------------------------------------------------------------------------------

    /// @notice A template; reverts for an unknown id.
    function getTemplate(bytes32 templateId) external view returns (Template memory);

    /// @notice An application; reverts for an unknown id.
    function getApplication(uint256 applicationId) external view returns (Application memory);

    /// @notice Where one step of an application stands; reverts for an unknown application or step.
    function stepState(uint256 applicationId, uint8 step) external view returns (StepState);

    /// @notice How many applications were ever submitted (the latest id).
    function applicationCount() external view returns (uint256);
}
