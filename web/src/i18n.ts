/**
 * UI text in zh-CN and English (terms from shared/GLOSSARY.md: one term per concept), and the
 * formats the city's staff read: dates in the city's time zone, amounts in yuan from fen.
 */
import { CONTRACT_NAMES, ENUM_NAMES, ERROR_NAMES, EVENT_NAMES, functionEntry, ROLE_NAMES } from "./chain-names.js";

export type Lang = "zh-CN" | "en";
export const LANGS: Lang[] = ["zh-CN", "en"];

const TEXT = {
  title: ["联盟链数据看板", "Consortium dashboard"],
  governance: ["联盟治理", "Governance"],
  invoices: ["电子发票", "E-invoices"],
  licences: ["电子证照", "E-licences"],
  escrow: ["工程建设资金监管", "Construction-fund escrow"],
  failed: ["失败操作", "Failed attempts"],
  // The header's links, where the page's own title is longer than a header has room for.
  navEscrow: ["工程建设资金监管", "Escrow"],
  navReports: ["监管报表", "Reports"],
  signIn: ["登录（使用部门操作员账户签名）", "Sign in with the operator account"],
  signInHelp: [
    "使用持有部门操作员私钥的浏览器钱包签名一条登录消息（EIP-4361），不使用密码。",
    "Sign a sign-in message (EIP-4361) with a browser wallet holding your department's operator key. No password.",
  ],
  signOut: ["退出", "Sign out"],
  noWallet: ["未检测到浏览器钱包（EIP-1193）", "No browser wallet (EIP-1193) found"],
  notPermitted: ["无权访问", "Not permitted"],
  badRequest: ["请求有误", "Bad request"],
  signInAgain: ["请重新登录", "Please sign in again"],
  department: ["部门", "Department"],
  members: ["成员部门", "Member departments"],
  code: ["代码", "Code"],
  name: ["名称", "Name"],
  registeredName: ["链上登记名称", "Name on chain"],
  status: ["状态", "Status"],
  active: ["正常", "Active"],
  suspended: ["已暂停", "Suspended"],
  operators: ["操作员", "Operators"],
  admittedAt: ["加入时间", "Admitted"],
  proposals: ["提案", "Proposals"],
  proposal: ["提案", "Proposal"],
  proposer: ["提案部门", "Proposer"],
  description: ["说明", "Description"],
  votes: ["表决", "Votes"],
  yes: ["赞成", "Yes"],
  no: ["反对", "No"],
  required: ["通过所需", "Needed"],
  voteEnd: ["表决截止", "Voting ends"],
  voter: ["表决部门", "Voting department"],
  support: ["意见", "Vote"],
  validators: ["验证节点", "Validators"],
  validator: ["节点地址", "Node address"],
  block: ["区块高度", "Block"],
  blockTime: ["上链时间", "Block time"],
  txHash: ["交易哈希", "Transaction hash"],
  transaction: ["交易", "Transaction"],
  actingDepartment: ["操作部门", "Acting department"],
  auditTrail: ["审计追溯", "Audit trail"],
  chainHead: ["最新区块", "Chain head"],
  timeZone: ["本页时间均为城市时区", "Times on this page are in the city's time zone"],
  live: ["实时", "Live"],
  issuer: ["开票方", "Issuer"],
  buyer: ["受票方", "Buyer"],
  invoiceCode: ["发票代码", "Invoice code"],
  invoiceNumber: ["发票号码", "Invoice number"],
  invoiceId: ["发票链上编号", "Invoice id"],
  amount: ["金额", "Amount"],
  tax: ["税额", "Tax"],
  totalWithTax: ["价税合计", "Total with tax"],
  invoiceCount: ["发票数量", "Invoices"],
  reimbursed: ["已报销", "Reimbursed"],
  credited: ["红冲金额", "Credited"],
  issuedAt: ["开票时间", "Issued"],
  trend: ["趋势（按日）", "Trend (per day)"],
  breakdown: ["按状态", "By status"],
  detail: ["明细", "Detail"],
  history: ["状态变化", "History"],
  creditNotes: ["红字发票", "Credit notes"],
  filter: ["筛选", "Filter"],
  from: ["开始日期", "From"],
  to: ["结束日期", "To"],
  dateFormat: [
    "日期按 年-月-日（YYYY-MM-DD）填写，为城市时区的日期（含当日）",
    "A date as YYYY-MM-DD (year-month-day), a day in the city's time zone (inclusive)",
  ],
  all: ["全部", "All"],
  export: ["导出", "Export"],
  exportAll: ["导出本筛选条件下的全部记录（不限于本页）", "Every row under these filters, not only this page"],
  exportLedgerOrder: [
    "导出本筛选条件下的全部记录（不限于本页），按台账顺序由早到晚排列",
    "Every row under these filters, not only this page, in ledger order: oldest first",
  ],
  page: ["页", "Page"],
  previous: ["上一页", "Previous"],
  next: ["下一页", "Next"],
  row: ["条", "row"],
  rows: ["条", "rows"],
  none: ["无数据", "No rows"],
  noneFiltered: ["无数据（没有符合筛选条件的记录）", "No rows match the filters"],
  noneVisible: ["无数据（本部门可查看的范围内暂无记录）", "No rows (none yet among those your department may see)"],
  notVisible: ["无数据（记录不存在，或本部门无权查看）", "No such row, or your department may not see it"],
  noneInTransaction: [
    "无数据（本交易写入的记录本部门均无权查看）",
    "No rows: none of what this transaction wrote is visible to your department",
  ],
  noChartData: ["暂无数据", "No data yet"],
  function: ["调用函数", "Function"],
  error: ["错误原因", "Error"],
  sender: ["发送账户", "Sender"],
  contract: ["合约", "Contract"],
  events: ["事件", "Events"],
  event: ["事件", "Event"],
  licenceId: ["证照编号", "Licence id"],
  licenceType: ["证照类型", "Licence type"],
  issuingDepartment: ["发证部门", "Issuing department"],
  validFrom: ["生效", "Valid from"],
  validUntil: ["到期", "Valid until"],
  uses: ["用证记录", "Uses"],
  project: ["项目", "Project"],
  projects: ["项目", "Projects"],
  moneyIn: ["资金流入", "Money in"],
  moneyOut: ["资金流出", "Money out"],
  balance: ["余额", "Balance"],
  wageAccount: ["农民工工资专用账户", "Wage account"],
  wagesPaid: ["代发工资", "Wages paid"],
  closed: ["已结项", "Closed"],
  frozen: ["冻结", "Frozen"],
  period: ["期间", "Period"],
  payPeriod: ["工资所属期", "Pay period"],
  exportedAt: ["导出时间", "Exported at"],
  exportHead: ["导出时区块高度", "Chain head at export"],
  xlsxCut: [
    "Excel 工作表行数已达上限：此文件只含前 {rows} 行，其余未导出；完整数据请导出 CSV（不限行数）",
    "Excel's sheet limit reached: this file holds the first {rows} rows only, the rest are not in it; export CSV for all rows (no limit)",
  ],
  report: ["监管报表", "Regulatory report"],
  version: ["版本", "Version"],
  workers: ["工人", "Workers"],
  purpose: ["用证事由", "Purpose"],
  bank: ["监管银行", "Bank"],
  payrolls: ["工资表", "Payrolls"],
  participants: ["企业/主体", "Participants"],
  participant: ["企业/主体", "Participant"],
  home: ["数据看板", "Dashboard"],
  registrar: ["登记部门", "registered by"],
  validAtUse: ["当时是否有效", "Valid at the time of use"],
  usesNotValid: ["用证时证照无效", "Uses of a licence not valid then"],
  reports: ["监管报表", "Regulatory reports"],
  reportInvoiceTotals: ["开票汇总（按开票方、按日）", "Invoices per issuer per day"],
  reportReimbursements: ["报销汇总（按报销单位、按日）", "Reimbursements per receiving company per day"],
  reportInvoicesPerState: ["发票汇总（按开票方、按状态）", "Invoices per issuer per status"],
  reportLicences: ["证照汇总（按部门）", "Licences per department"],
  reimbursedFrom: ["报销开始日期", "Reimbursed from"],
  submittedFrom: ["提交开始日期", "Submitted from"],
  submittedTo: ["提交结束日期", "Submitted to"],
  reimbursedTo: ["报销结束日期", "Reimbursed to"],
  receiver: ["报销单位", "Receiving company"],
  day: ["日期", "Day"],
  issuedCount: ["发证数", "Issued"],
  revokedCount: ["吊销数", "Revoked"],
  holder: ["持证主体", "Holder"],
  logIndex: ["#", "#"],
  operator: ["操作员", "Operator"],
  consentInForce: ["授权", "Consent"],
  bureau: ["住建部门", "Construction bureau"],
  projectRegulator: ["项目监管部门", "Project regulator"],
  humanResources: ["人社部门", "Human resources"],
  budget: ["预算", "Budget"],
  wagesOwed: ["拖欠工资", "Wages owed"],
  milestones: ["工程节点", "Milestones"],
  milestone: ["工程节点", "Milestone"],
  dueDate: ["计划完成", "Due"],
  rejections: ["退回次数", "Rejections"],
  paymentOrders: ["付款指令", "Payment orders"],
  paymentOrder: ["付款指令", "Payment order"],
  payee: ["收款方", "Payee"],
  payroll: ["工资表", "Payroll"],
  fromGuarantee: ["动用保证金", "From the wage guarantee"],
  wageGuarantee: ["工资保证金", "Wage guarantee"],
  ledger: ["资金流水", "Ledger"],
  allUses: ["全部用证记录", "All uses"],
  allPayrolls: ["全部工资表", "All payrolls"],
  first: ["首页", "First"],
  usesPerDay: ["发证与用证趋势（按日）", "Issued and used per day"],
  wagesPerDay: ["代发工资趋势（按日）", "Wages paid per day"],
} as const satisfies Record<string, readonly [string, string]>;

