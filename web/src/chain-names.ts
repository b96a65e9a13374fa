/**
 * The contracts' events and custom errors as staff read them (zh-CN, English; terms from
 * shared/GLOSSARY.md). Pages show the name with the identifier beside it, which is what the
 * chain, the exports and the indexer's tables carry. test/web/chain-names.test.ts fails when an
 * event or error of the compiled ABIs (artifacts/) has no entry here.
 */
import { abis, enums } from "@govledger/contracts";

export const EVENT_NAMES: Record<string, readonly [string, string]> = {
  // Governance and registry
  DepartmentAdmitted: ["成员部门加入", "Department admitted"],
  DepartmentSuspended: ["成员部门暂停", "Department suspended"],
  DepartmentReinstated: ["成员部门恢复", "Department reinstated"],
  DepartmentRoleGranted: ["授予部门角色", "Department role granted"],
  DepartmentRoleRevoked: ["撤销部门角色", "Department role revoked"],
  OperatorAdded: ["添加操作员", "Operator added"],
  OperatorRemoved: ["移除操作员", "Operator removed"],
  ParticipantRegistered: ["登记企业/主体", "Participant registered"],
  ParticipantSuspended: ["暂停企业/主体", "Participant suspended"],
  ParticipantReinstated: ["恢复企业/主体", "Participant reinstated"],
  ParticipantAccountReleased: ["释放企业/主体账户", "Participant account released"],
  ParticipantRoleGranted: ["授予企业/主体角色", "Participant role granted"],
  ParticipantRoleRevoked: ["撤销企业/主体角色", "Participant role revoked"],
  RoleAdministratorSet: ["设置角色管理部门", "Role administrator set"],
  ProposalCreated: ["发起提案", "Proposal created"],
  ProposalSucceeded: ["提案通过", "Proposal passed"],
  ProposalExecuted: ["执行提案", "Proposal executed"],
  ProposalCancelled: ["取消提案", "Proposal cancelled"],
  VoteCast: ["表决", "Vote cast"],
  VotingRulesChanged: ["修改表决规则", "Voting rules changed"],
  ValidatorAdded: ["添加验证节点", "Validator added"],
  ValidatorRemoved: ["移除验证节点", "Validator removed"],
  ValidatorRegistrySet: ["设置验证节点登记合约", "Validator registry set"],
  ValidatorSetLinked: ["关联验证节点集合", "Validator set linked"],
  ValidatorSealingChanged: ["验证节点出块状态变更", "Validator sealing changed"],
  Paused: ["紧急暂停", "Paused"],
  Unpaused: ["恢复运行", "Unpaused"],
  AuthorityUpdated: ["更换权限管理合约", "Authority updated"],
  // AccessManager (OpenZeppelin)
  OperationScheduled: ["预约操作", "Operation scheduled"],
  OperationExecuted: ["执行预约操作", "Operation executed"],
  OperationCanceled: ["取消预约操作", "Operation cancelled"],
  RoleGranted: ["授予权限角色", "Role granted"],
  RoleRevoked: ["撤销权限角色", "Role revoked"],
  RoleAdminChanged: ["更换角色管理角色", "Role admin changed"],
  RoleGuardianChanged: ["更换角色监护角色", "Role guardian changed"],
  RoleGrantDelayChanged: ["修改角色授予延迟", "Role grant delay changed"],
  RoleLabel: ["角色命名", "Role labelled"],
  TargetAdminDelayUpdated: ["修改合约管理延迟", "Target admin delay updated"],
  TargetClosed: ["关闭/开放合约调用", "Target closed or opened"],
  TargetFunctionRoleUpdated: ["设置函数所需角色", "Function role set"],
  // E-invoices
  IssuerRulesSet: ["设置开票规则", "Issuing rules set"],
  IssuerFrozen: ["冻结开票方", "Issuer frozen"],
  IssuerUnfrozen: ["解冻开票方", "Issuer unfrozen"],
  InvoiceIssued: ["开具发票", "Invoice issued"],
  InvoiceBatchIssued: ["批量开票", "Batch issued"],
  InvoiceClaimed: ["领取发票", "Invoice claimed"],
  InvoiceLocked: ["锁定发票（报销受理）", "Invoice locked"],
  InvoiceUnlocked: ["解锁发票", "Invoice unlocked"],
  InvoiceReimbursed: ["发票报销", "Invoice reimbursed"],
  InvoiceVoided: ["作废发票", "Invoice voided"],
  InvoiceCredited: ["发票红冲", "Invoice credited"],
  InvoiceFrozen: ["冻结发票", "Invoice frozen"],
  InvoiceUnfrozen: ["解冻发票", "Invoice unfrozen"],
  InvoiceReceiverChanged: ["变更报销单位", "Receiving company changed"],
  CreditNoteIssued: ["开具红字发票", "Credit note issued"],
  CreditNoteConfirmed: ["红字确认", "Credit note confirmed"],
  // E-licences and joint approvals
  LicenceTypeSet: ["设置证照类型", "Licence type set"],
  TrustedIssuerSet: ["设置可信发证机构", "Trusted issuer set"],
  LicenceIssued: ["发证", "Licence issued"],
  LicenceRenewed: ["换发/延续证照", "Licence renewed"],
  LicenceSuspended: ["暂停证照", "Licence suspended"],
  LicenceReinstated: ["恢复证照", "Licence reinstated"],
  LicenceRevoked: ["吊销证照", "Licence revoked"],
  LicenceUsed: ["用证", "Licence used"],
  ConsentGranted: ["授权用证", "Consent granted"],
  ConsentWithdrawn: ["撤销授权", "Consent withdrawn"],
  SignedConsentsCancelled: ["作废签名授权", "Signed consents cancelled"],
  TemplateDefined: ["定义审批流程模板", "Workflow template defined"],
  TemplateRetired: ["停用审批流程模板", "Workflow template retired"],
  ApplicationSubmitted: ["提交申请", "Application submitted"],
  ApplicationWithdrawn: ["撤回申请", "Application withdrawn"],
  ApplicationCompleted: ["申请办结", "Application completed"],
  StepOpened: ["审批环节开启", "Step opened"],
  StepApproved: ["审批环节通过", "Step approved"],
  StepRejected: ["审批环节退回", "Step rejected"],
  StepResubmitted: ["补正后重新提交", "Step resubmitted"],
  EIP712DomainChanged: ["签名域变更", "Signing domain changed"],
  // Construction-fund escrow and the settlement token
  ProjectCreated: ["项目登记", "Project created"],
  ProjectFunded: ["资金存入", "Project funded"],
  ProjectFrozen: ["冻结项目", "Project frozen"],
  ProjectUnfrozen: ["解除冻结", "Project unfrozen"],
  ProjectClosed: ["结项", "Project closed"],
  ProjectPartyReplaced: ["更换项目参与部门", "Project party replaced"],
  GuaranteeDeposited: ["工资保证金存入", "Wage guarantee deposited"],
  GuaranteeReturned: ["退还工资保证金", "Wage guarantee returned"],
  MilestoneSubmitted: ["工程节点提交", "Milestone submitted"],
  MilestoneReleased: ["工程节点拨付", "Milestone released"],
  MilestoneRejected: ["工程节点退回", "Milestone rejected"],
  PaymentOrdered: ["付款指令", "Payment ordered"],
  PaymentOrderPaid: ["付款完成", "Payment order paid"],
  PaymentOrderRejected: ["付款退回", "Payment order rejected"],
  PayrollSubmitted: ["工资表提交", "Payroll submitted"],
  PayrollApproved: ["工资表批准", "Payroll approved"],
  PayrollPaid: ["代发工资", "Wages paid"],
  PayrollRejected: ["工资表退回", "Payroll rejected"],
  PayrollCancelled: ["工资表取消", "Payroll cancelled"],
  SubcontractorAdded: ["添加分包单位", "Subcontractor added"],
  SubcontractorRemoved: ["移除分包单位", "Subcontractor removed"],
  WorkerRegistered: ["工人实名登记", "Worker registered"],
  DepositMinted: ["存入监管资金", "Deposit made"],
  DepositBurned: ["取回监管资金", "Deposit withdrawn"],
  Transfer: ["转账", "Transfer"],
  Approval: ["授权额度", "Allowance approved"],
};

