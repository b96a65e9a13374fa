/**
 * The embedded PostgreSQL's start, where a first start fails after initialising its folder: the
 * case `npm start` meets when its default port is taken and it retries on another.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import postgres from "postgres";

import { startEmbeddedPostgres } from "../../indexer/src/db/embedded.js";
import { ConfigError } from "../../indexer/src/errors.js";
import { freePort } from "../../scripts/lib/ports.js";

describe("indexer: embedded PostgreSQL", function () {
  this.timeout(120_000);

  it("creates its database on a folder whose first start failed on a taken port", async function () {
    const root = mkdtempSync(path.join(tmpdir(), "govledger-embedded-start-"));
    chmodSync(root, 0o755);
    const dataDir = path.join(root, "data");
    const taken = await freePort();
    const blocker = net.createServer().listen(taken, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    try {
      let failure: unknown;
      try {
        const pg = await startEmbeddedPostgres({ dataDir, port: taken });
        await pg.stop();
      } catch (error) {
        failure = error;
      }
      expect(failure, "the first start fails on the taken port").to.be.instanceOf(ConfigError);
      expect(existsSync(path.join(dataDir, "PG_VERSION")), "and leaves an initialised folder").to.equal(true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }

    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    try {
      const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql`select current_database() as name`;
        expect(row.name).to.equal("govledger");
      } finally {
        await sql.end();
      }
    } finally {
      await pg.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