export type TextKey = keyof typeof TEXT;

/**
 * The captions of a contract event's arguments as the indexer's tables name them (issuer_id,
 * invoice_id), for a transaction's page: a caption of TEXT where the tables' columns already have
 * one, else its own words. One key means one thing in every table that has it.
 * test/web/dashboard.test.ts fails when an event table has a column without a caption here.
 */
const ARG_NAMES: Record<string, TextKey | readonly [string, string]> = {
  account: ["账户", "Account"],
  admin: ["管理角色", "Admin role"],
  amount: "amount",
  amounts: ["各工人金额", "Amounts per worker"],
  applicant: ["申请人账户", "Applicant account"],
  applicant_participant: ["申请人", "Applicant"],
  application_id: ["申请编号", "Application"],
  authority: ["权限管理合约", "Authority"],
  balance: "balance",
  bank: "bank",
  batch_root: ["批次根哈希", "Batch root"],
  buyer: "buyer",
  by_signature: ["签名授权", "Consent by signature"],
  caller: ["调用账户", "Caller"],
  calls: ["提案调用", "Calls"],
  changed_department: "actingDepartment",
  claimant: ["领票方", "Claimant"],
  closed: ["已关闭", "Closed"],
  code: "invoiceCode",
  consent_required: ["需授权用证", "Consent required"],
  contractor: ["施工总承包单位", "General contractor"],
  count: "invoiceCount",
  credit_note_id: ["红字发票编号", "Credit note id"],
  credited: "credited",
  data: ["调用数据", "Call data"],
  default_validity: ["默认有效期", "Default validity"],
  delay: ["延迟", "Delay"],
  department_id: "department",
  depends_on: ["前置证照", "Dependencies"],
  description: "description",
  developer: ["建设单位", "Developer"],
  document_hash: ["文件哈希", "Document hash"],
  enabled: ["启用", "Enabled"],
  evidence_hash: ["证明材料哈希", "Evidence hash"],
  executor: ["执行账户", "Executor"],
  expires_at: ["过期时间", "Expires"],
  from: ["转出方", "From"],
  from_guarantee: "fromGuarantee",
  from_wage_account: ["从农民工工资专用账户", "From the wage account"],
  guarantee_release_at: ["保证金退还时间", "Guarantee released at"],
  guardian: ["监护角色", "Guardian role"],
  holder: "holder",
  holder_participant: ["持证主体（企业/主体）", "Holder (participant)"],
  identity_hash: ["实名信息哈希", "Identity hash"],
  invoice_id: "invoiceId",
  issuer: "issuingDepartment",
  issuer_id: "issuer",
  kind: ["类型", "Kind"],
  label: ["名称", "Label"],
  lapses_at: ["失效时间", "Lapses"],
  licence_id: "licenceId",
  licence_step: ["发证环节", "Licence step"],
  licence_type: "licenceType",
  max_amount: ["单张限额", "Per-invoice limit"],
  milestone_index: "milestone",
  milestones: "milestones",
  name: "name",
  new_member: ["新成员", "New member"],
  new_party: ["新参与部门", "New party"],
  nonce: ["序号", "Nonce"],
  number: "invoiceNumber",
  operation_id: ["操作编号", "Operation id"],
  operator: "operator",
  operators: "operators",
  order_id: "paymentOrder",
  owner: ["持有账户", "Owner"],
  participant_id: "participant",
  party: ["参与方", "Party"],
  payee: "payee",
  payroll_id: "payroll",
  period: "period",
  period_amount_quota: ["月度额度（金额）", "Monthly quota (amount)"],
  period_count_quota: ["月度额度（张数）", "Monthly quota (invoices)"],
  previous_party: ["原参与部门", "Previous party"],
  previous_receiver_id: ["原报销单位", "Previous receiving company"],
  project_id: "project",
  proposal_id: "proposal",
  proposer: "proposer",
  purpose: "purpose",
  ready_at: ["可执行时间", "Executable from"],
  reason: ["原因", "Reason"],
  receiver_id: "receiver",
  reference_hash: ["凭证哈希", "Reference hash"],
  refunded: ["退还金额", "Refunded"],
  registry: ["登记合约", "Registry"],
  reimbursable: ["可报销金额", "Reimbursable"],
  required: "required",
  result_hash: ["结果哈希", "Result hash"],
  role_id: ["角色", "Role"],
  rules: ["表决规则", "Voting rules"],
  schedule: ["预约时间", "Scheduled for"],
  sealing: ["出块", "Sealing"],
  selector: ["函数选择器", "Function selector"],
  since: ["生效时间", "Effective from"],
  spender: ["被授权账户", "Spender"],
  state: "status",
  step: ["审批环节", "Step"],
  steps: ["审批环节", "Steps"],
  subcontractor: ["分包单位", "Subcontractor"],
  supervisor: ["监理单位", "Supervisor"],
  support: "support",
  target: ["目标合约", "Target contract"],
  tax: "tax",
  template_id: ["审批流程模板", "Workflow template"],
  terms: ["项目条款", "Terms"],
  to: ["转入方", "To"],
  to_payable: ["拨付总承包单位", "To the contractor"],
  to_wage_account: "wageAccount",
  total: ["合计", "Total"],
  total_amount: ["合计金额", "Total amount"],
  trusted: ["可信", "Trusted"],
  type_id: "licenceType",
  until: ["授权截止", "Until"],
  valid_from: "validFrom",
  valid_until: "validUntil",
  validator: "validator",
  validator_set: ["验证节点集合", "Validator set"],
  value: ["数额", "Value"],
  version: "version",
  vote_end: "voteEnd",
  voter: "voter",
  worker: ["工人", "Worker"],
  workers: "workers",
};

