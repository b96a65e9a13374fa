// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @dev Test harness for the escrow: a plain ERC-20 anyone may mint, which can be told to take a
/// fee on transfers (to show the escrow rejects such tokens) or to call back into a contract
/// during its next transfer (to show the escrow's reentrancy guard). Never deployed outside tests.
contract EscrowTestToken is ERC20 {
    uint256 public feeBps;
    address private _hookTarget;
    bytes private _hookData;

    error HookFailed(bytes reason);

    constructor() ERC20("Escrow Test Token", "ETT") {}

    function mint(address account, uint256 amount) external {
        _mint(account, amount);
    }

    function setFee(uint256 bps) external {
        feeBps = bps;
    }

    /// @dev The next transfer calls `target` with `data`; a revert comes back as HookFailed(reason).
    function setHook(address target, bytes calldata data) external {
        _hookTarget = target;
        _hookData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (feeBps != 0 && from != address(0) && to != address(0)) {
            uint256 fee = (value * feeBps) / 10_000;
            super._update(from, address(0xFEE), fee);
            value -= fee;
        }
        super._update(from, to, value);
        address target = _hookTarget;
        if (target != address(0)) {
            delete _hookTarget;
            // solhint-disable-next-line avoid-low-level-calls
            (bool success, bytes memory returned) = target.call(_hookData);
            if (!success) revert HookFailed(returned);
        }
    }
}
