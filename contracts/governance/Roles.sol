// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title Roles
 * @notice The consortium's AccessManager role ids, in one place so contracts, deploy modules and
 * the indexer agree on them. Which role may call which function is NOT decided here: the deploy
 * modules configure it in the AccessManager, and governance can change it by vote.
 *
 * Ranges: 1-99 are department roles, granted by a vote of the consortium to every operator
 * account of a department; 100-199 are participant roles (enterprises and organisations), granted
 * by the department that governance made the role's administrator, without a vote.
 */
library Roles {
    /// @dev AccessManager.ADMIN_ROLE. Held only by the governance contracts, never by an account.
    uint64 internal constant ADMIN = 0;

    // ---- department roles ----------------------------------------------------------------------
    /// @dev May pause domain contracts at once in an emergency (unpausing takes a vote).
    uint64 internal constant GUARDIAN = 1;
    uint64 internal constant TAX_AUTHORITY = 10;
    uint64 internal constant LICENCE_AUTHORITY = 20;
    /// @dev Departments that record uses of licences (verification for a stated purpose).
    uint64 internal constant LICENCE_USER = 21;
    /// @dev Held by the JointApprovals contract alone (granted at deployment), never by a
    /// department: issues the licence that completes a joint application in the template's
    /// issuer's name.
    uint64 internal constant LICENCE_WORKFLOW = 22;
    uint64 internal constant MARKET_REGULATOR = 30;
    uint64 internal constant CONSTRUCTION_BUREAU = 40;
    /// @dev Freezes and closes construction projects.
    uint64 internal constant PROJECT_REGULATOR = 41;
    uint64 internal constant BANK = 50;
    uint64 internal constant HUMAN_RESOURCES = 60;
    uint64 internal constant AUDITOR = 70;

    // ---- participant roles ---------------------------------------------------------------------
    uint64 internal constant INVOICE_ISSUER = 100;
    /// @dev A company that receives invoices for reimbursement (locks and reimburses them).
    uint64 internal constant INVOICE_RECEIVER = 101;
    uint64 internal constant DEVELOPER = 110;
    uint64 internal constant CONTRACTOR = 111;
    uint64 internal constant SUPERVISOR = 112;
    uint64 internal constant SUBCONTRACTOR = 113;

    /// @dev AccessManager.PUBLIC_ROLE.
    uint64 internal constant PUBLIC = type(uint64).max;
}
