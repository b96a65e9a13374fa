import { expect } from "chai";
import { artifacts } from "hardhat";
import postgres from "postgres";

import { codeToId, ROLES } from "../../deploy/lib/consortium.js";
import { HANDLERS } from "../../indexer/src/handlers/index.js";
import { participantId } from "../../scripts/demo/governance.js";
import { type Chain, configFor, type Database, indexToHead, startChain, startDatabase } from "./harness.js";

const hex = (value: Buffer | Uint8Array) => `0x${Buffer.from(value).toString("hex")}`;

describe("indexer: governance", function () {
  this.timeout(180_000);
  let db: Database;
  let chain: Chain;

  before(async function () {
    db = await startDatabase();
    chain = await startChain();
  });
  after(async function () {
    await chain?.close();
    await db?.stop();
  });

  it("mirrors departments, operators, participants, roles, validators and proposals as the contracts report them", async function () {
    const { registry, governor, validatorSet } = chain.contracts;
    // More history: a participant suspended, a department suspended by vote.
    await (await registry.connect(chain.accounts.tax).suspendParticipant(participantId("ACME-TRADING"))).wait();
    const suspend = {
      target: await registry.getAddress(),
      data: registry.interface.encodeFunctionData("suspendDepartment", [codeToId("HRSS")]),
    };
    await (await governor.connect(chain.accounts.tax).propose([suspend], "suspend HRSS")).wait();
    const proposalId = await governor.proposalCount();
    for (const voter of [chain.accounts.tax, chain.accounts.samr, chain.accounts.cons, chain.accounts.fire]) {
      await (await governor.connect(voter).castVote(proposalId, true)).wait();
    }
    await (await governor.connect(chain.accounts.tax).execute(proposalId)).wait();

    const url = await db.create();
    await indexToHead(configFor(chain, url));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const departments = await sql`select department_id, name, active from gov.departments order by name`;
      const ids = await registry.departmentIds();
      expect(departments).to.have.length(ids.length);
      for (const row of departments) {
        const onChain = await registry.getDepartment(hex(row.department_id));
        expect(row.name).to.equal(onChain.name);
        expect(row.active).to.equal(onChain.active);
        const operators = await sql`select account from gov.operators where department_id = ${row.department_id}`;
        expect(operators.map((o) => hex(o.account)).sort()).to.deep.equal(
          onChain.operators.map((a) => a.toLowerCase()).sort(),
        );
        const roles = await sql`select role_id from gov.department_roles where department_id = ${row.department_id}`;
        expect(roles.map((r) => BigInt(r.role_id)).sort()).to.deep.equal([...onChain.roles].sort());
      }

      const participants = await sql`select participant_id, account, active from gov.participants`;
      expect(participants).to.have.length(6);
      for (const row of participants) {
        const onChain = await registry.getParticipant(hex(row.participant_id));
        expect(hex(row.account)).to.equal(onChain.account.toLowerCase());
        expect(row.active).to.equal(onChain.active);
        // A suspended participant holds none of the roles in its list (the registry revoked them).
        const roles = await sql`select role_id from gov.participant_roles where participant_id = ${row.participant_id}`;
        expect(roles.map((r) => BigInt(r.role_id))).to.deep.equal(onChain.active ? [...onChain.roles] : []);
        for (const role of onChain.roles) {
          const [held] = await chain.contracts.manager.hasRole(role, onChain.account);
          expect(held, `AccessManager agrees on role ${role}`).to.equal(onChain.active);
        }
        const [listed] = await sql`select roles from gov.participants where participant_id = ${row.participant_id}`;
        expect(listed.roles.map(BigInt)).to.deep.equal([...onChain.roles]);
      }

      const validators = await sql`select validator from gov.validators order by added_block, validator`;
      expect(validators.map((v) => hex(v.validator)).sort()).to.deep.equal(
        (await validatorSet.getValidators()).map((a) => a.toLowerCase()).sort(),
      );

      const proposals = await sql`select proposal_id, status, yes, no from gov.proposals order by proposal_id`;
      expect(proposals).to.have.length(Number(await governor.proposalCount()));
      for (const row of proposals) {
        const stored = await governor.getProposal(row.proposal_id);
        expect(BigInt(row.yes)).to.equal(stored.yes);
        expect(BigInt(row.no)).to.equal(stored.no);
        expect(row.status).to.equal(
          ["None", "Active", "Defeated", "Succeeded", "Expired", "Executed", "Cancelled"][
            Number(await governor.state(row.proposal_id))
          ],
        );
      }

      const [grants] =
        await sql`select count(*)::int as n from access.role_granted where role_id = ${ROLES.INVOICE_ISSUER.toString()}`;
      expect(grants.n).to.equal(1);
      const [{ n: events }] = await sql`select count(*)::int as n from raw.events`;
      const [{ n: blocks }] = await sql`select count(*)::int as n from raw.blocks`;
      expect(events).to.be.greaterThan(100);
      expect(blocks).to.equal(
        ((await chain.provider.request({ method: "eth_blockNumber" })) as string) === "0x0"
          ? 0
          : Number(await chain.provider.request({ method: "eth_blockNumber" })),
      );
    } finally {
      await sql.end();
    }
  });

  it("records a reverted transaction with its sender's department and the decoded custom error", async function () {
    const { governor } = chain.contracts;
    await (
      await governor.connect(chain.accounts.audit).propose([{ target: await governor.getAddress(), data: "0x" }], "x")
    ).wait();
    const proposalId = await governor.proposalCount();
    await (await governor.connect(chain.accounts.audit).castVote(proposalId, true)).wait();
    // A second vote of the same department. The node mines the failing transaction (and says so).
    const failed = await governor
      .connect(chain.accounts.audit)
      .castVote(proposalId, false, { gasLimit: 200_000 })
      .then(
        () => false,
        () => true,
      );
    expect(failed).to.equal(true);
    const block = (await chain.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
      transactions: string[];
    };
    const tx = { hash: block.transactions[0] };
    const receipt = await chain.provider.request({ method: "eth_getTransactionReceipt", params: [tx.hash] });
    expect((receipt as { status: string }).status).to.equal("0x0");

    const url = await db.create();
    await indexToHead(configFor(chain, url));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [attempt] =
        await sql`select * from report.failed_attempts where tx_hash = decode(${tx.hash.slice(2)}, 'hex')`;
      expect(attempt.contract_name).to.equal("ConsortiumGovernor");
      expect(attempt.function_name).to.equal("castVote");
      expect(attempt.error_name).to.equal("GovernorAlreadyVoted");
      expect(attempt.error_args).to.deep.equal([proposalId.toString(), codeToId("AUDIT")]);
      expect(hex(attempt.department_id)).to.equal(codeToId("AUDIT"));
      expect(hex(attempt.sender)).to.equal(chain.accounts.audit.address.toLowerCase());
    } finally {
      await sql.end();
    }
  });

  it("attributes a failed attempt by its position in the block: an operator added later in the block does not count", async function () {
    const { governor, registry } = chain.contracts;
    const { newcomer, tax, samr, cons, fire } = chain.accounts;
    const add = {
      target: await registry.getAddress(),
      data: registry.interface.encodeFunctionData("addOperator", [codeToId("FIRE"), newcomer.address]),
    };
    await (await governor.connect(tax).propose([add], "a new operator for FIRE")).wait();
    const proposalId = await governor.proposalCount();
    for (const voter of [tax, samr, cons, fire])
      await (await governor.connect(voter).castVote(proposalId, true)).wait();
    // One block: first the newcomer's failed attempt (no department yet), then the vote's
    // execution that makes it FIRE's operator.
    await chain.provider.request({ method: "evm_setAutomine", params: [false] });
    let failing: string;
    let execution: string;
    try {
      failing = (
        await registry.connect(newcomer).suspendParticipant(participantId("ACME-TRADING"), { gasLimit: 200_000 })
      ).hash;
      execution = (await governor.connect(tax).execute(proposalId, { gasLimit: 2_000_000 })).hash;
      await chain.provider.request({ method: "evm_mine" });
    } finally {
      await chain.provider.request({ method: "evm_setAutomine", params: [true] });
    }
    type Receipt = { status: string; blockNumber: string; transactionIndex: string };
    const receipt = async (hash: string) =>
      (await chain.provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as Receipt;
    const [failed, executed] = [await receipt(failing), await receipt(execution)];
    expect([failed.status, executed.status]).to.deep.equal(["0x0", "0x1"]);
    expect(failed.blockNumber).to.equal(executed.blockNumber);
    expect(Number(failed.transactionIndex)).to.be.lessThan(Number(executed.transactionIndex));
    expect(await registry.departmentOf(newcomer.address)).to.equal(codeToId("FIRE"));

    const url = await db.create();
    await indexToHead(configFor(chain, url));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [attempt] =
        await sql`select * from report.failed_attempts where tx_hash = decode(${failing.slice(2)}, 'hex')`;
      expect(attempt.error_name).to.equal("RegistryCallerNotDepartment");
      expect(attempt.department_id, "the sender was no department's operator when it failed").to.equal(null);
    } finally {
      await sql.end();
    }
  });

  it("records a suspended department's nodes leaving the sealing set, attributed to it, in the validators' state", async function () {
    const { governor, registry, validatorSet } = chain.contracts;
    const { tax, cons, fire, audit } = chain.accounts;
    const suspend = {
      target: await registry.getAddress(),
      data: registry.interface.encodeFunctionData("suspendDepartment", [codeToId("SAMR")]),
    };
    await (await governor.connect(tax).propose([suspend], "suspend SAMR")).wait();
    const proposalId = await governor.proposalCount();
    for (const voter of [tax, cons, fire, audit])
      await (await governor.connect(voter).castVote(proposalId, true)).wait();
    const executed = await (await governor.connect(tax).execute(proposalId)).wait();

    const url = await db.create();
    await indexToHead(configFor(chain, url));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const changes = await sql`
        select validator, department_id, changed_department, sealing from gov.validator_sealing_changed
        where block_number = ${executed!.blockNumber}`;
      expect(changes.map((c) => [hex(c.department_id), hex(c.changed_department), c.sealing])).to.deep.equal([
        [codeToId("SAMR"), codeToId("SAMR"), false],
      ]);
      const sealing = await sql`select validator from gov.validators where sealing`;
      expect(sealing.map((v) => hex(v.validator)).sort()).to.deep.equal(
        (await validatorSet.getValidators()).map((a) => a.toLowerCase()).sort(),
      );
      expect(await validatorSet.departmentOfValidator(hex(changes[0].validator))).to.equal(codeToId("SAMR"));
      const [node] = await sql`select * from gov.validators where validator = ${changes[0].validator}`;
      expect(node.sealing).to.equal(false);
      expect(node.sealing_changed_by_code).to.equal("SAMR");
      expect(Number(node.sealing_changed_block)).to.equal(executed!.blockNumber);
      const [link] = await sql`select validator_set from gov.validator_set_linked`;
      expect(hex(link.validator_set)).to.equal((await validatorSet.getAddress()).toLowerCase());
    } finally {
      await sql.end();
    }
  });

  it("has a handler for every event of every compiled contract, and a migrated table for every handler", async function () {
    for (const name of await artifacts.getAllFullyQualifiedNames()) {
      if (
        !name.startsWith("contracts/") ||
        name.startsWith("contracts/mocks/") ||
        name.startsWith("contracts/interfaces/")
      )
        continue;
      const artifact = await artifacts.readArtifact(name);
      if (artifact.bytecode === "0x") continue;
      for (const item of artifact.abi.filter((entry: { type: string }) => entry.type === "event")) {
        expect(
          HANDLERS.get(artifact.contractName)?.has(item.name),
          `handler for ${artifact.contractName}.${item.name}`,
        ).to.equal(true);
      }
    }
    const url = await db.create();
    await indexToHead(configFor(chain, url));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      for (const handlers of HANDLERS.values()) {
        for (const handler of handlers.values()) {
          for (const table of handler.tables) {
            const [schema, name] = table.name.split(".");
            const columns =
              await sql`select column_name from information_schema.columns where table_schema = ${schema} and table_name = ${name} order by ordinal_position`;
            expect(
              columns.map((c) => c.column_name),
              `columns of ${table.name}`,
            ).to.deep.equal(table.columns.map((c) => c.name));
          }
        }
      }
    } finally {
      await sql.end();
    }
  });
});
