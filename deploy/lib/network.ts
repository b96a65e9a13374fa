/**
 * The production network kit behind `npm run network -- init`: from the `network` section of a
 * parameters file it builds a Besu QBFT consortium's genesis (ValidatorSet pre-deployed through
 * genesis.ts, contract-based validator selection), a secp256k1 key and a config.toml per node,
 * the shared static-nodes and node-permissioning files, and the operators' README. Node keys are
 * generated once and never overwritten. Touches no chain.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { stringify as toToml } from "smol-toml";
import { getAddress, isAddress, type Hex, toRlp } from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import * as knownChains from "viem/chains";

import { codeToId, type ConsortiumParams, loadConsortiumParams } from "./consortium.js";
import { predictAccessManager, validatorSetAlloc } from "./genesis.js";
import { operatorsReadme } from "./network-readme.js";

export interface NodeParams {
  /** Folder name and Besu identity: lower-case letters, digits and dashes. */
  name: string;
  /** Code of the department that runs the node. */
  department: string;
  /** Whether the node seals blocks from the genesis (it is in the ValidatorSet). */
  validator: boolean;
  /** Address the other nodes reach this one at (p2p). */
  host: string;
  p2pPort: number;
  /** The interface on the department's own network that JSON-RPC and metrics bind to. */
  rpcHost: string;
  rpcPort: number;
  metricsPort: number;
}

export interface ChainParams {
  chainId: number;
  blockPeriodSeconds: number;
  epochLength: number;
  requestTimeoutSeconds: number;
  gasLimit: number;
  /** The account that runs `npm run deploy -- --network consortium` as its first transaction. */
  deployer: string;
  /** Where each node's config, key and the shared files are installed on its host. */
  configDir: string;
  /** Besu's data path on each host; the node's name is appended. */
  dataDir: string;
  nodes: NodeParams[];
}

export interface NetworkParams {
  consortium: ConsortiumParams;
  chain: ChainParams;
  validatorSetAddress: string;
}

/** A node with its key: the enode id is the uncompressed public key without its 0x04 prefix. */
export interface KeyedNode extends NodeParams {
  privateKey: Hex;
  address: string;
  enodeId: string;
  enode: string;
}

const NODE_DEFAULTS = { validator: false, p2pPort: 30303, rpcPort: 8545, metricsPort: 9545 };
const CHAIN_DEFAULTS = {
  blockPeriodSeconds: 2,
  epochLength: 30_000,
  requestTimeoutSeconds: 4,
  gasLimit: 30_000_000,
  configDir: "/etc/govledger",
  dataDir: "/var/lib/besu",
};

/** Besu's JSON-RPC limits written into every config.toml (see buildNodeConfig). */
export const RPC_MAX_LOGS_RANGE = 5_000;
export const RPC_MAX_BATCH_SIZE = 1_024;

/** Istanbul's mixHash ("Istanbul byzantine fault tolerance"), which Besu's BFT headers require. */
const BFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365";

/**
 * Genesis balance of the deployer and the operator accounts. Gas is free (zero base fee, Besu's
 * min-gas-price 0), but ethers and Ignition still offer validators a tip by default; the balance
 * pays such tips, so nobody has to configure fees in every client.
 */
const ACCOUNT_BALANCE = 10n ** 24n;

export class NetworkParamsError extends Error {}

function fail(file: string, field: string, message: string): never {
  throw new NetworkParamsError(`${file}: ${field} ${message}`);
}

/** Chain ids of public networks (and of development chains that wallets already know), from viem. */
function publicChainName(chainId: number): string | undefined {
  const names = Object.values(knownChains)
    .filter((chain) => typeof chain === "object" && chain !== null && "id" in chain && chain.id === chainId)
    .map((chain) => (chain as { name: string }).name);
  return names.length === 0 ? undefined : names.join(", ");
}

function integer(file: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(file, field, `is ${JSON.stringify(value)}: it must be an integer from ${min} to ${max}`);
  }
  return value;
}

function text(file: string, field: string, value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== "string" || !pattern.test(value)) fail(file, field, `is ${JSON.stringify(value)}: ${what}`);
  return value;
}

const HOST = /^[A-Za-z0-9.:-]+$/;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const ALL_INTERFACES = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

