// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {ConsortiumManaged} from "../governance/ConsortiumManaged.sol";
import {Roles} from "../governance/Roles.sol";
import {IConsortiumRegistry} from "../interfaces/IConsortiumRegistry.sol";
import {IInvoiceLedger} from "../interfaces/IInvoiceLedger.sol";

/**
 * @title InvoiceLedger
 * @notice Issuing rules, issuance, claim, lock, reimbursement, void, red credit notes and freezes
 * of e-invoices (see {IInvoiceLedger}).
 * @dev Gas design: issuing writes, per batch, one Merkle root and the bitmap words its numbers
 * fall in (256 numbers per slot), plus the issuer's period usage; per invoice only an event. An
 * invoice's record is created lazily by the first call that needs it, from data proven against
 * its batch root. Reimbursement takes everything not credited, so `reimbursed` is not stored: it
 * is `amount - credited` once reimbursed, and a credit note confirmed afterwards lowers it.
 * Who may call what is configured in the AccessManager (deploy/modules/invoices.ts); this
 * contract checks what depends on the record: issuer, receiver, controlling tax authority, state,
 * freezes.
 */
contract InvoiceLedger is IInvoiceLedger, ConsortiumManaged {
    /// @dev slot 0: 32 bits periodCountQuota | 128 bits periodAmountQuota | 96 bits maxAmount
    ///      slot 1: 48 empty | 8 frozen | 8 enabled | 32 period | 32 periodCount | 128 periodAmount
    struct Issuer {
        uint96 maxAmount;
        uint128 periodAmountQuota;
        uint32 periodCountQuota;
        uint128 periodAmount;
        uint32 periodCount;
        uint32 period;
        bool enabled;
        bool frozen;
    }

    /// @dev slot 0: issuerId
    ///      slot 1: 48 empty | 8 frozen | 8 state | 96 bits credited | 96 bits amount
    ///      slot 2: receiverId (from the claim: the company the buyer named, the only one that
    ///              may lock; written at claim, so a lock only reads it)
    struct Record {
        bytes32 issuerId;
        uint96 amount;
        uint96 credited;
        InvoiceState state;
        bool frozen;
        bytes32 receiverId;
    }

    /// @dev slot 0: invoiceId
    ///      slot 1: 88 empty | 8 state | 64 bits issuedAt | 96 bits amount
    struct CreditNote {
        bytes32 invoiceId;
        uint96 amount;
        uint64 issuedAt;
        CreditNoteState state;
    }

    /// @inheritdoc IInvoiceLedger
    uint256 public constant MAX_BATCH_SIZE = 500;
    /// @inheritdoc IInvoiceLedger
    uint256 public constant CREDIT_NOTE_WINDOW = 72 hours;

    int256 private constant _MIN_UTC_OFFSET = -12 hours;
    int256 private constant _MAX_UTC_OFFSET = 14 hours;
    /// @dev Above any bitmap word index (numbers are uint64, so words are below 2**56).
    uint256 private constant _NO_WORD = type(uint256).max;

    int256 private immutable _utcOffset;

    mapping(bytes32 issuerId => Issuer) private _issuers;
    mapping(bytes32 issuerId => mapping(bytes32 code => mapping(uint256 word => uint256 bits))) private _usedNumbers;
    mapping(bytes32 batchRoot => uint256 issuedAt) private _batches;
    mapping(bytes32 invoiceId => Record) private _records;
    mapping(bytes32 creditNoteId => CreditNote) private _creditNotes;

    /**
     * @param authority the consortium's AccessManager
     * @param registry_ the consortium's registry
     * @param utcOffset_ the city's offset from UTC in seconds (28,800 for UTC+8): periods are
     *        calendar months in local time
     */
    constructor(
        address authority,
        IConsortiumRegistry registry_,
        int256 utcOffset_
    ) ConsortiumManaged(authority, registry_) {
        if (utcOffset_ < _MIN_UTC_OFFSET || utcOffset_ > _MAX_UTC_OFFSET) revert InvoiceInvalidUtcOffset(utcOffset_);
        _utcOffset = utcOffset_;
    }

    // ---- tax authority -------------------------------------------------------------------------

    /// @inheritdoc IInvoiceLedger
    function setIssuerRules(bytes32 issuerId, IssuerRules calldata rules) external restricted whenNotPaused {
        bytes32 departmentId = _asController(issuerId);
        Issuer storage issuer = _issuers[issuerId];
        issuer.enabled = rules.enabled;
        issuer.maxAmount = rules.maxAmount;
        issuer.periodAmountQuota = rules.periodAmountQuota;
        issuer.periodCountQuota = rules.periodCountQuota;
        emit IssuerRulesSet(
            issuerId,
            departmentId,
            rules.enabled,
            rules.maxAmount,
            rules.periodAmountQuota,
            rules.periodCountQuota
        );
    }

    /// @inheritdoc IInvoiceLedger
    function freezeIssuer(bytes32 issuerId) external restricted whenNotPaused {
        bytes32 departmentId = _asController(issuerId);
        Issuer storage issuer = _issuers[issuerId];
        if (issuer.frozen) revert InvoiceIssuerIsFrozen(issuerId);
        issuer.frozen = true;
        emit IssuerFrozen(issuerId, departmentId);
    }

    /// @inheritdoc IInvoiceLedger
    function unfreezeIssuer(bytes32 issuerId) external restricted whenNotPaused {
        bytes32 departmentId = _asController(issuerId);
        Issuer storage issuer = _issuers[issuerId];
        if (!issuer.frozen) revert InvoiceIssuerNotFrozen(issuerId);
        issuer.frozen = false;
        emit IssuerUnfrozen(issuerId, departmentId);
    }

    /// @inheritdoc IInvoiceLedger
    function freezeInvoice(InvoiceData calldata invoice, bytes32[] calldata proof) external restricted whenNotPaused {
        bytes32 departmentId = _callerDepartment();
        (bytes32 invoiceId, Record storage record) = _recordOf(invoice, proof);
        if (record.frozen) revert InvoiceIsFrozen(invoiceId);
        record.frozen = true;
        emit InvoiceFrozen(invoiceId, departmentId);
    }

    /// @inheritdoc IInvoiceLedger
    function unfreezeInvoice(bytes32 invoiceId) external restricted whenNotPaused {
        bytes32 departmentId = _callerDepartment();
        Record storage record = _records[invoiceId];
        if (!record.frozen) revert InvoiceNotFrozen(invoiceId);
        record.frozen = false;
        emit InvoiceUnfrozen(invoiceId, departmentId);
    }

    // ---- issuer --------------------------------------------------------------------------------

    /// @inheritdoc IInvoiceLedger
    function issue(
        bytes32 code,
        InvoiceItem calldata item
    ) external restricted whenNotPaused returns (bytes32 invoiceId) {
        bytes32 issuerId = _callerParticipant();
        Issuer storage issuer = _issuers[issuerId];
        _checkAmounts(item.number, item.amount, item.tax, _maxAmountOf(issuerId, issuer));
        uint32 period = _useQuota(issuerId, issuer, 1, item.amount);
        mapping(uint256 word => uint256 bits) storage used = _usedNumbers[issuerId][code];
        used[item.number >> 8] = _markNumber(issuerId, code, item.number, used[item.number >> 8]);
        invoiceId = invoiceIdOf(issuerId, code, item.number);
        // A batch of one: its root is the invoice's leaf.
        bytes32 batchRoot = _leaf(invoiceId, item.buyer, item.amount, item.tax, item.documentHash);
        _batches[batchRoot] = block.timestamp;
        emit InvoiceBatchIssued(batchRoot, issuerId, code, 1, item.amount, period);
        emit InvoiceIssued(
            invoiceId,
            issuerId,
            batchRoot,
            code,
            item.number,
            item.buyer,
            item.amount,
            item.tax,
            item.documentHash
        );
    }

    /// @inheritdoc IInvoiceLedger
    function issueBatch(
        bytes32 code,
        InvoiceItem[] calldata items
    ) external restricted whenNotPaused returns (bytes32 batchRoot) {
        if (items.length == 0 || items.length > MAX_BATCH_SIZE) revert InvoiceBatchSize(items.length, MAX_BATCH_SIZE);
        bytes32 issuerId = _callerParticipant();
        Issuer storage issuer = _issuers[issuerId];
        (bytes32[] memory ids, bytes32[] memory nodes, uint256 total) = _markBatch(
            issuerId,
            code,
            items,
            _maxAmountOf(issuerId, issuer)
        );
        uint32 period = _useQuota(issuerId, issuer, items.length, total);
        batchRoot = _merkleRoot(nodes);
        _batches[batchRoot] = block.timestamp;
        emit InvoiceBatchIssued(batchRoot, issuerId, code, items.length, total, period);
        for (uint256 i; i < items.length; ++i) {
            InvoiceItem calldata item = items[i];
            emit InvoiceIssued(
                ids[i],
                issuerId,
                batchRoot,
                code,
                item.number,
                item.buyer,
                item.amount,
                item.tax,
                item.documentHash
            );
        }
    }

    /// @inheritdoc IInvoiceLedger
    function voidInvoice(InvoiceData calldata invoice, bytes32[] calldata proof) external restricted whenNotPaused {
        bytes32 issuerId = _callerParticipant();
        (bytes32 invoiceId, Record storage record) = _recordOf(invoice, proof);
        _checkIssuer(invoiceId, record, issuerId);
        _checkNotFrozen(invoiceId, record);
        _checkState(invoiceId, record, InvoiceState.Issued);
        record.state = InvoiceState.Voided;
        emit InvoiceVoided(invoiceId, issuerId);
    }

    /// @inheritdoc IInvoiceLedger
    function issueCreditNote(
        InvoiceData calldata invoice,
        bytes32[] calldata proof,
        CreditNoteItem calldata note
    ) external restricted whenNotPaused returns (bytes32 creditNoteId) {
        bytes32 issuerId = _callerParticipant();
        (bytes32 invoiceId, Record storage record) = _recordOf(invoice, proof);
        _checkIssuer(invoiceId, record, issuerId);
        _checkNotFrozen(invoiceId, record);
        InvoiceState state = record.state;
        if (state == InvoiceState.Voided) revert InvoiceUnexpectedState(invoiceId, state);
        if (note.amount == 0 || note.tax > note.amount) revert InvoiceInvalidAmount(note.number, note.amount, note.tax);
        _checkCredit(invoiceId, record, note.amount);
        mapping(uint256 word => uint256 bits) storage used = _usedNumbers[issuerId][note.code];
        used[note.number >> 8] = _markNumber(issuerId, note.code, note.number, used[note.number >> 8]);

        // Directly while no company has booked the invoice; otherwise that company confirms.
        bool direct = state == InvoiceState.Issued || state == InvoiceState.Claimed;
        creditNoteId = invoiceIdOf(issuerId, note.code, note.number);
        _creditNotes[creditNoteId] = CreditNote({
            invoiceId: invoiceId,
            amount: note.amount,
            issuedAt: uint64(block.timestamp),
            state: direct ? CreditNoteState.Applied : CreditNoteState.Pending
        });
        emit CreditNoteIssued(
            creditNoteId,
            invoiceId,
            issuerId,
            note.code,
            note.number,
            note.amount,
            note.tax,
            note.documentHash,
            direct ? CreditNoteState.Applied : CreditNoteState.Pending,
            direct ? 0 : uint64(block.timestamp + CREDIT_NOTE_WINDOW)
        );
        if (direct) _credit(invoiceId, record, creditNoteId, note.amount);
    }

    // ---- buyer ---------------------------------------------------------------------------------

    /// @inheritdoc IInvoiceLedger
    function claim(
        InvoiceData calldata invoice,
        bytes32[] calldata proof,
        bytes32 salt,
        bytes32 receiverId
    ) external restricted whenNotPaused returns (bytes32 invoiceId) {
        invoiceId = _asBuyer(invoice, proof, salt);
        _checkReceivingCompany(receiverId);
        Record storage record = _records[invoiceId];
        if (record.state == InvoiceState.None) _createRecord(record, invoice);
        _checkNotFrozen(invoiceId, record);
        _checkState(invoiceId, record, InvoiceState.Issued);
        record.state = InvoiceState.Claimed;
        record.receiverId = receiverId;
        emit InvoiceClaimed(invoiceId, invoice.issuerId, msg.sender, receiverId);
    }

    /// @inheritdoc IInvoiceLedger
    function changeReceiver(
        InvoiceData calldata invoice,
        bytes32[] calldata proof,
        bytes32 salt,
        bytes32 receiverId
    ) external restricted whenNotPaused {
        bytes32 invoiceId = _asBuyer(invoice, proof, salt);
        _checkReceivingCompany(receiverId);
        Record storage record = _records[invoiceId];
        _checkNotFrozen(invoiceId, record);
        // Only while no company holds it: a locked invoice is that company's until it lets go.
        _checkState(invoiceId, record, InvoiceState.Claimed);
        bytes32 previous = record.receiverId;
        record.receiverId = receiverId;
        emit InvoiceReceiverChanged(invoiceId, receiverId, msg.sender, previous);
    }

    // ---- receiving company ---------------------------------------------------------------------

    /// @inheritdoc IInvoiceLedger
    function lock(bytes32 invoiceId) external restricted whenNotPaused {
        bytes32 receiverId = _callerParticipant();
        Record storage record = _records[invoiceId];
        _checkNotFrozen(invoiceId, record);
        _checkState(invoiceId, record, InvoiceState.Claimed);
        _checkReceiver(invoiceId, record, receiverId);
        uint96 reimbursable = _reimbursable(invoiceId, record);
        record.state = InvoiceState.Locked;
        emit InvoiceLocked(invoiceId, receiverId, reimbursable);
    }

    /// @inheritdoc IInvoiceLedger
    function unlock(bytes32 invoiceId, bytes32 reason) external restricted whenNotPaused {
        bytes32 receiverId = _callerParticipant();
        Record storage record = _records[invoiceId];
        _checkNotFrozen(invoiceId, record);
        _checkState(invoiceId, record, InvoiceState.Locked);
        _checkReceiver(invoiceId, record, receiverId);
        // The buyer's choice stands: the same company may lock again, or the buyer names another.
        record.state = InvoiceState.Claimed;
        emit InvoiceUnlocked(invoiceId, receiverId, reason);
    }

    /// @inheritdoc IInvoiceLedger
    function reimburse(bytes32 invoiceId) external restricted whenNotPaused returns (uint96 amount) {
        bytes32 receiverId = _callerParticipant();
        Record storage record = _records[invoiceId];
        _checkNotFrozen(invoiceId, record);
        _checkState(invoiceId, record, InvoiceState.Locked);
        _checkReceiver(invoiceId, record, receiverId);
        amount = _reimbursable(invoiceId, record);
        record.state = InvoiceState.Reimbursed;
        emit InvoiceReimbursed(invoiceId, receiverId, amount);
    }

    /// @inheritdoc IInvoiceLedger
    function confirmCreditNote(bytes32 creditNoteId) external restricted whenNotPaused {
        bytes32 receiverId = _callerParticipant();
        CreditNote storage note = _creditNotes[creditNoteId];
        CreditNoteState noteState = _creditNoteState(note);
        if (noteState != CreditNoteState.Pending) revert InvoiceCreditNoteUnexpectedState(creditNoteId, noteState);
        bytes32 invoiceId = note.invoiceId;
        Record storage record = _records[invoiceId];
        _checkNotFrozen(invoiceId, record);
        InvoiceState state = record.state;
        if (state != InvoiceState.Locked && state != InvoiceState.Reimbursed) {
            revert InvoiceUnexpectedState(invoiceId, state);
        }
        _checkReceiver(invoiceId, record, receiverId);
        uint96 amount = note.amount;
        // Other notes may have been applied since this one was issued.
        _checkCredit(invoiceId, record, amount);
        note.state = CreditNoteState.Applied;
        emit CreditNoteConfirmed(creditNoteId, invoiceId, receiverId);
        _credit(invoiceId, record, creditNoteId, amount);
    }

    // ---- views ---------------------------------------------------------------------------------

    /// @inheritdoc IInvoiceLedger
    function utcOffset() external view returns (int256) {
        return _utcOffset;
    }

    /// @inheritdoc IInvoiceLedger
    function getIssuer(bytes32 issuerId) external view returns (IssuerRules memory rules, bool frozen) {
        Issuer storage issuer = _issuers[issuerId];
        rules = IssuerRules({
            enabled: issuer.enabled,
            maxAmount: issuer.maxAmount,
            periodAmountQuota: issuer.periodAmountQuota,
            periodCountQuota: issuer.periodCountQuota
        });
        frozen = issuer.frozen;
    }

    /// @inheritdoc IInvoiceLedger
    function periodUsage(bytes32 issuerId) external view returns (uint32 period, uint128 amount, uint32 count) {
        Issuer storage issuer = _issuers[issuerId];
        period = periodOf(block.timestamp);
        if (issuer.period == period) (amount, count) = (issuer.periodAmount, issuer.periodCount);
    }

    /// @inheritdoc IInvoiceLedger
    function isNumberUsed(bytes32 issuerId, bytes32 code, uint64 number) external view returns (bool) {
        return _usedNumbers[issuerId][code][number >> 8] & (1 << (number & 0xff)) != 0;
    }

    /// @inheritdoc IInvoiceLedger
    function batchIssuedAt(bytes32 batchRoot) external view returns (uint256) {
        return _batches[batchRoot];
    }

    /// @inheritdoc IInvoiceLedger
    function getInvoice(bytes32 invoiceId) external view returns (InvoiceRecord memory) {
        Record storage record = _records[invoiceId];
        return
            InvoiceRecord({
                issuerId: record.issuerId,
                state: record.state,
                frozen: record.frozen,
                amount: record.amount,
                credited: record.credited,
                reimbursed: record.state == InvoiceState.Reimbursed ? record.amount - record.credited : 0,
                receiverId: record.receiverId
            });
    }

    /// @inheritdoc IInvoiceLedger
    function verifyInvoice(
        InvoiceData calldata invoice,
        bytes32[] calldata proof
    ) external view returns (bool genuine, InvoiceState state) {
        bytes32 invoiceId = invoiceIdOf(invoice.issuerId, invoice.code, invoice.number);
        genuine = _isGenuine(invoiceId, invoice, proof);
        if (genuine) {
            state = _records[invoiceId].state;
            if (state == InvoiceState.None) state = InvoiceState.Issued;
        }
    }

    /// @inheritdoc IInvoiceLedger
    function getCreditNote(bytes32 creditNoteId) external view returns (CreditNoteRecord memory) {
        CreditNote storage note = _creditNotes[creditNoteId];
        return
            CreditNoteRecord({
                invoiceId: note.invoiceId,
                amount: note.amount,
                issuedAt: note.issuedAt,
                lapsesAt: note.state == CreditNoteState.Pending ? note.issuedAt + uint64(CREDIT_NOTE_WINDOW) : 0,
                state: _creditNoteState(note)
            });
    }

    /// @inheritdoc IInvoiceLedger
    function periodOf(uint256 timestamp) public view returns (uint32) {
        int256 local = int256(timestamp) + _utcOffset;
        uint256 day = local > 0 ? uint256(local) / 1 days : 0;
        // Civil date from days since 1970-01-01 (H. Hinnant's `civil_from_days`, proleptic
        // Gregorian, in 400-year eras of 146,097 days, years starting in March).
        uint256 z = day + 719_468;
        uint256 era = z / 146_097;
        uint256 dayOfEra = z - era * 146_097;
        uint256 yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        uint256 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        uint256 monthFromMarch = (5 * dayOfYear + 2) / 153;
        uint256 month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
        uint256 year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0);
        return uint32((year - 1970) * 12 + month - 1);
    }

    /// @inheritdoc IInvoiceLedger
    function invoiceIdOf(bytes32 issuerId, bytes32 code, uint64 number) public pure returns (bytes32) {
        return keccak256(abi.encode(issuerId, code, number));
    }

    /// @inheritdoc IInvoiceLedger
    function buyerHash(address account, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(account, salt));
    }

    // ---- internal ------------------------------------------------------------------------------

    /**
     * @dev The caller's department, which must control issuer `issuerId` (a participant): its
     * registrar while that is an active department with the tax-authority role, otherwise any
     * tax authority (the caller holds the role: the AccessManager checked it). Without the
     * fallback an issuer registered by a department without the tax role could never get rules,
     * and one whose registrar is suspended could be frozen by nobody (issue 12).
     */
    function _asController(bytes32 issuerId) internal view returns (bytes32 departmentId) {
        departmentId = _callerDepartment();
        bytes32 registrar = _registry.getParticipant(issuerId).registrar;
        if (registrar != departmentId && _isActiveTaxAuthority(registrar)) {
            revert InvoiceNotRegistrar(issuerId, departmentId);
        }
    }

    function _isActiveTaxAuthority(bytes32 departmentId) internal view returns (bool) {
        IConsortiumRegistry.Department memory department = _registry.getDepartment(departmentId);
        if (!department.active) return false;
        for (uint256 i; i < department.roles.length; ++i) {
            if (department.roles[i] == Roles.TAX_AUTHORITY) return true;
        }
        return false;
    }

    /// @dev The invoice's id once the caller proved `invoice` genuine and itself its buyer. The
    /// buyer comes from the data, so the proof is checked even if a record exists.
    function _asBuyer(
        InvoiceData calldata invoice,
        bytes32[] calldata proof,
        bytes32 salt
    ) internal view returns (bytes32 invoiceId) {
        invoiceId = invoiceIdOf(invoice.issuerId, invoice.code, invoice.number);
        if (!_isGenuine(invoiceId, invoice, proof)) revert InvoiceProofInvalid(invoiceId);
        if (buyerHash(msg.sender, salt) != invoice.buyer) revert InvoiceNotBuyer(invoiceId, msg.sender);
    }

    /// @dev Reverts unless `receiverId` is an active participant holding the receiving-company
    /// role in the registry: a claim for anyone else would leave the invoice lockable by nobody.
    function _checkReceivingCompany(bytes32 receiverId) internal view {
        if (receiverId == bytes32(0)) revert InvoiceInvalidReceiver(receiverId);
        try _registry.getParticipant(receiverId) returns (IConsortiumRegistry.Participant memory participant) {
            if (participant.active) {
                uint64[] memory roles = participant.roles;
                for (uint256 i; i < roles.length; ++i) {
                    if (roles[i] == Roles.INVOICE_RECEIVER) return;
                }
            }
        } catch {
            // Unknown participant: reported as an invalid receiver below.
        }
        revert InvoiceInvalidReceiver(receiverId);
    }

    /// @dev The largest amount of one invoice the issuer may issue now; reverts if it may not issue.
    function _maxAmountOf(bytes32 issuerId, Issuer storage issuer) internal view returns (uint256) {
        if (issuer.frozen) revert InvoiceIssuerIsFrozen(issuerId);
        if (!issuer.enabled) revert InvoiceIssuerNotEnabled(issuerId);
        return issuer.maxAmount;
    }

    function _checkAmounts(uint64 number, uint96 amount, uint96 tax, uint256 maxAmount) internal pure {
        if (amount == 0 || tax > amount) revert InvoiceInvalidAmount(number, amount, tax);
        if (amount > maxAmount) revert InvoiceAmountOverLimit(number, amount, maxAmount);
    }

    /// @dev Counts `count` invoices worth `amount` against the issuer's quotas of the current period.
    function _useQuota(
        bytes32 issuerId,
        Issuer storage issuer,
        uint256 count,
        uint256 amount
    ) internal returns (uint32 period) {
        period = periodOf(block.timestamp);
        if (issuer.period == period) {
            amount += issuer.periodAmount;
            count += issuer.periodCount;
        }
        if (amount > issuer.periodAmountQuota) {
            revert InvoicePeriodAmountQuotaExceeded(issuerId, period, amount, issuer.periodAmountQuota);
        }
        if (count > issuer.periodCountQuota) {
            revert InvoicePeriodCountQuotaExceeded(issuerId, period, count, issuer.periodCountQuota);
        }
        // The casts cannot truncate: the values are at most the uint128 and uint32 quotas.
        issuer.period = period;
        issuer.periodAmount = uint128(amount);
        issuer.periodCount = uint32(count);
    }

    /// @dev `bits` (the bitmap word of `number`) with `number` marked used; reverts if it was.
    function _markNumber(bytes32 issuerId, bytes32 code, uint64 number, uint256 bits) internal pure returns (uint256) {
        uint256 bit = 1 << (number & 0xff);
        if (bits & bit != 0) revert InvoiceNumberUsed(issuerId, code, number);
        return bits | bit;
    }

    /**
     * @dev Checks every item, marks its number used and computes its id and leaf. The bitmap word
     * being filled stays in memory and is written when the batch moves to another word, so
     * consecutive numbers cost one storage write per 256; a number repeated inside the batch is
     * caught like one used before.
     */
    function _markBatch(
        bytes32 issuerId,
        bytes32 code,
        InvoiceItem[] calldata items,
        uint256 maxAmount
    ) internal returns (bytes32[] memory ids, bytes32[] memory leaves, uint256 total) {
        mapping(uint256 word => uint256 bits) storage used = _usedNumbers[issuerId][code];
        ids = new bytes32[](items.length);
        leaves = new bytes32[](items.length);
        uint256 word = _NO_WORD;
        uint256 bits;
        for (uint256 i; i < items.length; ++i) {
            InvoiceItem calldata item = items[i];
            uint64 number = item.number;
            if (number >> 8 != word) {
                if (word != _NO_WORD) used[word] = bits;
                word = number >> 8;
                bits = used[word];
            }
            bits = _markNumber(issuerId, code, number, bits);
            uint96 amount;
            (ids[i], leaves[i], amount) = _prepare(issuerId, code, item, maxAmount);
            total += amount;
        }
        used[word] = bits;
    }

    /// @dev Checks an item's amounts and computes its id and leaf, reading each field once.
    function _prepare(
        bytes32 issuerId,
        bytes32 code,
        InvoiceItem calldata item,
        uint256 maxAmount
    ) internal pure returns (bytes32 invoiceId, bytes32 leaf, uint96 amount) {
        uint64 number = item.number;
        amount = item.amount;
        uint96 tax = item.tax;
        _checkAmounts(number, amount, tax, maxAmount);
        invoiceId = invoiceIdOf(issuerId, code, number);
        leaf = _leaf(invoiceId, item.buyer, amount, tax, item.documentHash);
    }

    /// @dev The root over `nodes` (overwritten): pairs hashed with the commutative keccak256, an
    /// odd last node carried up unpaired. A proof is the sibling at every level that has one.
    function _merkleRoot(bytes32[] memory nodes) internal pure returns (bytes32) {
        uint256 length = nodes.length;
        while (length > 1) {
            uint256 pairs = length / 2;
            for (uint256 i; i < pairs; ++i) {
                nodes[i] = Hashes.commutativeKeccak256(nodes[2 * i], nodes[2 * i + 1]);
            }
            if (length % 2 == 1) {
                nodes[pairs] = nodes[length - 1];
                length = pairs + 1;
            } else {
                length = pairs;
            }
        }
        return nodes[0];
    }

    /// @dev A batch leaf. Its preimage is five words, never the two words of an inner node.
    function _leaf(
        bytes32 invoiceId,
        bytes32 buyer,
        uint96 amount,
        uint96 tax,
        bytes32 documentHash
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(invoiceId, buyer, amount, tax, documentHash));
    }

    function _isGenuine(
        bytes32 invoiceId,
        InvoiceData calldata invoice,
        bytes32[] calldata proof
    ) internal view returns (bool) {
        bytes32 leaf = _leaf(invoiceId, invoice.buyer, invoice.amount, invoice.tax, invoice.documentHash);
        return _batches[MerkleProof.processProofCalldata(proof, leaf)] != 0;
    }

    /// @dev The invoice's record, created from `invoice` if it has none, which `proof` must prove.
    function _recordOf(
        InvoiceData calldata invoice,
        bytes32[] calldata proof
    ) internal returns (bytes32 invoiceId, Record storage record) {
        invoiceId = invoiceIdOf(invoice.issuerId, invoice.code, invoice.number);
        record = _records[invoiceId];
        if (record.state == InvoiceState.None) {
            if (!_isGenuine(invoiceId, invoice, proof)) revert InvoiceProofInvalid(invoiceId);
            _createRecord(record, invoice);
        }
    }

    function _createRecord(Record storage record, InvoiceData calldata invoice) internal {
        record.issuerId = invoice.issuerId;
        record.amount = invoice.amount;
        record.state = InvoiceState.Issued;
    }

    /// @dev A frozen invoice, or any invoice of a frozen issuer, changes state no more.
    function _checkNotFrozen(bytes32 invoiceId, Record storage record) internal view {
        if (record.frozen) revert InvoiceIsFrozen(invoiceId);
        if (_issuers[record.issuerId].frozen) revert InvoiceIssuerIsFrozen(record.issuerId);
    }

    function _checkState(bytes32 invoiceId, Record storage record, InvoiceState expected) internal view {
        InvoiceState state = record.state;
        if (state != expected) revert InvoiceUnexpectedState(invoiceId, state);
    }

    function _checkIssuer(bytes32 invoiceId, Record storage record, bytes32 issuerId) internal view {
        if (record.issuerId != issuerId) revert InvoiceNotIssuer(invoiceId, issuerId);
    }

    function _checkReceiver(bytes32 invoiceId, Record storage record, bytes32 receiverId) internal view {
        if (record.receiverId != receiverId) revert InvoiceNotReceiver(invoiceId, receiverId);
    }

    /// @dev The invoice's amount less credit notes; reverts if that is nothing.
    function _reimbursable(bytes32 invoiceId, Record storage record) internal view returns (uint96 amount) {
        amount = record.amount - record.credited;
        if (amount == 0) revert InvoiceFullyCredited(invoiceId);
    }

    function _checkCredit(bytes32 invoiceId, Record storage record, uint96 credit) internal view {
        uint96 remaining = record.amount - record.credited;
        if (credit > remaining) revert InvoiceCreditExceedsRemaining(invoiceId, credit, remaining);
    }

    /// @dev The one place `credited` grows; the caller checked it stays within `amount`.
    function _credit(bytes32 invoiceId, Record storage record, bytes32 creditNoteId, uint96 amount) internal {
        uint96 credited = record.credited + amount;
        record.credited = credited;
        emit InvoiceCredited(invoiceId, creditNoteId, amount, credited);
    }

    function _creditNoteState(CreditNote storage note) internal view returns (CreditNoteState) {
        CreditNoteState state = note.state;
        if (state == CreditNoteState.Pending && block.timestamp >= note.issuedAt + CREDIT_NOTE_WINDOW) {
            return CreditNoteState.Lapsed;
        }
        return state;
    }
}
