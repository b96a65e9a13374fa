/**
 * The integrators' API (web/src/api/): GraphQL under row-level security, its relations and
 * paging, its limits and authentication, the service tokens, and the read API a dApp calls
 * (an untouched invoice verified and claimed on chain with the proof it serves; a licence's
 * validity over time checked against the registry's own isValidAt). Real chain, real
 * PostgreSQL, the dashboard and the API sharing the web role and the session key as under
 * `npm start`.
 */
import { expect } from "chai";
import { encodeBytes32String, id } from "ethers";
import { readFileSync } from "node:fs";
import path from "node:path";

import { getIntrospectionQuery, getNamedType } from "postgraphile/graphql";
import postgres from "postgres";

import { batchProof, buyerHash, withIdentity } from "@govledger/contracts";

import { codeToId, PARTICIPANT_KINDS, ROLES } from "../../deploy/lib/consortium.js";
import { loadApiConfig } from "../../web/src/api/config.js";
import { ERROR_CODES, type ErrorCode } from "../../web/src/api/errors.js";
import { SCHEMAS, viewKeys } from "../../web/src/api/graphql.js";
import { printedSchema, SCHEMA_FILE } from "../../web/src/api/schema.js";
import { startApi, type ApiHandle } from "../../web/src/api/server.js";
import { issueToken, revokeToken } from "../../web/src/auth/tokens.js";
import { loadDashboardConfig } from "../../web/src/config.js";
import { webRoleUrl } from "../../web/src/db.js";
import { startDashboard, type DashboardHandle } from "../../web/src/server.js";
import { passProposal } from "../fixtures.js";
import { type Chain, configFor, type Database, indexToHead, startChain, startDatabase } from "../indexer/harness.js";
import { connectAnalyst, operator, SESSION_SECRET, signInOverHttp } from "./helpers.js";

const hex = (buffer: Buffer) => `0x${buffer.toString("hex")}`;
const participantId = (code: string) => id(`govledger-demo-salt:${code}`);
const ACME = participantId("ACME-TRADING");
const INVOICE_CODE = encodeBytes32String("044031900111");

type GraphqlError = { message: string; locations?: unknown[]; extensions?: { code?: string } };