/** Reads and checks a parameters file with a `network` section; every error names its field. */
export function loadNetworkParams(file: string): NetworkParams {
  let raw: { network?: Record<string, unknown>; validatorSetAddress?: string };
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new NetworkParamsError(`${file}: cannot read parameters: ${(error as Error).message}`);
  }
  const section = raw.network;
  if (typeof section !== "object" || section === null) fail(file, "network", "is missing: see the README");
  if (raw.validatorSetAddress === undefined) {
    fail(file, "validatorSetAddress", "is required: the genesis pre-deploys the ValidatorSet there (e.g. 0x…8888)");
  }
  const consortium = loadConsortiumParams(file);
  if (consortium.validators.length > 0) {
    fail(file, "validators", "must be left out: the validator nodes are network.nodes with validator: true");
  }
  const merged: Record<string, unknown> = { ...CHAIN_DEFAULTS, ...section };
  const chainId = integer(file, "network.chainId", merged.chainId, 1, 2 ** 53 - 1);
  const clash = publicChainName(chainId);
  if (clash !== undefined) {
    fail(file, "network.chainId", `${chainId} is the chain id of ${clash}: pick one no public network uses`);
  }
  if (typeof merged.deployer !== "string" || !isAddress(merged.deployer)) {
    fail(file, "network.deployer", `is ${JSON.stringify(merged.deployer)}: the deployment account's address`);
  }
  const chain: ChainParams = {
    chainId,
    blockPeriodSeconds: integer(file, "network.blockPeriodSeconds", merged.blockPeriodSeconds, 1, 60),
    epochLength: integer(file, "network.epochLength", merged.epochLength, 1, 2 ** 31 - 1),
    requestTimeoutSeconds: integer(file, "network.requestTimeoutSeconds", merged.requestTimeoutSeconds, 1, 600),
    gasLimit: integer(file, "network.gasLimit", merged.gasLimit, 5_000_000, 2 ** 53 - 1),
    deployer: getAddress(merged.deployer),
    configDir: text(file, "network.configDir", merged.configDir, /^\/[^"\\]*$/, "an absolute path"),
    dataDir: text(file, "network.dataDir", merged.dataDir, /^\/[^"\\]*$/, "an absolute path"),
    nodes: [],
  };
  if (chain.requestTimeoutSeconds <= chain.blockPeriodSeconds) {
    fail(file, "network.requestTimeoutSeconds", "must exceed blockPeriodSeconds, or every round times out");
  }
  const nodes = merged.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) fail(file, "network.nodes", "must list the consortium's nodes");
  const founding = new Set(consortium.departments.map((department) => department.code));
  const names = new Map<string, number>();
  const endpoints = new Map<string, number>();
  for (const [i, entry] of (nodes as Record<string, unknown>[]).entries()) {
    const at = `network.nodes[${i}]`;
    const node = { ...NODE_DEFAULTS, ...entry } as Record<string, unknown>;
    const name = text(file, `${at}.name`, node.name, /^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits, -");
    if (names.has(name)) fail(file, `${at}.name`, `"${name}" is also network.nodes[${names.get(name)}].name`);
    names.set(name, i);
    const department = text(file, `${at}.department`, node.department, /^.+$/, "a department code");
    if (typeof node.validator !== "boolean") fail(file, `${at}.validator`, "must be true or false");
    if (node.validator && !founding.has(department)) {
      fail(
        file,
        `${at}.department`,
        `"${department}" is not a founding department: only their nodes seal from the genesis`,
      );
    }
    const host = text(file, `${at}.host`, node.host, HOST, "a host name or IP address");
    // JSON-RPC stays on the department's own network: loopback unless an interface there is named,
    // never every interface (the p2p one included, which the other departments reach).
    const rpcHost = text(file, `${at}.rpcHost`, node.rpcHost ?? "127.0.0.1", HOST, "a host name or IP address");
    if (ALL_INTERFACES.has(rpcHost)) {
      fail(file, `${at}.rpcHost`, `"${rpcHost}" binds every interface: name one on the department's own network`);
    }
    // A loopback address is per machine: two hosts may both serve 127.0.0.1:8545.
    const local = (port: number) => (LOOPBACK.test(rpcHost) ? `${host} ${rpcHost}:${port}` : `${rpcHost}:${port}`);
    const p2pPort = integer(file, `${at}.p2pPort`, node.p2pPort, 1, 65_535);
    const rpcPort = integer(file, `${at}.rpcPort`, node.rpcPort, 1, 65_535);
    const metricsPort = integer(file, `${at}.metricsPort`, node.metricsPort, 1, 65_535);
    for (const [field, endpoint] of [
      ["p2pPort", `${host}:${p2pPort}`],
      ["rpcPort", local(rpcPort)],
      ["metricsPort", local(metricsPort)],
    ] as const) {
      const other = endpoints.get(endpoint);
      if (other !== undefined) fail(file, `${at}.${field}`, `${endpoint} is already used by network.nodes[${other}]`);
      endpoints.set(endpoint, i);
    }
    chain.nodes.push({ name, department, validator: node.validator, host, p2pPort, rpcHost, rpcPort, metricsPort });
  }
  if (!chain.nodes.some((node) => node.validator)) {
    fail(file, "network.nodes", "has no validator: an empty validator set halts QBFT");
  }
  return { consortium, chain, validatorSetAddress: getAddress(consortium.validatorSetAddress!) };
}

/** The first 20 accounts of the public test mnemonic (Hardhat's and anvil's): anyone can sign for them. */
const TEST_ACCOUNTS = new Map(
  Array.from({ length: 20 }, (_, index) => [
    mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: index }).address,
    index,
  ]),
);

/** Warnings that do not stop `init`: what the configuration costs, and accounts anyone can use. */
export function networkWarnings(params: NetworkParams): string[] {
  const warnings: string[] = [];
  const validators = params.chain.nodes.filter((node) => node.validator).length;
  if (validators < 4) {
    warnings.push(
      `only ${validators} validator node${validators === 1 ? "" : "s"}: QBFT tolerates f faulty validators only ` +
        "with 3f+1 of them, so 1 to 3 validators tolerate none (any one down halts the chain); run at least 4",
    );
  }
  for (const [i, node] of params.chain.nodes.entries()) {
    if (node.rpcHost === node.host && !LOOPBACK.test(node.host)) {
      warnings.push(
        `network.nodes[${i}].rpcHost is the node's p2p address ${node.host}: JSON-RPC answers wherever its peers ` +
          "reach it, other departments included; name an interface on the department's own network",
      );
    }
  }
  // Whoever sends the deployer's first transaction owns the AccessManager the genesis trusts.
  const known = [
    ["network.deployer", params.chain.deployer],
    ...params.consortium.departments.flatMap((department, i) =>
      department.operators.map((operator, j) => [`departments[${i}].operators[${j}]`, operator]),
    ),
  ].filter(([, address]) => TEST_ACCOUNTS.has(getAddress(address)));
  if (known.length > 0) {
    warnings.push(
      `${known.map(([field]) => field).join(", ")} ${known.length === 1 ? "is an account" : "are accounts"} of the ` +
        "public test mnemonic: anyone can sign for them; use the departments' own accounts in production",
    );
  }
  return warnings;
}

export function keyNode(node: NodeParams, privateKey: Hex): KeyedNode {
  const account = privateKeyToAccount(privateKey);
  const enodeId = account.publicKey.slice(4);
  return {
    ...node,
    privateKey,
    address: account.address,
    enodeId,
    enode: `enode://${enodeId}@${node.host}:${node.p2pPort}`,
  };
}

/** Besu's QBFT extraData for contract-based validator selection: RLP([vanity, [], no vote, round 0, no seals]). */
export function contractValidatorExtraData(): Hex {
  return toRlp([`0x${"00".repeat(32)}`, [], [], "0x", []]);
}

/**
 * The genesis time: when the network was first written, kept by a rerun so the same validators
 * give the same genesis. Never 0: Besu stamps its blocks with the wall clock whatever the genesis
 * says, but a geth-style client started from the file (anvil --init) runs its clock from this
 * time, so a genesis at 0 mines its first second's blocks at timestamp 0, and OpenZeppelin's
 * AccessManager reads a role granted at time 0 as never granted: the deployer, made ADMIN by the
 * constructor, would be refused its first ADMIN call.
 */
export function genesisTimestamp(existingGenesis: string | undefined, now = Date.now()): number {
  if (existingGenesis !== undefined && existsSync(existingGenesis)) {
    const { timestamp } = JSON.parse(readFileSync(existingGenesis, "utf8")) as { timestamp?: unknown };
    if (typeof timestamp === "string" && /^0x[0-9a-f]+$/i.test(timestamp) && Number(timestamp) > 0) {
      return Number(timestamp);
    }
  }
  return Math.floor(now / 1000);
}

export function buildGenesis(params: NetworkParams, nodes: KeyedNode[], validatorSetCode: string, timestamp: number) {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw new NetworkParamsError(`genesis timestamp ${timestamp}: it must be a positive number of seconds`);
  }
  const { chain, consortium, validatorSetAddress } = params;
  const entry = validatorSetAlloc(
    validatorSetCode,
    predictAccessManager(chain.deployer),
    nodes
      .filter((node) => node.validator)
      .map((node) => ({ address: node.address, departmentId: codeToId(node.department) })),
  );
  const alloc: Record<string, { balance: string; code?: string; storage?: Record<string, string> }> = {
    [validatorSetAddress]: entry,
  };
  for (const account of [chain.deployer, ...consortium.departments.flatMap((department) => department.operators)]) {
    alloc[getAddress(account)] = { balance: `0x${ACCOUNT_BALANCE.toString(16)}` };
  }
  return {
    config: {
      chainId: chain.chainId,
      // Block-numbered forks for clients that read geth-style files; Besu takes them as they are.
      homesteadBlock: 0,
      eip150Block: 0,
      eip155Block: 0,
      eip158Block: 0,
      byzantiumBlock: 0,
      constantinopleBlock: 0,
      petersburgBlock: 0,
      istanbulBlock: 0,
      berlinBlock: 0,
      londonBlock: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      zeroBaseFee: true,
      qbft: {
        blockperiodseconds: chain.blockPeriodSeconds,
        epochlength: chain.epochLength,
        requesttimeoutseconds: chain.requestTimeoutSeconds,
        validatorcontractaddress: validatorSetAddress.toLowerCase(),
      },
    },
    nonce: "0x0",
    timestamp: `0x${timestamp.toString(16)}`,
    gasLimit: `0x${chain.gasLimit.toString(16)}`,
    difficulty: "0x1",
    baseFeePerGas: "0x0",
    mixHash: BFT_MIX_HASH,
    coinbase: "0x0000000000000000000000000000000000000000",
    extraData: contractValidatorExtraData(),
    alloc,
  };
}

