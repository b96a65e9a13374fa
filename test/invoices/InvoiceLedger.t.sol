// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

import {ConsortiumRegistry} from "../../contracts/governance/ConsortiumRegistry.sol";
import {Roles} from "../../contracts/governance/Roles.sol";
import {InvoiceLedger} from "../../contracts/invoices/InvoiceLedger.sol";
import {IConsortiumRegistry} from "../../contracts/interfaces/IConsortiumRegistry.sol";
import {IInvoiceLedger} from "../../contracts/interfaces/IInvoiceLedger.sol";
import {TestBase, Vm} from "../utils/TestBase.sol";

/// @dev Batch leaves and Merkle proofs as the ledger builds them (the mocha tests check the
/// same against an independent TypeScript implementation).
library InvoiceTree {
    function leaf(IInvoiceLedger.InvoiceData memory invoice) internal pure returns (bytes32) {
        bytes32 invoiceId = keccak256(abi.encode(invoice.issuerId, invoice.code, invoice.number));
        return keccak256(abi.encode(invoiceId, invoice.buyer, invoice.amount, invoice.tax, invoice.documentHash));
    }

    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory result) {
        bytes32[] memory level = new bytes32[](leaves.length);
        for (uint256 i; i < leaves.length; ++i) level[i] = leaves[i];
        bytes32[] memory siblings = new bytes32[](64);
        uint256 count;
        uint256 length = leaves.length;
        while (length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < length) siblings[count++] = level[sibling];
            uint256 pairs = length / 2;
            for (uint256 i; i < pairs; ++i) level[i] = Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]);
            if (length % 2 == 1) level[pairs] = level[length - 1];
            length = length - pairs;
            index >>= 1;
        }
        result = new bytes32[](count);
        for (uint256 i; i < count; ++i) result[i] = siblings[i];
    }
}

/// @dev A consortium of one tax department, one issuer and two receiving companies, wired as the
/// deploy module wires it, with the issuer's rules set.
abstract contract InvoiceLedgerSetup is TestBase {
    bytes32 internal constant TAX = "TAX";
    bytes32 internal constant ISSUER = keccak256("fuzz:issuer");
    bytes32 internal constant RECEIVER_A = keccak256("fuzz:receiver-a");
    bytes32 internal constant RECEIVER_B = keccak256("fuzz:receiver-b");
    address internal constant TAX_OPERATOR = address(0x7A0001);
    address internal constant ISSUER_ACCOUNT = address(0x155E001);
    address internal constant RECEIVER_A_ACCOUNT = address(0x4EC0001);
    address internal constant RECEIVER_B_ACCOUNT = address(0x4EC0002);
    address internal constant BUYER = address(0xB0B0001);
    bytes32 internal constant CODE = "044031900111";
    bytes32 internal constant RED_CODE = "044031900999";
    uint96 internal constant MAX_AMOUNT = 1e12;

    AccessManager internal manager;
    ConsortiumRegistry internal registry;
    InvoiceLedger internal ledger;

    function _deployLedger() internal {
        manager = new AccessManager(address(this));
        registry = new ConsortiumRegistry(address(manager));
        manager.grantRole(Roles.ADMIN, address(registry), 0);
        address[] memory operators = new address[](1);
        operators[0] = TAX_OPERATOR;
        registry.admitDepartment(TAX, "Tax Bureau", IConsortiumRegistry.DepartmentKind.TaxAuthority, operators);
        registry.grantDepartmentRole(TAX, Roles.TAX_AUTHORITY);
        registry.setRoleAdministrator(Roles.INVOICE_ISSUER, TAX);
        registry.setRoleAdministrator(Roles.INVOICE_RECEIVER, TAX);
        _register(ISSUER, ISSUER_ACCOUNT, Roles.INVOICE_ISSUER);
        _register(RECEIVER_A, RECEIVER_A_ACCOUNT, Roles.INVOICE_RECEIVER);
        _register(RECEIVER_B, RECEIVER_B_ACCOUNT, Roles.INVOICE_RECEIVER);

        ledger = new InvoiceLedger(address(manager), registry, 8 hours);
        bytes4[] memory tax = new bytes4[](5);
        tax[0] = ledger.setIssuerRules.selector;
        tax[1] = ledger.freezeIssuer.selector;
        tax[2] = ledger.unfreezeIssuer.selector;
        tax[3] = ledger.freezeInvoice.selector;
        tax[4] = ledger.unfreezeInvoice.selector;
        manager.setTargetFunctionRole(address(ledger), tax, Roles.TAX_AUTHORITY);
        bytes4[] memory issuer = new bytes4[](4);
        issuer[0] = ledger.issue.selector;
        issuer[1] = ledger.issueBatch.selector;
        issuer[2] = ledger.voidInvoice.selector;
        issuer[3] = ledger.issueCreditNote.selector;
        manager.setTargetFunctionRole(address(ledger), issuer, Roles.INVOICE_ISSUER);
        bytes4[] memory receiver = new bytes4[](4);
        receiver[0] = ledger.lock.selector;
        receiver[1] = ledger.unlock.selector;
        receiver[2] = ledger.reimburse.selector;
        receiver[3] = ledger.confirmCreditNote.selector;
        manager.setTargetFunctionRole(address(ledger), receiver, Roles.INVOICE_RECEIVER);
        bytes4[] memory open = new bytes4[](2);
        open[0] = ledger.claim.selector;
        open[1] = ledger.changeReceiver.selector;
        manager.setTargetFunctionRole(address(ledger), open, Roles.PUBLIC);

        vm.prank(TAX_OPERATOR);
        ledger.setIssuerRules(
            ISSUER,
            IInvoiceLedger.IssuerRules({
                enabled: true,
                maxAmount: MAX_AMOUNT,
                periodAmountQuota: type(uint128).max,
                periodCountQuota: type(uint32).max
            })
        );
    }

    function _register(bytes32 participantId, address account, uint64 roleId) private {
        vm.prank(TAX_OPERATOR);
        registry.registerParticipant(participantId, account, IConsortiumRegistry.ParticipantKind.Enterprise);
        vm.prank(TAX_OPERATOR);
        registry.grantParticipantRole(participantId, roleId);
    }

    function _saltOf(uint64 number) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", number));
    }

    function _invoice(uint64 number, uint96 amount) internal pure returns (IInvoiceLedger.InvoiceData memory) {
        return
            IInvoiceLedger.InvoiceData({
                issuerId: ISSUER,
                code: CODE,
                number: number,
                buyer: keccak256(abi.encode(BUYER, _saltOf(number))),
                amount: amount,
                tax: amount / 10,
                documentHash: keccak256(abi.encode("document", number))
            });
    }

    function _item(
        IInvoiceLedger.InvoiceData memory invoice
    ) internal pure returns (IInvoiceLedger.InvoiceItem memory) {
        return
            IInvoiceLedger.InvoiceItem({
                number: invoice.number,
                buyer: invoice.buyer,
                amount: invoice.amount,
                tax: invoice.tax,
                documentHash: invoice.documentHash
            });
    }

    function _idOf(IInvoiceLedger.InvoiceData memory invoice) internal pure returns (bytes32) {
        return keccak256(abi.encode(invoice.issuerId, invoice.code, invoice.number));
    }
}

