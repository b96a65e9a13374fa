/**
 * New-head notifications over a WebSocket (eth_subscribe newHeads): the sync loop waits on
 * `wait` instead of polling, and still wakes up after a timeout, so a dropped subscription
 * degrades to polling rather than stalling.
 */
import { createPublicClient, webSocket } from "viem";

export interface HeadWatcher {
  wait(signal: AbortSignal, timeoutMs: number): Promise<void>;
  close(): void;
}

export function watchHeads(wsUrl: string): HeadWatcher {
  const client = createPublicClient({ transport: webSocket(wsUrl, { retryCount: 10 }) });
  let waiters: (() => void)[] = [];
  const unwatch = client.watchBlockNumber({
    onBlockNumber: () => {
      const ready = waiters;
      waiters = [];
      for (const wake of ready) wake();
    },
    onError: () => {},
  });
  return {
    wait(signal, timeoutMs) {
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
