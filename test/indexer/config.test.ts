import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import postgres from "postgres";

import { loadConfig } from "../../indexer/src/cli/config.js";
import { freePort } from "../../scripts/lib/ports.js";
import { type Chain, type Database, spawnIndexer, startChain, startDatabase } from "./harness.js";

/** Whether the indexer wrote anything at all to the database. */
async function schemas(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select schema_name from information_schema.schemata
      where schema_name not in ('public', 'information_schema') and schema_name not like 'pg_%'`;
    return rows.map((row) => row.schema_name as string);
  } finally {
    await sql.end();
  }
}

describe("indexer: bad configuration", function () {
  this.timeout(120_000);
  let db: Database;
  let chain: Chain;

  before(async function () {
    db = await startDatabase();
    chain = await startChain({ demo: false });
  });
  after(async function () {
    await chain?.close();
    await db?.stop();
  });

  async function refuses(env: Record<string, string>, message: RegExp, databaseUrl?: string): Promise<void> {
    const url = databaseUrl ?? (await db.create());
    const run = spawnIndexer({
      GOVLEDGER_RPC_URL: chain.url,
      GOVLEDGER_DEPLOYMENT: chain.deploymentFile,
      DATABASE_URL: url,
      ...env,
    });
    const code = await run.exited;
    expect(code, run.output()).to.equal(1);
    const errorLines = run
      .output()
      .split("\n")
      .filter((line) => line.includes('"level":"error"'));
    expect(errorLines, run.output()).to.have.length(1);
    expect(JSON.parse(errorLines[0]).message).to.match(message);
    if (databaseUrl === undefined) expect(await schemas(url)).to.deep.equal([]);
  }

  it("refuses a node that serves another chain", async function () {
    await refuses({ GOVLEDGER_CHAIN_ID: "999" }, /serves chain 31337, expected 999/);
  });

  it("refuses an unreachable RPC node", async function () {
    await refuses({ GOVLEDGER_RPC_URL: `http://127.0.0.1:${await freePort()}` }, /cannot reach the RPC node/);
  });

  it("refuses a missing deployment file", async function () {
    await refuses(
      { GOVLEDGER_DEPLOYMENT: "/nonexistent/govledger.json" },
      /no deployment at \/nonexistent\/govledger.json/,
    );
  });

  it("names the deployments that exist when the one it looks for does not (npm start on another port)", function () {
    const deployments = mkdtempSync(path.join(tmpdir(), "govledger-deployments-"));
    for (const id of ["localhost-8601", "localhost-8602"]) {
      mkdirSync(path.join(deployments, id));
      writeFileSync(path.join(deployments, id, "govledger.json"), "{}");
    }
    try {
      expect(() => loadConfig({ GOVLEDGER_DEPLOYMENT: path.join(deployments, "localhost", "govledger.json") }))
        .to.throw(/no deployment at .*localhost\/govledger.json: set GOVLEDGER_DEPLOYMENT to one that exists: /)
        .with.property("message")
        .that.includes(path.join(deployments, "localhost-8601", "govledger.json"))
        .and.includes(path.join(deployments, "localhost-8602", "govledger.json"));
    } finally {
      rmSync(deployments, { recursive: true, force: true });
    }
  });

  it("refuses a deployment whose contracts are not on the chain", async function () {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "govledger-dep-")), "govledger.json");
    writeFileSync(
      file,
      JSON.stringify({
        chainId: 31337,
        contracts: { registry: { contractName: "ConsortiumRegistry", address: `0x${"12".repeat(20)}`, startBlock: 1 } },
      }),
    );
    await refuses({ GOVLEDGER_DEPLOYMENT: file }, /no contract ConsortiumRegistry at/);
  });

  it("refuses a bad DATABASE_URL", async function () {
    await refuses(
      {},
      /cannot connect to the database/,
      `postgres://nobody:wrong@127.0.0.1:${await freePort()}/nothing`,
    );
    await refuses({}, /DATABASE_URL must be a postgres:\/\/ URL/, "mysql://localhost/x");
  });

  it("refuses malformed numbers with the variable's name", async function () {
    await refuses({ GOVLEDGER_CONFIRMATIONS: "many" }, /GOVLEDGER_CONFIRMATIONS must be an integer/);
  });
});