/// @dev Drives the ledger with arbitrary sequences of every operation by the right and the wrong
/// parties; many calls must revert. Records what succeeded, and any frozen invoice that changed.
contract InvoiceLedgerHandler is InvoiceLedgerSetup {
    struct Pending {
        bytes32 creditNoteId;
        uint256 invoice;
        uint96 amount;
    }

    struct Snapshot {
        bool frozen;
        IInvoiceLedger.InvoiceState state;
        uint96 credited;
        bytes32 receiverId;
    }

    uint256 internal constant MAX_INVOICES = 8;

    /// @dev The operations whose successful calls are counted: a handler whose calls of one
    /// operation all revert tests nothing about it, so the tests require each to succeed.
    enum Op {
        Issue,
        Claim,
        ChangeReceiver,
        Lock,
        Unlock,
        Reimburse,
        CreditNote,
        ConfirmCreditNote,
        Void,
        FreezeInvoice,
        UnfreezeInvoice,
        FreezeIssuer,
        UnfreezeIssuer
    }
    uint256 public constant OP_COUNT = uint256(type(Op).max) + 1;

    IInvoiceLedger.InvoiceData[] internal _invoices;
    bytes32[][] internal _batchLeaves;
    uint256[] internal _batchOf;
    uint256[] internal _positionOf;
    Pending[] internal _pending;
    uint64 internal _nextNumber = 1;
    uint64 internal _nextRedNumber = 1;

    mapping(uint256 op => uint256 count) public successes;
    mapping(uint256 invoice => bytes32 receiverId) public chosenReceiver;
    mapping(uint256 invoice => uint256 count) public reimbursements;
    mapping(uint256 invoice => uint256 amount) public credited;
    bool public frozenChanged;
    bool public reimbursedWrongAmount;
    bool public numberReissued;
    bool public lockedByOtherCompany;

    constructor(InvoiceLedger ledger_) {
        ledger = ledger_;
    }

    function invoiceCount() external view returns (uint256) {
        return _invoices.length;
    }

    function invoiceIdAt(uint256 index) external view returns (bytes32) {
        return _idOf(_invoices[index]);
    }

    /**
     * @dev The one entry point the invariant runner calls, so that the mix of operations is ours:
     * about half the calls move an invoice along its life cycle with the right party, the rest
     * are arbitrary operations by right and wrong parties, freezes, duplicates and time passing.
     */
    function act(uint8 action, uint256 seed, uint96 amountSeed, uint8 who) external {
        action %= 32;
        if (action < 3 || _invoices.length == 0) return _issue(uint8(seed), amountSeed);
        if (action < 16) return _advance(seed, amountSeed);
        if (action >= 28) return _wait(uint32(seed));
        if (action == 27) return _issueDuplicate(seed);
        if (action == 25) return who % 4 == 0 ? _freezeIssuer() : _unfreezeIssuer();
        if (action == 26) return _unfreezeIssuer();
        uint256 index = seed % _invoices.length;
        if (action == 16) return who % 8 == 0 ? _changeReceiver(index, who) : _claim(index, who);
        if (action == 17) return _lock(index, who % 2 == 0 ? RECEIVER_A_ACCOUNT : RECEIVER_B_ACCOUNT);
        if (action == 18) return _unlock(index, _receiverFor(index, who));
        if (action == 19) return _reimburse(index, _receiverFor(index, who));
        if (action == 20) return _creditNote(index, amountSeed);
        if (action == 21) {
            if (_pending.length == 0) return;
            Pending memory pending = _pending[seed % _pending.length];
            return _confirm(pending, _receiverFor(pending.invoice, who));
        }
        if (action == 22) return _voidInvoice(index);
        if (action == 23) return _freezeInvoice(index);
        return _unfreezeInvoice(index);
    }

    function _issue(uint8 sizeSeed, uint96 amountSeed) internal {
        // Few invoices, so that each goes through many steps.
        if (_invoices.length >= MAX_INVOICES) return;
        uint256 size = 1 + (sizeSeed % 4);
        IInvoiceLedger.InvoiceItem[] memory items = new IInvoiceLedger.InvoiceItem[](size);
        IInvoiceLedger.InvoiceData[] memory invoices = new IInvoiceLedger.InvoiceData[](size);
        bytes32[] memory leaves = new bytes32[](size);
        for (uint256 i; i < size; ++i) {
            uint96 amount = uint96(bound(uint256(amountSeed) + i * 7_919, 1, 1_000_000));
            invoices[i] = _invoice(_nextNumber + uint64(i), amount);
            items[i] = _item(invoices[i]);
            leaves[i] = InvoiceTree.leaf(invoices[i]);
        }
        vm.prank(ISSUER_ACCOUNT);
        try ledger.issueBatch(CODE, items) {
            ++successes[uint256(Op.Issue)];
            _batchLeaves.push(leaves);
            for (uint256 i; i < size; ++i) {
                _invoices.push(invoices[i]);
                _batchOf.push(_batchLeaves.length - 1);
                _positionOf.push(i);
            }
            _nextNumber += uint64(size);
        } catch {}
    }

    /// @dev Reissuing a number must always fail.
    function _issueDuplicate(uint256 seed) internal {
        IInvoiceLedger.InvoiceItem memory item = _item(_invoices[seed % _invoices.length]);
        vm.prank(ISSUER_ACCOUNT);
        try ledger.issue(CODE, item) {
            numberReissued = true;
        } catch {}
    }

    /**
     * @dev Moves an invoice one step along its life cycle with the right party, so that random
     * sequences reach the late states: claim, lock, then reimburse, unlock, credit notes and their
     * confirmation (several per invoice, so that together they may exceed what is left), and
     * second reimbursements or locks by either company.
     */
    function _advance(uint256 seed, uint96 amountSeed) internal {
        uint256 index = seed % _invoices.length;
        IInvoiceLedger.InvoiceState state = ledger.getInvoice(_idOf(_invoices[index])).state;
        uint256 step = (seed / _invoices.length) % 6;
        if (state == IInvoiceLedger.InvoiceState.None || state == IInvoiceLedger.InvoiceState.Issued) {
            // Now and then the issuer voids it before the buyer claims it.
            if (step == 5) _voidInvoice(index);
            else _claim(index, uint8(step));
        } else if (state == IInvoiceLedger.InvoiceState.Claimed) {
            // Mostly the company the buyer named; sometimes the other one, which must fail.
            if (step == 5) _changeReceiver(index, uint8(seed >> 8));
            else _lock(index, step == 4 ? _otherCompany(index) : _namedCompany(index));
        } else if (state == IInvoiceLedger.InvoiceState.Voided) {
            _creditNote(index, amountSeed);
        } else if (step == 0) {
            if (state == IInvoiceLedger.InvoiceState.Locked) _unlock(index, _receiverFor(index, 1));
            else _reimburse(index, seed % 2 == 0 ? RECEIVER_A_ACCOUNT : RECEIVER_B_ACCOUNT);
        } else if (step == 1) {
            if (state == IInvoiceLedger.InvoiceState.Locked) _reimburse(index, _receiverFor(index, 1));
            else _lock(index, seed % 2 == 0 ? RECEIVER_A_ACCOUNT : RECEIVER_B_ACCOUNT);
        } else if (step <= 3) {
            _creditNote(index, amountSeed);
        } else {
            _confirmOneOf(index);
        }
    }

    /// @dev Confirms the first pending note of invoice `index` that the ledger still holds pending.
    function _confirmOneOf(uint256 index) internal {
        for (uint256 i; i < _pending.length; ++i) {
            Pending memory pending = _pending[i];
            if (pending.invoice != index) continue;
            if (ledger.getCreditNote(pending.creditNoteId).state != IInvoiceLedger.CreditNoteState.Pending) continue;
            _confirm(pending, _receiverFor(index, 1));
            return;
        }
    }

    function _claim(uint256 index, uint8 who) internal {
        IInvoiceLedger.InvoiceData memory invoice = _invoices[index];
        bytes32[] memory proof = _proofOf(index);
        bytes32 receiverId = who % 2 == 0 ? RECEIVER_A : RECEIVER_B;
        Snapshot memory before = _snapshot(index);
        vm.prank(BUYER);
        try ledger.claim(invoice, proof, _saltOf(invoice.number), receiverId) {
            chosenReceiver[index] = receiverId;
            ++successes[uint256(Op.Claim)];
        } catch {}
        _checkFrozen(index, before);
    }

    function _changeReceiver(uint256 index, uint8 who) internal {
        IInvoiceLedger.InvoiceData memory invoice = _invoices[index];
        bytes32[] memory proof = _proofOf(index);
        bytes32 receiverId = who % 2 == 0 ? RECEIVER_A : RECEIVER_B;
        Snapshot memory before = _snapshot(index);
        vm.prank(BUYER);
        try ledger.changeReceiver(invoice, proof, _saltOf(invoice.number), receiverId) {
            chosenReceiver[index] = receiverId;
            ++successes[uint256(Op.ChangeReceiver)];
        } catch {}
        _checkFrozen(index, before);
    }

    function _lock(uint256 index, address company) internal {
        Snapshot memory before = _snapshot(index);
        vm.prank(company);
        try ledger.lock(_idOf(_invoices[index])) {
            ++successes[uint256(Op.Lock)];
            bytes32 locker = company == RECEIVER_A_ACCOUNT ? RECEIVER_A : RECEIVER_B;
            if (locker != chosenReceiver[index]) lockedByOtherCompany = true;
        } catch {}
        _checkFrozen(index, before);
    }

    function _namedCompany(uint256 index) internal view returns (address) {
        return chosenReceiver[index] == RECEIVER_B ? RECEIVER_B_ACCOUNT : RECEIVER_A_ACCOUNT;
    }

    function _otherCompany(uint256 index) internal view returns (address) {
        return chosenReceiver[index] == RECEIVER_B ? RECEIVER_A_ACCOUNT : RECEIVER_B_ACCOUNT;
    }

    function _unlock(uint256 index, address company) internal {
        Snapshot memory before = _snapshot(index);
        vm.prank(company);
        try ledger.unlock(_idOf(_invoices[index]), "rejected") {
            ++successes[uint256(Op.Unlock)];
        } catch {}
        _checkFrozen(index, before);
    }

    function _reimburse(uint256 index, address company) internal {
        Snapshot memory before = _snapshot(index);
        vm.prank(company);
        try ledger.reimburse(_idOf(_invoices[index])) returns (uint96 amount) {
            ++successes[uint256(Op.Reimburse)];
            ++reimbursements[index];
            if (amount != _invoices[index].amount - credited[index]) reimbursedWrongAmount = true;
        } catch {}
        _checkFrozen(index, before);
    }

    function _creditNote(uint256 index, uint96 amountSeed) internal {
        IInvoiceLedger.InvoiceData memory invoice = _invoices[index];
        // Up to the whole amount: often more than what is left, which must be refused.
        uint96 amount = uint96(bound(amountSeed, 1, invoice.amount));
        IInvoiceLedger.CreditNoteItem memory note = IInvoiceLedger.CreditNoteItem({
            code: RED_CODE,
            number: _nextRedNumber,
            amount: amount,
            tax: 0,
            documentHash: keccak256(abi.encode("red", _nextRedNumber))
        });
        bytes32[] memory proof = _proofOf(index);
        Snapshot memory before = _snapshot(index);
        vm.prank(ISSUER_ACCOUNT);
        try ledger.issueCreditNote(invoice, proof, note) returns (bytes32 creditNoteId) {
            ++successes[uint256(Op.CreditNote)];
            ++_nextRedNumber;
            if (ledger.getCreditNote(creditNoteId).state == IInvoiceLedger.CreditNoteState.Applied) {
                credited[index] += amount;
            } else {
                _pending.push(Pending({creditNoteId: creditNoteId, invoice: index, amount: amount}));
            }
        } catch {}
        _checkFrozen(index, before);
    }

    function _confirm(Pending memory pending, address company) internal {
        Snapshot memory before = _snapshot(pending.invoice);
        vm.prank(company);
        try ledger.confirmCreditNote(pending.creditNoteId) {
            ++successes[uint256(Op.ConfirmCreditNote)];
            credited[pending.invoice] += pending.amount;
        } catch {}
        _checkFrozen(pending.invoice, before);
    }

    function _receiverFor(uint256 index, uint8 who) internal view returns (address) {
        bool lockedByB = ledger.getInvoice(_idOf(_invoices[index])).receiverId == RECEIVER_B;
        return lockedByB == (who % 4 != 0) ? RECEIVER_B_ACCOUNT : RECEIVER_A_ACCOUNT;
    }

    function _voidInvoice(uint256 index) internal {
        bytes32[] memory proof = _proofOf(index);
        Snapshot memory before = _snapshot(index);
        vm.prank(ISSUER_ACCOUNT);
        try ledger.voidInvoice(_invoices[index], proof) {
            ++successes[uint256(Op.Void)];
        } catch {}
        _checkFrozen(index, before);
    }

    function _freezeInvoice(uint256 index) internal {
        bytes32[] memory proof = _proofOf(index);
        vm.prank(TAX_OPERATOR);
        try ledger.freezeInvoice(_invoices[index], proof) {
            ++successes[uint256(Op.FreezeInvoice)];
        } catch {}
    }

    function _unfreezeInvoice(uint256 index) internal {
        bytes32 invoiceId = _idOf(_invoices[index]);
        vm.prank(TAX_OPERATOR);
        try ledger.unfreezeInvoice(invoiceId) {
            ++successes[uint256(Op.UnfreezeInvoice)];
        } catch {}
    }

    function _freezeIssuer() internal {
        vm.prank(TAX_OPERATOR);
        try ledger.freezeIssuer(ISSUER) {
            ++successes[uint256(Op.FreezeIssuer)];
        } catch {}
    }

    function _unfreezeIssuer() internal {
        vm.prank(TAX_OPERATOR);
        try ledger.unfreezeIssuer(ISSUER) {
            ++successes[uint256(Op.UnfreezeIssuer)];
        } catch {}
    }

    /// @dev Up to half a day: pending credit notes lapse after 72 hours, periods roll over monthly.
    function _wait(uint32 secondsSeed) internal {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 12 hours));
    }

    function _proofOf(uint256 index) internal view returns (bytes32[] memory) {
        return InvoiceTree.proof(_batchLeaves[_batchOf[index]], _positionOf[index]);
    }

    function _snapshot(uint256 index) internal view returns (Snapshot memory) {
        IInvoiceLedger.InvoiceRecord memory record = ledger.getInvoice(_idOf(_invoices[index]));
        (, bool issuerFrozen) = ledger.getIssuer(ISSUER);
        return
            Snapshot({
                frozen: record.frozen || issuerFrozen,
                state: record.state,
                credited: record.credited,
                receiverId: record.receiverId
            });
    }

    function _checkFrozen(uint256 index, Snapshot memory before) internal {
        if (!before.frozen) return;
        IInvoiceLedger.InvoiceRecord memory record = ledger.getInvoice(_idOf(_invoices[index]));
        bool changed = record.state != before.state || record.credited != before.credited;
        if (changed || record.receiverId != before.receiverId) frozenChanged = true;
    }
}

