import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

import { expect } from "chai";
import ExcelJS from "exceljs";

import { writeSheet } from "../../web/src/exports.js";

/**
 * The XLSX writer's pace (web/src/exports.ts, writeSheet): rows leave the cursor only as fast as
 * the file leaves through `out`. Synthetic rows, so that many of them cost no database: hex that
 * deflate cannot shrink much, as the invoices' ids and hashes.
 */
describe("XLSX export writer (web/src/exports.ts)", function () {
  this.timeout(120_000);
  const BATCHES = 240;
  const ROWS = 500;
  const row = (n: number) => [
    n,
    `0x${randomBytes(32).toString("hex")}`,
    `0x${randomBytes(32).toString("hex")}`,
    "Claimed",
  ];

  /** Batches of rows, counting how many were taken and whether the writer let go of them. */
  function source() {
    const seen = { taken: 0, released: false };
    async function* batches() {
      try {
        for (let b = 0; b < BATCHES; b++) {
          seen.taken++;
          yield Array.from({ length: ROWS }, (_, i) => row(b * ROWS + i));
        }
      } finally {
        seen.released = true;
      }
    }
    return { seen, batches: batches() };
  }

  /** Until `taken` stops moving for 300 ms. */
  async function settled(seen: { taken: number }) {
    for (let last = -1; last !== seen.taken;) {
      last = seen.taken;
      await sleep(300);
    }
    return seen.taken;
  }

  it("takes no more rows while nobody reads the file, and all of them once it is read", async function () {
    const out = new PassThrough();
    const { seen, batches } = source();
    const written = writeSheet(out, "rows", batches);
    // Nobody reads: the rows stop once the zip's and the streams' buffers are full (about 2 MB of it).
    const stalled = await settled(seen);
    expect(stalled, "batches taken with nobody reading").to.be.below(BATCHES / 3);
    const parts: Buffer[] = [];
    const ended = new Promise((resolve) => out.once("end", resolve));
    out.on("data", (chunk: Buffer) => parts.push(chunk));
    await written;
    await ended;
    expect(seen.taken).to.equal(BATCHES);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(parts) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).to.equal("rows");
    expect(sheet.rowCount).to.equal(BATCHES * ROWS);
    expect(sheet.getRow(1).getCell(1).value).to.equal(0);
    expect(sheet.getRow(BATCHES * ROWS).getCell(1).value).to.equal(BATCHES * ROWS - 1);
    expect(sheet.getRow(BATCHES * ROWS).getCell(4).value).to.equal("Claimed");
  });

  it("stops taking rows and fails when the download is closed half-way, instead of waiting for ever", async function () {
    const out = new PassThrough();
    const { seen, batches } = source();
    const written = writeSheet(out, "rows", batches);
    out.resume();
    while (seen.taken < 5) await sleep(10);
    out.pause();
    await settled(seen);
    out.destroy();
    let failure: Error | undefined;
    await written.catch((error: Error) => (failure = error));
    expect(failure?.message).to.equal("XLSX export: the download was closed");
    expect(seen.released, "the rows' source was closed (a cursor: its transaction ends)").to.equal(true);
    expect(seen.taken).to.be.below(BATCHES);
  });
});
