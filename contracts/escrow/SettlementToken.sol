// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {ConsortiumManaged} from "../governance/ConsortiumManaged.sol";
import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";

/**
 * @title SettlementToken
 * @notice Bank deposits as an ERC-20 with EIP-2612 permits: minted on deposit and burned on
 * withdrawal by bank departments, paused with the rest of the consortium's domain contracts.
 * @dev Every balance change goes through ERC20 `_update` and every allowance change through
 * `_approve`; both are stopped while paused, so a pause freezes transfers, mints, burns, approvals
 * and permits alike. `mint` and `burnFrom` are wired to the BANK role in the AccessManager;
 * `transferBatch` moves only the caller's own tokens and needs no role.
 */
contract SettlementToken is ISettlementToken, ERC20Permit, ConsortiumManaged {
    /// @notice Most recipients one `transferBatch` may pay (bounds its gas).
    uint256 public constant MAX_BATCH = 1_000;

    /**
     * @param authority the consortium's AccessManager
     * @param registry_ the consortium's registry (attributes mints and burns to bank departments)
     * @param name_ the token's name, also its EIP-712 domain name
     * @param symbol_ the token's symbol
     */
    constructor(
        address authority,
        IConsortiumRegistry registry_,
        string memory name_,
        string memory symbol_
    ) ERC20(name_, symbol_) ERC20Permit(name_) ConsortiumManaged(authority, registry_) {}

    /// @inheritdoc ISettlementToken
    function mint(address account, uint256 amount) external restricted whenNotPaused {
        bytes32 departmentId = _callerDepartment();
        _mint(account, amount);
        emit DepositMinted(departmentId, account, amount);
    }

    /// @inheritdoc ISettlementToken
    function burnFrom(address account, uint256 amount) external restricted whenNotPaused {
        bytes32 departmentId = _callerDepartment();
        _spendAllowance(account, msg.sender, amount);
        _burn(account, amount);
        emit DepositBurned(departmentId, account, amount);
    }

    /// @inheritdoc ISettlementToken
    function transferBatch(
        address[] calldata recipients,
        uint256[] calldata values
    ) external whenNotPaused returns (bool) {
        uint256 count = recipients.length;
        if (count == 0 || count != values.length || count > MAX_BATCH) {
            revert SettlementTokenInvalidBatch(count, values.length);
        }
        for (uint256 i; i < count; ++i) {
            _transfer(msg.sender, recipients[i], values[i]);
        }
        return true;
    }

    /// @dev The one function every balance change goes through; stopped while paused.
    function _update(address from, address to, uint256 value) internal override whenNotPaused {
        super._update(from, to, value);
    }

    /// @dev The one function every allowance change goes through (approve, permit, spending);
    /// stopped while paused.
    function _approve(
        address owner,
        address spender,
        uint256 value,
        bool emitEvent
    ) internal override whenNotPaused {
        super._approve(owner, spender, value, emitEvent);
    }
}
