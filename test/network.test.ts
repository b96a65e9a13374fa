/**
 * `npm run network -- init` end to end: the real command writes a network folder, every file is
 * parsed back and checked against the others, and the genesis is loaded into a second client
 * (anvil `--init`, since no Besu runs here) where the system is deployed and the demo runs.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { network } from "hardhat";
import { parse as parseToml } from "smol-toml";
import { createPublicClient, fromRlp, getAddress, http, parseAbi } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { codeToId, ROOT } from "../deploy/lib/consortium.js";
import { deployGovledger, deploymentDir } from "../deploy/lib/deployment.js";
import { genesisTimestamp, initNetwork, loadNetworkParams, networkWarnings } from "../deploy/lib/network.js";
import { attachSystem } from "../deploy/lib/system.js";
import { freePort } from "../scripts/lib/ports.js";
import { runDemos } from "../scripts/demo/index.js";

const run = promisify(execFile);
const DEPLOYMENT_ID = "network-test";
const VALIDATOR_SET = "0x0000000000000000000000000000000000008888";
const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // anvil's and Hardhat's account 0

const demo = JSON.parse(readFileSync(path.join(ROOT, "deploy", "parameters", "localhost.json"), "utf8"));
const NODES = [
  { name: "tax-1", department: "TAX", validator: true, host: "127.0.0.1", p2pPort: 30311, rpcPort: 8611 },
  { name: "samr-1", department: "SAMR", validator: true, host: "127.0.0.1", p2pPort: 30312, rpcPort: 8612 },
  { name: "cons-1", department: "CONS", validator: true, host: "127.0.0.1", p2pPort: 30313, rpcPort: 8613 },
  { name: "audit-1", department: "AUDIT", validator: true, host: "127.0.0.1", p2pPort: 30314, rpcPort: 8614 },
  { name: "bank-1", department: "BANK", validator: false, host: "127.0.0.1", p2pPort: 30315, rpcPort: 8615 },
].map((node, i) => ({ ...node, metricsPort: 9611 + i }));

function parameters(network: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  const { validators: _validators, ...rest } = demo;
  return {
    ...rest,
    validatorSetAddress: VALIDATOR_SET,
    network: { chainId: 480151, deployer: DEPLOYER, nodes: NODES, ...network },
    ...top,
  };
}

describe("npm run network -- init", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "govledger-network-"));
  const file = path.join(dir, "consortium.json");
  const out = path.join(dir, "out");
  let anvil: ChildProcess | undefined;

  async function init(...args: string[]) {
    return run(process.execPath, ["--import", "tsx", "deploy/network.ts", "init", "--out", out, ...args], {
      cwd: ROOT,
      env: { ...process.env, GOVLEDGER_PARAMETERS: file },
    });
  }

  before(function () {
    writeFileSync(file, JSON.stringify(parameters()));
  });
  after(function () {
    if (anvil?.exitCode === null) anvil.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    rmSync(deploymentDir(DEPLOYMENT_ID), { recursive: true, force: true });
  });

  it("writes files that parse and agree with each other", async function () {
    const started = Math.floor(Date.now() / 1000);
    const { stdout, stderr } = await init();
    // 4 validators: no warning about fault tolerance; the demo's accounts are public, though.
    expect(stderr).not.to.include("validator node");
    expect(stderr).to.match(/warning: network\.deployer, departments\[0\]\.operators\[0\].* public test mnemonic/);
    expect(stdout).to.include("network written to");

    const genesis = JSON.parse(readFileSync(path.join(out, "genesis.json"), "utf8"));
    const listed = JSON.parse(readFileSync(path.join(out, "nodes.json"), "utf8")) as {
      name: string;
      address: string;
      enode: string;
      validator: boolean;
    }[];
    const staticNodes = JSON.parse(readFileSync(path.join(out, "static-nodes.json"), "utf8")) as string[];
    const permissions = parseToml(readFileSync(path.join(out, "permissions_config.toml"), "utf8"));
    expect(listed.map((node) => node.name)).to.deep.equal(NODES.map((node) => node.name));

    // Chain settings: forks the contracts are compiled for, free gas, QBFT on the contract.
    expect(genesis.config).to.include({ chainId: 480151, shanghaiTime: 0, cancunTime: 0, zeroBaseFee: true });
    expect(genesis.baseFeePerGas).to.equal("0x0");
    // The time it was written, never 0 (see genesisTimestamp: a chain clock at 0 voids the
    // AccessManager's first ADMIN grant in a client that runs from the genesis time).
    expect(Number(genesis.timestamp)).to.be.within(started, Math.ceil(Date.now() / 1000));
    expect(genesis.config.qbft).to.include({ validatorcontractaddress: VALIDATOR_SET, blockperiodseconds: 2 });
    expect(genesis.alloc[VALIDATOR_SET].code).to.match(/^0x[0-9a-f]{100,}$/);
    // extraData as Besu's QBFT decodes it: vanity, no validators (the contract has them), no
    // vote, round 0, no seals.
    const extra = fromRlp(genesis.extraData);
    expect(extra).to.deep.equal([`0x${"00".repeat(32)}`, [], [], "0x", []]);

    const enodes = new Set<string>();
    for (const [i, node] of listed.entries()) {
      const key = readFileSync(path.join(out, node.name, "key"), "utf8");
      expect(statSync(path.join(out, node.name, "key")).mode & 0o777, "key readable by its owner only").to.equal(0o600);
      const account = privateKeyToAccount(key as `0x${string}`);
      expect(account.address).to.equal(node.address);
      const id = account.publicKey.slice(4);
      expect(readFileSync(path.join(out, node.name, "key.pub"), "utf8")).to.equal(`0x${id}`);
      expect(node.enode).to.equal(`enode://${id}@127.0.0.1:${NODES[i].p2pPort}`);
      expect(
        Object.keys(genesis.alloc).map((a) => a.toLowerCase()),
        "a node is no funded account",
      ).not.to.include(node.address.toLowerCase());
      enodes.add(node.enode);

      const config = parseToml(readFileSync(path.join(out, node.name, "config.toml"), "utf8"));
      expect(config["network-id"]).to.equal(genesis.config.chainId);
      expect(config["p2p-port"]).to.equal(NODES[i].p2pPort);
      expect(config["rpc-http-port"]).to.equal(NODES[i].rpcPort);
      expect(config["metrics-port"]).to.equal(NODES[i].metricsPort);
      expect(config["rpc-http-api"]).to.deep.equal(["ETH", "NET", "QBFT"]);
      expect(config["rpc-http-host"], "never on every interface").not.to.equal("0.0.0.0");
      expect(config["data-path"]).to.equal(`/var/lib/besu/${node.name}`);
      expect(config["permissions-nodes-config-file-enabled"]).to.equal(true);
      expect(config["min-gas-price"]).to.equal(0);
      // Room for the indexer's defaults: 2,000-block eth_getLogs spans, 200 requests per batch.
      expect(config["rpc-max-logs-range"]).to.be.at.least(2_000);
      expect(config["rpc-http-max-batch-size"]).to.be.at.least(200);
      const bootnodes = config.bootnodes as string[];
      expect(bootnodes).to.deep.equal(listed.filter((n) => n.validator && n.name !== node.name).map((n) => n.enode));
    }
    expect(enodes.size, "distinct keys").to.equal(NODES.length);
    expect(staticNodes).to.deep.equal([...enodes]);
    expect(permissions["nodes-allowlist"], "exactly the consortium's nodes").to.deep.equal([...enodes]);

    const readme = readFileSync(path.join(out, "README.md"), "utf8");
    for (const heading of ["Start each node", "Deploy the contracts", "make it a validator", "Rotate", "Back up"]) {
      expect(readme).to.include(heading);
    }
    expect(readme).to.include("npm run deploy -- --network consortium");
    for (const node of listed) expect(readme).to.include(node.address);
  });

  it("loads in anvil: the ValidatorSet answers with the nodes, the system deploys and the demo runs", async function () {
    const port = await freePort();
    anvil = spawn(
      path.join(ROOT, "node_modules", ".bin", "anvil"),
      // anvil signs for its own default chain id unless told the genesis one.
      [
        "--accounts",
        "20",
        "--init",
        path.join(out, "genesis.json"),
        "--chain-id",
        "480151",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    anvil.stdout!.on("data", (chunk) => (log += chunk));
    anvil.stderr!.on("data", (chunk) => (log += chunk));
    const deadline = Date.now() + 20_000;
    while (!log.includes("Listening on")) {
      if (anvil.exitCode !== null || Date.now() > deadline) throw new Error(`anvil did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = `http://127.0.0.1:${port}`;
    const client = createPublicClient({ transport: http(url) });
    expect(await client.getChainId()).to.equal(480151);
    const nodes = JSON.parse(readFileSync(path.join(out, "nodes.json"), "utf8")) as {
      address: string;
      department: string;
      validator: boolean;
    }[];
    const validators = nodes.filter((node) => node.validator);
    const abi = parseAbi([
      "function getValidators() view returns (address[])",
      "function departmentOfValidator(address) view returns (bytes32)",
    ]);
    const read = (functionName: "getValidators") => client.readContract({ address: VALIDATOR_SET, abi, functionName });
    expect(await read("getValidators")).to.deep.equal(validators.map((node) => getAddress(node.address)));
    for (const node of validators) {
      expect(
        await client.readContract({
          address: VALIDATOR_SET,
          abi,
          functionName: "departmentOfValidator",
          args: [node.address as `0x${string}`],
        }),
      ).to.equal(codeToId(node.department));
    }

    const connection = await network.create<"l1">({
      network: "consortium",
      override: { url, chainId: 480151, accounts: "remote" },
    });
    try {
      const params = loadNetworkParams(file).consortium;
      // The AccessManager mined at the genesis time itself, the earliest a client that runs its
      // clock from the genesis (anvil) can mine it: what a deployment within its first second
      // gets. At a genesis time of 0 its constructor's ADMIN grant would count as never made.
      const genesisTime = BigInt(JSON.parse(readFileSync(path.join(out, "genesis.json"), "utf8")).timestamp);
      await connection.provider.request({ method: "evm_setNextBlockTimestamp", params: [Number(genesisTime)] });
      const summary = await deployGovledger(connection, { deploymentId: DEPLOYMENT_ID, params });
      expect(summary.chainId).to.equal(480151);
      const created = await client.getBlock({ blockNumber: BigInt(summary.contracts.manager.startBlock) });
      expect(created.timestamp).to.equal(genesisTime);
      expect(summary.contracts.validatorSet.address).to.equal(VALIDATOR_SET);
      const system = await attachSystem(connection, summary);
      expect(await system.contracts.validatorSet.registry()).to.equal(summary.contracts.registry.address);
      await runDemos(system);
      // The demo votes a fifth node in; the genesis nodes still seal beside it.
      const after = await read("getValidators");
      expect(after).to.have.length(validators.length + 1);
      expect(after.slice(0, validators.length)).to.deep.equal(validators.map((node) => getAddress(node.address)));
    } finally {
      await connection.close();
      anvil.kill("SIGTERM");
    }
  });

  it("refuses an existing folder without --force, and keeps the keys with it", async function () {
    const keys = NODES.map((node) => readFileSync(path.join(out, node.name, "key"), "utf8"));
    const genesis = readFileSync(path.join(out, "genesis.json"), "utf8");
    const refused = await init().then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).to.equal(1);
    expect(refused?.stderr).to.match(/already holds a network: pass --force/);
    expect(readFileSync(path.join(out, "genesis.json"), "utf8")).to.equal(genesis);

    // A node added to the parameters gets a key; the others keep theirs.
    const added = { name: "fire-1", department: "FIRE", validator: false, host: "127.0.0.1", p2pPort: 30316 };
    writeFileSync(
      file,
      JSON.stringify(parameters({ nodes: [...NODES, { ...added, rpcPort: 8616, metricsPort: 9616 }] })),
    );
    // The library behind the command (the command itself is run above): a process less.
    const result = initNetwork({
      parametersFile: file,
      out,
      force: true,
      validatorSetCode: JSON.parse(readFileSync(path.join(out, "genesis.json"), "utf8")).alloc[VALIDATOR_SET].code,
      networkName: "consortium",
    });
    expect(result.keptKeys).to.deep.equal(NODES.map((node) => node.name));
    NODES.forEach((node, i) => expect(readFileSync(path.join(out, node.name, "key"), "utf8")).to.equal(keys[i]));
    expect(existsSync(path.join(out, "fire-1", "key"))).to.equal(true);
    expect(readFileSync(path.join(out, "genesis.json"), "utf8"), "same validators, same genesis").to.equal(genesis);
    // A folder written before genesis times were kept (timestamp 0) gets the current time.
    const old = path.join(dir, "old-genesis.json");
    writeFileSync(old, JSON.stringify({ timestamp: "0x0" }));
    expect(genesisTimestamp(old, 1_800_000_000_000)).to.equal(1_800_000_000);
    writeFileSync(file, JSON.stringify(parameters()));
  });

  describe("bad input names the field", function () {
    function attempt(params: unknown): () => unknown {
      const bad = path.join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify(params));
      return () => loadNetworkParams(bad);
    }

    it("duplicate node names and endpoints", function () {
      expect(attempt(parameters({ nodes: [NODES[0], { ...NODES[1], name: "tax-1" }] }))).to.throw(
        /network\.nodes\[1\]\.name "tax-1" is also network\.nodes\[0\]\.name/,
      );
      expect(attempt(parameters({ nodes: [NODES[0], { ...NODES[1], p2pPort: 30311 }] }))).to.throw(
        /network\.nodes\[1\]\.p2pPort 127\.0\.0\.1:30311 is already used by network\.nodes\[0\]/,
      );
    });

    it("a validator node of a department that is not a founding member", function () {
      expect(
        attempt(
          parameters({
            nodes: [
              ...NODES,
              { ...NODES[4], name: "x", department: "PORT", validator: true, p2pPort: 1, rpcPort: 2, metricsPort: 3 },
            ],
          }),
        ),
      ).to.throw(/network\.nodes\[5\]\.department "PORT" is not a founding department/);
    });

    it("a chain id of a public network, and other fields", function () {
      const unreadable = path.join(dir, "unreadable.json");
      writeFileSync(unreadable, "{ network: ");
      expect(() => loadNetworkParams(unreadable)).to.throw(/unreadable\.json: cannot read parameters/);
      expect(attempt(parameters({ chainId: 1 }))).to.throw(/network\.chainId 1 is the chain id of Ethereum/);
      expect(attempt(parameters({ chainId: 11155111 }))).to.throw(
        /network\.chainId 11155111 is the chain id of Sepolia/,
      );
      expect(attempt(parameters({ deployer: "nobody" }))).to.throw(/network\.deployer/);
      expect(attempt(parameters({}, { validatorSetAddress: undefined }))).to.throw(/validatorSetAddress is required/);
      expect(attempt(parameters({ nodes: NODES.map((n) => ({ ...n, validator: false })) }))).to.throw(
        /has no validator/,
      );
    });

    it("JSON-RPC on every interface, or on the address the peers reach", function () {
      const apart = (i: number) => ({ ...NODES[i], host: `10.20.${i}.11`, rpcHost: undefined });
      expect(attempt(parameters({ nodes: [{ ...NODES[0], rpcHost: "0.0.0.0" }] }))).to.throw(
        /network\.nodes\[0\]\.rpcHost "0\.0\.0\.0" binds every interface/,
      );
      // Loopback by default; two machines may both serve 127.0.0.1 on the same ports.
      const loopback = attempt(parameters({ nodes: [0, 1, 2, 3].map((i) => ({ ...apart(i), rpcPort: 8545 })) }))();
      const nodes = (loopback as ReturnType<typeof loadNetworkParams>).chain.nodes;
      expect(nodes.map((node) => node.rpcHost)).to.deep.equal(Array(4).fill("127.0.0.1"));
      const exposed = attempt(
        parameters({ nodes: [0, 1, 2, 3].map((i) => ({ ...apart(i), rpcHost: apart(i).host })) }),
      );
      expect(networkWarnings(exposed() as ReturnType<typeof loadNetworkParams>)[0]).to.match(
        /network\.nodes\[0\]\.rpcHost is the node's p2p address 10\.20\.0\.11: JSON-RPC answers wherever its peers/,
      );
    });

    it("duplicate keys, and a node key that is an operator account", function () {
      const folder = mkdtempSync(path.join(dir, "keys-"));
      const options = { parametersFile: file, out: folder, force: true, validatorSetCode: "0x00", networkName: "t" };
      initNetwork(options);
      writeFileSync(path.join(folder, "samr-1", "key"), readFileSync(path.join(folder, "tax-1", "key")));
      expect(() => initNetwork(options)).to.throw(/samr-1\/key: the same key as node tax-1/);
      // Hardhat's account 1, the tax bureau's operator in the demo parameters.
      const operatorKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
      writeFileSync(path.join(folder, "samr-1", "key"), operatorKey);
      expect(() => initNetwork(options)).to.throw(
        /samr-1\/key: the node's address is departments\[0\]\.operators\[0\]/,
      );
    });

    it("warns below 4 validators, with what it costs", function () {
      const three = attempt(parameters({ nodes: NODES.slice(0, 3) }))() as ReturnType<typeof loadNetworkParams>;
      const [warning] = networkWarnings(three);
      expect(warning).to.match(/only 3 validator nodes: QBFT tolerates f faulty validators only with 3f\+1/);
      expect(warning).to.include("1 to 3 validators tolerate none");
      expect(networkWarnings(loadNetworkParams(file))).to.have.length(1); // the public accounts only
      const own = privateKeyToAccount(generatePrivateKey()).address;
      const departments = demo.departments.map((department: object, i: number) => ({
        ...department,
        operators: [privateKeyToAccount(generatePrivateKey()).address],
        code: demo.departments[i].code,
      }));
      const clean = attempt(parameters({ deployer: own }, { departments }))() as ReturnType<typeof loadNetworkParams>;
      expect(networkWarnings(clean)).to.deep.equal([]);
    });
  });
});
