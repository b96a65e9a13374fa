/**
 * `npm start` end to end: the real script in a child process, a real JSON-RPC node on 127.0.0.1,
 * Ctrl-C to stop it as a terminal sends it (SIGINT to the whole process group). Run five times in
 * a row; the first time its port is taken.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";

import { expect } from "chai";
import postgres from "postgres";

import { ROOT } from "../deploy/lib/consortium.js";
import { deploymentDir, readSummary, summaryPath } from "../deploy/lib/deployment.js";
import { freePort, isPortFree } from "../scripts/lib/ports.js";

interface Started {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(port: number): Started {
  // A process group of its own, as a terminal's foreground job: Ctrl-C signals the whole group.
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "hardhat"), ["run", "scripts/start.ts"], {
    cwd: ROOT,
    // Port 0: any free port for the dashboards and the API, whatever else runs on this machine.
    // No GRAPHILE_ENV or NODE_ENV, as in a user's shell (the test runner sets them).
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !["GRAPHILE_ENV", "NODE_ENV"].includes(name)),
      ),
      GOVLEDGER_PORT: String(port),
      GOVLEDGER_DASHBOARD_PORT: "0",
      GOVLEDGER_API_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => ((output += chunk), (stderr += chunk)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, stderr: () => stderr, exited };
}

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(started: Started, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited early:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not print "${text}" in time:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function rpc(port: number, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await response.json()) as { result: unknown }).result;
}

/** Ctrl-C: exit code 0 within 10 s, quietly, and nothing left running (chain, database, children). */
async function stopAndCheck(started: Started, port: number): Promise<void> {
  const databasePort = Number(new URL(/psql (postgres:\/\/\S+)/.exec(started.output())![1]).port);
  const ctrlC = Date.now();
  process.kill(-started.child.pid!, "SIGINT");
  const code = await started.exited;
  expect(code, `exit code after Ctrl-C; the output was:\n${started.output()}`).to.equal(0);
  expect(Date.now() - ctrlC, "the stop takes under 10 s").to.be.lessThan(10_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(groupAlive(started.child.pid!), "no process of the group is left").to.equal(false);
  expect(await isPortFree(port), "the chain stopped").to.equal(true);
  expect(await isPortFree(databasePort), "the embedded PostgreSQL stopped").to.equal(true);
  const afterCtrlC = started.output().split("Press Ctrl-C to stop.")[1];
  expect(
    afterCtrlC.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("stopping ")),
    afterCtrlC,
  ).to.deep.equal([]);
  expect(started.stderr(), "nothing on stderr").to.equal("");
}

