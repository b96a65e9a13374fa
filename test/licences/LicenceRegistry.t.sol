// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {ILicenceRegistry} from "../../contracts/interfaces/ILicenceRegistry.sol";
import {LicenceRegistry} from "../../contracts/licences/LicenceRegistry.sol";
import {Vm} from "../utils/TestBase.sol";
import {LicencesSetup} from "./LicencesSetup.sol";

/// @dev Signs consents as a holder's wallet would (EIP-712 over the registry's domain).
library ConsentSigning {
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    function digest(
        LicenceRegistry licences,
        bytes32 licenceId,
        bytes32 departmentId,
        bytes32 purpose,
        uint64 until,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("GovledgerLicences"),
                keccak256("1"),
                block.chainid,
                address(licences)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(licences.CONSENT_TYPEHASH(), licenceId, departmentId, purpose, until, nonce, deadline)
        );
        return MessageHashUtils.toTypedDataHash(domain, structHash);
    }

    function sign(Vm vm, uint256 privateKey, bytes32 hash) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, hash);
        return abi.encodePacked(r, s, v);
    }
}

/**
 * @dev Drives the licence registry as departments and holders would, with arbitrary arguments,
 * many of which must be rejected. Keeps ghost records of revocations and checks every use it
 * manages to record against the consent state at that moment.
 */
