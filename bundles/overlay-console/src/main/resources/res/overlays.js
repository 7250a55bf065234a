// The Overlays page: draws everything from the appliance's data (inline at first, then
// overlays/data.json every two seconds). Text goes in with textContent, never as HTML.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 520, H = 110, PAD = 4;

  function el(name, text, cls) {
    var e = document.createElement(name);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function table(id, headers, rows) {
    var t = document.getElementById(id);
    while (t.firstChild) { t.removeChild(t.firstChild); }
    var head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", h)); });
    t.appendChild(head);
    if (rows.length === 0) {
      var none = el("tr"), td = el("td", "none", "og-note");
      td.colSpan = headers.length;
      none.appendChild(td);
      t.appendChild(none);
    }
    rows.forEach(function (r) {
      var tr = el("tr");
      r.forEach(function (cell) {
        if (cell instanceof Node) { var td = el("td"); td.appendChild(cell); tr.appendChild(td); } else { tr.appendChild(el("td", cell)); }
      });
      t.appendChild(tr);
    });
  }

  function rate(v, unit) {
    var k = ["", "k", "M", "G"], i = 0;
    while (v >= 1000 && i < k.length - 1) { v /= 1000; i++; }
    return (v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)) + " " + k[i] + unit + "/s";
  }

  // One chart: two lines (in, out) over the fixed window ending now, so it moves as time passes.
  function plot(series, metric, now, windowMs) {
    var inVals = metric === "packets" ? series.pin : series.bin;
    var outVals = metric === "packets" ? series.pout : series.bout;
    var max = 1;
    inVals.concat(outVals).forEach(function (v) { if (v > max) { max = v; } });
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "og-plot");
    svg.setAttribute("width", W);
    svg.setAttribute("height", H);
    svg.setAttribute("data-series", series.kind + " " + series.name);
    svg.setAttribute("data-metric", metric);
    svg.setAttribute("data-samples", series.t.length);
    svg.setAttribute("data-last-time", series.t.length ? series.t[series.t.length - 1] : 0);
    svg.setAttribute("data-last-in", inVals.length ? inVals[inVals.length - 1] : 0);
    svg.setAttribute("data-last-out", outVals.length ? outVals[outVals.length - 1] : 0);
    svg.setAttribute("data-max", max);
    [[inVals, "#1f6feb", "in"], [outVals, "#d4700b", "out"]].forEach(function (line) {
      var pts = [];
      for (var i = 0; i < series.t.length; i++) {
        var x = PAD + (W - 2 * PAD) * (1 - (now - series.t[i]) / windowMs);
        var y = H - PAD - (H - 2 * PAD) * (line[0][i] / max);
        if (x >= 0) { pts.push(x.toFixed(1) + "," + y.toFixed(1)); }
      }
      var p = document.createElementNS(SVG, "polyline");
      p.setAttribute("points", pts.join(" "));
      p.setAttribute("fill", "none");
      p.setAttribute("stroke", line[1]);
      p.setAttribute("stroke-width", "1.5");
      p.setAttribute("class", "og-line og-" + line[2]);
      svg.appendChild(p);
    });
    var label = document.createElementNS(SVG, "text");
    label.setAttribute("x", PAD + 2);
    label.setAttribute("y", 12);
    label.setAttribute("font-size", "10");
    label.textContent = "max " + rate(max, metric === "packets" ? "pkt" : "B");
    svg.appendChild(label);
    return svg;
  }

  function render(d) {
    table("og-overlays", ["Overlay", "Status", "Reasons", "Encapsulation", "Search", "Invalidation", "Vnet id", "MTU"],
      d.overlays.map(function (o) {
        return [o.name, el("span", o.status, o.status === "ONLINE" ? "og-online" : "og-degraded"), o.reasons.join("; ") || "--",
          o.encap, o.search, o.invalidation || "none", o.vnet, o.mtu];
      }));
    table("og-plugins", ["Kind", "Name", "Detail", "Bundle", "Version"],
      d.plugins.map(function (p) { return [p.kind, p.name, p.detail, p.bundle, p.version]; }));
    table("og-vnics", ["VNIC", "Overlay", "Kind", "Device", "MAC", "MTU"],
      d.vnics.map(function (v) { return [v.name, v.overlay, v.kind, v.device || "--", v.mac, v.mtu]; }));
    table("og-targets", ["Overlay", "Target", "State", "Origin", "Age", "Destination"],
      d.targets.map(function (t) {
        return t.more ? [t.overlay, "… " + t.more + " more (overlay:show -t)", "", "", "", ""]
          : [t.overlay, t.mac, t.state, t.origin, Math.round(t.age_ms / 1000) + " s", t.destination || "--"];
      }));
    var plots = document.getElementById("og-plots");
    while (plots.firstChild) { plots.removeChild(plots.firstChild); }
    if (d.series.length === 0) { plots.appendChild(el("p", "no overlays in the data path", "og-note")); }
    d.series.forEach(function (s) {
      var box = el("div", null, "og-chart");
      box.setAttribute("data-series", s.kind + " " + s.name);
      var last = s.t.length - 1;
      box.appendChild(el("div", (s.kind === "vnic" ? "VNIC " + s.name + " (on " + s.overlay + ")" : "overlay " + s.name), "og-title"));
      box.appendChild(el("div", "packets: in " + rate(last >= 0 ? s.pin[last] : 0, "pkt") + ", out " + rate(last >= 0 ? s.pout[last] : 0, "pkt")));
      box.appendChild(plot(s, "packets", d.time, d.window_ms));
      box.appendChild(el("div", "bytes: in " + rate(last >= 0 ? s.bin[last] : 0, "B") + ", out " + rate(last >= 0 ? s.bout[last] : 0, "B")));
      box.appendChild(plot(s, "bytes", d.time, d.window_ms));
      plots.appendChild(box);
    });
    var updated = document.getElementById("og-updated");
    updated.textContent = "Updated " + new Date(d.time).toLocaleTimeString() + "; every two seconds."
      + (d.varpd === "running" ? "" : " varpd is not running.") + (d.datapath === "running" ? "" : " The data path is not running.");
    updated.setAttribute("data-time", d.time);
  }

  function refresh() {
    // origin + path: a page opened as http://user:password@host/... must not fetch with the credentials in the URL
    fetch(window.location.origin + window.location.pathname.replace(/\/$/, "") + "/data.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(render)
      .catch(function (e) { document.getElementById("og-updated").textContent = "Cannot refresh: " + e.message; })
      .then(function () { setTimeout(refresh, 2000); });
  }

  render(JSON.parse(document.getElementById("og-data").textContent));
  setTimeout(refresh, 2000);
})();