describe("npm start", function () {
  this.timeout(240_000);
  const deployments: string[] = [];
  let started: Started | undefined;

  // A test that failed half-way: Ctrl-C first, so that the embedded PostgreSQL (a process group
  // of its own) is stopped too, and only then the group killed.
  afterEach(async function () {
    if (started === undefined || started.child.exitCode !== null || started.child.signalCode !== null) return;
    process.kill(-started.child.pid!, "SIGINT");
    await Promise.race([started.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (groupAlive(started.child.pid!)) process.kill(-started.child.pid!, "SIGKILL");
  });
  after(function () {
    for (const id of deployments) {
      rmSync(deploymentDir(id), { recursive: true, force: true });
      rmSync(path.join(ROOT, ".govledger", id), { recursive: true, force: true });
    }
  });

  it("says a taken port is taken, runs on another, deploys the demo and stops on Ctrl-C", async function () {
    const taken = await freePort();
    const blocker = net.createServer().listen(taken, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    try {
      started = start(taken);
      await waitFor(started, "Press Ctrl-C to stop", 180_000);
    } finally {
      blocker.close();
    }
    const output = started.output();
    expect(output).to.include(`port ${taken} on 127.0.0.1 is taken`);
    const port = Number(/using port (\d+) instead/.exec(output)![1]);
    deployments.push(`localhost-${port}`);
    const summary = readSummary(summaryPath(`localhost-${port}`));
    expect(await rpc(port, "eth_chainId")).to.equal(`0x${summary.chainId.toString(16)}`);
    for (const contract of Object.values(summary.contracts)) {
      expect(await rpc(port, "eth_getCode", [contract.address, "latest"])).to.not.equal("0x");
      expect(output).to.include(contract.address);
    }
    // The indexer mirrored the demo into its embedded PostgreSQL, and says where.
    const databaseUrl = /psql (postgres:\/\/\S+)/.exec(output)![1];
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const [departments] = await sql`select count(*)::int as n from gov.departments`;
      expect(departments.n).to.equal(7);
      const [invoices] = await sql`select count(*)::int as n from invoices.invoices where state = 'Reimbursed'`;
      expect(invoices.n).to.be.greaterThan(0);
      // The demo's second reimbursement was mined and failed: a regulator sees who tried what.
      const attempts = await sql`select encode(sender, 'hex') as sender, contract_name, function_name, error_name
        from report.failed_attempts`;
      expect(attempts).to.deep.include({
        sender: "71be63f3384f5fb98995898a86b02fb2426c5788", // CITY-HOTEL
        contract_name: "InvoiceLedger",
        function_name: "reimburse",
        error_name: "InvoiceUnexpectedState",
      });
    } finally {
      await sql.end();
    }
    // First-run output: deployment and catch-up progress, the operators' well-known keys, and the
    // exact command for a second indexer.
    expect(output)
      .to.match(/deploying the consortium/)
      .and.match(/deployed \d+ contracts in [\d.]+ s/);
    expect(output).to.match(/indexer: \d+ events of \d+ blocks mirrored into PostgreSQL in [\d.]+ s/);
    expect(output).to.include("well-known test keys");
    // No library's notice to developers (Grafast's on GRAPHILE_ENV, reached through the dashboard).
    expect(output).not.to.include("GRAPHILE_ENV");
    expect(output).to.include(
      "TAX    0x70997970C51812dc3A010C7d01b50e0d17dc79C8  key 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    );
    expect(output).to.include(
      `GOVLEDGER_RPC_URL=http://127.0.0.1:${port} GOVLEDGER_DEPLOYMENT=deploy/deployments/localhost-${port}/govledger.json ` +
        `DATABASE_URL=${databaseUrl} GOVLEDGER_HTTP_PORT=0 npm run indexer`,
    );
    // The dashboards run too, and say where.
    const dashboard = /dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1];
    const health = await fetch(`${dashboard}/health`);
    expect(health.status).to.equal(200);
    expect(((await health.json()) as { status: string }).status).to.equal("ok");
    // So does the API: GraphQL refuses an anonymous query and serves GraphiQL.
    const api = /GraphQL: +(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)![1];
    const anonymous = await fetch(`${api}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ invoices(first: 1) { nodes { invoiceId } } }" }),
    });
    expect(anonymous.status).to.equal(401);
    const graphiql = await fetch(`${api}/graphql`, { headers: { accept: "text/html" } });
    expect(graphiql.status).to.equal(200);
    expect(await graphiql.text()).to.include("ruru");
    await stopAndCheck(started, port);
    expect(await isPortFree(Number(new URL(dashboard).port)), "the dashboards stopped").to.equal(true);
    expect(await isPortFree(Number(new URL(api).port)), "the API stopped").to.equal(true);
  });

  it("works again right after, on the port it is given, and stops on Ctrl-C within 10 s four more times", async function () {
    this.timeout(600_000);
    for (let run = 0; run < 4; run++) {
      const port = await freePort();
      deployments.push(`localhost-${port}`);
      started = start(port);
      await waitFor(started, "Press Ctrl-C to stop", 180_000);
      expect(started.output()).to.not.include("is taken");
      expect(await rpc(port, "eth_blockNumber")).to.match(/^0x[0-9a-f]+$/);
      await stopAndCheck(started, port);
    }
  });
});