describe("integrators' API (web/src/api/)", function () {
  this.timeout(300_000);
  let db: Database;
  let chain: Chain;
  let databaseUrl: string;
  let owner: postgres.Sql;
  let dashboard: DashboardHandle;
  let api: ApiHandle;
  let base: string;
  const tokens = new Map<string, string>();
  const apiLog: string[] = [];
  const analysts = new Map<string, postgres.Sql>();
  let dependent: string; // a FIRE licence that depends on the hotel's SAMR registration
  const index = async () => void (await indexToHead(configFor(chain, databaseUrl)));

  async function graphql(body: unknown, auth: { token?: string; cookie?: string } = {}) {
    const response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: GraphqlError[] } };
  }
  const as = async (department: string, query: string, variables: Record<string, unknown> = {}) => {
    const { status, body } = await graphql({ query, variables }, { token: tokens.get(department) });
    expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
    expect(status).to.equal(200);
    return body.data;
  };
  /** Every node of a connection, page by page through its cursor. */
  async function all(department: string, field: string, selection: string, pageSize = 100) {
    const nodes: any[] = [];
    let after: string | null = null;
    for (;;) {
      const data = await as(
        department,
        `query($after: Cursor) { ${field}(first: ${pageSize}, after: $after) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      nodes.push(...data[field].nodes);
      if (!data[field].pageInfo.hasNextPage) return nodes;
      after = data[field].pageInfo.endCursor;
    }
  }

  before(async function () {
    db = await startDatabase();
    chain = await startChain();
    databaseUrl = await db.create();
    // A dependency and a suspension interval, which the demo has neither of: FIRE issues the
    // hotel a licence depending on its SAMR registration; SAMR suspends that registration a
    // day later and reinstates it a day after.
    const { licenceRegistry } = chain.contracts;
    const { samr, fire } = chain.accounts;
    await index();
    owner = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    const [registration] = await owner`
      select '0x' || encode(licence_id, 'hex') as id from licences.licence
      where department_id = ${Buffer.from(codeToId("SAMR").slice(2), "hex")}
        and holder = ${Buffer.from(chain.accounts.all[11].address.slice(2), "hex")}`;
    const day = async () => {
      await chain.provider.request({ method: "evm_increaseTime", params: [86_400] });
      await chain.mine();
    };
    const sent = await licenceRegistry
      .connect(fire)
      .issue(
        id("api-test:fire-2"),
        codeToId("FIRE_SAFETY"),
        chain.accounts.all[11].address,
        id("api-test:fs-2"),
        0,
        0,
        [registration.id],
      );
    await sent.wait();
    await day();
    await (await licenceRegistry.connect(samr).suspend(registration.id, id("api-test:inspection"))).wait();
    await day();
    await (await licenceRegistry.connect(samr).reinstate(registration.id)).wait();
    await day();
    await index();
    dependent = (
      await owner`select '0x' || encode(licence_id, 'hex') as id from licences.licence_issued
                             order by block_number desc limit 1`
    )[0].id;

    // The dashboard and the API as `npm start` runs them: one web role URL, one session key.
    const webUrl = await webRoleUrl(databaseUrl, { file: path.join(db.dataDir, "dashboard-db-password") });
    dashboard = await startDashboard(
      loadDashboardConfig({
        GOVLEDGER_DASHBOARD_DATABASE_URL: webUrl,
        GOVLEDGER_DASHBOARD_PORT: "0",
        GOVLEDGER_SESSION_SECRET: SESSION_SECRET,
      }),
      { log: () => {} },
    );
    api = await startApi(
      loadApiConfig({
        GOVLEDGER_API_DATABASE_URL: webUrl,
        GOVLEDGER_API_PORT: "0",
        GOVLEDGER_SESSION_SECRET: SESSION_SECRET,
        GOVLEDGER_API_MAX_DEPTH: "8",
        GOVLEDGER_API_MAX_COST: "5000",
        GOVLEDGER_API_MAX_PAGE: "100",
      }),
      { log: (line) => apiLog.push(line) },
    );
    base = api.url;
    for (const code of ["TAX", "FIRE", "SAMR"]) {
      tokens.set(code, (await issueToken(owner, code, "api test", "test")).token);
      analysts.set(code, await connectAnalyst(owner, databaseUrl, code));
    }
  });
  after(async function () {
    for (const sql of analysts.values()) await sql.end();
    await owner?.end();
    await api?.close();
    await dashboard?.close();
    await chain?.close();
    await db?.stop();
  });

  it("shows each department through GraphQL exactly what it sees in SQL", async function () {
    const lists = [
      { field: "invoices", key: "invoiceId", sql: "select invoice_id as k from invoices.invoices" },
      { field: "creditNotes", key: "creditNoteId", sql: "select credit_note_id as k from invoices.credit_notes" },
      { field: "licences", key: "licenceId", sql: "select licence_id as k from licences.licences" },
      {
        field: "licenceUses",
        key: "txHash",
        sql: "select tx_hash as k from licences.licence_uses",
      },
      { field: "issuers", key: "issuerId", sql: "select issuer_id as k from invoices.issuers" },
    ];
    const seen = new Map<string, number>();
    for (const department of ["TAX", "FIRE", "SAMR"]) {
      for (const list of lists) {
        const viaGraphql = (await all(department, list.field, list.key)).map((n) => n[list.key]).sort();
        const viaSql = (await analysts.get(department)!.unsafe(list.sql)).map((r) => hex(r.k)).sort();
        expect(viaGraphql, `${list.field} as ${department}`).to.deep.equal(viaSql);
        seen.set(`${department} ${list.field}`, viaSql.length);
      }
    }
    // Not vacuous: the departments see different, non-empty sets.
    expect(seen.get("TAX invoices")).to.be.greaterThan(0);
    expect(seen.get("FIRE invoices")).to.equal(0);
    expect(seen.get("FIRE licences")).to.be.greaterThan(0);
    expect(seen.get("TAX licences")).to.equal(0);
    expect(seen.get("SAMR licenceUses")).to.be.greaterThan(0);
    // Internal tables and functions are not part of the schema; nothing can be written.
    const { body } = await graphql(
      { query: "{ __schema { queryType { fields { name } } mutationType { name } } }" },
      { token: tokens.get("TAX") },
    );
    const fields = body.data.__schema.queryType.fields.map((f: { name: string }) => f.name);
    expect(fields).to.include.members(["invoices", "creditNotes", "licences", "licenceUses", "projects", "payrolls"]);
    expect(fields.filter((name: string) => /internal|invoiceIssued|events|chainTime/i.test(name))).to.deep.equal([]);
    expect(body.data.__schema.mutationType).to.equal(null);
    // GraphiQL's own introspection query (as ruru sends it) is within the limits: depth 8 here,
    // its type references nest 15 levels, which introspection may.
    const introspection = await as(
      "TAX",
      getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true }),
    );
    expect(introspection.__schema.types.map((t: { name: string }) => t.name)).to.include.members(["Invoice", "Query"]);
  });

  it("follows invoice -> credit notes -> transactions, licence -> uses, project -> payrolls", async function () {
    const data = await as(
      "TAX",
      `{ invoices(first: 10, filter: { credited: { greaterThan: "0" } }) { nodes { invoiceId number
           creditNotes(first: 5) { nodes { creditNoteId amount invoice { invoiceId } transactions(first: 5) { nodes { event txHash } } } }
           transactions(first: 10, orderBy: PRIMARY_KEY_ASC) { nodes { state txHash } } } } }`,
    );
    const [credited] = data.invoices.nodes;
    expect(credited.number).to.equal("4");
    const [note] = credited.creditNotes.nodes;
    expect(note.invoice.invoiceId).to.equal(credited.invoiceId);
    const [issued] =
      await owner`select tx_hash from invoices.credit_note_issued where credit_note_id = ${Buffer.from(note.creditNoteId.slice(2), "hex")}`;
    expect(note.transactions.nodes).to.deep.equal([{ event: "Issued", txHash: hex(issued.tx_hash) }]);
    expect(credited.transactions.nodes.map((t: { state: string }) => t.state)).to.deep.equal(["Issued"]);

    const licences = await as(
      "FIRE",
      `{ licences(first: 10, orderBy: ISSUED_BLOCK_ASC) { nodes { licenceId uses(first: 10) { nodes { departmentCode purposeCode validAtUse } } } } }`,
    );
    const used = licences.licences.nodes.find((l: { uses: { nodes: unknown[] } }) => l.uses.nodes.length > 0);
    const uses = await owner`select web.department_code(department_id) as code from licences.licence_use
                             where licence_id = ${Buffer.from(used.licenceId.slice(2), "hex")}`;
    expect(used.uses.nodes.map((u: { departmentCode: string }) => u.departmentCode).sort()).to.deep.equal(
      uses.map((u) => u.code).sort(),
    );

    const projects = await as("SAMR", `{ projects(first: 5) { nodes { projectId } } }`);
    expect(projects.projects.nodes).to.deep.equal([]); // SAMR has no part in any project
    const cons = (await issueToken(owner, "CONS", "api test", "test")).token;
    const { body } = await graphql(
      {
        query: `{ projects(first: 5) { nodes { projectId payrollCount payrolls(first: 10) { nodes { payrollId state project { projectId } } } } } }`,
      },
      { token: cons },
    );
    const project = body.data.projects.nodes.find((p: { payrollCount: string }) => Number(p.payrollCount) > 0);
    expect(project, "the demo's project has payrolls").to.not.equal(undefined);
    expect(project.payrolls.nodes).to.have.length(Number(project.payrollCount));
    for (const payroll of project.payrolls.nodes) expect(payroll.project.projectId).to.equal(project.projectId);
  });

  it("pages with cursors forwards and backwards, in the order asked for", async function () {
    // Filters: by an id (HexBytes in, bytea in SQL) and by a set of states, as README's example.
    const byIssuer = await as(
      "TAX",
      `{ invoices(first: 100, filter: { issuerId: { equalTo: "${ACME}" }, state: { in: ["Issued", "Claimed"] } }) { nodes { number } } }`,
    );
    const issuedOrClaimed = await analysts.get("TAX")!`select number from invoices.invoices
      where issuer_id = ${Buffer.from(ACME.slice(2), "hex")} and state in ('Issued', 'Claimed') order by invoice_id`;
    expect(byIssuer.invoices.nodes.map((n: { number: string }) => n.number)).to.deep.equal(
      issuedOrClaimed.map((r) => String(r.number)),
    );
    expect(issuedOrClaimed.length).to.be.greaterThan(1);
    const [{ count }] = await analysts.get("TAX")!`select count(*)::int as count from invoices.invoices`;
    expect(count).to.be.greaterThan(3);
    const expected = (
      await analysts.get("TAX")!`select number from invoices.invoices order by amount desc, invoice_id desc`
    ).map((r) => String(r.number));
    const numbers: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data = await as(
        "TAX",
        `query($after: Cursor) { invoices(first: 2, after: $after, orderBy: [AMOUNT_DESC, PRIMARY_KEY_DESC]) {
           nodes { number } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`,
        { after },
      );
      numbers.push(...data.invoices.nodes.map((n: { number: string }) => n.number));
      pages++;
      if (!data.invoices.pageInfo.hasNextPage) {
        // ... and back: the two rows before the last page's first.
        const back = await as(
          "TAX",
          `query($before: Cursor) { invoices(last: 2, before: $before, orderBy: [AMOUNT_DESC, PRIMARY_KEY_DESC]) { nodes { number } } }`,
          { before: data.invoices.pageInfo.startCursor },
        );
        const at = numbers.length - data.invoices.nodes.length;
        expect(back.invoices.nodes.map((n: { number: string }) => n.number)).to.deep.equal(expected.slice(at - 2, at));
        break;
      }
      after = data.invoices.pageInfo.endCursor;
    }
    expect(numbers).to.deep.equal(expected);
    expect(pages).to.equal(Math.ceil(count / 2));
  });

  it("counts from the rollups, and offers totalCount only on lists the consortium's set-up bounds", async function () {
    for (const department of ["TAX", "FIRE"]) {
      const sql = analysts.get(department)!;
      const [all] = await sql`select count(*)::int as n from invoices.invoices`;
      const [open] = await sql`select count(*)::int as n from invoices.invoices where state in ('Issued', 'Claimed')`;
      const [late] = await sql`select count(*)::int as n, min(indexer.local_day(issued_at))::text as day
                               from invoices.invoices`;
      const data = await as(
        department,
        `query($day: Date) { all: invoiceCount open: invoiceCount(states: ["Issued", "Claimed"])
           fromFirstDay: invoiceCount(fromDay: $day) beforeFirstDay: invoiceCount(untilDay: "2000-01-01")
           departments(first: 100) { totalCount nodes { departmentId } } }`,
        { day: late.day ?? "2000-01-01" },
      );
      expect(data, department).to.deep.include({
        all: String(all.n),
        open: String(open.n),
        fromFirstDay: String(late.n),
        beforeFirstDay: "0",
      });
      expect(data.departments.totalCount).to.equal(data.departments.nodes.length);
      if (department === "TAX") expect(all.n).to.be.greaterThan(open.n).and.greaterThan(0);
    }
    // A list that grows with the city's business has no count to run over all of it.
    for (const list of ["invoices", "creditNotes", "licences", "licenceUses", "stateHistory", "wagesPaid"]) {
      const answer = await graphql({ query: `{ ${list}(first: 1) { totalCount } }` }, { token: tokens.get("TAX") });
      expect(answer.status, list).to.equal(400);
      expect(answer.body.errors?.[0].message).to.match(/^\w+Connection has no totalCount: .* count with invoiceCount/);
      expect(answer.body.errors?.[0].extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
    }
  });

  it("names every list as integrators read it, and docs/schema.graphql prints the schema served", async function () {
    const fields = Object.keys(api.schema.getQueryType()!.getFields());
    // PostGraphile's plural of a view's last word (wages_owed -> wagesOweds) is not a name.
    expect(
      fields.filter((name) => /(Days|Histories|Oweds|Paids|States|Statuses|Valids|Departments)$/.test(name)),
    ).to.deep.equal([]);
    expect(fields).to.include.members([
      "invoices",
      "invoice",
      "invoiceByNodeId",
      "wagesOwed",
      "wagesOwedByProjectId",
      "invoiceTotalsPerIssuerDay",
      "invoiceTotalsPerIssuerDayByIssuerIdAndDay",
      "invoicesPerDepartmentDay",
      "licencesPerStatus",
      "stateHistory",
      "creditNoteHistory",
      "operatorHistory",
      "invoiceCount",
    ]);
    expect(fields.filter((name) => name.endsWith("ById"))).to.deep.equal([]);
    expect(readFileSync(SCHEMA_FILE, "utf8"), "docs/schema.graphql is stale: run npm run api:schema").to.equal(
      printedSchema(api.schema),
    );
  });

  it("accepts the dashboard's session cookie as the operator's department", async function () {
    const cookie = await signInOverHttp(dashboard.url, operator("TAX"));
    const query = "{ invoices(first: 100) { nodes { invoiceId } } }";
    const bySession = await graphql({ query }, { cookie });
    const byToken = await graphql({ query }, { token: tokens.get("TAX") });
    expect(bySession.status).to.equal(200);
    expect(bySession.body.data.invoices.nodes).to.have.length.greaterThan(0);
    expect(bySession.body).to.deep.equal(byToken.body);
  });

  it("answers bad input with a clear error and changes nothing", async function () {
    const before = await owner`select count(*)::int as tokens, (select count(*)::int from invoices.invoice) as invoices,
                                      (select count(*)::int from web.api_tokens where revoked_at is not null) as revoked
                               from web.api_tokens`;
    const tax = { token: tokens.get("TAX") };
    const expectError = async (
      body: unknown,
      auth: { token?: string; cookie?: string },
      status: number,
      code: ErrorCode,
      message: RegExp,
    ) => {
      const answer = await graphql(body, auth);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
      expect(answer.body.data ?? null).to.equal(null);
      expect(answer.body.errors?.[0].message).to.match(message);
      expect(answer.body.errors?.map((error) => error.extensions?.code)).to.deep.equal([code]);
    };
    await expectError(
      { query: "{ invoices(first: 1) { nodes { invoiceId }" },
      tax,
      400,
      "GRAPHQL_PARSE_FAILED",
      /Syntax Error/,
    );
    await expectError("{ not json", tax, 400, "BAD_REQUEST", /must be JSON/);
    const plain = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${tokens.get("TAX")}` },
      body: JSON.stringify({ query: "{ invoices(first: 1) { nodes { invoiceId } } }" }),
    });
    expect(plain.status).to.be.oneOf([400, 415]);
    const plainError = ((await plain.json()) as { errors: GraphqlError[] }).errors[0];
    expect(plainError.message).to.not.match(/^internal error/);
    expect(plainError.extensions?.code).to.equal("BAD_REQUEST");
    await expectError(
      { query: "{ invoices(first: 1) { nodes { noSuchColumn } } }" },
      tax,
      400,
      "GRAPHQL_VALIDATION_FAILED",
      /Cannot query field "noSuchColumn"/,
    );
    await expectError(
      { query: "{ invoices { nodes { invoiceId } } }" },
      tax,
      400,
      "PAGE_TOO_LARGE",
      /invoices: give first or last \(at most 100/,
    );
    await expectError(
      { query: "{ invoices(first: 101) { nodes { invoiceId } } }" },
      tax,
      400,
      "PAGE_TOO_LARGE",
      /first\/last must be an integer from 0 to 100, not 101/,
    );
    await expectError(
      { query: "query($n: Int) { invoices(first: $n) { nodes { invoiceId } } }", variables: { n: 1_000_000 } },
      tax,
      400,
      "PAGE_TOO_LARGE",
      /not 1000000/,
    );
    await expectError(
      {
        query: `{ invoices(first: 100) { nodes { creditNotes(first: 100) { nodes { transactions(first: 100) { nodes { txHash } } } } } } }`,
      },
      tax,
      400,
      "QUERY_TOO_COSTLY",
      /more than 5000 rows \(the cost limit\)/,
    );
    await expectError(
      {
        query: `{ creditNotes(first: 1) { nodes { invoice { creditNotes(first: 1) { nodes { invoice { creditNotes(first: 1) { nodes { invoice { invoiceId } } } } } } } } } }`,
      },
      tax,
      400,
      "QUERY_TOO_DEEP",
      /nested deeper than 8 levels \(at creditNotes\.nodes\.invoice\.creditNotes\.nodes\.invoice\.creditNotes\.nodes\)/,
    );
    // Introspection is held to limits too: as deep as the standard introspection query, type
    // references named rather than listed again, data fields inside it costed as data.
    await expectError(
      { query: `{ __type(name: "Invoice") { ${"ofType { ".repeat(16)} name ${"} ".repeat(16)} } }` },
      tax,
      400,
      "QUERY_TOO_DEEP",
      /introspection is nested deeper than 15 levels/,
    );
    await expectError(
      { query: "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }" },
      tax,
      400,
      "QUERY_TOO_COSTLY",
      /introspection: fields of a type reached through type is not served/,
    );
    await expectError(
      { query: "{ __schema { types { name } } invoices { nodes { invoiceId } } }" },
      tax,
      400,
      "PAGE_TOO_LARGE",
      /invoices: give first or last/,
    );
    await expectError(
      {
        query: `{ __schema { ... on Query { invoices(first: 100) { nodes { creditNotes(first: 100) { nodes { creditNoteId } } } } } } }`,
      },
      tax,
      400,
      "QUERY_TOO_COSTLY",
      /more than 5000 rows \(the cost limit\)/,
    );
    await expectError(
      {
        query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: __type(name: "Query") { fields { args { name } } }`).join(" ")} }`,
      },
      tax,
      400,
      "QUERY_TOO_COSTLY",
      /introspection may describe at most twice the whole schema a request \(\d+ types, fields, arguments and values\), exceeded at a\d+/,
    );
    await expectError(
      { query: "mutation { deleteInvoice(input: {}) { clientMutationId } }" },
      tax,
      400,
      "GRAPHQL_VALIDATION_FAILED",
      /only queries are served: .* \(not a mutation\)/,
    );
    // Unauthenticated, a bad token, a revoked one.
    await expectError(
      { query: "{ invoices(first: 1) { nodes { invoiceId } } }" },
      {},
      401,
      "UNAUTHENTICATED",
      /sign in to the dashboard or send 'Authorization: Bearer/,
    );
    await expectError(
      { query: "{ invoices(first: 1) { nodes { invoiceId } } }" },
      { token: "glt_" + "x".repeat(43) },
      401,
      "UNAUTHENTICATED",
      /bearer token is not valid/,
    );
    // What HTTP clients look for on a 401: the scheme, and whether a token sent was refused.
    const challenge = async (headers: Record<string, string>) =>
      (
        await fetch(`${base}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ query: "{ invoices(first: 1) { nodes { invoiceId } } }" }),
        })
      ).headers.get("www-authenticate");
    expect(await challenge({})).to.equal('Bearer realm="govledger"');
    expect(await challenge({ authorization: `Bearer glt_${"x".repeat(43)}` })).to.equal(
      'Bearer realm="govledger", error="invalid_token"',
    );
    const revoked = await issueToken(owner, "TAX", "to revoke", "test");
    const ok = await graphql({ query: "{ invoices(first: 1) { nodes { invoiceId } } }" }, { token: revoked.token });
    expect(ok.status).to.equal(200);
    expect(await revokeToken(owner, "TAX", "to revoke")).to.equal(1);
    await expectError(
      { query: "{ invoices(first: 1) { nodes { invoiceId } } }" },
      { token: revoked.token },
      401,
      "UNAUTHENTICATED",
      /bearer token was revoked at .*: ask TAX for a new one/,
    );
    const afterwards =
      await owner`select count(*)::int as tokens, (select count(*)::int from invoices.invoice) as invoices,
                                          (select count(*)::int from web.api_tokens where revoked_at is not null) as revoked
                                   from web.api_tokens`;
    // The only change: the token this test issued and revoked itself.
    expect(afterwards[0]).to.deep.equal({ ...before[0], tokens: before[0].tokens + 1, revoked: before[0].revoked + 1 });
  });

  it("lets a signed-in operator issue and revoke its department's tokens, and a token do neither", async function () {
    const cookie = await signInOverHttp(dashboard.url, operator("FIRE"));
    const post = (body: unknown, headers: Record<string, string>) =>
      fetch(`${base}/api/tokens`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const created = await post({ label: "inspection app" }, { cookie });
    expect(created.status).to.equal(201);
    const { token, tokenId, department } = (await created.json()) as {
      token: string;
      tokenId: number;
      department: string;
    };
    expect(department).to.equal("FIRE");
    const listed = (await (await fetch(`${base}/api/tokens`, { headers: { cookie } })).json()) as {
      tokens: { label: string }[];
    };
    expect(listed.tokens.map((t) => t.label)).to.include("inspection app");
    expect(JSON.stringify(listed)).to.not.include(token);
    const query = { query: "{ licences(first: 100) { nodes { licenceId } } }" };
    expect((await graphql(query, { token })).body).to.deep.equal((await graphql(query, { cookie })).body);
    // A token cannot mint tokens; nor can anyone without a session; nor a bad label.
    expect((await post({ label: "x" }, { authorization: `Bearer ${token}` })).status).to.equal(403);
    expect((await post({ label: "x" }, {})).status).to.equal(401);
    const bad = await post({ label: "no\nnewlines" }, { cookie });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: string }).error).to.match(/a token label is/);
    // Another department's token cannot be revoked by this one.
    const taxToken =
      await owner`select token_id from web.api_tokens where department_code = 'TAX' and revoked_at is null limit 1`;
    expect(
      (await fetch(`${base}/api/tokens/${taxToken[0].token_id}`, { method: "DELETE", headers: { cookie } })).status,
    ).to.equal(404);
    const revoked = await fetch(`${base}/api/tokens/${tokenId}`, { method: "DELETE", headers: { cookie } });
    expect(revoked.status).to.equal(200);
    const refused = await graphql(query, { token });
    expect(refused.status).to.equal(401);
    expect(refused.body.errors?.[0].message).to.match(/revoked/);
  });

  it("serves an untouched invoice's data and proof, which verifyInvoice accepts and claim uses, to anyone", async function () {
    const ledger = chain.contracts.invoiceLedger;
    const response = await fetch(`${base}/api/invoices/${ACME}/044031900111/1`);
    expect(response.status).to.equal(200);
    const answer = (await response.json()) as any;
    expect(answer.invoice.state).to.equal("Issued");
    expect(answer.invoice.recorded).to.equal(false);
    expect(answer.batch).to.include({ size: 5, index: 0 });
    expect((await ledger.getInvoice(answer.invoiceId)).state).to.equal(0n); // None: the ledger holds only the root
    const invoice = answer.invoiceData;
    const [genuine] = await ledger.verifyInvoice(invoice, answer.proof);
    expect(genuine).to.equal(true);
    const [forged] = await ledger.verifyInvoice({ ...invoice, amount: BigInt(invoice.amount) + 1n }, answer.proof);
    expect(forged).to.equal(false);
    // The buyer claims it with the served data and proof (its salt is the buyer's own).
    const receiver = participantId("CITY-HOTEL");
    await (
      await ledger.connect(chain.accounts.stranger).claim(invoice, answer.proof, id("demo-salt:1"), receiver)
    ).wait();
    expect((await ledger.getInvoice(answer.invoiceId)).state).to.equal(2n); // Claimed
    // The same by code as 0x bytes32; a batch of one has an empty proof.
    const single = (await (await fetch(`${base}/api/invoices/${ACME}/${INVOICE_CODE}/6`)).json()) as any;
    expect(single.proof).to.deep.equal([]);
    expect((await ledger.verifyInvoice(single.invoiceData, single.proof))[0]).to.equal(true);
    // Bad input and an invoice nobody issued.
    const missing = await fetch(`${base}/api/invoices/${ACME}/044031900111/99`);
    expect(missing.status).to.equal(404);
    const bad = await fetch(`${base}/api/invoices/0x1234/044031900111/1`);
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: string }).error).to.match(/issuerId must be 0x and 64 hex digits/);
  });

  it("serves a licence's validity over time as isValidAt answers it, dependencies included, to anyone", async function () {
    const response = await fetch(`${base}/api/licences/${dependent}`);
    expect(response.status).to.equal(200);
    const history = (await response.json()) as {
      validity: { from: string; until: string | null; valid: boolean; reason: string | null }[];
      dependencies: string[];
      versions: unknown[];
    };
    expect(history.dependencies).to.have.length(1);
    expect(history.versions).to.have.length(1);
    // Valid, then not while its dependency was suspended, valid again, and expired at the end of
    // its window (already known).
    expect(history.validity.map((s) => s.valid)).to.deep.equal([true, false, true, false]);
    expect(history.validity[1].reason).to.equal(`dependency ${history.dependencies[0]} suspended`);
    expect(history.validity[3]).to.include({ reason: "expired", until: null });
    const registry = chain.contracts.licenceRegistry;
    for (const span of history.validity) {
      const from = Date.parse(span.from) / 1000;
      const last = span.until === null ? from + 3600 : Date.parse(span.until) / 1000 - 1;
      for (const t of [from, last]) {
        expect(await registry.isValidAt(dependent, t), `isValidAt(${t}) in ${JSON.stringify(span)}`).to.equal(
          span.valid,
        );
      }
    }
    expect((await fetch(`${base}/api/licences/0x${"00".repeat(32)}`)).status).to.equal(404);
    expect((await fetch(`${base}/api/licences/nope`)).status).to.equal(400);
  });
  // Last: it takes ACME's account, which the tests above use as the demo left it.
  it("counts exactly the invoices each department pages through, a second tax bureau included", async function () {
    const { registry, invoiceLedger: ledger } = chain.contracts;
    const { bank, newcomer, stranger, enterprises } = chain.accounts;
    // invoiceCount sums the rollup, which counts each invoice for its issuer's registrar; the list
    // shows it to every department that ever registered the issuer. The two agree because an
    // issuer has one registrar for good: a vote gives ACME's account to HRSS as an operator and
    // makes BANK a tax bureau, and still BANK cannot register ACME again (its record stays).
    const at = await registry.getAddress();
    await (
      await passProposal(chain, [
        {
          target: at,
          data: registry.interface.encodeFunctionData("grantDepartmentRole", [codeToId("BANK"), ROLES.TAX_AUTHORITY]),
        },
        {
          target: at,
          data: registry.interface.encodeFunctionData("addOperator", [codeToId("HRSS"), enterprises[0].address]),
        },
      ])
    ).wait();
    const enterprise = PARTICIPANT_KINDS.indexOf("Enterprise");
    await expect(registry.connect(bank).registerParticipant(ACME, newcomer.address, enterprise))
      .to.be.revertedWithCustomError(registry, "RegistryParticipantExists")
      .withArgs(ACME);
    // BANK registers an issuer of its own, which TAX (the issuer role's administrator) lets
    // issue; it issues two invoices and voids one.
    const BANK_ISSUER = participantId("BANK-CLIENT");
    await (await registry.connect(bank).registerParticipant(BANK_ISSUER, newcomer.address, enterprise)).wait();
    await (await registry.connect(chain.accounts.tax).grantParticipantRole(BANK_ISSUER, ROLES.INVOICE_ISSUER)).wait();
    await (
      await ledger.connect(bank).setIssuerRules(BANK_ISSUER, {
        enabled: true,
        maxAmount: 1_000_000n,
        periodAmountQuota: 100_000_000n,
        periodCountQuota: 10_000n,
      })
    ).wait();
    const item = (number: bigint, amount: bigint) => ({
      number,
      buyer: buyerHash(stranger.address, id(`api-test-salt:${number}`)),
      amount,
      tax: (amount * 6n) / 106n,
      documentHash: id(`api test invoice ${number}`),
    });
    const issued = [item(101n, 5_300n), item(102n, 10_600n)];
    await (await ledger.connect(newcomer).issueBatch(INVOICE_CODE, issued)).wait();
    const batch = withIdentity(BANK_ISSUER, INVOICE_CODE, issued);
    await (await ledger.connect(newcomer).voidInvoice(batch[0], batchProof(batch, 0))).wait();
    await index();
    for (const code of ["BANK", "AUDIT"]) {
      tokens.set(code, (await issueToken(owner, code, "api test", "test")).token);
      analysts.set(code, await connectAnalyst(owner, databaseUrl, code));
    }

    // What the list pages through, filtered here by state and by local day of issue.
    const [{ offset }] = await owner`select indexer.utc_offset()::int as offset`;
    const localDay = (at: string) => new Date(Date.parse(at) + offset * 1000).toISOString().slice(0, 10);
    const counted: Record<string, string> = {};
    for (const department of ["TAX", "BANK", "AUDIT", "FIRE", "SAMR"]) {
      const rows = (await all(department, "invoices", "invoiceId state issuedAt")).map((row) => ({
        state: row.state as string,
        day: localDay(row.issuedAt),
      }));
      const lastDay =
        rows
          .map((row) => row.day)
          .sort()
          .at(-1) ?? "2000-01-01";
      const cases: { states?: string[]; fromDay?: string; untilDay?: string }[] = [
        {},
        { states: ["Issued"] },
        { states: ["Voided", "Reimbursed"] },
        { fromDay: lastDay },
        { states: ["Issued"], untilDay: lastDay },
      ];
      for (const filter of cases) {
        const expected = rows.filter(
          (row) =>
            (!filter.states || filter.states.includes(row.state)) &&
            (!filter.fromDay || row.day >= filter.fromDay) &&
            (!filter.untilDay || row.day <= filter.untilDay),
        ).length;
        const data = await as(
          department,
          "query($states: [String], $fromDay: Date, $untilDay: Date) { invoiceCount(states: $states, fromDay: $fromDay, untilDay: $untilDay) }",
          filter,
        );
        expect(data.invoiceCount, `${department} ${JSON.stringify(filter)}`).to.equal(String(expected));
      }
      counted[department] = String(rows.length);
    }
    // Not vacuous: each bureau pages through its issuer's invoices (ACME's 6 of the demo, BANK's
    // 2), the regulator through all, the others through none.
    expect(counted).to.deep.equal({ TAX: "6", BANK: "2", AUDIT: "8", FIRE: "0", SAMR: "0" });
  });
  // After the test above, which added an operator, a tax bureau, an issuer and its invoices.
  it("gives every view a key that is unique in SQL: nodeId, a lookup by key, a stable cursor order", async function () {
    const keys = viewKeys();
    const views = await owner`select n.nspname || '.' || c.relname as name from pg_class c
      join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'v' and n.nspname = any(${SCHEMAS}) order by 1`;
    expect([...keys.keys()].sort(), "views without a key in graphql.ts").to.deep.equal(views.map((v) => v.name));
    for (const [view, columns] of keys) {
      const list = columns.map((c) => `v.${c}`).join(", ");
      const [proof] = await owner.unsafe(
        `select count(*)::int as n, count(distinct (${list}, true))::int as keys,
                count(*) filter (where (${columns.map((c) => `v.${c} is null`).join(" or ")}))::int as nulls
         from ${view} v`,
      );
      expect(proof, `${view} (${columns})`).to.deep.equal({ n: proof.n, keys: proof.n, nulls: 0 });
    }
    for (const type of Object.values(api.schema.getTypeMap())) {
      if (!type.name.endsWith("Connection") || !("getFields" in type) || !type.getFields().nodes) continue;
      const node = getNamedType(type.getFields().nodes.type) as { name: string; getFields(): Record<string, unknown> };
      expect(node.getFields(), `${node.name} has no nodeId`).to.have.property("nodeId");
    }
    // The views that had none: looked up by key and by nodeId, the same row.
    const data = await as(
      "AUDIT",
      "{ operators(first: 100) { nodes { nodeId account departmentCode } } operatorHistory(first: 100) { nodes { account fromBlock fromLogIndex } } }",
    );
    expect(data.operators.nodes.map((o: { departmentCode: string }) => o.departmentCode)).to.include("HRSS");
    for (const operator of data.operators.nodes) {
      const byKey = await as("AUDIT", "query($a: HexBytes!) { operator(account: $a) { nodeId departmentCode } }", {
        a: operator.account,
      });
      const byNode = await as("AUDIT", "query($id: ID!) { operatorByNodeId(nodeId: $id) { account } }", {
        id: operator.nodeId,
      });
      expect(byKey.operator).to.deep.equal({ nodeId: operator.nodeId, departmentCode: operator.departmentCode });
      expect(byNode.operatorByNodeId.account).to.equal(operator.account);
    }
    const history = data.operatorHistory.nodes[0];
    const one = await as(
      "AUDIT",
      "query($a: HexBytes!, $b: BigInt!, $l: BigInt!) { operatorHistoryByAccountAndFromBlockAndFromLogIndex(account: $a, fromBlock: $b, fromLogIndex: $l) { account } }",
      { a: history.account, b: history.fromBlock, l: history.fromLogIndex },
    );
    expect(one.operatorHistoryByAccountAndFromBlockAndFromLogIndex.account).to.equal(history.account);
  });
  // Last: it suspends HRSS.
  it("gives every error a code: GraphQL's extensions.code, the read API's code, both listed in the README", async function () {
    const tax = { token: tokens.get("TAX") };
    const answer = async (body: unknown, auth: { token?: string } = tax) => {
      const { status, body: answered } = await graphql(body, auth);
      return { status, codes: answered.errors?.map((error) => error.extensions?.code), error: answered.errors?.[0] };
    };
    // A variable that does not coerce, a page size that is no count, several operations and none
    // named, a cursor this server never gave: refused before anything runs, or by the plan.
    const refusals: [unknown, number, ErrorCode, RegExp][] = [
      [
        { query: "query($id: HexBytes!) { invoice(invoiceId: $id) { state } }", variables: { id: "0xz" } },
        400,
        "BAD_USER_INPUT",
        /Variable "\$id" got invalid value "0xz"; HexBytes must be 0x/,
      ],
      [{ query: "{ invoices(first: -1) { nodes { invoiceId } } }" }, 400, "BAD_USER_INPUT", /not -1/],
      [
        { query: "query A { invoiceCount } query B { invoiceCount }" },
        400,
        "BAD_REQUEST",
        /several operations, or none: name the one/,
      ],
      [{ query: "query A { invoiceCount }", operationName: "C" }, 400, "BAD_REQUEST", /no operation named "C"/],
      [{ query: "fragment F on Query { invoiceCount }" }, 400, "BAD_REQUEST", /several operations, or none/],
      // Sent before (the test above): its validation comes from the check's cache, the same.
      [
        { query: "{ invoices(first: 1) { nodes { noSuchColumn } } }" },
        400,
        "GRAPHQL_VALIDATION_FAILED",
        /Cannot query field "noSuchColumn"/,
      ],
      [{ query: "{ invoiceCount }", variables: [1] }, 400, "BAD_REQUEST", /variables, if given, must be a JSON object/],
      [{ variables: {} }, 400, "BAD_REQUEST", /query must be a string/],
      [
        { query: '{ invoices(first: 1, after: "bm90IGEgY3Vyc29y") { nodes { invoiceId } } }' },
        200,
        "BAD_USER_INPUT",
        /Invalid cursor/,
      ],
      // PostgreSQL refuses the value: a code, and the SQLSTATE alone.
      [
        { query: '{ invoices(first: 1, filter: { amount: { equalTo: "1.5.2" } }) { nodes { invoiceId } } }' },
        200,
        "BAD_USER_INPUT",
        /^a value in the request is not valid for its column \(SQLSTATE 22P02\)$/,
      ],
    ];
    for (const [body, status, code, message] of refusals) {
      const got = await answer(body);
      expect(got, JSON.stringify(body)).to.deep.include({ status, codes: [code] });
      expect(got.error?.message, JSON.stringify(body)).to.match(message);
    }
    const located = await answer({ query: "{ invoices(first: 1) { nodes { invoiceId }" });
    expect(located.error?.locations).to.deep.equal([{ line: 1, column: 43 }]);

    // A fault of the server (here: the web role loses a view): masked, with an id for the log.
    await owner`revoke select on invoices.credit_notes from govledger_reader`;
    let masked;
    try {
      masked = await answer({ query: "{ creditNotes(first: 1) { nodes { creditNoteId } } }" });
    } finally {
      await owner`grant select on invoices.credit_notes to govledger_reader`;
    }
    expect(masked.codes).to.deep.equal(["INTERNAL_SERVER_ERROR"]);
    const [, logged] = /^internal error \(logged as ([0-9a-f]{12})\)$/.exec(masked.error!.message) ?? [];
    expect(logged, masked.error!.message).to.be.a("string");
    expect(apiLog.filter((line) => line.includes(logged)).join("\n")).to.match(
      /permission denied for view credit_notes/,
    );

    // /health, the API's and the dashboards': the head while the database answers; once it does
    // not (here: the web role loses the checkpoint it reads), 503 with a code like any error.
    const health = async (url: string) => {
      const response = await fetch(`${url}/health`);
      return [response.status, (await response.json()) as { status?: string; head?: { number: string } }] as const;
    };
    for (const url of [base, dashboard.url]) {
      const [status, body] = await health(url);
      expect(status, url).to.equal(200);
      expect(body, url).to.deep.include({ status: "ok" });
      expect(body.head?.number, url).to.match(/^\d+$/);
    }
    await owner`revoke select on indexer.checkpoint from govledger_reader`;
    let unhealthy;
    try {
      unhealthy = await Promise.all([base, dashboard.url].map(health));
    } finally {
      await owner`grant select on indexer.checkpoint to govledger_reader`;
    }
    for (const answered of unhealthy)
      expect(answered).to.deep.equal([503, { error: "database unavailable", code: "SERVICE_UNAVAILABLE" }]);
    expect((await health(base))[0]).to.equal(200);

    // grafserv's own refusals: GET for JSON, an Accept it cannot serve, a media type it does not take.
    const http = async (init: RequestInit) => {
      const response = await fetch(`${base}/graphql`, init);
      const body = (await response.json()) as { errors: GraphqlError[] };
      return [response.status, body.errors.map((error) => error.extensions?.code)];
    };
    const post = {
      method: "POST",
      body: JSON.stringify({ query: "{ invoiceCount }" }),
      headers: { authorization: `Bearer ${tokens.get("TAX")}`, "content-type": "application/json" },
    };
    expect(await http({ headers: { accept: "application/json" } })).to.deep.equal([405, ["BAD_REQUEST"]]);
    expect(await http({ ...post, headers: { ...post.headers, accept: "text/csv" } })).to.deep.equal([
      406,
      ["BAD_REQUEST"],
    ]);
    expect(await http({ ...post, headers: { ...post.headers, "content-type": "application/xml" } })).to.deep.equal([
      415,
      ["BAD_REQUEST"],
    ]);

    // The read API: `{ error, code }`.
    const rest = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${base}${path}`, init);
      const body = (await response.json()) as { error: string; code: string };
      expect(body.error, path).to.be.a("string").and.not.equal("");
      return [response.status, body.code];
    };
    expect(await rest("/api/licences/nope")).to.deep.equal([400, "BAD_USER_INPUT"]);
    expect(await rest(`/api/licences/0x${"00".repeat(32)}`)).to.deep.equal([404, "NOT_FOUND"]);
    expect(await rest(`/api/invoices/${ACME}/044031900111/99`)).to.deep.equal([404, "NOT_FOUND"]);
    expect(await rest(`/api/invoices/${ACME}/044031900111/x`)).to.deep.equal([400, "BAD_USER_INPUT"]);
    expect(await rest("/api/nothing")).to.deep.equal([404, "NOT_FOUND"]);
    expect(await rest("/api/tokens")).to.deep.equal([401, "UNAUTHENTICATED"]);
    expect(await rest("/api/tokens", { headers: { authorization: `Bearer ${tokens.get("TAX")}` } })).to.deep.equal([
      403,
      "FORBIDDEN",
    ]);

    // A department suspended by vote: its token is refused at the next request.
    const hrss = (await issueToken(owner, "HRSS", "api test", "test")).token;
    const query = { query: "{ invoiceCount }" };
    expect((await answer(query, { token: hrss })).status).to.equal(200);
    const { registry } = chain.contracts;
    const suspend = registry.interface.encodeFunctionData("suspendDepartment", [codeToId("HRSS")]);
    await (await passProposal(chain, [{ target: await registry.getAddress(), data: suspend }])).wait();
    await index();
    const suspended = await answer(query, { token: hrss });
    expect(suspended).to.deep.include({ status: 403, codes: ["FORBIDDEN"] });
    expect(suspended.error?.message).to.equal("department HRSS is suspended");

    // Every code is documented for integrators, with its status.
    const readme = readFileSync(path.join(import.meta.dirname, "../../README.md"), "utf8");
    const guide = readFileSync(path.join(import.meta.dirname, "../../docs/dapp-guide.md"), "utf8");
    for (const code of Object.keys(ERROR_CODES)) {
      expect(readme, `README: ${code}`).to.match(new RegExp(`\\| \`${code}\` \\|`));
      expect(guide, `docs/dapp-guide.md: ${code}`).to.include(code);
    }
  });
});
