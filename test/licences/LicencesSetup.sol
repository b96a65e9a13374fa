// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {ConsortiumRegistry} from "../../contracts/governance/ConsortiumRegistry.sol";
import {Roles} from "../../contracts/governance/Roles.sol";
import {IConsortiumRegistry} from "../../contracts/interfaces/IConsortiumRegistry.sol";
import {JointApprovals} from "../../contracts/licences/JointApprovals.sol";
import {LicenceRegistry} from "../../contracts/licences/LicenceRegistry.sol";
import {TestBase} from "../utils/TestBase.sol";

/**
 * @dev The licence contracts wired as deploy/modules/licences.ts wires them, on a real registry
 * and AccessManager: this test contract is the AccessManager admin (governance), four departments
 * with one operator each. SAMR issues both types, FIRE the consent type; SAMR, FIRE and CONS use.
 */
abstract contract LicencesSetup is TestBase {
    bytes32 internal constant SAMR = "SAMR";
    bytes32 internal constant FIRE = "FIRE";
    bytes32 internal constant CONS = "CONS";
    bytes32 internal constant TAX = "TAX";
    address internal constant SAMR_OPERATOR = address(0x5A3);
    address internal constant FIRE_OPERATOR = address(0xF12E);
    address internal constant CONS_OPERATOR = address(0xC025);
    address internal constant TAX_OPERATOR = address(0x7A8);

    /// @dev Use needs no consent.
    bytes32 internal constant OPEN_TYPE = "BUSINESS_REGISTRATION";
    /// @dev Use needs the holder's consent.
    bytes32 internal constant CONSENT_TYPE = "FOOD_BUSINESS";

    uint256 internal constant START = 1_700_000_000;

    AccessManager internal manager;
    ConsortiumRegistry internal registry;
    LicenceRegistry internal licences;
    JointApprovals internal approvals;

    function _deployLicences() internal {
        vm.warp(START);
        manager = new AccessManager(address(this));
        registry = new ConsortiumRegistry(address(manager));
        manager.grantRole(Roles.ADMIN, address(registry), 0);
        _admit(SAMR, SAMR_OPERATOR, true, true);
        _admit(FIRE, FIRE_OPERATOR, true, true);
        _admit(CONS, CONS_OPERATOR, false, true);
        _admit(TAX, TAX_OPERATOR, false, false);

        licences = new LicenceRegistry(address(manager), IConsortiumRegistry(address(registry)));
        approvals = new JointApprovals(address(manager), IConsortiumRegistry(address(registry)), licences);

        bytes4[] memory authority = new bytes4[](5);
        authority[0] = LicenceRegistry.issue.selector;
        authority[1] = LicenceRegistry.renew.selector;
        authority[2] = LicenceRegistry.suspend.selector;
        authority[3] = LicenceRegistry.reinstate.selector;
        authority[4] = LicenceRegistry.revoke.selector;
        manager.setTargetFunctionRole(address(licences), authority, Roles.LICENCE_AUTHORITY);
        bytes4[] memory user = new bytes4[](2);
        user[0] = LicenceRegistry.use.selector;
        user[1] = LicenceRegistry.grantConsentBySig.selector;
        manager.setTargetFunctionRole(address(licences), user, Roles.LICENCE_USER);
        bytes4[] memory holder = new bytes4[](3);
        holder[0] = LicenceRegistry.grantConsent.selector;
        holder[1] = LicenceRegistry.withdrawConsent.selector;
        holder[2] = LicenceRegistry.cancelSignedConsents.selector;
        manager.setTargetFunctionRole(address(licences), holder, Roles.PUBLIC);
        bytes4[] memory workflow = new bytes4[](1);
        workflow[0] = LicenceRegistry.issueFromWorkflow.selector;
        manager.setTargetFunctionRole(address(licences), workflow, Roles.LICENCE_WORKFLOW);
        manager.grantRole(Roles.LICENCE_WORKFLOW, address(approvals), 0);
        bytes4[] memory open = new bytes4[](5);
        open[0] = JointApprovals.submitApplication.selector;
        open[1] = JointApprovals.resubmitStep.selector;
        open[2] = JointApprovals.withdrawApplication.selector;
        open[3] = JointApprovals.approveStep.selector;
        open[4] = JointApprovals.rejectStep.selector;
        manager.setTargetFunctionRole(address(approvals), open, Roles.PUBLIC);

        licences.setLicenceType(OPEN_TYPE, 365 days, false);
        licences.setLicenceType(CONSENT_TYPE, 365 days, true);
        licences.setTrustedIssuer(OPEN_TYPE, SAMR, true);
        licences.setTrustedIssuer(CONSENT_TYPE, SAMR, true);
        licences.setTrustedIssuer(CONSENT_TYPE, FIRE, true);
    }

    function _admit(bytes32 departmentId, address operator, bool issues, bool uses) private {
        address[] memory operators = new address[](1);
        operators[0] = operator;
        registry.admitDepartment(departmentId, "", IConsortiumRegistry.DepartmentKind.Other, operators);
        if (issues) registry.grantDepartmentRole(departmentId, Roles.LICENCE_AUTHORITY);
        if (uses) registry.grantDepartmentRole(departmentId, Roles.LICENCE_USER);
    }
}
