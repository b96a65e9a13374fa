import path from "node:path";

import { expect } from "chai";

import { loadApiConfig } from "../../web/src/api/config.js";
import { cityTimeZone, loadDashboardConfig } from "../../web/src/config.js";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

describe("dashboard time zone (web/src/config.ts)", function () {
  it("takes the chain's day boundary, or a named zone with that offset all year", function () {
    expect(cityTimeZone(8 * 3600, "")).to.equal("Etc/GMT-8");
    expect(cityTimeZone(0, "")).to.equal("Etc/UTC");
    expect(cityTimeZone(-5 * 3600, "")).to.equal("Etc/GMT+5");
    expect(cityTimeZone(8 * 3600, "Asia/Shanghai")).to.equal("Asia/Shanghai");
    expect(cityTimeZone(19800, "Asia/Kolkata")).to.equal("Asia/Kolkata");
  });

  it("refuses a zone whose days would differ from the reports'", function () {
    expect(() => cityTimeZone(8 * 3600, "Asia/Tokyo")).to.throw(
      "GOVLEDGER_TIME_ZONE Asia/Tokyo is UTC+09:00 at times, but the chain's day boundary (InvoiceLedger.utcOffset) is UTC+08:00",
    );
    // Daylight saving time: an hour off for half the year.
    expect(() => cityTimeZone(3600, "Europe/Berlin")).to.throw("Europe/Berlin is UTC+02:00 at times");
    expect(() => cityTimeZone(19800, "")).to.throw("not whole hours: set GOVLEDGER_TIME_ZONE");
  });
});

describe("govledger_web's password (web/src/config.ts)", function () {
  const url = { DATABASE_URL: "postgres://owner:secret@db.example:5432/govledger" };

  it("takes the operator's password as it is, and then keeps no file", function () {
    const env = { ...url, GOVLEDGER_DASHBOARD_DB_PASSWORD: "from-the-city-vault-0123", GOVLEDGER_DATA_DIR: "/srv/x" };
    expect(loadDashboardConfig(env).webRolePassword).to.deep.equal({ password: "from-the-city-vault-0123" });
    expect(loadApiConfig(env).webRolePassword).to.deep.equal({ password: "from-the-city-vault-0123" });
    expect(() => loadDashboardConfig({ ...url, GOVLEDGER_DASHBOARD_DB_PASSWORD: "short" })).to.throw(
      "GOVLEDGER_DASHBOARD_DB_PASSWORD must be 16-128 characters",
    );
  });

  it("keeps it beside the indexer's embedded database otherwise, or in the file named", function () {
    // The dashboard and the API share the file: they log in as one role.
    for (const load of [loadDashboardConfig, loadApiConfig]) {
      expect(load({ ...url, GOVLEDGER_DATA_DIR: "/var/lib/govledger/postgres" }).webRolePassword).to.deep.equal({
        file: "/var/lib/govledger/dashboard-db-password",
      });
      expect(load(url).webRolePassword).to.deep.equal({
        file: path.join(ROOT, ".govledger", "dashboard-db-password"),
      });
      expect(
        load({ ...url, GOVLEDGER_DATA_DIR: "/srv/pg", GOVLEDGER_DASHBOARD_PASSWORD_FILE: "/run/secrets/web" })
          .webRolePassword,
      ).to.deep.equal({ file: "/run/secrets/web" });
    }
  });
});
