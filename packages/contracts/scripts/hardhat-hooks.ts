/**
 * After every successful build: the package's ABIs and names (generate.ts), and the typechain
 * ethers factories split in two. The package gets the production contracts' (theirs and
 * interfaces, OpenZeppelin's); test doubles (contracts/mocks/) get theirs in typechain-types/,
 * git-ignored, which types `ethers.deployContract("EscrowTestToken")` in the project's tests and
 * ships nowhere. hardhat-typechain generates one folder from every artifact, so its own hook is
 * off (hardhat.config.ts: dontOverrideCompile) and its handler runs here once per folder.
 */
import { rmSync } from "node:fs";
import path from "node:path";

import hardhatTypechain from "@nomicfoundation/hardhat-typechain";
import type { HookContext, SolidityHooks } from "hardhat/types/hooks";

import { generateAbis, isTestDouble } from "./generate.js";

/** Where the test doubles' factories go (STYLE.md's generated typechain folder). */
export const TEST_DOUBLES_TYPECHAIN = "typechain-types";

type TypechainHandlers = Partial<SolidityHooks>;

async function typechainHandlers(): Promise<TypechainHandlers> {
  const load = hardhatTypechain.hookHandlers?.solidity;
  if (typeof load !== "function") throw new Error("hardhat-typechain has no solidity hook handlers");
  const factory = (await load()).default as () => Promise<TypechainHandlers>;
  return factory();
}

export default async (): Promise<Partial<SolidityHooks>> => ({
  async processArtifactsAfterSuccessfulBuild(context, artifactPaths, ...rest) {
    const root = context.config.paths.root;
    generateAbis(root);
    const handlers = await typechainHandlers();
    const artifacts = context.config.paths.artifacts;
    const doubles = artifactPaths.filter((file) => isTestDouble(path.relative(artifacts, file)));
    const production = artifactPaths.filter((file) => !isTestDouble(path.relative(artifacts, file)));
    const packageOut = context.config.typechain.outDir ?? path.join(root, "types");
    // Left by builds before the split: typechain never removes what it no longer writes.
    for (const dir of ["contracts/mocks", "factories/contracts/mocks"]) {
      rmSync(path.resolve(root, packageOut, dir), { recursive: true, force: true });
    }
    for (const [outDir, files] of [
      [packageOut, production],
      [path.join(root, TEST_DOUBLES_TYPECHAIN), doubles],
    ] as const) {
      const scoped = {
        config: {
          paths: context.config.paths,
          typechain: { ...context.config.typechain, outDir, dontOverrideCompile: false },
        },
        globalOptions: context.globalOptions,
      } as unknown as HookContext;
      await handlers.processArtifactsAfterSuccessfulBuild!(scoped, files, ...rest);
    }
  },
});
