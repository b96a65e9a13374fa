/** Live updates: each new indexed head, pushed to the page as a server-sent event. */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";

import type { AppDeps, Env } from "./context.js";

export function eventRoutes({ live }: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.get("/events", (c) =>
    streamSSE(c, async (stream) => {
      let closed = false;
      const unsubscribe = live.subscribe((head) => {
        if (!closed) void stream.writeSSE({ event: "block", data: JSON.stringify(head) }).catch(() => {});
      });
      stream.onAbort(() => {
        closed = true;
        unsubscribe();
      });
      // Comments keep proxies from closing an idle stream; the loop ends when the client goes.
      while (!closed) {
        await stream.sleep(15_000);
        if (!closed) await stream.write(": keep-alive\n\n").catch(() => (closed = true));
      }
      unsubscribe();
    }),
  );

  return app;
}
