import type { SolidityHooks } from "hardhat/types/hooks";

import { generateAbis } from "./generate-abis.js";

export default async (): Promise<Partial<SolidityHooks>> => ({
  async processArtifactsAfterSuccessfulBuild(context) {
    generateAbis(context.config.paths.root);
  },
});
