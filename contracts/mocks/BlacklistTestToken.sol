// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @dev Test harness for the escrow: a plain ERC-20 anyone may mint whose transfers to or from a
/// blacklisted account revert, as USDC's do. Shows that one worker the token refuses cannot lock
/// a project's money. Never deployed outside tests.
contract BlacklistTestToken is ERC20 {
    mapping(address account => bool) public blacklisted;

    error BlacklistedAccount(address account);

    constructor() ERC20("Blacklist Test Token", "BTT") {}

    function mint(address account, uint256 amount) external {
        _mint(account, amount);
    }

    function setBlacklisted(address account, bool value) external {
        blacklisted[account] = value;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blacklisted[from]) revert BlacklistedAccount(from);
        if (blacklisted[to]) revert BlacklistedAccount(to);
        super._update(from, to, value);
    }
}
