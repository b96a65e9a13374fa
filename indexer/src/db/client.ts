/**
 * PostgreSQL connections for the indexer (the `postgres` package), with TCP_NODELAY: COPY sends
 * its data and its end as separate small packets, and with Nagle's algorithm each batch waited
 * ~40 ms for a delayed ACK (measured: 88 ms per COPY transaction without it, 1 ms with it).
 */
import net from "node:net";

import postgres, { type Options, type Sql } from "postgres";

function connectNoDelay(options: { host: string[]; port: number[] }): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host[0], port: options.port[0], noDelay: true });
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

export function connectDatabase(url: string, options: Options<Record<string, never>> = {}): Sql {
  // `socket` is a documented option that the package's types leave out.
  const withSocket = { onnotice: () => {}, socket: connectNoDelay, ...options } as Options<Record<string, never>>;
  return postgres(url, withSocket);
}
