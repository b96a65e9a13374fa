/**
 * Live updates: one LISTEN on govledger_blocks (the indexer NOTIFYs in each batch's transaction,
 * so a notification arrives only after its rows are committed) fanned out to every open
 * server-sent-events stream. The payload is the new head (number:hash) and nothing else: each
 * browser then re-reads its page under its own department.
 */
import type { WebDatabase } from "./db.js";

export interface LiveHub {
  subscribe(listener: (head: { number: string; hash: string }) => void): () => void;
  close(): Promise<void>;
}

export async function createLiveHub(db: WebDatabase): Promise<LiveHub> {
  const listeners = new Set<(head: { number: string; hash: string }) => void>();
  const unlisten = await db.listen((payload) => {
    const [number, hash] = payload.split(":");
    if (!/^\d+$/.test(number ?? "") || !/^[0-9a-f]{64}$/.test(hash ?? "")) return;
    for (const listener of listeners) listener({ number, hash: `0x${hash}` });
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await unlisten().catch(() => {});
    },
  };
}