/// hardhat-config: invariant.depth = 64
contract InvoiceLedgerInvariantTest is InvoiceLedgerSetup {
    InvoiceLedgerHandler internal handler;

    function setUp() public {
        _deployLedger();
        handler = new InvoiceLedgerHandler(ledger);
        // The handler acts through pranks as the parties set up above.
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = handler.act.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev An invoice is reimbursed at most once, by whichever company.
    function invariant_reimbursedAtMostOnce() public view {
        uint256 count = handler.invoiceCount();
        for (uint256 i; i < count; ++i) {
            assertTrue(handler.reimbursements(i) <= 1, "invoice reimbursed twice");
        }
    }

    /// @dev reimbursed + credited <= amount, and the ledger's credits are the notes that succeeded.
    function invariant_reimbursedWithinAmountLessCredits() public view {
        assertTrue(!handler.reimbursedWrongAmount(), "reimbursed other than amount less credit notes");
        uint256 count = handler.invoiceCount();
        for (uint256 i; i < count; ++i) {
            IInvoiceLedger.InvoiceRecord memory record = ledger.getInvoice(handler.invoiceIdAt(i));
            assertEq(record.credited, handler.credited(i), "credited differs from applied credit notes");
            assertTrue(uint256(record.reimbursed) + record.credited <= record.amount, "reimbursed + credited > amount");
            if (record.state == IInvoiceLedger.InvoiceState.Reimbursed) {
                assertEq(record.reimbursed, record.amount - record.credited, "reimbursed not amount less credits");
            } else {
                assertEq(record.reimbursed, 0, "reimbursed before reimbursement");
            }
        }
    }

    /// @dev No call changed the state, credits or receiver of a frozen invoice (or an invoice of a
    /// frozen issuer).
    function invariant_frozenInvoiceNeverChanges() public view {
        assertTrue(!handler.frozenChanged(), "a frozen invoice changed");
    }

    /// @dev No invoice number was issued twice.
    function invariant_numbersNeverReissued() public view {
        assertTrue(!handler.numberReissued(), "a number was issued twice");
    }

    /// @dev Only the receiving company the buyer named ever locked an invoice (finding 2 of
    /// issue 12: any receiving company could lock any claimed invoice).
    function invariant_onlyTheNamedCompanyLocks() public view {
        assertTrue(!handler.lockedByOtherCompany(), "a company the buyer did not name locked an invoice");
    }

    /// @dev The handler can succeed at every operation it drives: a fixed pseudo-random sequence
    /// as long as a few invariant runs makes each one succeed at least once. A handler whose calls
    /// of some operation always revert (a wiring mistake, a wrong party) fails here.
    function test_handlerSucceedsAtEveryOperation() public {
        for (uint256 i; i < 600; ++i) {
            bytes32 seed = keccak256(abi.encode("handler coverage", i));
            handler.act(uint8(seed[0]), uint256(seed) >> 16, uint96(uint256(seed) >> 64), uint8(seed[1]));
        }
        for (uint256 op; op < handler.OP_COUNT(); ++op) {
            assertTrue(handler.successes(op) > 0, string.concat("operation never succeeded: ", vm.toString(op)));
        }
    }

    /// @dev Each run must get past issuance: a run in which every call after the first issuance
    /// reverted checked the invariants against nothing.
    function afterInvariant() public view {
        uint256 moved;
        for (uint256 op = 1; op < handler.OP_COUNT(); ++op) moved += handler.successes(op);
        assertTrue(handler.successes(uint256(InvoiceLedgerHandler.Op.Issue)) > 0, "no invoice issued in this run");
        assertTrue(moved > 0, "no invoice changed in this run");
    }
}

contract InvoiceLedgerFuzzTest is InvoiceLedgerSetup {
    function setUp() public {
        _deployLedger();
    }

    /// @dev Every invoice of any batch proves genuine with its proof, and no other document hash does.
    function testFuzz_batchProofs(uint8 sizeSeed, uint8 indexSeed, uint96 amountSeed) public {
        uint256 size = bound(sizeSeed, 1, 64);
        IInvoiceLedger.InvoiceItem[] memory items = new IInvoiceLedger.InvoiceItem[](size);
        IInvoiceLedger.InvoiceData[] memory invoices = new IInvoiceLedger.InvoiceData[](size);
        bytes32[] memory leaves = new bytes32[](size);
        for (uint256 i; i < size; ++i) {
            invoices[i] = _invoice(uint64(1_000 + i), uint96(bound(uint256(amountSeed) + i, 1, MAX_AMOUNT)));
            items[i] = _item(invoices[i]);
            leaves[i] = InvoiceTree.leaf(invoices[i]);
        }
        vm.prank(ISSUER_ACCOUNT);
        bytes32 root = ledger.issueBatch(CODE, items);
        assertTrue(ledger.batchIssuedAt(root) != 0, "root stored");
        uint256 index = indexSeed % size;
        bytes32[] memory proof = InvoiceTree.proof(leaves, index);
        (bool genuine, IInvoiceLedger.InvoiceState state) = ledger.verifyInvoice(invoices[index], proof);
        assertTrue(genuine && state == IInvoiceLedger.InvoiceState.Issued, "genuine invoice not verified");
        invoices[index].documentHash = keccak256("forged");
        (genuine, ) = ledger.verifyInvoice(invoices[index], proof);
        assertTrue(!genuine, "forged document verified");
    }

    /// @dev One repeated number anywhere in a batch rejects the batch and marks nothing used.
    function testFuzz_issueBatchDuplicate(uint8 sizeSeed, uint8 firstSeed, uint8 secondSeed) public {
        uint256 size = bound(sizeSeed, 2, 50);
        uint256 first = firstSeed % size;
        uint256 second = secondSeed % size;
        vm.assume(first != second);
        IInvoiceLedger.InvoiceItem[] memory items = new IInvoiceLedger.InvoiceItem[](size);
        for (uint256 i; i < size; ++i) items[i] = _item(_invoice(uint64(250 + i), 100));
        items[second].number = items[first].number;
        vm.expectRevert(
            abi.encodeWithSelector(IInvoiceLedger.InvoiceNumberUsed.selector, ISSUER, CODE, items[first].number)
        );
        vm.prank(ISSUER_ACCOUNT);
        ledger.issueBatch(CODE, items);
        for (uint256 i; i < size; ++i) {
            assertTrue(!ledger.isNumberUsed(ISSUER, CODE, uint64(250 + i)), "number marked by a rejected batch");
        }
    }

    /// @dev Reimbursed once, for the amount less credit notes; every second attempt reverts.
    function testFuzz_reimburseOnce(
        uint96 amountSeed,
        uint96 creditSeed,
        bool otherLocks,
        bool creditWhileLocked
    ) public {
        uint96 amount = uint96(bound(amountSeed, 2, MAX_AMOUNT));
        uint96 credit = uint96(bound(creditSeed, 0, amount - 1));
        IInvoiceLedger.InvoiceData memory invoice = _invoice(7, amount);
        bytes32 invoiceId = _idOf(invoice);
        vm.prank(ISSUER_ACCOUNT);
        ledger.issue(CODE, _item(invoice));
        address receiver = otherLocks ? RECEIVER_B_ACCOUNT : RECEIVER_A_ACCOUNT;
        vm.prank(BUYER);
        ledger.claim(invoice, new bytes32[](0), _saltOf(7), otherLocks ? RECEIVER_B : RECEIVER_A);
        if (credit > 0 && !creditWhileLocked) _creditNote(invoice, credit);
        vm.prank(receiver);
        ledger.lock(invoiceId);
        if (credit > 0 && creditWhileLocked) {
            bytes32 creditNoteId = _creditNote(invoice, credit);
            vm.prank(receiver);
            ledger.confirmCreditNote(creditNoteId);
        }
        vm.prank(receiver);
        assertEq(ledger.reimburse(invoiceId), amount - credit, "reimbursed amount");

        bytes memory reimbursed = abi.encodeWithSelector(
            IInvoiceLedger.InvoiceUnexpectedState.selector,
            invoiceId,
            IInvoiceLedger.InvoiceState.Reimbursed
        );
        address[2] memory companies = [RECEIVER_A_ACCOUNT, RECEIVER_B_ACCOUNT];
        for (uint256 i; i < 2; ++i) {
            vm.expectRevert(reimbursed);
            vm.prank(companies[i]);
            ledger.reimburse(invoiceId);
            vm.expectRevert(reimbursed);
            vm.prank(companies[i]);
            ledger.lock(invoiceId);
        }
        IInvoiceLedger.InvoiceRecord memory record = ledger.getInvoice(invoiceId);
        assertEq(uint256(record.reimbursed) + record.credited, amount, "reimbursed + credited = amount");
    }

    /// @dev A frozen invoice (or one of a frozen issuer) refuses every transition from any state.
    function testFuzz_frozenInvoiceRefusesEverything(uint8 stageSeed, bool freezeIssuer) public {
        uint256 stage = stageSeed % 4; // 0 issued, 1 claimed, 2 locked, 3 reimbursed
        IInvoiceLedger.InvoiceData memory invoice = _invoice(9, 5_000);
        bytes32 invoiceId = _idOf(invoice);
        bytes32[] memory noProof = new bytes32[](0);
        vm.prank(ISSUER_ACCOUNT);
        ledger.issue(CODE, _item(invoice));
        if (stage >= 1) {
            vm.prank(BUYER);
            ledger.claim(invoice, noProof, _saltOf(9), RECEIVER_A);
        }
        if (stage >= 2) {
            vm.prank(RECEIVER_A_ACCOUNT);
            ledger.lock(invoiceId);
        }
        if (stage >= 3) {
            vm.prank(RECEIVER_A_ACCOUNT);
            ledger.reimburse(invoiceId);
        }
        bytes32 pending = stage >= 2 ? _creditNote(invoice, 100) : bytes32(0);
        vm.prank(TAX_OPERATOR);
        if (freezeIssuer) ledger.freezeIssuer(ISSUER);
        else ledger.freezeInvoice(invoice, noProof);
        IInvoiceLedger.InvoiceRecord memory before = ledger.getInvoice(invoiceId);

        bytes memory frozen = freezeIssuer
            ? abi.encodeWithSelector(IInvoiceLedger.InvoiceIssuerIsFrozen.selector, ISSUER)
            : abi.encodeWithSelector(IInvoiceLedger.InvoiceIsFrozen.selector, invoiceId);
        vm.expectRevert(frozen);
        vm.prank(BUYER);
        ledger.claim(invoice, noProof, _saltOf(9), RECEIVER_A);
        if (stage == 1) {
            vm.expectRevert(frozen);
            vm.prank(BUYER);
            ledger.changeReceiver(invoice, noProof, _saltOf(9), RECEIVER_B);
        }
        // An invoice nobody touched has no record to lock: that refusal comes first.
        bytes memory refusal = stage == 0 && freezeIssuer
            ? abi.encodeWithSelector(
                IInvoiceLedger.InvoiceUnexpectedState.selector,
                invoiceId,
                IInvoiceLedger.InvoiceState.None
            )
            : frozen;
        vm.expectRevert(refusal);
        vm.prank(RECEIVER_A_ACCOUNT);
        ledger.lock(invoiceId);
        vm.expectRevert(refusal);
        vm.prank(RECEIVER_A_ACCOUNT);
        ledger.unlock(invoiceId, "");
        vm.expectRevert(refusal);
        vm.prank(RECEIVER_A_ACCOUNT);
        ledger.reimburse(invoiceId);
        vm.expectRevert(frozen);
        vm.prank(ISSUER_ACCOUNT);
        ledger.voidInvoice(invoice, noProof);
        IInvoiceLedger.CreditNoteItem memory note = IInvoiceLedger.CreditNoteItem(RED_CODE, 99, 1, 0, bytes32(0));
        vm.expectRevert(frozen);
        vm.prank(ISSUER_ACCOUNT);
        ledger.issueCreditNote(invoice, noProof, note);
        if (pending != bytes32(0)) {
            vm.expectRevert(frozen);
            vm.prank(RECEIVER_A_ACCOUNT);
            ledger.confirmCreditNote(pending);
        }

        IInvoiceLedger.InvoiceRecord memory afterwards = ledger.getInvoice(invoiceId);
        assertTrue(afterwards.state == before.state, "state changed while frozen");
        assertEq(afterwards.credited, before.credited, "credited changed while frozen");
        assertEq(afterwards.receiverId, before.receiverId, "receiver changed while frozen");
    }

    /// @dev Periods are calendar months in UTC+8, checked against a day-by-month count.
    function testFuzz_periodOf(uint64 timestampSeed) public view {
        uint256 timestamp = bound(timestampSeed, 0, 13_000_000_000); // up to the 2380s
        assertEq(ledger.periodOf(timestamp), _referencePeriod(timestamp), "period");
    }

    function _creditNote(IInvoiceLedger.InvoiceData memory invoice, uint96 amount) internal returns (bytes32) {
        IInvoiceLedger.CreditNoteItem memory note = IInvoiceLedger.CreditNoteItem({
            code: RED_CODE,
            number: invoice.number,
            amount: amount,
            tax: 0,
            documentHash: keccak256("red")
        });
        vm.prank(ISSUER_ACCOUNT);
        return ledger.issueCreditNote(invoice, new bytes32[](0), note);
    }

    function _referencePeriod(uint256 timestamp) internal pure returns (uint256) {
        uint256 day = (timestamp + 8 hours) / 1 days;
        uint256 year = 1970;
        while (day >= _daysInYear(year)) {
            day -= _daysInYear(year);
            ++year;
        }
        uint256 month;
        while (day >= _daysInMonth(year, month)) {
            day -= _daysInMonth(year, month);
            ++month;
        }
        return (year - 1970) * 12 + month;
    }

    function _daysInYear(uint256 year) internal pure returns (uint256) {
        return _isLeap(year) ? 366 : 365;
    }

    function _daysInMonth(uint256 year, uint256 month) internal pure returns (uint256) {
        if (month == 1) return _isLeap(year) ? 29 : 28;
        if (month == 3 || month == 5 || month == 8 || month == 10) return 30;
        return 31;
    }

    function _isLeap(uint256 year) internal pure returns (bool) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }
}
