import { expect } from "chai";

import { cityTimeZone } from "../../web/src/config.js";

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
