/**
 * What every route module shares: the app's environment (the signed-in session, the locale) and
 * its dependencies. Routes validate input and choose what to render; they call queries/ for
 * data and never write SQL.
 */
import type { Bundle } from "../bundle.js";
import type { Session } from "../auth/session.js";
import type { SignIn } from "../auth/siwe.js";
import type { DashboardConfig } from "../config.js";
import type { WebDatabase } from "../db.js";
import type { Locale } from "../i18n.js";
import type { LiveHub } from "../live.js";

export type Env = { Variables: { session: Session; l: Locale } };

export interface AppDeps {
  config: DashboardConfig;
  db: WebDatabase;
  signIn: SignIn;
  bundle: Bundle;
  live: LiveHub;
  log: (message: string) => void;
}
