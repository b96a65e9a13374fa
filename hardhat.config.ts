import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import contractsPackage from "./packages/contracts/scripts/hardhat-plugin.js";

const require = createRequire(import.meta.url);

/**
 * The compiler is the npm `solc` package (solc-js/WASM), never a download: consortium sites are
 * often offline, and so is CI. Its version is read from the package so the two cannot drift.
 */
const solcPath = require.resolve("solc/soljson.js");
const solcVersion: string = require("solc/package.json").version;

/**
 * Hyperledger Besu QBFT, our production chain, runs forks up to Cancun; solc >= 0.8.30 targets
 * Prague by default, whose opcodes and precompiles such a chain would reject. Tests run the
 * simulated chain at the same fork, so what passes here is what runs there.
 */
const EVM_TARGET = "cancun";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, contractsPackage],
  solidity: {
    // OpenZeppelin's AccessManager is deployed as is, so its artifact must be built too.
    npmFilesToBuild: ["@openzeppelin/contracts/access/manager/AccessManager.sol"],
    profiles: {
      default: {
        version: solcVersion,
        path: solcPath,
        settings: {
          evmVersion: EVM_TARGET,
          optimizer: { enabled: true, runs: 200 },
        },
      },
      production: {
        version: solcVersion,
        path: solcPath,
        settings: {
          evmVersion: EVM_TARGET,
          optimizer: { enabled: true, runs: 200 },
        },
      },
    },
  },
  paths: {
    ignition: "deploy",
  },
  typechain: {
    // Straight into the contracts package (@govledger/contracts/ethers): one copy for the demo,
    // the tests and dApps. Its hardhat.d.ts types `ethers.getContractAt("Name")` here only.
    // Test doubles (contracts/mocks/) get theirs in typechain-types/ instead: the package's
    // plugin runs typechain for both (packages/contracts/scripts/hardhat-hooks.ts), so
    // hardhat-typechain's own run, over every artifact into one folder, is off.
    outDir: "packages/contracts/src/typechain",
    dontOverrideCompile: true,
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 32, failOnRevert: false },
    },
  },
  networks: {
    hardhatMainnet: {
      type: "edr-simulated",
      chainType: "l1",
      hardfork: EVM_TARGET,
    },
    default: {
      type: "edr-simulated",
      chainType: "l1",
      hardfork: EVM_TARGET,
    },
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545",
    },
    consortium: {
      type: "http",
      chainType: "l1",
      url: configVariable("CONSORTIUM_RPC_URL"),
      chainId: Number(process.env.CONSORTIUM_CHAIN_ID ?? 1337),
      accounts: [configVariable("CONSORTIUM_DEPLOYER_KEY")],
    },
  },
});