export const ERROR_NAMES: Record<string, readonly [string, string]> = {
  // Callers and access
  ConsortiumCallerNotDepartment: ["调用方不是成员部门", "Caller is not a member department"],
  ConsortiumCallerNotParticipant: ["调用方不是登记的企业/主体", "Caller is not a registered participant"],
  AccessManagedUnauthorized: ["无权调用", "Caller not authorised"],
  AccessManagedRequiredDelay: ["须先预约并等待延迟", "Call must be scheduled first"],
  AccessManagedInvalidAuthority: ["权限管理合约无效", "Invalid authority"],
  AccessManagerAlreadyScheduled: ["操作已预约", "Operation already scheduled"],
  AccessManagerBadConfirmation: ["确认无效", "Bad confirmation"],
  AccessManagerExpired: ["预约已过期", "Scheduled operation expired"],
  AccessManagerInvalidInitialAdmin: ["初始管理员无效", "Invalid initial admin"],
  AccessManagerLockedFunction: ["函数已锁定", "Function locked"],
  AccessManagerLockedRole: ["角色已锁定", "Role locked"],
  AccessManagerNotReady: ["预约未到执行时间", "Operation not ready"],
  AccessManagerNotScheduled: ["操作未预约", "Operation not scheduled"],
  AccessManagerUnauthorizedAccount: ["账户无此角色", "Account lacks the role"],
  AccessManagerUnauthorizedCall: ["无权调用", "Call not authorised"],
  AccessManagerUnauthorizedCancel: ["无权取消", "Cancel not authorised"],
  AccessManagerUnauthorizedConsume: ["无权执行预约", "Consume not authorised"],
  EnforcedPause: ["系统已紧急暂停", "System paused"],
  ExpectedPause: ["系统未暂停", "System not paused"],
  ReentrancyGuardReentrantCall: ["重入调用被拒绝", "Re-entrant call refused"],
  // Governance
  GovernorAlreadyVoted: ["已表决", "Already voted"],
  GovernorCallerNotMember: ["调用方不是成员部门", "Caller is not a member"],
  GovernorInvalidCalls: ["提案调用无效", "Invalid proposal calls"],
  GovernorInvalidRules: ["表决规则无效", "Invalid voting rules"],
  GovernorNotEligible: ["无表决资格", "Not eligible to vote"],
  GovernorNotProposer: ["不是提案部门", "Not the proposer"],
  GovernorOnlyGovernance: ["仅限联盟表决执行", "Only by consortium vote"],
  GovernorProposalNotReady: ["提案尚不能执行", "Proposal not ready"],
  GovernorUnexpectedProposalState: ["提案状态不允许此操作", "Proposal in the wrong state"],
  // Registry
  RegistryAccountInUse: ["账户已被使用", "Account already in use"],
  RegistryCallerNotDepartment: ["调用方不是成员部门", "Caller is not a department"],
  RegistryDepartmentExists: ["部门已存在", "Department exists"],
  RegistryDepartmentUnexpectedState: ["部门状态不允许此操作", "Department in the wrong state"],
  RegistryInvalidAccount: ["账户无效", "Invalid account"],
  RegistryInvalidId: ["编号无效", "Invalid id"],
  RegistryInvalidValidatorSet: ["验证节点集合无效", "Invalid validator set"],
  RegistryLastActiveDepartment: ["不能暂停最后一个正常部门", "Last active department"],
  RegistryLastOperator: ["不能移除最后一个操作员", "Last operator"],
  RegistryLimitReached: ["已达数量上限", "Limit reached"],
  RegistryNotOperator: ["不是该部门的操作员", "Not an operator"],
  RegistryNotRegistrar: ["不是登记部门", "Not the registering department"],
  RegistryNotRoleAdministrator: ["不是角色管理部门", "Not the role administrator"],
  RegistryParticipantExists: ["企业/主体已登记", "Participant exists"],
  RegistryParticipantUnexpectedState: ["企业/主体状态不允许此操作", "Participant in the wrong state"],
  RegistryRoleAlreadyGranted: ["角色已授予", "Role already granted"],
  RegistryRoleNotAllowed: ["不允许授予此角色", "Role not allowed"],
  RegistryRoleNotGranted: ["未授予此角色", "Role not granted"],
  RegistryUnknownDepartment: ["部门不存在", "Unknown department"],
  RegistryUnknownParticipant: ["企业/主体不存在", "Unknown participant"],
  // Validators
  ValidatorSetCallerNotRegistry: ["调用方不是登记合约", "Caller is not the registry"],
  ValidatorSetChangeLimit: ["验证节点变更过快", "Validator change limit"],
  ValidatorSetDuplicate: ["验证节点重复", "Duplicate validator"],
  ValidatorSetFull: ["验证节点已满", "Validator set full"],
  ValidatorSetInvalidDepartment: ["部门无效", "Invalid department"],
  ValidatorSetInvalidRegistry: ["登记合约无效", "Invalid registry"],
  ValidatorSetInvalidValidator: ["验证节点地址无效", "Invalid validator"],
  ValidatorSetLastValidator: ["不能移除最后一个验证节点", "Last validator"],
  ValidatorSetUnknown: ["验证节点不存在", "Unknown validator"],
  // E-invoices
  InvoiceAmountOverLimit: ["超过单张限额", "Over the per-invoice limit"],
  InvoiceBatchSize: ["批量开票数量无效", "Invalid batch size"],
  InvoiceCreditExceedsRemaining: ["红冲金额超过剩余金额", "Credit exceeds what remains"],
  InvoiceCreditNoteUnexpectedState: ["红字发票状态不允许此操作", "Credit note in the wrong state"],
  InvoiceFullyCredited: ["发票已全额红冲", "Invoice fully credited"],
  InvoiceInvalidAmount: ["金额无效", "Invalid amount"],
  InvoiceInvalidReceiver: ["报销单位无效", "Invalid receiving company"],
  InvoiceInvalidUtcOffset: ["时区偏移无效", "Invalid UTC offset"],
  InvoiceIsFrozen: ["发票已冻结", "Invoice frozen"],
  InvoiceIssuerIsFrozen: ["开票方已冻结", "Issuer frozen"],
  InvoiceIssuerNotEnabled: ["开票方未设置开票规则", "Issuer not enabled"],
  InvoiceIssuerNotFrozen: ["开票方未冻结", "Issuer not frozen"],
  InvoiceNotBuyer: ["不是受票方", "Not the buyer"],
  InvoiceNotFrozen: ["发票未冻结", "Invoice not frozen"],
  InvoiceNotIssuer: ["不是开票方", "Not the issuer"],
  InvoiceNotReceiver: ["不是报销单位", "Not the receiving company"],
  InvoiceNotRegistrar: ["不是开票方的登记部门", "Not the issuer's registering department"],
  InvoiceNumberUsed: ["发票号码已使用", "Invoice number used"],
  InvoicePeriodAmountQuotaExceeded: ["超过月度金额额度", "Monthly amount quota exceeded"],
  InvoicePeriodCountQuotaExceeded: ["超过月度张数额度", "Monthly count quota exceeded"],
  InvoiceProofInvalid: ["发票证明无效", "Invalid invoice proof"],
  InvoiceUnexpectedState: ["发票状态不允许此操作", "Invoice in the wrong state"],
  // E-licences and joint approvals
  LicenceDependencyNotValid: ["前置证照无效", "Dependency not valid"],
  LicenceExists: ["证照已存在", "Licence exists"],
  LicenceInactiveDepartment: ["发证部门已暂停", "Department not active"],
  LicenceInvalidConsent: ["授权无效", "Invalid consent"],
  LicenceInvalidHolder: ["持证主体无效", "Invalid holder"],
  LicenceInvalidId: ["证照编号无效", "Invalid licence id"],
  LicenceInvalidSignature: ["签名无效", "Invalid signature"],
  LicenceInvalidType: ["证照类型无效", "Invalid licence type"],
  LicenceInvalidValidity: ["有效期无效", "Invalid validity window"],
  LicenceLimitReached: ["已达数量上限", "Limit reached"],
  LicenceNoConsent: ["未获授权", "No consent"],
  LicenceNotHolder: ["不是持证主体", "Not the holder"],
  LicenceNotIssuer: ["不是发证部门", "Not the issuing department"],
  LicenceSignatureExpired: ["签名已过期", "Signature expired"],
  LicenceUnexpectedStatus: ["证照状态不允许此操作", "Licence in the wrong status"],
  LicenceUnknown: ["证照不存在", "Unknown licence"],
  LicenceUnknownType: ["证照类型不存在", "Unknown licence type"],
  LicenceUnknownVersion: ["证照版本不存在", "Unknown licence version"],
  LicenceUntrustedIssuer: ["不是可信发证机构", "Untrusted issuer"],
  JointApprovalDependencyNotValid: ["前置证照无效", "Dependency not valid"],
  JointApprovalInvalidId: ["编号无效", "Invalid id"],
  JointApprovalInvalidStep: ["审批环节无效", "Invalid step"],
  JointApprovalInvalidTemplate: ["审批流程模板无效", "Invalid workflow template"],
  JointApprovalLimitReached: ["已达数量上限", "Limit reached"],
  JointApprovalNotApplicant: ["不是申请人", "Not the applicant"],
  JointApprovalNotDependencyHolder: ["不是前置证照的持证主体", "Not the dependency's holder"],
  JointApprovalNotStepOwner: ["不是该审批环节的部门", "Not the step's department"],
  JointApprovalTemplateExists: ["审批流程模板已存在", "Workflow template exists"],
  JointApprovalTemplateRetired: ["审批流程模板已停用", "Workflow template retired"],
  JointApprovalUnexpectedStatus: ["申请状态不允许此操作", "Application in the wrong status"],
  JointApprovalUnexpectedStepState: ["审批环节状态不允许此操作", "Step in the wrong state"],
  JointApprovalUnknownApplication: ["申请不存在", "Unknown application"],
  JointApprovalUnknownStep: ["审批环节不存在", "Unknown step"],
  JointApprovalUnknownTemplate: ["审批流程模板不存在", "Unknown workflow template"],
  JointApprovalUntrustedIssuer: ["不是可信发证机构", "Untrusted issuer"],
  // Construction-fund escrow and the settlement token
  EscrowAmountExceedsLimit: ["金额超过限额", "Amount over the limit"],
  EscrowCallerNotParty: ["调用方不是项目参与方", "Caller is not a party to the project"],
  EscrowFreezeUnchanged: ["冻结状态未变化", "Freeze unchanged"],
  EscrowGuaranteeHeld: ["工资保证金仍在保留期", "Wage guarantee still held"],
  EscrowGuaranteeShort: ["工资保证金不足", "Wage guarantee short"],
  EscrowInsufficientFunds: ["资金不足", "Insufficient funds"],
  EscrowInvalidBatch: ["批量数据无效", "Invalid batch"],
  EscrowInvalidParty: ["项目参与方无效", "Invalid party"],
  EscrowInvalidTerms: ["项目条款无效", "Invalid project terms"],
  EscrowInvalidToken: ["结算代币无效", "Invalid token"],
  EscrowInvalidWorker: ["工人无效", "Invalid worker"],
  EscrowMilestoneUnexpectedState: ["工程节点状态不允许此操作", "Milestone in the wrong state"],
  EscrowPartyUnchanged: ["参与部门未变化", "Party unchanged"],
  EscrowPayeeNotRegistered: ["收款方未登记", "Payee not registered"],
  EscrowPaymentOrderUnexpectedState: ["付款指令状态不允许此操作", "Payment order in the wrong state"],
  EscrowPayrollMismatch: ["工资表金额不符", "Payroll does not match"],
  EscrowPayrollUnexpectedState: ["工资表状态不允许此操作", "Payroll in the wrong state"],
  EscrowPendingDecisions: ["尚有待处理事项", "Decisions pending"],
  EscrowProjectFrozen: ["项目已冻结", "Project frozen"],
  EscrowProjectUnexpectedState: ["项目状态不允许此操作", "Project in the wrong state"],
  EscrowSubcontractorExists: ["分包单位已存在", "Subcontractor exists"],
  EscrowSubcontractorUnknown: ["分包单位不存在", "Unknown subcontractor"],
  EscrowUnsupportedToken: ["不支持的结算代币", "Unsupported token"],
  EscrowWagesOwed: ["尚有拖欠工资", "Wages owed"],
  EscrowWorkerNotRegistered: ["工人未实名登记", "Worker not registered"],
  EscrowZeroAmount: ["金额为零", "Zero amount"],
  SettlementTokenInvalidBatch: ["批量数据无效", "Invalid batch"],
  ERC20InsufficientAllowance: ["授权额度不足", "Allowance too low"],
  ERC20InsufficientBalance: ["余额不足", "Balance too low"],
  ERC20InvalidApprover: ["授权账户无效", "Invalid approver"],
  ERC20InvalidReceiver: ["收款账户无效", "Invalid receiver"],
  ERC20InvalidSender: ["付款账户无效", "Invalid sender"],
  ERC20InvalidSpender: ["被授权账户无效", "Invalid spender"],
  ERC2612ExpiredSignature: ["签名已过期", "Signature expired"],
  ERC2612InvalidSigner: ["签名账户无效", "Invalid signer"],
  SafeERC20FailedOperation: ["代币操作失败", "Token operation failed"],
  // Library errors
  AddressEmptyCode: ["目标地址没有合约", "No contract at the address"],
  FailedCall: ["调用失败", "Call failed"],
  InsufficientBalance: ["余额不足", "Balance too low"],
  InvalidAccountNonce: ["账户序号无效", "Invalid account nonce"],
  InvalidShortString: ["字符串无效", "Invalid short string"],
  StringTooLong: ["字符串过长", "String too long"],
  ECDSAInvalidSignature: ["签名无效", "Invalid signature"],
  ECDSAInvalidSignatureLength: ["签名长度无效", "Invalid signature length"],
  ECDSAInvalidSignatureS: ["签名无效", "Invalid signature"],
  SafeCastOverflowedUintDowncast: ["数值溢出", "Number too large"],
};

