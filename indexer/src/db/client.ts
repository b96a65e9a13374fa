/**
 * PostgreSQL connections for the indexer (the `postgres` package), with TCP_NODELAY: COPY sends
 * its data and its end as separate small packets, and with Nagle's algorithm each batch waited
 * ~40 ms for a delayed ACK (measured: 88 ms per COPY transaction without it, 1 ms with it).
 */
import net from "node:net";

import postgres, { type Options, type Sql, type TransactionSql } from "postgres";

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

/** Runs `fn` in one transaction, committed if it resolves and rolled back if it throws. */
export type Transact = <T>(fn: (tx: TransactionSql) => Promise<T>) => Promise<T>;

export interface Writer {
  transact: Transact;
  end(): Promise<void>;
}

/**
 * The indexer's writes, on a client of their own that is thrown away after any failed
 * transaction. postgres.js's begin() rejects as soon as its connection closes while the
 * transaction's body may still be running, and the pool reconnects that same connection for the
 * next caller: a late statement of the failed body (its ROLLBACK at least) could then land in
 * the retry's transaction. A fresh client per failure keeps a failed attempt away from the next.
 */
export function createWriter(url: string, options: Options<Record<string, never>> = {}): Writer {
  let client: Sql | undefined;
  return {
    async transact<T>(fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
      client ??= connectDatabase(url, { ...options, max: 1 });
      const current = client;
      try {
        return (await current.begin(fn)) as T;
      } catch (error) {
        if (client === current) client = undefined;
        void current.end({ timeout: 0 }).catch(() => {});
        throw error;
      }
    },
    async end() {
      const current = client;
      client = undefined;
      await current?.end({ timeout: 5 });
    },
  };
}
