// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/**
 * @title ISettlementToken
 * @notice An ERC-20 that stands for bank deposits on the consortium chain: a bank department mints
 * it when money is deposited at the bank and burns it when money is withdrawn, so that every token
 * in circulation is backed by a deposit. Transfers, approvals and EIP-2612 permits work as for any
 * ERC-20; the whole token stops while the consortium's guardian has it paused.
 */
interface ISettlementToken is IERC20 {
    /// @notice `departmentId` (a bank) minted `amount` to `account` against a deposit.
    event DepositMinted(bytes32 indexed departmentId, address indexed account, uint256 amount);
    /// @notice `departmentId` (a bank) burned `amount` of `account`'s tokens on a withdrawal.
    event DepositBurned(bytes32 indexed departmentId, address indexed account, uint256 amount);

    /// @notice A batch transfer's lists differ in length, are empty, or are longer than MAX_BATCH.
    error SettlementTokenInvalidBatch(uint256 recipients, uint256 values);

    /**
     * @notice Mints `amount` to `account` for money deposited at the caller's bank. Bank role.
     * @param account who deposited
     * @param amount the deposit, in token units
     */
    function mint(address account, uint256 amount) external;

    /**
     * @notice Burns `amount` of `account`'s tokens for money withdrawn at the caller's bank. Bank
     * role; spends the allowance `account` gave the calling bank operator, so that no bank can
     * burn what its holder did not hand over.
     * @param account who withdraws
     * @param amount the withdrawal, in token units
     */
    function burnFrom(address account, uint256 amount) external;

    /**
     * @notice Transfers the caller's tokens to many recipients in one call, with one `Transfer`
     * event each: what the escrow pays a payroll with. Anyone may call it for their own tokens.
     * @param recipients who receives (the same account may appear more than once)
     * @param values how much each receives
     * @return always true (reverts on failure), as `transfer` does
     */
    function transferBatch(address[] calldata recipients, uint256[] calldata values) external returns (bool);
}
