/**
 * `npm start` end to end: the real script in a child process, a real JSON-RPC node on 127.0.0.1,
 * Ctrl-C (SIGINT) to stop it. Run twice in a row; the first time its port is taken.
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
  exited: Promise<number | null>;
}

function start(port: number): Started {
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "hardhat"), ["run", "scripts/start.ts"], {
    cwd: ROOT,
    // Port 0: any free port for the dashboards, whatever else runs on this machine.
    env: { ...process.env, GOVLEDGER_PORT: String(port), GOVLEDGER_DASHBOARD_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

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

async function stopAndCheck(started: Started, port: number): Promise<void> {
  started.child.kill("SIGINT");
  expect(await started.exited).to.equal(0);
  expect(await isPortFree(port)).to.equal(true);
}

describe("npm start", function () {
  this.timeout(240_000);
  const deployments: string[] = [];
  let started: Started | undefined;

  afterEach(function () {
    if (started?.child.exitCode === null) started.child.kill("SIGKILL");
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
    } finally {
      await sql.end();
    }
    // The dashboards run too, and say where.
    const dashboard = /dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1];
    const health = await fetch(`${dashboard}/health`);
    expect(health.status).to.equal(200);
    expect(((await health.json()) as { status: string }).status).to.equal("ok");
    const databasePort = Number(new URL(databaseUrl).port);
    await stopAndCheck(started, port);
    expect(await isPortFree(Number(new URL(dashboard).port)), "the dashboards stopped").to.equal(true);
    expect(await isPortFree(databasePort), "the embedded PostgreSQL stopped").to.equal(true);
  });

  it("works again right after, on the port it is given", async function () {
    const port = await freePort();
    deployments.push(`localhost-${port}`);
    started = start(port);
    await waitFor(started, "Press Ctrl-C to stop", 180_000);
    expect(started.output()).to.not.include("is taken");
    expect(await rpc(port, "eth_blockNumber")).to.match(/^0x[0-9a-f]+$/);
    await stopAndCheck(started, port);
  });
});