/** The event argument keys with a caption (for the test that every event table's column has one). */
export const ARG_KEYS: readonly string[] = Object.keys(ARG_NAMES);

/**
 * The captions of the fields of an event argument that is a struct (a proposal's calls, a
 * project's terms), by the ABI's camelCase field name, as the indexer's jsonb keeps them. Keyed by
 * name alone because no two struct types of the events share a field name;
 * test/web/chain-names.test.ts fails when one does (then key by struct type), or when a field has
 * no caption here.
 */
const FIELD_NAMES: Record<string, TextKey | readonly [string, string]> = {
  // IConsortiumGovernor.Call
  target: ["目标合约", "Target contract"],
  data: ["调用数据", "Call data"],
  // IConsortiumGovernor.VotingRules
  thresholdBps: ["通过比例", "Threshold"],
  votingPeriod: ["表决期限", "Voting period"],
  executionDelay: ["执行延迟", "Execution delay"],
  executionWindow: ["执行期限", "Execution window"],
  // IJointApprovals.Step
  code: ["环节代码", "Step code"],
  departmentId: "department",
  prerequisites: ["前置环节", "Prerequisite steps"],
  // IConstructionEscrow.MilestoneTerms
  amount: "amount",
  dueDate: "dueDate",
  descriptionHash: ["节点说明哈希", "Description hash"],
  // IConstructionEscrow.ProjectTerms
  developer: ["建设单位", "Developer"],
  contractor: ["施工总承包单位", "General contractor"],
  supervisor: ["监理单位", "Supervisor"],
  bank: "bank",
  regulator: "projectRegulator",
  humanResources: "humanResources",
  token: ["结算代币", "Settlement token"],
  budget: "budget",
  labourShareBps: ["人工费用占比", "Labour-cost share"],
  guaranteeAmount: "wageGuarantee",
  guaranteeHoldingPeriod: ["保证金保留期", "Guarantee holding period"],
  contractHash: ["合同哈希", "Contract hash"],
};

