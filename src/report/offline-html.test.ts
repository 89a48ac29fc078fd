/** The Allure report made offline: the analytics block its generator writes removed, the policy added once. */
import { describe, expect, it } from "vitest";
import { offlineAllureHtml, PHONE_HOME_MARKERS, stripAnalytics, withCsp } from "./offline-html.js";

// As @allurereport/plugin-awesome 3.18 writes it (dist/generators.js, with analyticsEnable true).
const ALLURE = `<!DOCTYPE html>
<html dir="ltr" lang="en">
<head>
    <meta charset="utf-8">
    <title>report</title>
</head>
<body>
    <div id="app"></div>
    <script>window.allure = window.allure || {};</script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', { "report": "awesome", "reportUuid": "1234" });
    </script>
    <script>window.allureReportData = {"a": 1};</script>
</body>
</html>`;

describe("offline HTML", () => {
  it("removes the tag manager's script and its inline block, keeps the report's own scripts", () => {
    const out = offlineAllureHtml(ALLURE);
    for (const m of PHONE_HOME_MARKERS) expect(out).not.toMatch(m);
    expect(out).toContain("window.allure = window.allure || {};");
    expect(out).toContain("window.allureReportData");
    expect(out).toMatch(
      /<meta charset="utf-8">\s*<meta http-equiv="Content-Security-Policy" content="default-src 'none';/,
    );
  });

  it("the markers see what the report had, and the policy is added once", () => {
    expect(PHONE_HOME_MARKERS.every((m) => m.test(ALLURE))).toBe(true);
    expect(stripAnalytics('<script src="http://cdn.example/x.js"></script>')).toBe("");
    const once = withCsp(withCsp(ALLURE));
    expect(once.match(/Content-Security-Policy/g)).toHaveLength(1);
  });
});
