/**
 * A Hardhat plugin of this project: after every successful build of the contracts, regenerates
 * the indexer's ABIs (generate-abis.ts), as hardhat-typechain regenerates its types. The indexer
 * then never needs Hardhat at run time.
 */
import type { HardhatPlugin } from "hardhat/types/plugins";

const abisPlugin: HardhatPlugin = {
  id: "govledger-indexer-abis",
  hookHandlers: {
    solidity: () => import("./abis-hooks.js"),
  },
};

export default abisPlugin;
