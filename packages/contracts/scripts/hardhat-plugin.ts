/**
 * A Hardhat plugin of this project: after every successful build of the contracts (cached ones
 * included), regenerates the ABIs and names of @govledger/contracts (generate.ts), as
 * hardhat-typechain regenerates its factories (into the same package: hardhat.config.ts). The
 * indexer and dApps then never need Hardhat at run time.
 */
import type { HardhatPlugin } from "hardhat/types/plugins";

const contractsPackagePlugin: HardhatPlugin = {
  id: "govledger-contracts-package",
  // After hardhat-typechain, whose generator the build hook runs.
  dependencies: () => [import("@nomicfoundation/hardhat-typechain")],
  hookHandlers: {
    solidity: () => import("./hardhat-hooks.js"),
  },
};

export default contractsPackagePlugin;