contract LicenceHandler {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev The operations whose successful calls are counted (see the invariant test).
    enum Op {
        Issue,
        Suspend,
        Reinstate,
        Renew,
        Revoke,
        GrantConsent,
        GrantConsentBySig,
        WithdrawConsent,
        CancelSignedConsents,
        Use
    }
    uint256 public constant OP_COUNT = uint256(type(Op).max) + 1;

    LicenceRegistry public immutable licences;
    mapping(uint256 op => uint256 count) public successes;
    bytes32[] public ids;
    mapping(bytes32 licenceId => uint256) public revokedAt;
    bytes32[] public revoked;
    uint256 public uses;
    uint256 public usesWithoutConsent;
    uint256 public resurrections;
    uint256 public cancelledConsentsAccepted;

    uint256[3] private _holderKeys = [uint256(0xA11CE), uint256(0xB0B), uint256(0xCA11)];
    bytes32[3] private _departments = [bytes32("SAMR"), bytes32("FIRE"), bytes32("CONS")];
    address[3] private _operators = [address(0x5A3), address(0xF12E), address(0xC025)];
    bytes32[2] private _purposes = [bytes32("INSPECTION"), bytes32("PERMIT")];

    constructor(LicenceRegistry licences_) {
        licences = licences_;
    }

    function issue(uint256 seed, uint256 validity, bool consentType, bool withDependency) public {
        bytes32 issuerReference = keccak256(abi.encode("licence", ids.length));
        address holder = vm.addr(_holderKeys[seed % 3]);
        bytes32 typeId = consentType ? bytes32("FOOD_BUSINESS") : bytes32("BUSINESS_REGISTRATION");
        address issuer = consentType && seed % 2 == 1 ? _operators[1] : _operators[0];
        bytes32[] memory dependsOn = new bytes32[](withDependency && ids.length != 0 ? 1 : 0);
        if (dependsOn.length != 0) dependsOn[0] = ids[seed % ids.length];
        uint64 until = uint64(block.timestamp + 1 + (validity % 400 days));
        vm.prank(issuer);
        try licences.issue(issuerReference, typeId, holder, keccak256("doc"), 0, until, dependsOn) returns (
            bytes32 licenceId
        ) {
            ++successes[uint256(Op.Issue)];
            ids.push(licenceId);
        } catch {}
    }

    function suspend(uint256 seed) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        vm.prank(_issuerOf(licenceId));
        try licences.suspend(licenceId, "REASON") {
            ++successes[uint256(Op.Suspend)];
        } catch {}
    }

    function reinstate(uint256 seed) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        vm.prank(_issuerOf(licenceId));
        try licences.reinstate(licenceId) {
            ++successes[uint256(Op.Reinstate)];
            if (revokedAt[licenceId] != 0) ++resurrections;
        } catch {}
    }

    function renew(uint256 seed, uint256 validity) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        vm.prank(_issuerOf(licenceId));
        uint64 until = uint64(block.timestamp + 1 + (validity % 400 days));
        try licences.renew(licenceId, keccak256(abi.encode("doc", seed)), until) {
            ++successes[uint256(Op.Renew)];
            if (revokedAt[licenceId] != 0) ++resurrections;
        } catch {}
    }

    function revoke(uint256 seed) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        vm.prank(_issuerOf(licenceId));
        try licences.revoke(licenceId, "REASON") {
            ++successes[uint256(Op.Revoke)];
            revokedAt[licenceId] = block.timestamp;
            revoked.push(licenceId);
        } catch {}
    }

    function grantConsent(uint256 seed, uint256 department, uint256 purpose, uint256 duration) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        vm.prank(licences.getLicence(licenceId).holder);
        try
            licences.grantConsent(
                licenceId,
                _departments[department % 3],
                _purposes[purpose % 2],
                uint64(block.timestamp + 1 + (duration % 60 days))
            )
        {
            ++successes[uint256(Op.GrantConsent)];
        } catch {}
    }

    function grantConsentBySig(uint256 seed, uint256 department, uint256 purpose, uint256 duration) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        address holder = licences.getLicence(licenceId).holder;
        uint256 key;
        for (uint256 i; i < 3; ++i) if (vm.addr(_holderKeys[i]) == holder) key = _holderKeys[i];
        uint64 until = uint64(block.timestamp + 1 + (duration % 60 days));
        uint256 nonce = licences.nonces(holder);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 departmentId = _departments[department % 3];
        bytes32 hash = ConsentSigning.digest(
            licences,
            licenceId,
            departmentId,
            _purposes[purpose % 2],
            until,
            nonce,
            deadline
        );
        bytes memory signature = ConsentSigning.sign(vm, key, hash);
        vm.prank(_operators[department % 3]);
        try licences.grantConsentBySig(licenceId, _purposes[purpose % 2], until, nonce, deadline, signature) {
            ++successes[uint256(Op.GrantConsentBySig)];
        } catch {}
    }

    function withdrawConsent(uint256 seed, uint256 department, uint256 purpose) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        vm.prank(licences.getLicence(licenceId).holder);
        try licences.withdrawConsent(licenceId, _departments[department % 3], _purposes[purpose % 2]) {
            ++successes[uint256(Op.WithdrawConsent)];
        } catch {}
    }

    /// @dev A holder takes back the consents it signed: a signature of the nonce it used up must
    /// never be accepted afterwards.
    function cancelSignedConsents(uint256 seed, uint256 department) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        address holder = licences.getLicence(licenceId).holder;
        uint256 key;
        for (uint256 i; i < 3; ++i) if (vm.addr(_holderKeys[i]) == holder) key = _holderKeys[i];
        uint256 nonce = licences.nonces(holder);
        uint64 until = uint64(block.timestamp + 1 days);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 departmentId = _departments[department % 3];
        bytes memory signature = ConsentSigning.sign(
            vm,
            key,
            ConsentSigning.digest(licences, licenceId, departmentId, _purposes[0], until, nonce, deadline)
        );
        vm.prank(holder);
        try licences.cancelSignedConsents() {
            ++successes[uint256(Op.CancelSignedConsents)];
        } catch {}
        vm.prank(_operators[department % 3]);
        try licences.grantConsentBySig(licenceId, _purposes[0], until, nonce, deadline, signature) {
            ++cancelledConsentsAccepted;
        } catch {}
    }

    function use(uint256 seed, uint256 department, uint256 purpose) external {
        if (ids.length == 0) return issue(seed, seed >> 8, seed % 2 == 0, false);
        bytes32 licenceId = ids[seed % ids.length];
        bytes32 departmentId = _departments[department % 3];
        bytes32 purposeId = _purposes[purpose % 2];
        bool required = licences.licenceType(licences.getLicence(licenceId).typeId).consentRequired;
        bool live = licences.hasConsent(licenceId, departmentId, purposeId);
        vm.prank(_operators[department % 3]);
        try licences.use(licenceId, purposeId) {
            ++successes[uint256(Op.Use)];
            ++uses;
            if (required && !live) ++usesWithoutConsent;
            if (revokedAt[licenceId] != 0) ++resurrections;
        } catch {}
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + 1 + (seconds_ % 90 days));
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function revokedCount() external view returns (uint256) {
        return revoked.length;
    }

    function _issuerOf(bytes32 licenceId) private view returns (address) {
        bytes32 issuer = licences.getLicence(licenceId).issuer;
        return issuer == bytes32("FIRE") ? _operators[1] : _operators[0];
    }
}

