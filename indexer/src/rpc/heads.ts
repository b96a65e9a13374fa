/**
 * New-head notifications over a WebSocket (eth_subscribe newHeads): the sync loop waits on
 * `wait` instead of polling, and still wakes up after a timeout, so a dropped subscription
 * degrades to polling rather than stalling.
 */
import { createPublicClient, webSocket } from "viem";

export interface HeadWatcher {
  /** Resolves on a head above `known` (at once if one was announced already), or on timeout. */
  wait(signal: AbortSignal, timeoutMs: number, known: bigint): Promise<void>;
  close(): void;
}

export function watchHeads(wsUrl: string): HeadWatcher {
  const client = createPublicClient({ transport: webSocket(wsUrl, { retryCount: 10 }) });
  let waiters: (() => void)[] = [];
  let latest = -1n;
  const unwatch = client.watchBlockNumber({
    onBlockNumber: (number) => {
      if (number > latest) latest = number;
      const ready = waiters;
      waiters = [];
      for (const wake of ready) wake();
    },
    onError: () => {},
  });
  return {
    wait(signal, timeoutMs, known) {
      // A head announced between the caller's last eth_blockNumber and this call is not lost.
      if (latest > known) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        waiters.push(done);
        signal.addEventListener("abort", done, { once: true });
      });
    },
    close() {
      unwatch();
      void client.transport
        .getRpcClient?.()
        .then((socket: { close(): void }) => socket.close())
        .catch(() => {});
    },
  };
}