/** Besu's config file of one node; paths are where the README installs the files on its host. */
export function buildNodeConfig(params: NetworkParams, node: KeyedNode, nodes: KeyedNode[]) {
  const { chain } = params;
  const dir = chain.configDir;
  return {
    identity: node.name,
    "data-path": `${chain.dataDir}/${node.name}`,
    "genesis-file": `${dir}/genesis.json`,
    "node-private-key-file": `${dir}/key`,
    "network-id": chain.chainId,
    "sync-mode": "FULL",
    // Free gas: the genesis has a zero base fee; a node must also accept a zero gas price.
    "min-gas-price": 0,
    "p2p-host": node.host,
    "p2p-port": node.p2pPort,
    bootnodes: nodes.filter((other) => other.validator && other.name !== node.name).map((other) => other.enode),
    "static-nodes-file": `${dir}/static-nodes.json`,
    "permissions-nodes-config-file-enabled": true,
    "permissions-nodes-config-file": `${dir}/permissions_config.toml`,
    // JSON-RPC on the department's own interface only, with the APIs a department needs; no
    // ADMIN, DEBUG or PERM, which change or expose the node, on any interface.
    "rpc-http-enabled": true,
    "rpc-http-host": node.rpcHost,
    "rpc-http-port": node.rpcPort,
    "rpc-http-api": ["ETH", "NET", "QBFT"],
    "host-allowlist": [...new Set([node.rpcHost, "localhost", "127.0.0.1"])],
    // Explicit, since Besu's defaults moved between releases (eth_getLogs range 1,000 blocks in
    // 22.10): the indexer asks for up to 2,000 blocks of logs (GOVLEDGER_MAX_SPAN) and batches up
    // to 200 requests in one HTTP call.
    "rpc-max-logs-range": RPC_MAX_LOGS_RANGE,
    "rpc-http-max-batch-size": RPC_MAX_BATCH_SIZE,
    "rpc-http-cors-origins": [] as string[],
    "rpc-ws-enabled": false,
    "graphql-http-enabled": false,
    "metrics-enabled": true,
    "metrics-host": node.rpcHost,
    "metrics-port": node.metricsPort,
  };
}