contract LicenceRegistryInvariantTest is LicencesSetup {
    LicenceHandler internal handler;

    function setUp() public {
        _deployLicences();
        handler = new LicenceHandler(licences);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = handler.issue.selector;
        selectors[1] = handler.suspend.selector;
        selectors[2] = handler.reinstate.selector;
        selectors[3] = handler.renew.selector;
        selectors[4] = handler.revoke.selector;
        selectors[5] = handler.grantConsent.selector;
        selectors[6] = handler.grantConsentBySig.selector;
        selectors[7] = handler.withdrawConsent.selector;
        selectors[8] = handler.cancelSignedConsents.selector;
        selectors[9] = handler.use.selector;
        selectors[10] = handler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev The handler can succeed at every operation it drives (a fixed pseudo-random sequence);
    /// one whose calls all revert would leave the invariants checking nothing.
    function test_handlerSucceedsAtEveryOperation() public {
        for (uint256 i; i < 400; ++i) {
            uint256 seed = uint256(keccak256(abi.encode("handler coverage", i)));
            (uint256 a, uint256 b, uint256 c) = (seed >> 8, seed >> 96, seed >> 160);
            uint256 action = seed % 11;
            if (action == 0) handler.issue(a, b, c % 2 == 0, c % 3 == 0);
            else if (action == 1) handler.suspend(a);
            else if (action == 2) handler.reinstate(a);
            else if (action == 3) handler.renew(a, b);
            else if (action == 4 && i % 4 == 0) handler.revoke(a);
            else if (action == 5) handler.grantConsent(a, b, c, c >> 8);
            else if (action == 6) handler.grantConsentBySig(a, b, c, c >> 8);
            else if (action == 7) handler.withdrawConsent(a, b, c);
            else if (action == 8) handler.cancelSignedConsents(a, b);
            else if (action == 9) handler.use(a, b, c);
            else handler.warp(b % 5 days);
        }
        for (uint256 op; op < handler.OP_COUNT(); ++op) {
            assertTrue(handler.successes(op) > 0, string.concat("operation never succeeded: ", vm.toString(op)));
        }
    }

    /// @dev Every run got somewhere: the first call always issues a licence.
    function afterInvariant() public view {
        assertTrue(handler.successes(uint256(LicenceHandler.Op.Issue)) > 0, "no licence issued in this run");
    }

    /// @dev A consent signed with a nonce the holder used up is never accepted (finding 9).
    function invariant_cancelledSignedConsentsStayCancelled() public view {
        assertEq(handler.cancelledConsentsAccepted(), 0, "a consent signed before its cancellation was accepted");
    }

    /// @dev Revocation is final: no later reinstatement, renewal or use, never valid again.
    function invariant_revokedNeverValidAgain() public view {
        assertEq(handler.resurrections(), 0, "a revoked licence was reinstated, renewed or used");
        for (uint256 i; i < handler.revokedCount(); ++i) {
            bytes32 licenceId = handler.revoked(i);
            uint256 revokedAt = handler.revokedAt(licenceId);
            assertTrue(
                licences.statusOf(licenceId) == ILicenceRegistry.LicenceStatus.Revoked,
                "revoked licence left Revoked"
            );
            assertTrue(!licences.isValid(licenceId), "revoked licence valid now");
            assertTrue(!licences.isValidAt(licenceId, uint64(revokedAt)), "revoked licence valid at its revocation");
            assertTrue(!licences.isValidAt(licenceId, uint64(block.timestamp + 1 days)), "valid after revocation");
        }
    }

    /// @dev Every use the handler managed to record had a live consent where the type needs one.
    function invariant_noUseWithoutConsent() public view {
        assertEq(handler.usesWithoutConsent(), 0, "a use was recorded without a live consent");
    }

    /// @dev A licence is never valid while a licence it depends on is not.
    function invariant_dependantsFollowDependencies() public view {
        for (uint256 i; i < handler.idCount(); ++i) {
            bytes32 licenceId = handler.ids(i);
            bytes32[] memory dependsOn = licences.getLicence(licenceId).dependsOn;
            for (uint256 j; j < dependsOn.length; ++j) {
                if (!licences.isValid(dependsOn[j])) {
                    assertTrue(!licences.isValid(licenceId), "dependant valid while its dependency is not");
                }
            }
        }
    }
}

contract LicenceRegistryFuzzTest is LicencesSetup {
    address internal constant HOLDER = address(0x4011);
    bytes32 internal constant REF = "LICENCE";
    /// @dev The id the licence issued under REF gets (it depends on the issuing department).
    bytes32 internal ID;
    bytes32 internal constant PURPOSE = "INSPECTION";

    function setUp() public {
        _deployLicences();
    }

    /// @dev isValidAt against a model of one licence: window, one suspension interval, one
    /// renewal and an optional revocation, asked about an arbitrary time.
    function testFuzz_isValidAt(
        uint32 delay,
        uint32 length,
        uint32 suspendAfter,
        uint32 suspendFor,
        uint32 renewAfter,
        uint32 renewLength,
        bool revokes,
        uint32 query
    ) public {
        uint256 from = START + bound(delay, 0, 30 days);
        // At least 21 days, so that the licence has not expired when it is suspended.
        uint256 until = from + bound(length, 21 days, 365 days);
        vm.prank(SAMR_OPERATOR);
        ID = licences.issue(REF, OPEN_TYPE, HOLDER, keccak256("v1"), uint64(from), uint64(until), new bytes32[](0));

        uint256 suspendedAt = START + bound(suspendAfter, 0, 20 days);
        vm.warp(suspendedAt);
        vm.prank(SAMR_OPERATOR);
        licences.suspend(ID, "CHECK");
        uint256 reinstatedAt = suspendedAt + bound(suspendFor, 0, 20 days);
        vm.warp(reinstatedAt);
        vm.prank(SAMR_OPERATOR);
        licences.reinstate(ID);

        // Renewal needs an Active or Expired licence: at or after `from`.
        uint256 renewedAt = (reinstatedAt > from ? reinstatedAt : from) + bound(renewAfter, 0, 400 days);
        uint256 renewedUntil = renewedAt + bound(renewLength, 1, 365 days);
        vm.warp(renewedAt);
        vm.prank(SAMR_OPERATOR);
        licences.renew(ID, keccak256("v2"), uint64(renewedUntil));

        uint256 revokedAt = type(uint256).max;
        if (revokes) {
            revokedAt = renewedAt + 1 days;
            vm.warp(revokedAt);
            vm.prank(SAMR_OPERATOR);
            licences.revoke(ID, "FRAUD");
        }

        uint256 t = START - 1 days + bound(query, 0, 900 days);
        bool inWindow = t < renewedAt ? (t >= from && t < until) : (t >= renewedAt && t < renewedUntil);
        bool suspended = t >= suspendedAt && t < reinstatedAt;
        bool expected = inWindow && !suspended && t < revokedAt;
        assertTrue(licences.isValidAt(ID, uint64(t)) == expected, "isValidAt disagrees with the model");
    }

    /// @dev isValidAt against a linear model over many suspensions and renewals in any order,
    /// some in the same second: the binary searches find what walking every record finds.
    function testFuzz_isValidAtManyChanges(uint256 seed, uint32 query) public {
        vm.prank(SAMR_OPERATOR);
        ID = licences.issue(REF, OPEN_TYPE, HOLDER, keccak256("v1"), 0, uint64(START + 30 days), new bytes32[](0));
        uint256[3][] memory versions = new uint256[3][](24); // from, until, supersededAt
        uint256[2][] memory intervals = new uint256[2][](24); // start, end (0 while open)
        (uint256 versionCount, uint256 intervalCount) = (0, 0);
        (uint256 from, uint256 until) = (START, START + 30 days);
        bool suspended;
        vm.startPrank(SAMR_OPERATOR);
        for (uint256 step; step < 24; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            vm.warp(block.timestamp + (r % 3 == 0 ? 0 : (r >> 8) % 10 days));
            if (suspended) {
                licences.reinstate(ID);
                intervals[intervalCount - 1][1] = block.timestamp;
                suspended = false;
            } else if ((r >> 64) % 2 == 0 && block.timestamp < until) {
                licences.suspend(ID, "CHECK");
                intervals[intervalCount++] = [block.timestamp, 0];
                suspended = true;
            } else {
                uint256 newUntil = block.timestamp + 1 + ((r >> 128) % 20 days);
                licences.renew(ID, keccak256(abi.encode(step)), uint64(newUntil));
                versions[versionCount++] = [from, until, block.timestamp];
                (from, until) = (block.timestamp, newUntil);
            }
        }
        vm.stopPrank();
        uint256 t = START - 1 days + bound(query, 0, block.timestamp + 30 days - START);
        // The model: the window of the first version superseded after t, else the current one;
        // suspended if any interval covers t.
        (uint256 windowFrom, uint256 windowUntil) = (from, until);
        for (uint256 v; v < versionCount; ++v) {
            if (versions[v][2] > t) {
                (windowFrom, windowUntil) = (versions[v][0], versions[v][1]);
                break;
            }
        }
        bool covered;
        for (uint256 i; i < intervalCount; ++i) {
            if (t >= intervals[i][0] && (intervals[i][1] == 0 || t < intervals[i][1])) covered = true;
        }
        bool expected = t >= windowFrom && t < windowUntil && !covered;
        assertTrue(licences.isValidAt(ID, uint64(t)) == expected, "isValidAt disagrees with the linear model");
    }

    /// @dev The work of isValidAt does not grow with a licence's history (issue 12: it walked
    /// every suspension interval and every past version, up to 65,535 each, so an issuer could
    /// push `isValidAt` of a licence and of its dependants past the block gas limit). With 2,000
    /// suspensions and 500 renewals a query in the oldest records costs what a binary search
    /// costs (the walk cost over 400,000 gas here, with every slot already warm).
    function test_isValidAtWorkIsBoundedByHistory() public {
        vm.startPrank(SAMR_OPERATOR);
        ID = licences.issue(REF, OPEN_TYPE, HOLDER, keccak256("v1"), 0, uint64(START + 3650 days), new bytes32[](0));
        for (uint256 i; i < 2_000; ++i) {
            vm.warp(block.timestamp + 10);
            licences.suspend(ID, "CHECK");
            vm.warp(block.timestamp + 10);
            licences.reinstate(ID);
        }
        for (uint256 i; i < 500; ++i) {
            vm.warp(block.timestamp + 10);
            licences.renew(ID, keccak256(abi.encode(i)), uint64(START + 3650 days));
        }
        vm.stopPrank();
        // Suspended from START + 10 to START + 20, valid from START + 20 to START + 30, ...
        uint256[4] memory queries = [START + 15, START + 25, START + 20_015, START + 40_000 + 2_500];
        bool[4] memory expected = [false, true, false, true];
        for (uint256 i; i < queries.length; ++i) {
            uint256 before = gasleft();
            bool valid = licences.isValidAt(ID, uint64(queries[i]));
            uint256 used = before - gasleft();
            assertTrue(valid == expected[i], "isValidAt answer");
            assertTrue(used < 30_000, string.concat("isValidAt used ", vm.toString(used), " gas"));
        }
        // As of now: no history is read.
        uint256 start = gasleft();
        assertTrue(licences.isValid(ID), "valid now");
        assertTrue(start - gasleft() < 15_000, "isValid reads history");
    }

    /// @dev After a revocation at any time, nothing brings the licence back.
    function testFuzz_revokeIsFinal(uint32 revokeAfter, uint32 later, bool suspendFirst) public {
        vm.prank(SAMR_OPERATOR);
        ID = licences.issue(REF, OPEN_TYPE, HOLDER, keccak256("v1"), 0, 0, new bytes32[](0));
        if (suspendFirst) {
            vm.prank(SAMR_OPERATOR);
            licences.suspend(ID, "CHECK");
        }
        uint256 revokedAt = START + bound(revokeAfter, 0, 700 days);
        vm.warp(revokedAt);
        vm.startPrank(SAMR_OPERATOR);
        licences.revoke(ID, "FRAUD");
        bytes memory revokedError = abi.encodeWithSelector(
            ILicenceRegistry.LicenceUnexpectedStatus.selector,
            ID,
            ILicenceRegistry.LicenceStatus.Revoked
        );
        vm.warp(revokedAt + bound(later, 0, 700 days));
        vm.expectRevert(revokedError);
        licences.reinstate(ID);
        vm.expectRevert(revokedError);
        licences.renew(ID, keccak256("v2"), 0);
        vm.expectRevert(revokedError);
        licences.suspend(ID, "AGAIN");
        vm.expectRevert(revokedError);
        licences.use(ID, PURPOSE);
        vm.stopPrank();
        assertTrue(!licences.isValid(ID), "valid after revocation");
        assertTrue(!licences.isValidAt(ID, uint64(revokedAt)), "valid at revocation");
    }

    /// @dev A signed consent counts once, before its deadline, for the department it names; a use
    /// needs it live.
    function testFuzz_consentBySig(uint256 key, uint32 duration, uint32 useAfter, bool late) public {
        key = bound(key, 1, 2 ** 200);
        address holder = vm.addr(key);
        vm.prank(FIRE_OPERATOR);
        ID = licences.issue(REF, CONSENT_TYPE, holder, keccak256("v1"), 0, uint64(START + 400 days), new bytes32[](0));

        uint64 until = uint64(START + bound(duration, 1, 300 days));
        uint256 deadline = START + 1 hours;
        bytes memory signature = ConsentSigning.sign(
            vm,
            key,
            ConsentSigning.digest(licences, ID, SAMR, PURPOSE, until, 0, deadline)
        );
        if (late) {
            vm.warp(deadline + 1);
            vm.prank(SAMR_OPERATOR);
            vm.expectRevert(abi.encodeWithSelector(ILicenceRegistry.LicenceSignatureExpired.selector, deadline));
            licences.grantConsentBySig(ID, PURPOSE, until, 0, deadline, signature);
            return;
        }
        // Submitted by another department, the same signature does not verify.
        vm.prank(CONS_OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(ILicenceRegistry.LicenceInvalidSignature.selector, ID, holder));
        licences.grantConsentBySig(ID, PURPOSE, until, 0, deadline, signature);

        vm.prank(SAMR_OPERATOR);
        licences.grantConsentBySig(ID, PURPOSE, until, 0, deadline, signature);
        vm.prank(SAMR_OPERATOR);
        vm.expectRevert(abi.encodeWithSignature("InvalidAccountNonce(address,uint256)", holder, 1));
        licences.grantConsentBySig(ID, PURPOSE, until, 0, deadline, signature);

        uint256 useAt = START + bound(useAfter, 0, 310 days);
        vm.warp(useAt);
        vm.prank(SAMR_OPERATOR);
        if (useAt >= until) {
            vm.expectRevert(abi.encodeWithSelector(ILicenceRegistry.LicenceNoConsent.selector, ID, SAMR, PURPOSE));
        }
        licences.use(ID, PURPOSE);
    }
}
