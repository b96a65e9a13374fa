// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IJointApprovals} from "../../contracts/interfaces/IJointApprovals.sol";
import {ILicenceRegistry} from "../../contracts/interfaces/ILicenceRegistry.sol";
import {JointApprovals} from "../../contracts/licences/JointApprovals.sol";
import {Vm} from "../utils/TestBase.sol";
import {LicencesSetup} from "./LicencesSetup.sol";

/// @dev Builds pseudo-random DAG templates: step i depends on a random subset of steps before it.
library RandomTemplates {
    function build(uint256 seed, uint256 count, bytes32[4] memory departments)
        internal
        pure
        returns (IJointApprovals.Step[] memory steps, uint8 licenceStep)
    {
        steps = new IJointApprovals.Step[](count);
        licenceStep = uint8(uint256(keccak256(abi.encode(seed, "licence"))) % count);
        for (uint256 i; i < count; ++i) {
            uint256 random = uint256(keccak256(abi.encode(seed, i)));
            // Keep about a third of the earlier steps as prerequisites.
            uint256 mask;
            for (uint256 j; j < i; ++j) {
                if ((random >> (8 + j)) % 3 == 0) mask |= 1 << j;
            }
            steps[i] = IJointApprovals.Step({
                code: bytes32(uint256(0x5000 + i)),
                departmentId: i == licenceStep ? departments[0] : departments[random % 4],
                prerequisites: uint16(mask)
            });
        }
    }
}

/**
 * @dev Drives applications as applicants and departments would: submissions, approvals,
 * rejections and resubmissions of arbitrary steps (often locked or settled ones, which must be
 * refused). Checks after every call that no step left Locked before its prerequisites were
 * approved, and that no approval of a step that was not open went through.
 */
contract ApplicationHandler {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    address private constant APPLICANT = address(0xA991);

    /// @dev The operations whose successful calls are counted (see the invariant test).
    enum Op {
        Submit,
        Approve,
        Reject,
        Resubmit,
        Withdraw
    }
    uint256 public constant OP_COUNT = uint256(type(Op).max) + 1;

    JointApprovals public immutable approvals;
    bytes32[] private _templates;
    mapping(bytes32 departmentId => address) private _operators;
    uint256 public applications;
    uint256 public violations;
    uint256 public approvalsRecorded;
    mapping(uint256 op => uint256 count) public successes;

    constructor(JointApprovals approvals_, bytes32[] memory templates, bytes32[4] memory departments, address[4] memory operators) {
        approvals = approvals_;
        _templates = templates;
        for (uint256 i; i < 4; ++i) _operators[departments[i]] = operators[i];
    }

    function submit(uint256 seed) public {
        vm.prank(APPLICANT);
        try approvals.submitApplication(_templates[seed % _templates.length], keccak256("dossier"), new bytes32[](0)) {
            ++applications;
            ++successes[uint256(Op.Submit)];
            _check(applications);
        } catch {}
    }

    function approve(uint256 seed, uint8 step, bool asOwner) external {
        if (applications == 0) return submit(seed);
        uint256 applicationId = 1 + (seed % applications);
        IJointApprovals.Template memory template = approvals.getTemplate(approvals.getApplication(applicationId).templateId);
        step = uint8(step % template.steps.length);
        bool wasOpen = approvals.stepState(applicationId, step) == IJointApprovals.StepState.Open;
        vm.prank(asOwner ? _operators[template.steps[step].departmentId] : _operators[bytes32("TAX")]);
        try approvals.approveStep(applicationId, step, keccak256(abi.encode("result", step))) {
            ++approvalsRecorded;
            ++successes[uint256(Op.Approve)];
            if (!wasOpen) ++violations;
        } catch {}
        _check(applicationId);
    }

    /// @dev Approves every open step of an application as its owner: moves applications along so
    /// that runs reach completion.
    function advance(uint256 seed) external {
        if (applications == 0) return submit(seed);
        uint256 applicationId = 1 + (seed % applications);
        IJointApprovals.Application memory application = approvals.getApplication(applicationId);
        if (application.status != IJointApprovals.ApplicationStatus.InProgress) return;
        IJointApprovals.Step[] memory steps = approvals.getTemplate(application.templateId).steps;
        for (uint256 i; i < steps.length; ++i) {
            if ((application.open >> i) & 1 == 0) continue;
            vm.prank(_operators[steps[i].departmentId]);
            approvals.approveStep(applicationId, uint8(i), keccak256(abi.encode("result", i)));
            ++approvalsRecorded;
            ++successes[uint256(Op.Approve)];
        }
        _check(applicationId);
    }

    function reject(uint256 seed, uint8 step) external {
        if (applications == 0) return submit(seed);
        uint256 applicationId = 1 + (seed % applications);
        IJointApprovals.Template memory template = approvals.getTemplate(approvals.getApplication(applicationId).templateId);
        step = uint8(step % template.steps.length);
        vm.prank(_operators[template.steps[step].departmentId]);
        try approvals.rejectStep(applicationId, step, "REASON") {
            ++successes[uint256(Op.Reject)];
        } catch {}
        _check(applicationId);
    }

    function resubmit(uint256 seed, uint8 step) external {
        if (applications == 0) return submit(seed);
        uint256 applicationId = 1 + (seed % applications);
        // Mostly a step that is rejected, so that resubmissions happen.
        uint256 rejected = approvals.getApplication(applicationId).rejected;
        for (uint256 i; i < 16 && rejected != 0; ++i) {
            if ((rejected >> ((step + i) % 16)) & 1 == 1 && seed % 4 != 0) {
                step = uint8((step + i) % 16);
                break;
            }
        }
        vm.prank(APPLICANT);
        try approvals.resubmitStep(applicationId, uint8(step % 16), keccak256("corrected")) {
            ++successes[uint256(Op.Resubmit)];
        } catch {}
        _check(applicationId);
    }

    /// @dev Now and then the applicant gives up (or a stranger tries to, which must fail).
    function withdraw(uint256 seed, bool asStranger) external {
        if (applications == 0) return submit(seed);
        uint256 applicationId = 1 + (seed % applications);
        if (seed % 4 != 0) return;
        vm.prank(asStranger ? address(0x5742) : APPLICANT);
        try approvals.withdrawApplication(applicationId) {
            ++successes[uint256(Op.Withdraw)];
            if (asStranger) ++violations;
        } catch {}
    }

    /// @dev Every step that is not Locked has all its prerequisites approved.
    function _check(uint256 applicationId) private {
        if (!stepsRespectPrerequisites(applicationId)) ++violations;
    }

    function stepsRespectPrerequisites(uint256 applicationId) public view returns (bool) {
        IJointApprovals.Application memory application = approvals.getApplication(applicationId);
        IJointApprovals.Step[] memory steps = approvals.getTemplate(application.templateId).steps;
        uint256 unlocked = uint256(application.approved) | application.open | application.rejected;
        for (uint256 i; i < steps.length; ++i) {
            uint256 required = steps[i].prerequisites;
            if ((unlocked >> i) & 1 == 1 && (required & application.approved) != required) return false;
        }
        return true;
    }
}

