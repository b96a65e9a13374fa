/**
 * Output: structured JSON lines on stderr when it is not a terminal; on a terminal, readable
 * lines and a progress bar (blocks/s, events/s, ETA) during backfill.
 */
import type { Logger } from "../sync/engine.js";
import { type Metrics, rate } from "../sync/metrics.js";

export function createLogger(
  stream: NodeJS.WriteStream = process.stderr,
): Logger & { progress(metrics: Metrics): void } {
  const tty = stream.isTTY === true;
  let barShown = false;
  let lastLine = 0;
  const clearBar = () => {
    if (barShown) stream.write("\r\x1b[2K");
    barShown = false;
  };
  const line = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (tty) {
      clearBar();
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
      stream.write(`${level === "info" ? "" : `${level}: `}${message}${extra}\n`);
    } else {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
    }
  };
  return {
    info: (message, fields) => line("info", message, fields),
    warn: (message, fields) => line("warn", message, fields),
    error: (message, fields) => line("error", message, fields),
    progress(metrics) {
      const total = Number(metrics.head - metrics.startBlock + 1n);
      const done = Number(metrics.indexed - metrics.startBlock + 1n);
      const left = Number(metrics.head - metrics.indexed);
      const blocksPerSecond = rate(metrics, "blocks");
      const eta = blocksPerSecond > 0 ? Math.round(left / blocksPerSecond) : 0;
      const fields = {
        indexed: metrics.indexed.toString(),
        head: metrics.head.toString(),
        blocksPerSecond: Math.round(blocksPerSecond),
        eventsPerSecond: Math.round(rate(metrics, "events")),
        etaSeconds: eta,
      };
      if (!tty) {
        // As JSON lines, every 5 s while behind.
        if (left > 0 && Date.now() - lastLine >= 5_000) {
          lastLine = Date.now();
          line("info", "backfill", fields);
        }
        return;
      }
      if (left <= 0) return clearBar();
      const width = 30;
      const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
      stream.write(
        `\r\x1b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] block ${fields.indexed}/${fields.head} ` +
          `${fields.blocksPerSecond} blocks/s ${fields.eventsPerSecond} events/s ETA ${eta}s`,
      );
      barShown = true;
    },
  };
}