/** The struct field names with a caption (for the test that every struct field of the events has one). */
export const FIELD_KEYS: readonly string[] = Object.keys(FIELD_NAMES);

/** Enum and state names as the glossary words them. */
const STATES: Record<string, [string, string]> = {
  Issued: ["已开具", "Issued"],
  Claimed: ["已领取", "Claimed"],
  Locked: ["已锁定", "Locked"],
  Reimbursed: ["已报销", "Reimbursed"],
  Voided: ["已作废", "Voided"],
  Active: ["表决中", "Active"],
  Succeeded: ["通过", "Passed"],
  Executed: ["已执行", "Executed"],
  Defeated: ["否决", "Defeated"],
  Expired: ["过期", "Expired"],
  Cancelled: ["已取消", "Cancelled"],
  Pending: ["未生效", "Pending"],
  Revoked: ["已吊销", "Revoked"],
  Suspended: ["已暂停", "Suspended"],
  member: ["正常", "Active"],
  Renewed: ["换发/延续", "Renewed"],
  Reinstated: ["恢复", "Reinstated"],
  ProjectCreated: ["项目登记", "Project created"],
  ProjectFunded: ["资金存入", "Funded"],
  GuaranteeDeposited: ["工资保证金存入", "Wage guarantee deposited"],
  MilestoneSubmitted: ["工程节点提交", "Milestone submitted"],
  MilestoneReleased: ["工程节点拨付", "Milestone released"],
  MilestoneRejected: ["工程节点退回", "Milestone rejected"],
  PaymentOrdered: ["付款指令", "Payment ordered"],
  PaymentOrderPaid: ["付款完成", "Payment paid"],
  PaymentOrderRejected: ["付款退回", "Payment rejected"],
  PayrollSubmitted: ["工资表提交", "Payroll submitted"],
  PayrollApproved: ["工资表批准", "Payroll approved"],
  PayrollPaid: ["代发工资", "Wages paid"],
  PayrollRejected: ["工资表退回", "Payroll rejected"],
  PayrollCancelled: ["工资表取消", "Payroll cancelled"],
  ProjectFrozen: ["冻结", "Frozen"],
  ProjectUnfrozen: ["解除冻结", "Unfrozen"],
  ProjectClosed: ["结项", "Closed"],
  GuaranteeReturned: ["退还保证金", "Guarantee returned"],
  ProjectPartyReplaced: ["更换项目参与部门", "Party replaced"],
  suspended: ["已暂停", "Suspended"],
  yes: ["是", "yes"],
  no: ["否", "no"],
};

