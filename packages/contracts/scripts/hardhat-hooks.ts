import type { SolidityHooks } from "hardhat/types/hooks";

import { generateAbis } from "./generate.js";

export default async (): Promise<Partial<SolidityHooks>> => ({
  async processArtifactsAfterSuccessfulBuild(context) {
    generateAbis(context.config.paths.root);
  },
});