/** snake_case of an event name (EIP712DomainChanged → eip712_domain_changed), as the indexer names its table. */
export function eventTable(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

const BY_TABLE = new Map(Object.keys(EVENT_NAMES).map((name) => [eventTable(name), name]));

/** The event an indexer table holds (`invoices.invoice_issued` → InvoiceIssued), or undefined. */
export function eventOfTable(table: string): string | undefined {
  return BY_TABLE.get(table.slice(table.indexOf(".") + 1));
}

/** The contracts a failed attempt names (the indexer's contract_name). */
export const CONTRACT_NAMES: Record<string, readonly [string, string]> = {
  ConsortiumGovernor: ["联盟治理合约", "Consortium governor"],
  ConsortiumRegistry: ["成员登记合约", "Consortium registry"],
  ConsortiumManaged: ["联盟受管合约", "Consortium-managed contract"],
  ValidatorSet: ["验证节点合约", "Validator set"],
  AccessManager: ["权限管理合约", "Access manager"],
  InvoiceLedger: ["电子发票合约", "E-invoice ledger"],
  LicenceRegistry: ["电子证照合约", "E-licence registry"],
  JointApprovals: ["并联审批合约", "Joint approvals"],
  ConstructionEscrow: ["工程建设资金监管合约", "Construction-fund escrow"],
  SettlementToken: ["结算代币合约", "Settlement token"],
};

/**
 * The functions a transaction may call (those that write), by name, or as `Contract.function`
 * where one name does different things in different contracts (issue an invoice, issue a licence).
 */
export const FUNCTION_NAMES: Record<string, readonly [string, string]> = {
  // Governance and registry
  propose: ["发起提案", "Propose"],
  castVote: ["表决", "Vote"],
  "ConsortiumGovernor.execute": ["执行提案", "Execute a proposal"],
  "ConsortiumGovernor.cancel": ["取消提案", "Cancel a proposal"],
  setVotingRules: ["修改表决规则", "Set voting rules"],
  admitDepartment: ["接纳成员部门", "Admit a department"],
  suspendDepartment: ["暂停成员部门", "Suspend a department"],
  reinstateDepartment: ["恢复成员部门", "Reinstate a department"],
  addOperator: ["添加操作员", "Add an operator"],
  removeOperator: ["移除操作员", "Remove an operator"],
  grantDepartmentRole: ["授予部门角色", "Grant a department role"],
  revokeDepartmentRole: ["撤销部门角色", "Revoke a department role"],
  registerParticipant: ["登记企业/主体", "Register a participant"],
  suspendParticipant: ["暂停企业/主体", "Suspend a participant"],
  reinstateParticipant: ["恢复企业/主体", "Reinstate a participant"],
  grantParticipantRole: ["授予企业/主体角色", "Grant a participant role"],
  revokeParticipantRole: ["撤销企业/主体角色", "Revoke a participant role"],
  setRoleAdministrator: ["设置角色管理部门", "Set a role administrator"],
  setValidatorSet: ["设置验证节点合约", "Set the validator set"],
  addValidator: ["添加验证节点", "Add a validator"],
  removeValidator: ["移除验证节点", "Remove a validator"],
  departmentChanged: ["同步部门状态", "Department changed"],
  setRegistry: ["设置登记合约", "Set the registry"],
  setAuthority: ["更换权限管理合约", "Set the authority"],
  pause: ["紧急暂停", "Pause"],
  unpause: ["恢复运行", "Unpause"],
  // AccessManager (OpenZeppelin)
  "AccessManager.execute": ["执行操作", "Execute an operation"],
  "AccessManager.cancel": ["取消预约操作", "Cancel an operation"],
  schedule: ["预约操作", "Schedule an operation"],
  consumeScheduledOp: ["执行预约操作", "Consume a scheduled operation"],
  grantRole: ["授予权限角色", "Grant a role"],
  revokeRole: ["撤销权限角色", "Revoke a role"],
  renounceRole: ["放弃权限角色", "Renounce a role"],
  labelRole: ["角色命名", "Label a role"],
  setRoleAdmin: ["设置角色管理角色", "Set a role's admin"],
  setRoleGuardian: ["设置角色监护角色", "Set a role's guardian"],
  setGrantDelay: ["设置角色授予延迟", "Set a grant delay"],
  setTargetAdminDelay: ["设置合约管理延迟", "Set a target admin delay"],
  setTargetClosed: ["关闭/开放合约调用", "Close or open a target"],
  setTargetFunctionRole: ["设置函数所需角色", "Set a function's role"],
  updateAuthority: ["更换合约的权限管理合约", "Update a target's authority"],
  multicall: ["批量调用", "Multicall"],
  // E-invoices
  setIssuerRules: ["设置开票规则", "Set issuing rules"],
  freezeIssuer: ["冻结开票方", "Freeze an issuer"],
  unfreezeIssuer: ["解冻开票方", "Unfreeze an issuer"],
  "InvoiceLedger.issue": ["开具发票", "Issue an invoice"],
  issueBatch: ["批量开票", "Issue a batch"],
  claim: ["领取发票", "Claim an invoice"],
  changeReceiver: ["变更报销单位", "Change the receiving company"],
  lock: ["锁定发票（报销受理）", "Lock an invoice"],
  unlock: ["解锁发票", "Unlock an invoice"],
  reimburse: ["报销", "Reimburse"],
  voidInvoice: ["作废发票", "Void an invoice"],
  issueCreditNote: ["开具红字发票", "Issue a credit note"],
  confirmCreditNote: ["红字确认", "Confirm a credit note"],
  freezeInvoice: ["冻结发票", "Freeze an invoice"],
  unfreezeInvoice: ["解冻发票", "Unfreeze an invoice"],
  // E-licences and joint approvals
  setLicenceType: ["设置证照类型", "Set a licence type"],
  setTrustedIssuer: ["设置可信发证机构", "Set a trusted issuer"],
  "LicenceRegistry.issue": ["发证", "Issue a licence"],
  issueFromWorkflow: ["并联审批办结发证", "Issue from a joint approval"],
  renew: ["换发/延续证照", "Renew a licence"],
  suspend: ["暂停证照", "Suspend a licence"],
  reinstate: ["恢复证照", "Reinstate a licence"],
  revoke: ["吊销证照", "Revoke a licence"],
  revokeByConsortium: ["联盟表决吊销证照", "Revoke by consortium vote"],
  use: ["用证", "Use a licence"],
  grantConsent: ["授权用证", "Grant consent"],
  grantConsentBySig: ["签名授权用证", "Grant consent by signature"],
  withdrawConsent: ["撤销授权", "Withdraw consent"],
  cancelSignedConsents: ["作废签名授权", "Cancel signed consents"],
  defineTemplate: ["定义审批流程模板", "Define a workflow template"],
  retireTemplate: ["停用审批流程模板", "Retire a workflow template"],
  submitApplication: ["提交申请", "Submit an application"],
  withdrawApplication: ["撤回申请", "Withdraw an application"],
  approveStep: ["审批环节通过", "Approve a step"],
  rejectStep: ["审批环节退回", "Reject a step"],
  resubmitStep: ["补正后重新提交", "Resubmit a step"],
  // Construction-fund escrow and the settlement token
  createProject: ["项目登记", "Create a project"],
  fund: ["资金存入", "Fund a project"],
  fundWithPermit: ["资金存入（签名授权）", "Fund with a permit"],
  depositGuarantee: ["存入工资保证金", "Deposit the wage guarantee"],
  drawGuarantee: ["动用工资保证金", "Draw the wage guarantee"],
  releaseGuarantee: ["退还工资保证金", "Return the wage guarantee"],
  submitMilestone: ["提交工程节点", "Submit a milestone"],
  approveMilestone: ["拨付工程节点", "Release a milestone"],
  rejectMilestone: ["退回工程节点", "Reject a milestone"],
  orderPayment: ["下达付款指令", "Order a payment"],
  approvePaymentOrder: ["执行付款指令", "Pay a payment order"],
  rejectPaymentOrder: ["退回付款指令", "Reject a payment order"],
  submitPayroll: ["提交工资表", "Submit a payroll"],
  approvePayroll: ["批准工资表", "Approve a payroll"],
  payPayroll: ["代发工资", "Pay wages"],
  rejectPayroll: ["退回工资表", "Reject a payroll"],
  cancelPayroll: ["取消工资表", "Cancel a payroll"],
  registerWorkers: ["工人实名登记", "Register workers"],
  addSubcontractor: ["添加分包单位", "Add a subcontractor"],
  removeSubcontractor: ["移除分包单位", "Remove a subcontractor"],
  freezeProject: ["冻结项目", "Freeze a project"],
  unfreezeProject: ["解除冻结", "Unfreeze a project"],
  closeProject: ["结项", "Close a project"],
  replaceParty: ["更换项目参与部门", "Replace a party"],
  mint: ["存入监管资金", "Mint a deposit"],
  burnFrom: ["取回监管资金", "Burn a deposit"],
  transfer: ["转账", "Transfer"],
  transferBatch: ["批量转账", "Transfer a batch"],
  transferFrom: ["代为转账", "Transfer from"],
  approve: ["授权额度", "Approve an allowance"],
  permit: ["签名授权额度", "Permit an allowance"],
};

/** A function's entry: its contract's own (`InvoiceLedger.issue`), else the name's. */
export function functionEntry(contract: string, name: string): readonly [string, string] | undefined {
  return FUNCTION_NAMES[`${contract}.${name}`] ?? FUNCTION_NAMES[name];
}

/** The members of the enums events carry (a credit note's state, a department's kind), by name. */
export const ENUM_NAMES: Record<string, Record<string, readonly [string, string]>> = {
  CreditNoteState: {
    None: ["无", "None"],
    Pending: ["待确认", "Pending"],
    Applied: ["已红冲", "Applied"],
    Lapsed: ["已失效", "Lapsed"],
  },
  ProjectParty: {
    Bank: ["监管银行", "Bank"],
    Regulator: ["项目监管部门", "Project regulator"],
    HumanResources: ["人社部门", "Human resources"],
  },
  DepartmentKind: {
    Other: ["其他部门", "Other"],
    TaxAuthority: ["税务部门", "Tax authority"],
    MarketRegulator: ["市场监管部门", "Market regulator"],
    ConstructionBureau: ["住建部门", "Construction bureau"],
    FireBrigade: ["消防救援部门", "Fire brigade"],
    HumanResources: ["人社部门", "Human resources"],
    Bank: ["银行", "Bank"],
    Auditor: ["审计部门", "Auditor"],
    Environment: ["生态环境部门", "Environment"],
    HealthAuthority: ["卫生健康部门", "Health authority"],
  },
  ParticipantKind: {
    Enterprise: ["企业", "Enterprise"],
    Organisation: ["组织/机构", "Organisation"],
    Individual: ["个人", "Individual"],
  },
};

/**
 * The AccessManager roles (contracts/governance/Roles.sol) by name, as `roleName` gives it, worded
 * by who holds each: the department or the party, in the glossary's words where it has them
 * (发证部门, 报销单位, 建设单位); by what it is for where no one kind of holder has it (GUARDIAN,
 * LICENCE_WORKFLOW, PUBLIC). The chain and the deploy parameters carry the id and the name only.
 */
export const ROLE_NAMES: Record<string, readonly [string, string]> = {
  // (AccessManager's ADMIN_ROLE: held by the governance contracts only, never by an account)
  ADMIN: ["联盟治理管理员", "Governance admin"],
  GUARDIAN: ["紧急暂停部门", "Emergency guardian"],
  TAX_AUTHORITY: ["税务部门", "Tax authority"],
  LICENCE_AUTHORITY: ["发证部门", "Issuing department"],
  LICENCE_USER: ["用证部门", "Licence user"],
  // (held by the JointApprovals contract alone: issues the licence that completes an application)
  LICENCE_WORKFLOW: ["并联审批办结发证", "Issue from a joint approval"],
  MARKET_REGULATOR: ["市场监管部门", "Market regulator"],
  CONSTRUCTION_BUREAU: ["住建部门", "Construction bureau"],
  PROJECT_REGULATOR: ["项目监管部门", "Project regulator"],
  BANK: ["监管银行", "Bank"],
  HUMAN_RESOURCES: ["人社部门", "Human resources"],
  AUDITOR: ["审计部门", "Auditor"],
  INVOICE_ISSUER: ["开票方", "Invoice issuer"],
  INVOICE_RECEIVER: ["报销单位", "Receiving company"],
  DEVELOPER: ["建设单位", "Developer"],
  CONTRACTOR: ["施工总承包单位", "General contractor"],
  SUPERVISOR: ["监理单位", "Supervisor"],
  SUBCONTRACTOR: ["分包单位", "Subcontractor"],
  PUBLIC: ["所有账户", "Any account"],
};

/**
 * Event arguments that hold an enum, from the ABIs: by the indexer's table (`credit_note_issued`)
 * and column (`state`), the enum's name (CreditNoteState). The indexer stores the number.
 */
export const ENUM_ARGS: ReadonlyMap<string, ReadonlyMap<string, string>> = (() => {
  const found = new Map<string, Map<string, string>>();
  type Item = { type: string; name?: string; inputs?: readonly { name: string; internalType?: string }[] };
  for (const abi of Object.values(abis) as readonly (readonly Item[])[])
    for (const item of abi) {
      if (item.type !== "event") continue;
      for (const input of item.inputs ?? []) {
        const match = /^enum (?:\w+\.)?(\w+)$/.exec(input.internalType ?? "");
        if (!match) continue;
        const table = eventTable(item.name!);
        if (!found.has(table)) found.set(table, new Map());
        found.get(table)!.set(eventTable(input.name), match[1]);
      }
    }
  return found;
})();

/** An enum argument's member (the number the chain wrote) by name, or undefined when `column` holds none. */
export function enumArg(table: string, column: string, value: unknown): { member: string; enum: string } | undefined {
  const name = ENUM_ARGS.get(table.slice(table.indexOf(".") + 1))?.get(column);
  const members: readonly string[] | undefined = name ? (enums as Record<string, readonly string[]>)[name] : undefined;
  const member = members?.[Number(value)];
  return name && member !== undefined && /^\d+$/.test(String(value)) ? { member, enum: name } : undefined;
}