/** Where one English state name means different things (an "Active" proposal is being voted on). */
const DOMAIN_STATES: Record<string, Record<string, [string, string]>> = {
  creditNote: {
    Applied: ["已红冲", "Applied"],
    Pending: ["待确认", "Pending"],
    Lapsed: ["已失效", "Lapsed"],
  },
  project: {
    Open: ["监管中", "Open"],
    Closed: ["已结项", "Closed"],
    Settled: ["已结清", "Settled"],
  },
  milestone: {
    Pending: ["未提交", "Pending"],
    Submitted: ["已提交", "Submitted"],
    Released: ["已拨付", "Released"],
    Rejected: ["已退回", "Rejected"],
  },
  paymentOrder: {
    Ordered: ["待付款", "Ordered"],
    Paid: ["已付款", "Paid"],
    Rejected: ["已退回", "Rejected"],
  },
  payroll: {
    Submitted: ["已提交", "Submitted"],
    Approved: ["已批准", "Approved"],
    Paid: ["已代发", "Paid"],
    Rejected: ["已退回", "Rejected"],
    Cancelled: ["已取消", "Cancelled"],
  },
  vote: {
    yes: ["赞成", "Yes"],
    no: ["反对", "No"],
  },
  licence: {
    Issued: ["发证", "Issued"],
    Active: ["有效", "Active"],
    Pending: ["未生效", "Pending"],
    Expired: ["已过期", "Expired"],
  },
};

