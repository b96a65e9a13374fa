/** Sign-in (EIP-4361) and sign-out: the only routes besides /health and /assets that need no session. */
import { type Context, Hono } from "hono";

import { endSession, startSession } from "../auth/session.js";
import { InputError } from "../queries/tables.js";
import { layout } from "../views/layout.js";
import * as pages from "../views/pages.js";
import type { AppDeps, Env } from "./context.js";

const origin = (c: Context) => new URL(new URL(c.req.url).origin);

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const body = await c.req.json().catch(() => null);
  if (body === null || typeof body !== "object") throw new InputError("request body must be a JSON object");
  return body as Record<string, unknown>;
}

export function authRoutes({ config, signIn, bundle }: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.get("/login", (c) => {
    const l = c.get("l");
    return c.html(layout({ l, title: l.t("signIn"), path: "/login", script: bundle.entry }, pages.loginPage(l)));
  });
  app.post("/auth/nonce", async (c) => {
    const body = await jsonBody(c);
    return c.json({ message: await signIn.message(body.address, origin(c)) });
  });
  app.post("/auth/verify", async (c) => {
    const body = await jsonBody(c);
    const who = await signIn.verify(body.message, body.signature, origin(c));
    await startSession(c, config.sessionSecret, config.sessionSeconds, who);
    return c.json(who);
  });
  app.post("/auth/logout", (c) => {
    endSession(c);
    return c.redirect("/login", 303);
  });
  return app;
}
