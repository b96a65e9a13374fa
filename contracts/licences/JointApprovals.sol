// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ConsortiumManaged} from "../governance/ConsortiumManaged.sol";
import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";
import {IJointApprovals} from "../interfaces/IJointApprovals.sol";
import {ILicenceRegistry} from "../interfaces/ILicenceRegistry.sol";

/**
 * @title JointApprovals
 * @notice Workflow templates and applications that need several departments' approvals; issues
 * the resulting licence through the LicenceRegistry in the transaction of the last approval.
 * @dev Owns templates and applications, never licences: it issues through
 * {ILicenceRegistry-issueFromWorkflow}, which the AccessManager opens to this contract alone
 * (role LICENCE_WORKFLOW), and the registry still checks that the template's issuer is trusted
 * for the type at that moment. Templates are ADMIN-only (a vote); the applicant and department
 * functions are wired to PUBLIC in the AccessManager and checked here, because who may act
 * depends on the application (its applicant) and the step (its owning department).
 */
contract JointApprovals is IJointApprovals, ConsortiumManaged {
    /**
     * @dev A template as stored. Slot 2 packs every step's prerequisite mask (step i at bits
     * [16i, 16i + 16)) so that opening the next steps reads one slot; slot 3 is
     * stepCount 8 | licenceStep 8 | active 8.
     */
    struct TemplateRecord {
        bytes32 licenceType;
        bytes32 issuer;
        uint256 prerequisites;
        uint8 stepCount;
        uint8 licenceStep;
        bool active;
        mapping(uint256 step => bytes32) codes;
        mapping(uint256 step => bytes32) departments;
    }

    /**
     * @dev An application as stored. Slot 0: applicant 160 | status 8 | approved 16 | open 16 |
     * rejected 16 (a step in none of the three masks is Locked). Slot 2 holds the licence step's
     * result once approved: the issued licence's document.
     */
    struct ApplicationRecord {
        address applicant;
        ApplicationStatus status;
        uint16 approved;
        uint16 open;
        uint16 rejected;
        bytes32 templateId;
        bytes32 licenceDocument;
        bytes32[] dependsOn;
    }

    /// @notice Most steps a template may have (one bit each in a uint16 mask).
    uint256 public constant MAX_STEPS = 16;
    /// @notice Most licences an application may name as dependencies (as LicenceRegistry allows).
    uint256 public constant MAX_DEPENDENCIES = 4;

    ILicenceRegistry internal immutable _licences;

    mapping(bytes32 templateId => TemplateRecord) private _templates;
    mapping(uint256 applicationId => ApplicationRecord) private _applications;
    uint256 private _applicationCount;

    /**
     * @param authority the consortium's AccessManager
     * @param registry_ the consortium's registry of departments and participants
     * @param licences_ the licence registry that issues the licences of completed applications
     */
    constructor(
        address authority,
        IConsortiumRegistry registry_,
        ILicenceRegistry licences_
    ) ConsortiumManaged(authority, registry_) {
        _licences = licences_;
    }

    // ---- governance ----------------------------------------------------------------------------

    /// @inheritdoc IJointApprovals
    function defineTemplate(
        bytes32 templateId,
        bytes32 licenceType,
        bytes32 issuer,
        uint8 licenceStep,
        Step[] calldata steps
    ) external restricted whenNotPaused {
        if (templateId == bytes32(0)) revert JointApprovalInvalidId();
        TemplateRecord storage template = _templates[templateId];
        if (template.stepCount != 0) revert JointApprovalTemplateExists(templateId);
        uint256 count = steps.length;
        if (count == 0 || count > MAX_STEPS || licenceStep >= count || steps[licenceStep].departmentId != issuer) {
            revert JointApprovalInvalidTemplate(templateId);
        }
        if (!_licences.isTrustedIssuer(licenceType, issuer)) revert JointApprovalUntrustedIssuer(licenceType, issuer);

        uint256 prerequisites;
        for (uint256 i; i < count; ++i) {
            Step calldata step = steps[i];
            // Prerequisites only over earlier steps: the step order is a topological order, so
            // the template is acyclic and step 0 always opens at once.
            if (step.code == bytes32(0) || (uint256(step.prerequisites) >> i) != 0) revert JointApprovalInvalidStep(i);
            if (_registry.activeSince(step.departmentId) == 0) revert JointApprovalInvalidStep(i);
            prerequisites |= uint256(step.prerequisites) << (16 * i);
            template.codes[i] = step.code;
            template.departments[i] = step.departmentId;
        }
        template.licenceType = licenceType;
        template.issuer = issuer;
        template.prerequisites = prerequisites;
        // Cannot truncate: count <= MAX_STEPS.
        template.stepCount = uint8(count);
        template.licenceStep = licenceStep;
        template.active = true;
        emit TemplateDefined(templateId, licenceType, issuer, licenceStep, steps);
    }

    /// @inheritdoc IJointApprovals
    function retireTemplate(bytes32 templateId) external restricted whenNotPaused {
        TemplateRecord storage template = _template(templateId);
        if (!template.active) revert JointApprovalTemplateRetired(templateId);
        template.active = false;
        emit TemplateRetired(templateId);
    }

    // ---- applicants ----------------------------------------------------------------------------

    /// @inheritdoc IJointApprovals
    function submitApplication(
        bytes32 templateId,
        bytes32 documentHash,
        bytes32[] calldata dependsOn
    ) external restricted whenNotPaused returns (uint256 applicationId) {
        TemplateRecord storage template = _template(templateId);
        if (!template.active) revert JointApprovalTemplateRetired(templateId);
        if (documentHash == bytes32(0)) revert JointApprovalInvalidId();
        if (dependsOn.length > MAX_DEPENDENCIES) revert JointApprovalLimitReached(MAX_DEPENDENCIES);
        for (uint256 i; i < dependsOn.length; ++i) {
            for (uint256 j; j < i; ++j) {
                if (dependsOn[j] == dependsOn[i]) revert JointApprovalDependencyNotValid(dependsOn[i]);
            }
            if (!_licences.isValid(dependsOn[i])) revert JointApprovalDependencyNotValid(dependsOn[i]);
            // The new licence would claim another holder's registration as its own basis.
            if (_licences.holderOf(dependsOn[i]) != msg.sender) {
                revert JointApprovalNotDependencyHolder(dependsOn[i], msg.sender);
            }
        }

        applicationId = ++_applicationCount;
        ApplicationRecord storage application = _applications[applicationId];
        application.applicant = msg.sender;
        application.status = ApplicationStatus.InProgress;
        application.templateId = templateId;
        if (dependsOn.length != 0) application.dependsOn = dependsOn;
        emit ApplicationSubmitted(
            applicationId,
            templateId,
            msg.sender,
            _registry.participantOf(msg.sender),
            documentHash,
            dependsOn
        );
        _openReadySteps(applicationId, application, template);
    }

    /// @inheritdoc IJointApprovals
    function resubmitStep(uint256 applicationId, uint8 step, bytes32 documentHash) external restricted whenNotPaused {
        ApplicationRecord storage application = _inProgress(applicationId);
        if (msg.sender != application.applicant) revert JointApprovalNotApplicant(applicationId, msg.sender);
        TemplateRecord storage template = _templates[application.templateId];
        StepState state = _stepState(applicationId, application, template, step);
        if (state != StepState.Rejected) revert JointApprovalUnexpectedStepState(applicationId, step, state);
        if (documentHash == bytes32(0)) revert JointApprovalInvalidId();
        uint16 bit = uint16(1) << step;
        application.rejected &= ~bit;
        application.open |= bit;
        emit StepResubmitted(applicationId, step, documentHash);
        emit StepOpened(applicationId, template.departments[step], step);
    }

    /// @inheritdoc IJointApprovals
    function withdrawApplication(uint256 applicationId) external restricted whenNotPaused {
        ApplicationRecord storage application = _inProgress(applicationId);
        if (msg.sender != application.applicant) revert JointApprovalNotApplicant(applicationId, msg.sender);
        application.status = ApplicationStatus.Withdrawn;
        emit ApplicationWithdrawn(applicationId);
    }

    // ---- departments ---------------------------------------------------------------------------

    /// @inheritdoc IJointApprovals
    function approveStep(uint256 applicationId, uint8 step, bytes32 resultHash) external restricted whenNotPaused {
        if (resultHash == bytes32(0)) revert JointApprovalInvalidId();
        (ApplicationRecord storage application, TemplateRecord storage template, bytes32 departmentId) = _asStepOwner(
            applicationId,
            step
        );
        uint16 bit = uint16(1) << step;
        uint16 approved = application.approved | bit;
        application.approved = approved;
        application.open &= ~bit;
        if (step == template.licenceStep) application.licenceDocument = resultHash;
        emit StepApproved(applicationId, departmentId, step, resultHash, msg.sender);

        // Cannot overflow: stepCount <= 16.
        if (approved == (uint256(1) << template.stepCount) - 1) {
            _complete(applicationId, application, template);
        } else {
            _openReadySteps(applicationId, application, template);
        }
    }

    /// @inheritdoc IJointApprovals
    function rejectStep(uint256 applicationId, uint8 step, bytes32 reason) external restricted whenNotPaused {
        (ApplicationRecord storage application, , bytes32 departmentId) = _asStepOwner(applicationId, step);
        uint16 bit = uint16(1) << step;
        application.open &= ~bit;
        application.rejected |= bit;
        emit StepRejected(applicationId, departmentId, step, reason, msg.sender);
    }

    // ---- views ---------------------------------------------------------------------------------

    /// @inheritdoc IJointApprovals
    function getTemplate(bytes32 templateId) external view returns (Template memory) {
        TemplateRecord storage template = _template(templateId);
        uint256 count = template.stepCount;
        Step[] memory steps = new Step[](count);
        uint256 prerequisites = template.prerequisites;
        for (uint256 i; i < count; ++i) {
            // Cannot truncate: each mask is 16 bits wide.
            steps[i] = Step(template.codes[i], template.departments[i], uint16(prerequisites >> (16 * i)));
        }
        return Template(template.licenceType, template.issuer, template.licenceStep, template.active, steps);
    }

    /// @inheritdoc IJointApprovals
    function getApplication(uint256 applicationId) external view returns (Application memory) {
        ApplicationRecord storage application = _application(applicationId);
        return
            Application({
                templateId: application.templateId,
                applicant: application.applicant,
                status: application.status,
                approved: application.approved,
                open: application.open,
                rejected: application.rejected,
                licenceId: _licenceIdOf(applicationId),
                dependsOn: application.dependsOn
            });
    }

    /// @inheritdoc IJointApprovals
    function stepState(uint256 applicationId, uint8 step) external view returns (StepState) {
        ApplicationRecord storage application = _application(applicationId);
        return _stepState(applicationId, application, _templates[application.templateId], step);
    }

    /// @inheritdoc IJointApprovals
    function applicationCount() external view returns (uint256) {
        return _applicationCount;
    }

    // ---- internal ------------------------------------------------------------------------------

    /// @dev Issues the licence of an application whose steps are all approved. The registry
    /// re-checks the issuer's trust and the dependencies: if either fails, the approval reverts.
    function _complete(
        uint256 applicationId,
        ApplicationRecord storage application,
        TemplateRecord storage template
    ) internal {
        application.status = ApplicationStatus.Completed;
        bytes32 licenceId = _licenceIdOf(applicationId);
        bytes32 issuer = template.issuer;
        _licences.issueFromWorkflow(
            licenceId,
            template.licenceType,
            issuer,
            application.applicant,
            application.licenceDocument,
            application.dependsOn
        );
        emit ApplicationCompleted(applicationId, licenceId, issuer);
    }

    /// @dev Opens every Locked step whose prerequisites are all approved, telling each owner.
    function _openReadySteps(
        uint256 applicationId,
        ApplicationRecord storage application,
        TemplateRecord storage template
    ) internal {
        uint256 approved = application.approved;
        uint256 open = application.open;
        uint256 unlocked = approved | open | application.rejected;
        uint256 prerequisites = template.prerequisites;
        uint256 count = template.stepCount;
        uint256 opened;
        for (uint256 i; i < count; ++i) {
            if ((unlocked >> i) & 1 != 0) continue;
            uint256 required = (prerequisites >> (16 * i)) & 0xffff;
            if (required & approved == required) {
                opened |= uint256(1) << i;
                // Cannot truncate: i < 16.
                emit StepOpened(applicationId, template.departments[i], uint8(i));
            }
        }
        // Cannot truncate: both masks hold bits below MAX_STEPS.
        if (opened != 0) application.open = uint16(open | opened);
    }

    /// @dev The application in progress, its template and the caller's department, which must
    /// own `step`, an open step.
    function _asStepOwner(
        uint256 applicationId,
        uint8 step
    )
        internal
        view
        returns (ApplicationRecord storage application, TemplateRecord storage template, bytes32 department)
    {
        department = _callerDepartment();
        application = _inProgress(applicationId);
        template = _templates[application.templateId];
        StepState state = _stepState(applicationId, application, template, step);
        if (template.departments[step] != department) revert JointApprovalNotStepOwner(applicationId, step, department);
        if (state != StepState.Open) revert JointApprovalUnexpectedStepState(applicationId, step, state);
    }

    function _stepState(
        uint256 applicationId,
        ApplicationRecord storage application,
        TemplateRecord storage template,
        uint8 step
    ) internal view returns (StepState) {
        if (step >= template.stepCount) revert JointApprovalUnknownStep(applicationId, step);
        uint256 bit = uint256(1) << step;
        if (application.approved & bit != 0) return StepState.Approved;
        if (application.open & bit != 0) return StepState.Open;
        if (application.rejected & bit != 0) return StepState.Rejected;
        return StepState.Locked;
    }

    function _template(bytes32 templateId) internal view returns (TemplateRecord storage template) {
        template = _templates[templateId];
        if (template.stepCount == 0) revert JointApprovalUnknownTemplate(templateId);
    }

    function _application(uint256 applicationId) internal view returns (ApplicationRecord storage application) {
        application = _applications[applicationId];
        if (application.status == ApplicationStatus.None) revert JointApprovalUnknownApplication(applicationId);
    }

    function _inProgress(uint256 applicationId) internal view returns (ApplicationRecord storage application) {
        application = _application(applicationId);
        if (application.status != ApplicationStatus.InProgress) {
            revert JointApprovalUnexpectedStatus(applicationId, application.status);
        }
    }

    /// @dev The id of the licence an application gets: unique per chain, contract and application.
    function _licenceIdOf(uint256 applicationId) internal view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), applicationId));
    }
}