/** Department names by demo code (the chain stores an English name only). */
const DEPARTMENTS: Record<string, [string, string]> = {
  TAX: ["税务局", "City Tax Bureau"],
  SAMR: ["市场监督管理局", "Market Regulation Administration"],
  CONS: ["住房和城乡建设局", "Construction Bureau"],
  FIRE: ["消防救援支队", "Fire Brigade"],
  BANK: ["银行（监管银行）", "City Commercial Bank"],
  HRSS: ["人力资源和社会保障局", "Human Resources and Social Security Bureau"],
  AUDIT: ["审计局", "City Audit Office"],
};

/**
 * Names of the codes the demo's licence types and use purposes carry (the chain stores the code
 * only; terms from the glossary). Any other code shows as itself.
 */
const CODE_NAMES: Record<string, Record<string, [string, string]>> = {
  licenceType: {
    BUSINESS_REGISTRATION: ["营业执照", "Business registration"],
    FOOD_BUSINESS: ["食品经营许可证", "Food business licence"],
    FIRE_SAFETY: ["消防安全检查合格证", "Fire safety certificate"],
  },
  purpose: {
    BUILDING_PERMIT_CHECK: ["施工许可核验", "Building permit check"],
    RENOVATION_PERMIT: ["装修许可", "Renovation permit"],
    FOOD_SAFETY_INSPECTION: ["食品安全检查", "Food safety inspection"],
  },
};

/** A duration's units: seconds in one, zh-CN, English one and many. */
const DURATION_UNITS: [bigint, string, string, string][] = [
  [86_400n, "天", "day", "days"],
  [3_600n, "小时", "hour", "hours"],
  [60n, "分钟", "minute", "minutes"],
  [1n, "秒", "second", "seconds"],
];

export interface Locale {
  lang: Lang;
  timeZone: string;
  t(key: TextKey): string;
  state(name: string, domain?: string): string;
  department(code: string | null, chainName?: string | null): string;
  /** A licence type's or a purpose's name, or the code itself when it has none. */
  named(kind: string, code: string): string;
  /** The codes with names of a kind (departments, licence types, purposes), for a filter's suggestions. */
  codes(kind: "department" | "licenceType" | "purpose"): [string, string][];
  /** A contract event's name (InvoiceIssued → 开具发票), or the identifier itself when it has none. */
  event(name: string): string;
  /** A contract custom error's name (InvoiceUnexpectedState → 发票状态不允许此操作), or the identifier. */
  error(name: string): string;
  /** A contract's name (InvoiceLedger → 电子发票合约), or the identifier. */
  contract(name: string): string;
  /** A contract function's name (InvoiceLedger's reimburse → 报销), or the identifier. */
  fn(contract: string, name: string): string;
  /** An enum member a contract event carries (CreditNoteState Applied → 已红冲), or the member. */
  enumMember(name: string, member: string): string;
  /** An event argument's caption (issuer_id → 开票方), or the key itself when it has none. */
  arg(key: string): string;
  /** A struct field's caption (labourShareBps → 人工费用占比), or the field's name itself when it has none. */
  field(name: string): string;
  /** An AccessManager role's caption by its name (TAX_AUTHORITY → 税务部门), or the name itself. */
  role(name: string): string;
  /** A month YYYY-MM as staff write it (2026年7月, 2026-07); other text as it is. */
  month(value: string): string;
  /** Fen (a decimal string or bigint) as yuan: ¥1,610.00. */
  yuan(fen: string | bigint | null): string;
  count(value: string | number | bigint | null): string;
  /** Seconds as days, hours, minutes and seconds (3 天 2 小时, 3 days 2 hours); 0 as 0 seconds. */
  duration(seconds: bigint): string;
  dateTime(value: Date | string | null): string;
  date(value: Date | string | null): string;
}

