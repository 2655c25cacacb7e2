/* Real-user monitoring (002 §3.3): this page's LCP, INP and CLS, sent once to /rum when the page is
   hidden. The route template comes from <html data-route>; no cookie or id is sent. */
(function () {
  "use strict";
  var vitals = window.webVitals;
  var route = document.documentElement.getAttribute("data-route");
  if (!vitals || !route || !navigator.sendBeacon) return;
  var pending = {};
  function keep(metric) { pending[metric.name] = metric.value; }
  vitals.onLCP(keep);
  vitals.onINP(keep);
  vitals.onCLS(keep);
  function flush() {
    var metrics = [];
    for (var name in pending) metrics.push({ name: name, value: pending[name] });
    if (!metrics.length) return;
    pending = {};
    var body = JSON.stringify({ route: route, metrics: metrics });
    navigator.sendBeacon("/rum", new Blob([body], { type: "application/json" }));
  }
  addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  addEventListener("pagehide", flush);
})();
