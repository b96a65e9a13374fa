/**
 * The browser code, bundled by esbuild when the server starts (about 100 ms; kept in memory,
 * nothing written). ES modules with code splitting: every page loads the small main module; the
 * ECharts chunk is imported only by pages that have a chart. Names are content-hashed, so the
 * files are cached for good.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

export interface Bundle {
  /** URL of the entry module. */
  entry: string;
  files: Map<string, { body: Uint8Array; bytes: number }>;
}

const CLIENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "client");

export async function buildBundle(): Promise<Bundle> {
  const result = await build({
    entryPoints: { main: path.join(CLIENT, "main.ts") },
    bundle: true,
    splitting: true,
    format: "esm",
    minify: true,
    target: "es2022",
    outdir: "/assets",
    entryNames: "[name]-[hash]",
    chunkNames: "[name]-[hash]",
    write: false,
    metafile: true,
    legalComments: "none",
  });
  const files = new Map<string, { body: Uint8Array; bytes: number }>();
  let entry = "";
  for (const file of result.outputFiles) {
    const url = `/assets/${path.basename(file.path)}`;
    files.set(url, { body: file.contents, bytes: file.contents.byteLength });
    if (path.basename(file.path).startsWith("main-")) entry = url;
  }
  return { entry, files };
}