export function locale(lang: Lang, timeZone: string): Locale {
  const index = lang === "zh-CN" ? 0 : 1;
  /** A key's caption from a table of captions (a text key or the two words), or the key itself. */
  const caption = (names: Record<string, TextKey | readonly [string, string]>, key: string) => {
    const name = Object.hasOwn(names, key) ? names[key] : undefined;
    return name === undefined ? key : typeof name === "string" ? TEXT[name][index] : name[index];
  };
  const numbers = new Intl.NumberFormat("en-US");
  const dateTime = new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  });
  const day = new Intl.DateTimeFormat("sv-SE", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return {
    lang,
    timeZone,
    t: (key) => TEXT[key][index],
    state: (name, domain) => (domain && DOMAIN_STATES[domain]?.[name]?.[index]) ?? STATES[name]?.[index] ?? name,
    department: (code, chainName) => (code && DEPARTMENTS[code]?.[index]) || chainName || code || "—",
    named: (kind, code) => CODE_NAMES[kind]?.[code]?.[index] ?? code,
    event: (name) => EVENT_NAMES[name]?.[index] ?? name,
    error: (name) => ERROR_NAMES[name]?.[index] ?? name,
    contract: (name) => CONTRACT_NAMES[name]?.[index] ?? name,
    enumMember: (name, member) => ENUM_NAMES[name]?.[member]?.[index] ?? member,
    fn: (contract, name) => functionEntry(contract, name)?.[index] ?? name,
    arg: (key) => caption(ARG_NAMES, key),
    field: (key) => caption(FIELD_NAMES, key),
    role: (name) => (Object.hasOwn(ROLE_NAMES, name) ? ROLE_NAMES[name][index] : name),
    month(value) {
      const match = /^(\d{4})-(\d{2})$/.exec(value);
      return match && index === 0 ? `${match[1]}年${Number(match[2])}月` : value;
    },
    codes: (kind) =>
      Object.entries(kind === "department" ? DEPARTMENTS : CODE_NAMES[kind]).map(([code, names]) => [
        code,
        names[index],
      ]),
    yuan(fen) {
      if (fen === null || fen === undefined) return "—";
      const value = BigInt(fen);
      const sign = value < 0n ? "-" : "";
      const abs = value < 0n ? -value : value;
      return `${sign}¥${numbers.format(abs / 100n)}.${(abs % 100n).toString().padStart(2, "0")}`;
    },
    count: (value) => (value === null ? "—" : numbers.format(BigInt(value))),
    duration(seconds) {
      const parts = DURATION_UNITS.flatMap(([size, zh, one, many], i) => {
        // (each unit's part of what the larger units leave: 90,000 s is 1 day 1 hour)
        const n = (i === 0 ? seconds : seconds % DURATION_UNITS[i - 1][0]) / size;
        if (n === 0n) return [];
        return [index === 0 ? `${numbers.format(n)} ${zh}` : `${numbers.format(n)} ${n === 1n ? one : many}`];
      });
      return parts.length ? parts.join(" ") : index === 0 ? "0 秒" : "0 seconds";
    },
    dateTime: (value) => (value === null ? "—" : dateTime.format(new Date(value))),
    date: (value) => (value === null ? "—" : day.format(new Date(value))),
  };
}

export function parseLang(value: string | undefined): Lang | undefined {
  return LANGS.find((lang) => lang === value);
}