export interface InitOptions {
  parametersFile: string;
  out: string;
  force?: boolean;
  validatorSetCode: string;
  networkName: string;
}

export interface InitResult {
  nodes: KeyedNode[];
  warnings: string[];
  /** Nodes whose key was already in the folder and kept. */
  keptKeys: string[];
}

function readKey(file: string): Hex {
  const key = readFileSync(file, "utf8").trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new NetworkParamsError(`${file}: not a node key (0x and 64 hex digits)`);
  return key as Hex;
}

/** Writes the network folder. Refuses a non-empty folder unless `force`, and never replaces a key. */
export function initNetwork(options: InitOptions): InitResult {
  const params = loadNetworkParams(options.parametersFile);
  const { out } = options;
  if (existsSync(out) && readdirSync(out).length > 0 && !options.force) {
    throw new NetworkParamsError(
      `${out} already holds a network: pass --force to rewrite its configuration (node keys are kept)`,
    );
  }
  const keptKeys: string[] = [];
  const nodes = params.chain.nodes.map((node) => {
    const file = path.join(out, node.name, "key");
    if (existsSync(file)) {
      keptKeys.push(node.name);
      return keyNode(node, readKey(file));
    }
    return keyNode(node, generatePrivateKey());
  });
  const operators = new Map<string, string>();
  operators.set(params.chain.deployer, "network.deployer");
  params.consortium.departments.forEach((department, i) =>
    department.operators.forEach((operator, j) =>
      operators.set(getAddress(operator), `departments[${i}].operators[${j}]`),
    ),
  );
  const seen = new Map<string, string>();
  for (const node of nodes) {
    const other = seen.get(node.address);
    if (other !== undefined) {
      throw new NetworkParamsError(`${out}/${node.name}/key: the same key as node ${other}: each node needs its own`);
    }
    seen.set(node.address, node.name);
    const account = operators.get(node.address);
    if (account !== undefined) {
      throw new NetworkParamsError(
        `${out}/${node.name}/key: the node's address is ${account}: node keys and operator accounts must differ`,
      );
    }
  }

  const genesisFile = path.join(out, "genesis.json");
  const genesis = buildGenesis(params, nodes, options.validatorSetCode, genesisTimestamp(genesisFile));
  mkdirSync(out, { recursive: true });
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  writeFileSync(genesisFile, json(genesis));
  writeFileSync(path.join(out, "static-nodes.json"), json(nodes.map((node) => node.enode)));
  writeFileSync(
    path.join(out, "permissions_config.toml"),
    `${toToml({ "nodes-allowlist": nodes.map((node) => node.enode) })}\n`,
  );
  writeFileSync(
    path.join(out, "nodes.json"),
    json(
      nodes.map(({ name, department, validator, address, enode, rpcHost, rpcPort, metricsPort }) => ({
        name,
        department,
        validator,
        address,
        enode,
        rpc: `http://${rpcHost}:${rpcPort}`,
        metrics: `http://${rpcHost}:${metricsPort}/metrics`,
      })),
    ),
  );
  for (const node of nodes) {
    const dir = path.join(out, node.name);
    mkdirSync(dir, { recursive: true });
    const keyFile = path.join(dir, "key");
    if (!existsSync(keyFile)) {
      writeFileSync(keyFile, node.privateKey, { mode: 0o600 });
      chmodSync(keyFile, 0o600);
    }
    writeFileSync(path.join(dir, "key.pub"), `0x${node.enodeId}`);
    writeFileSync(path.join(dir, "config.toml"), `${toToml(buildNodeConfig(params, node, nodes))}\n`);
  }
  writeFileSync(path.join(out, "README.md"), operatorsReadme(params, nodes, options.networkName));
  return { nodes, warnings: networkWarnings(params), keptKeys };
}