contract JointApprovalsInvariantTest is LicencesSetup {
    ApplicationHandler internal handler;

    function setUp() public {
        _deployLicences();
        bytes32[4] memory departments = [SAMR, FIRE, CONS, TAX];
        address[4] memory operators = [SAMR_OPERATOR, FIRE_OPERATOR, CONS_OPERATOR, TAX_OPERATOR];
        bytes32[] memory templates = new bytes32[](3);
        uint256[3] memory sizes = [uint256(4), 8, 16];
        for (uint256 i; i < 3; ++i) {
            templates[i] = bytes32(uint256(0x7E0 + i));
            (IJointApprovals.Step[] memory steps, uint8 licenceStep) = RandomTemplates.build(i, sizes[i], departments);
            approvals.defineTemplate(templates[i], CONSENT_TYPE, SAMR, licenceStep, steps);
        }
        handler = new ApplicationHandler(approvals, templates, departments, operators);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = handler.submit.selector;
        selectors[1] = handler.approve.selector;
        selectors[2] = handler.advance.selector;
        selectors[3] = handler.reject.selector;
        selectors[4] = handler.resubmit.selector;
        selectors[5] = handler.withdraw.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev The handler can succeed at every operation it drives (a fixed pseudo-random sequence);
    /// one whose calls all revert would leave the invariants checking nothing.
    function test_handlerSucceedsAtEveryOperation() public {
        for (uint256 i; i < 300; ++i) {
            uint256 seed = uint256(keccak256(abi.encode("handler coverage", i)));
            uint256 action = seed % 6;
            if (action == 0) handler.submit(seed >> 8);
            else if (action == 1) handler.approve(seed >> 8, uint8(seed >> 16), (seed >> 24) % 2 == 0);
            else if (action == 2) handler.advance(seed >> 8);
            else if (action == 3) handler.reject(seed >> 8, uint8(seed >> 16));
            else if (action == 4) handler.resubmit(seed >> 8, uint8(seed >> 16));
            else handler.withdraw(seed >> 8, (seed >> 24) % 2 == 0);
        }
        for (uint256 op; op < handler.OP_COUNT(); ++op) {
            assertTrue(handler.successes(op) > 0, string.concat("operation never succeeded: ", vm.toString(op)));
        }
    }

    /// @dev Every run got somewhere: the first call always submits an application.
    function afterInvariant() public view {
        assertTrue(handler.successes(uint256(ApplicationHandler.Op.Submit)) > 0, "no application submitted in this run");
    }

    /// @dev A step never opens (nor gets approved or rejected) before its prerequisites are approved.
    function invariant_stepNeverOpensBeforePrerequisites() public view {
        assertEq(handler.violations(), 0, "a step opened or was approved out of order");
        for (uint256 id = 1; id <= handler.applications(); ++id) {
            assertTrue(handler.stepsRespectPrerequisites(id), "a step is unlocked with an unapproved prerequisite");
        }
    }

    /// @dev An application is Completed exactly when every step is approved, and then its licence exists.
    function invariant_completedIssuesLicence() public view {
        for (uint256 id = 1; id <= handler.applications(); ++id) {
            IJointApprovals.Application memory application = approvals.getApplication(id);
            uint256 all = (1 << approvals.getTemplate(application.templateId).steps.length) - 1;
            bool completed = application.status == IJointApprovals.ApplicationStatus.Completed;
            assertTrue(completed == (application.approved == all), "completion and approvals disagree");
            if (completed) assertTrue(licences.isValid(application.licenceId), "completed without a valid licence");
        }
    }
}

contract JointApprovalsFuzzTest is LicencesSetup {
    address internal constant APPLICANT = address(0xA991);

    function setUp() public {
        _deployLicences();
    }

    /**
     * @dev On a random DAG, approving open steps in a random order: a step is open exactly when
     * all its prerequisites are approved and it is not yet approved; the licence is issued with
     * the last approval, whichever step that is.
     */
    function testFuzz_randomDagOpensStepsInOrder(uint256 seed, uint8 size) public {
        bytes32[4] memory departments = [SAMR, FIRE, CONS, TAX];
        uint256 count = bound(size, 1, 16);
        (IJointApprovals.Step[] memory steps, uint8 licenceStep) = RandomTemplates.build(seed, count, departments);
        approvals.defineTemplate("RANDOM", CONSENT_TYPE, SAMR, licenceStep, steps);
        vm.prank(APPLICANT);
        uint256 applicationId = approvals.submitApplication("RANDOM", keccak256("dossier"), new bytes32[](0));

        uint256 approved;
        for (uint256 round; round < count; ++round) {
            // Open exactly the unapproved steps whose prerequisites are all approved.
            uint256 open;
            for (uint256 i; i < count; ++i) {
                bool ready = (approved >> i) & 1 == 0 && (steps[i].prerequisites & approved) == steps[i].prerequisites;
                if (ready) open |= 1 << i;
                IJointApprovals.StepState expected = (approved >> i) & 1 == 1
                    ? IJointApprovals.StepState.Approved
                    : ready
                        ? IJointApprovals.StepState.Open
                        : IJointApprovals.StepState.Locked;
                assertTrue(approvals.stepState(applicationId, uint8(i)) == expected, "step state");
            }
            assertTrue(open != 0, "a DAG always has an open step until it is done");
            // Approve a random open step.
            uint256 pick = uint256(keccak256(abi.encode(seed, "pick", round))) % 16;
            while ((open >> pick) & 1 == 0) pick = (pick + 1) % 16;
            vm.prank(_operator(steps[pick].departmentId));
            approvals.approveStep(applicationId, uint8(pick), keccak256(abi.encode("result", pick)));
            approved |= 1 << pick;
        }

        IJointApprovals.Application memory application = approvals.getApplication(applicationId);
        assertTrue(application.status == IJointApprovals.ApplicationStatus.Completed, "completed");
        ILicenceRegistry.Licence memory licence = licences.getLicence(application.licenceId);
        assertEq(licence.holder, APPLICANT, "holder");
        assertEq(licence.issuer, SAMR, "issuer");
        assertEq(licence.documentHash, keccak256(abi.encode("result", uint256(licenceStep))), "licence document");
    }

    /// @dev A rejected step can be resubmitted and approved; its dependants wait for that approval.
    function testFuzz_rejectAndResubmit(uint8 rejections) public {
        IJointApprovals.Step[] memory steps = new IJointApprovals.Step[](2);
        steps[0] = IJointApprovals.Step("CHECK", FIRE, 0);
        steps[1] = IJointApprovals.Step("REVIEW", SAMR, 1);
        approvals.defineTemplate("TWO", CONSENT_TYPE, SAMR, 1, steps);
        vm.prank(APPLICANT);
        uint256 applicationId = approvals.submitApplication("TWO", keccak256("dossier"), new bytes32[](0));
        for (uint256 i; i < bound(rejections, 1, 20); ++i) {
            vm.prank(FIRE_OPERATOR);
            approvals.rejectStep(applicationId, 0, "MISSING");
            assertTrue(approvals.stepState(applicationId, 1) == IJointApprovals.StepState.Locked, "review locked");
            vm.prank(APPLICANT);
            approvals.resubmitStep(applicationId, 0, keccak256(abi.encode("corrected", i)));
        }
        vm.prank(FIRE_OPERATOR);
        approvals.approveStep(applicationId, 0, "OK");
        assertTrue(approvals.stepState(applicationId, 1) == IJointApprovals.StepState.Open, "review open");
    }

    function _operator(bytes32 departmentId) private pure returns (address) {
        if (departmentId == SAMR) return SAMR_OPERATOR;
        if (departmentId == FIRE) return FIRE_OPERATOR;
        if (departmentId == CONS) return CONS_OPERATOR;
        return TAX_OPERATOR;
    }
}
