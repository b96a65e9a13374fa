// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IInvoiceLedger
 * @notice E-invoices on the consortium chain. The tax authority sets each issuing enterprise's
 * rules; enterprises with the issuer role issue invoices singly or in batches; the buyer claims
 * an invoice; a receiving company locks it while it checks, then reimburses it (final) or unlocks
 * it; the issuer may void an unclaimed invoice or issue red credit notes against it; the tax
 * authority may freeze an invoice or a whole issuer.
 *
 * Identity: an invoice is (issuer participant id, invoice code, number); its id is
 * `keccak256(abi.encode(issuerId, code, number))`. Numbers are unique per issuer and code across
 * invoices and credit notes alike (a red credit note is itself a numbered document).
 *
 * Storage: issuance writes no slot per invoice. Each batch stores one Merkle root of its invoices'
 * leaves, `keccak256(abi.encode(invoiceId, buyer, amount, tax, documentHash))` in batch order,
 * paired with OpenZeppelin's commutative keccak256 (an odd node is carried up unpaired); the used
 * numbers live in a bitmap of 256 numbers per slot. An invoice gets its own record the first time
 * it is claimed, voided, credited or frozen: that call supplies the invoice's data and its Merkle
 * proof (empty for an invoice issued alone). Every event carries what an indexer needs to rebuild
 * the state, proofs included, from logs alone.
 *
 * Buyer: `buyer` is `keccak256(abi.encode(account, salt))` with a random salt the issuer hands the
 * buyer with the invoice; no personal data is on chain. The account that proves it (by sending
 * the salt) claims the invoice; binding the hash to the sender means a claim cannot be copied
 * from the mempool. The claim names the receiving company (the buyer's employer) that alone may
 * lock the invoice; the buyer may name another company while the invoice is not locked.
 *
 * Amounts are in the smallest currency unit; `amount` is the total payable, tax included, and
 * `tax` the part of it that is tax. Across all companies, reimbursed + credited <= amount.
 */
interface IInvoiceLedger {
    /// @notice Where an invoice stands. `None`: the ledger holds no record for this id (never
    /// issued, or issued and not touched since; see {verifyInvoice}).
    enum InvoiceState {
        None,
        Issued,
        Claimed,
        Locked,
        Reimbursed,
        Voided
    }

    /// @notice Where a red credit note stands. `Pending` notes await the receiving company's
    /// confirmation and become `Lapsed` (a computed state) CREDIT_NOTE_WINDOW after issuance.
    enum CreditNoteState {
        None,
        Pending,
        Applied,
        Lapsed
    }

    /**
     * @notice An issuing enterprise's rules, set by the tax authority that registered it.
     * @param enabled whether it may issue at all
     * @param maxAmount the largest amount (tax included) of one invoice
     * @param periodAmountQuota the most it may issue in total per period (calendar month)
     * @param periodCountQuota the most invoices it may issue per period (calendar month)
     */
    struct IssuerRules {
        bool enabled;
        uint96 maxAmount;
        uint128 periodAmountQuota;
        uint32 periodCountQuota;
    }

    /**
     * @notice One invoice to issue; the issuer and code are the call's.
     * @param number unique per issuer and code
     * @param buyer `keccak256(abi.encode(buyerAccount, salt))`
     * @param amount total payable, tax included, in the smallest currency unit (> 0)
     * @param tax the tax part of `amount`
     * @param documentHash hash of the full invoice document, kept encrypted off chain
     */
    struct InvoiceItem {
        uint64 number;
        bytes32 buyer;
        uint96 amount;
        uint96 tax;
        bytes32 documentHash;
    }

    /// @notice An invoice as issued: what a claim, a void, a credit note or a freeze proves
    /// against the batch root (fields as in {InvoiceItem}).
    struct InvoiceData {
        bytes32 issuerId;
        bytes32 code;
        uint64 number;
        bytes32 buyer;
        uint96 amount;
        uint96 tax;
        bytes32 documentHash;
    }

    /**
     * @notice A red credit note to issue against an invoice.
     * @param code its own invoice code
     * @param number its own number (unique per issuer and code, like an invoice's)
     * @param amount how much it takes off the invoice, tax included (> 0)
     * @param tax the tax part of `amount`
     * @param documentHash hash of the full credit note document
     */
    struct CreditNoteItem {
        bytes32 code;
        uint64 number;
        uint96 amount;
        uint96 tax;
        bytes32 documentHash;
    }

    /**
     * @notice An invoice's record.
     * @param issuerId the issuing participant
     * @param state where it stands
     * @param frozen whether the tax authority froze it (its issuer may be frozen too, see {getIssuer})
     * @param amount total payable, tax included
     * @param credited sum of the credit notes applied to it
     * @param reimbursed what the receiving company reimbursed, net of credit notes it confirmed later
     * @param receiverId the receiving company the buyer named (zero until claimed): the only one
     * that may lock it, and the one that locked or reimbursed it
     */
    struct InvoiceRecord {
        bytes32 issuerId;
        InvoiceState state;
        bool frozen;
        uint96 amount;
        uint96 credited;
        uint96 reimbursed;
        bytes32 receiverId;
    }

    /**
     * @notice A red credit note's record.
     * @param invoiceId the invoice it credits
     * @param amount how much it takes off the invoice
     * @param issuedAt when it was issued
     * @param lapsesAt when it lapses if still pending (issuedAt + CREDIT_NOTE_WINDOW)
     * @param state where it stands
     */
    struct CreditNoteRecord {
        bytes32 invoiceId;
        uint96 amount;
        uint64 issuedAt;
        uint64 lapsesAt;
        CreditNoteState state;
    }

    // ---- events --------------------------------------------------------------------------------

    /// @notice Tax authority `departmentId` (the issuer's registrar, or any tax authority when the
    /// registrar is not an active one) set the rules of issuer `issuerId`.
    event IssuerRulesSet(
        bytes32 indexed issuerId,
        bytes32 indexed departmentId,
        bool enabled,
        uint96 maxAmount,
        uint128 periodAmountQuota,
        uint32 periodCountQuota
    );
    /// @notice Tax authority `departmentId` froze issuer `issuerId`: it issues nothing and none of
    /// its invoices changes state until unfrozen.
    event IssuerFrozen(bytes32 indexed issuerId, bytes32 indexed departmentId);
    /// @notice Tax authority `departmentId` unfroze issuer `issuerId`.
    event IssuerUnfrozen(bytes32 indexed issuerId, bytes32 indexed departmentId);
    /**
     * @notice Issuer `issuerId` issued a batch (a single issuance is a batch of one, whose root is
     * the invoice's leaf). Its {InvoiceIssued} events follow in batch (leaf) order.
     * @param batchRoot the Merkle root stored for the batch
     * @param count how many invoices it holds
     * @param totalAmount their amounts' sum
     * @param period the period (months since January 1970, local time) their quota counts in
     */
    event InvoiceBatchIssued(
        bytes32 indexed batchRoot,
        bytes32 indexed issuerId,
        bytes32 indexed code,
        uint256 count,
        uint256 totalAmount,
        uint32 period
    );
    /// @notice Issuer `issuerId` issued an invoice in batch `batchRoot`.
    event InvoiceIssued(
        bytes32 indexed invoiceId,
        bytes32 indexed issuerId,
        bytes32 indexed batchRoot,
        bytes32 code,
        uint64 number,
        bytes32 buyer,
        uint96 amount,
        uint96 tax,
        bytes32 documentHash
    );
    /// @notice `claimant` proved the buyer hash and claimed the invoice for receiving company
    /// `receiverId`, the only one that may lock it.
    event InvoiceClaimed(
        bytes32 indexed invoiceId,
        bytes32 indexed issuerId,
        address indexed claimant,
        bytes32 receiverId
    );
    /// @notice The buyer `claimant` named receiving company `receiverId` instead of
    /// `previousReceiverId` for its claimed, unlocked invoice.
    event InvoiceReceiverChanged(
        bytes32 indexed invoiceId,
        bytes32 indexed receiverId,
        address indexed claimant,
        bytes32 previousReceiverId
    );
    /// @notice Receiving company `receiverId` locked the invoice to check it; `reimbursable` is its
    /// amount less credit notes.
    event InvoiceLocked(bytes32 indexed invoiceId, bytes32 indexed receiverId, uint96 reimbursable);
    /// @notice Receiving company `receiverId` released the invoice (rejected it, for `reason`); it
    /// is claimed again, still for that company, until the buyer names another.
    event InvoiceUnlocked(bytes32 indexed invoiceId, bytes32 indexed receiverId, bytes32 reason);
    /// @notice Receiving company `receiverId` reimbursed `amount` (the invoice's amount less credit
    /// notes); final.
    event InvoiceReimbursed(bytes32 indexed invoiceId, bytes32 indexed receiverId, uint96 amount);
    /// @notice Issuer `issuerId` voided its unclaimed invoice; final.
    event InvoiceVoided(bytes32 indexed invoiceId, bytes32 indexed issuerId);
    /**
     * @notice Issuer `issuerId` issued a red credit note against invoice `invoiceId`.
     * @param state `Applied` at once (see {InvoiceCredited}) or `Pending` the receiving company's
     * confirmation
     * @param lapsesAt when a pending note lapses unconfirmed
     */
    event CreditNoteIssued(
        bytes32 indexed creditNoteId,
        bytes32 indexed invoiceId,
        bytes32 indexed issuerId,
        bytes32 code,
        uint64 number,
        uint96 amount,
        uint96 tax,
        bytes32 documentHash,
        CreditNoteState state,
        uint64 lapsesAt
    );
    /// @notice Receiving company `receiverId` confirmed a pending credit note (see {InvoiceCredited}).
    event CreditNoteConfirmed(bytes32 indexed creditNoteId, bytes32 indexed invoiceId, bytes32 indexed receiverId);
    /// @notice A credit note took `amount` off the invoice; `credited` is the new total credited.
    event InvoiceCredited(bytes32 indexed invoiceId, bytes32 indexed creditNoteId, uint96 amount, uint96 credited);
    /// @notice Tax authority `departmentId` froze the invoice: it changes state no more until unfrozen.
    event InvoiceFrozen(bytes32 indexed invoiceId, bytes32 indexed departmentId);
    /// @notice Tax authority `departmentId` unfroze the invoice.
    event InvoiceUnfrozen(bytes32 indexed invoiceId, bytes32 indexed departmentId);

    // ---- errors --------------------------------------------------------------------------------

    /// @notice The time zone offset is outside -12 h to +14 h.
    error InvoiceInvalidUtcOffset(int256 utcOffset);
    /// @notice Only the department that registered an issuer controls it while that department is
    /// an active tax authority (otherwise any tax authority does).
    error InvoiceNotRegistrar(bytes32 issuerId, bytes32 departmentId);
    /// @notice The issuer's rules do not let it issue (never set, or disabled).
    error InvoiceIssuerNotEnabled(bytes32 issuerId);
    /// @notice The issuer is frozen: it issues nothing and its invoices do not change state.
    error InvoiceIssuerIsFrozen(bytes32 issuerId);
    /// @notice The issuer is not frozen.
    error InvoiceIssuerNotFrozen(bytes32 issuerId);
    /// @notice A batch holds 1 to `max` invoices.
    error InvoiceBatchSize(uint256 size, uint256 max);
    /// @notice An invoice or credit note must have a nonzero amount and no more tax than amount.
    error InvoiceInvalidAmount(uint64 number, uint256 amount, uint256 tax);
    /// @notice The invoice's amount is over the issuer's largest amount of one invoice.
    error InvoiceAmountOverLimit(uint64 number, uint256 amount, uint256 maxAmount);
    /// @notice Issuing would take the issuer's total for `period` to `total`, over `quota`.
    error InvoicePeriodAmountQuotaExceeded(bytes32 issuerId, uint32 period, uint256 total, uint256 quota);
    /// @notice Issuing would take the issuer's invoice count for `period` to `count`, over `quota`.
    error InvoicePeriodCountQuotaExceeded(bytes32 issuerId, uint32 period, uint256 count, uint256 quota);
    /// @notice The issuer already used this number under this code (an invoice or credit note).
    error InvoiceNumberUsed(bytes32 issuerId, bytes32 code, uint64 number);
    /// @notice The invoice data and proof do not lead to a stored batch root.
    error InvoiceProofInvalid(bytes32 invoiceId);
    /// @notice `caller` with the given salt does not hash to the invoice's buyer.
    error InvoiceNotBuyer(bytes32 invoiceId, address caller);
    /// @notice The invoice is not in a state that allows the call.
    error InvoiceUnexpectedState(bytes32 invoiceId, InvoiceState current);
    /// @notice The invoice is frozen.
    error InvoiceIsFrozen(bytes32 invoiceId);
    /// @notice The invoice is not frozen.
    error InvoiceNotFrozen(bytes32 invoiceId);
    /// @notice Only the invoice's issuer may do this; `participantId` is the caller's.
    error InvoiceNotIssuer(bytes32 invoiceId, bytes32 participantId);
    /// @notice Only the receiving company the buyer named (the one that locked the invoice, once
    /// locked) may do this; `participantId` is the caller's.
    error InvoiceNotReceiver(bytes32 invoiceId, bytes32 participantId);
    /// @notice `receiverId` is not an active participant holding the receiving-company role.
    error InvoiceInvalidReceiver(bytes32 receiverId);
    /// @notice Credit notes took the invoice's whole amount: there is nothing to reimburse.
    error InvoiceFullyCredited(bytes32 invoiceId);
    /// @notice A credit note of `credit` is more than the `remaining` amount of the invoice.
    error InvoiceCreditExceedsRemaining(bytes32 invoiceId, uint256 credit, uint256 remaining);
    /// @notice The credit note is not in a state that allows the call.
    error InvoiceCreditNoteUnexpectedState(bytes32 creditNoteId, CreditNoteState current);

    // ---- tax authority -------------------------------------------------------------------------

    /**
     * @notice Sets an issuer's rules, checked on every issuance from now on. The issuer's usage
     * of the current period stands (a lower quota may stop it at once). The tax authority that
     * registered the issuer; any tax authority when the registrar is not an active department
     * with the tax-authority role (suspended, or never a tax authority).
     * @param issuerId a participant the caller's department registered
     * @param rules the new rules
     */
    function setIssuerRules(bytes32 issuerId, IssuerRules calldata rules) external;

    /// @notice Freezes an issuer: no issuance, and none of its invoices changes state. The tax
    /// authority that controls the issuer (see {setIssuerRules}).
    function freezeIssuer(bytes32 issuerId) external;

    /// @notice Unfreezes an issuer. The tax authority that controls the issuer (see {setIssuerRules}).
    function unfreezeIssuer(bytes32 issuerId) external;

    /**
     * @notice Freezes an invoice: it changes state no more until unfrozen. Tax authority.
     * @param invoice the invoice's data (checked against `proof` if the ledger holds no record yet)
     * @param proof its Merkle proof in its batch
     */
    function freezeInvoice(InvoiceData calldata invoice, bytes32[] calldata proof) external;

    /// @notice Unfreezes an invoice. Tax authority.
    function unfreezeInvoice(bytes32 invoiceId) external;

    // ---- issuer --------------------------------------------------------------------------------

    /**
     * @notice Issues one invoice as the caller's participant, within its rules. Issuer role.
     * @param code the invoice code
     * @param item the invoice
     * @return invoiceId the invoice's id (also its batch root's leaf)
     */
    function issue(bytes32 code, InvoiceItem calldata item) external returns (bytes32 invoiceId);

    /**
     * @notice Issues 1 to MAX_BATCH_SIZE invoices under one code, within the issuer's rules; one
     * used or repeated number rejects the whole batch. Issuer role.
     * @param code the invoice code of every invoice in the batch
     * @param items the invoices, in leaf order
     * @return batchRoot the Merkle root stored for the batch
     */
    function issueBatch(bytes32 code, InvoiceItem[] calldata items) external returns (bytes32 batchRoot);

    /**
     * @notice Voids an invoice nobody claimed yet; final. The invoice's issuer.
     * @param invoice the invoice's data (checked against `proof` if the ledger holds no record yet)
     * @param proof its Merkle proof in its batch
     */
    function voidInvoice(InvoiceData calldata invoice, bytes32[] calldata proof) external;

    /**
     * @notice Issues a red credit note against an invoice of the caller's, for at most what is not
     * yet credited. Applied at once while the invoice is issued or claimed; pending the receiving
     * company's confirmation while it is locked or reimbursed. The invoice's issuer.
     * @param invoice the invoice's data (checked against `proof` if the ledger holds no record yet)
     * @param proof its Merkle proof in its batch
     * @param note the credit note
     * @return creditNoteId `keccak256(abi.encode(issuerId, note.code, note.number))`
     */
    function issueCreditNote(
        InvoiceData calldata invoice,
        bytes32[] calldata proof,
        CreditNoteItem calldata note
    ) external returns (bytes32 creditNoteId);

    // ---- buyer ---------------------------------------------------------------------------------

    /**
     * @notice Claims an issued invoice as its buyer, for the receiving company that alone may lock
     * it. Anyone who proves the buyer hash.
     * @param invoice the invoice's data
     * @param proof its Merkle proof in its batch
     * @param salt the salt that hashes with the caller's account to `invoice.buyer`
     * @param receiverId the receiving company (an active participant with the receiver role)
     * @return invoiceId the invoice's id
     */
    function claim(
        InvoiceData calldata invoice,
        bytes32[] calldata proof,
        bytes32 salt,
        bytes32 receiverId
    ) external returns (bytes32 invoiceId);

    /**
     * @notice Names another receiving company for a claimed invoice that no company has locked
     * (after a rejection, or a change of employer). The buyer, proving the buyer hash again.
     * @param invoice the invoice's data
     * @param proof its Merkle proof in its batch
     * @param salt the salt that hashes with the caller's account to `invoice.buyer`
     * @param receiverId the receiving company (an active participant with the receiver role)
     */
    function changeReceiver(
        InvoiceData calldata invoice,
        bytes32[] calldata proof,
        bytes32 salt,
        bytes32 receiverId
    ) external;

    // ---- receiving company ---------------------------------------------------------------------

    /// @notice Locks a claimed invoice for the caller's company while it checks it; the buyer can
    /// no longer name another company. Receiver role, and only the company the buyer named.
    function lock(bytes32 invoiceId) external;

    /// @notice Releases an invoice the caller's company locked (rejection); it is claimed again,
    /// for the same company until the buyer names another. The company that locked it.
    function unlock(bytes32 invoiceId, bytes32 reason) external;

    /// @notice Reimburses an invoice the caller's company locked, for its amount less credit notes;
    /// final. The company that locked it.
    /// @return amount what was reimbursed
    function reimburse(bytes32 invoiceId) external returns (uint96 amount);

    /// @notice Confirms a pending credit note against an invoice the caller's company locked or
    /// reimbursed, before it lapses. That company.
    function confirmCreditNote(bytes32 creditNoteId) external;

    // ---- views ---------------------------------------------------------------------------------

    /// @notice Most invoices in one batch.
    function MAX_BATCH_SIZE() external view returns (uint256);

    /// @notice How long a pending credit note may be confirmed.
    function CREDIT_NOTE_WINDOW() external view returns (uint256);

    /// @notice The offset of the city's local time from UTC, in seconds; periods are local months.
    function utcOffset() external view returns (int256);

    /// @notice The period of `timestamp`: months since January 1970 in local time.
    function periodOf(uint256 timestamp) external view returns (uint32);

    /// @notice An issuer's rules and whether it is frozen.
    function getIssuer(bytes32 issuerId) external view returns (IssuerRules memory rules, bool frozen);

    /// @notice What an issuer issued in the current period.
    function periodUsage(bytes32 issuerId) external view returns (uint32 period, uint128 amount, uint32 count);

    /// @notice Whether an issuer used `number` under `code` (an invoice or a credit note).
    function isNumberUsed(bytes32 issuerId, bytes32 code, uint64 number) external view returns (bool);

    /// @notice When the batch with this root was issued (zero: no such batch).
    function batchIssuedAt(bytes32 batchRoot) external view returns (uint256);

    /// @notice The ledger's record of an invoice (state `None` until first claimed, voided,
    /// credited or frozen; {verifyInvoice} answers for any invoice).
    function getInvoice(bytes32 invoiceId) external view returns (InvoiceRecord memory);

    /**
     * @notice Whether `invoice` (document hash included) is genuine, i.e. `proof` leads from its
     * data to a stored batch root, and where it stands.
     * @return genuine whether it is genuine
     * @return state its state (`None` if not genuine)
     */
    function verifyInvoice(
        InvoiceData calldata invoice,
        bytes32[] calldata proof
    ) external view returns (bool genuine, InvoiceState state);

    /// @notice A credit note's record (state `None` for an unknown id).
    function getCreditNote(bytes32 creditNoteId) external view returns (CreditNoteRecord memory);

    /// @notice The id of invoice or credit note (`issuerId`, `code`, `number`).
    function invoiceIdOf(bytes32 issuerId, bytes32 code, uint64 number) external pure returns (bytes32);

    /// @notice The buyer hash of `account` with `salt`.
    function buyerHash(address account, bytes32 salt) external pure returns (bytes32);
}
