// The Overlays page: draws everything from the appliance's data (inline at first, then
// overlays/data.json every two seconds). Text goes in with textContent, never as HTML.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 560, H = 150;
  var LEFT = 62, RIGHT = 10, TOP = 16, BOTTOM = 20; // room for the axes' labels
  var IN = { color: "#1f6feb", dash: "", name: "in" };
  var OUT = { color: "#d4700b", dash: "6,3", name: "out" };
  var previous = null; // the last data drawn: counts per second are the difference to it

  function el(name, text, cls) {
    var e = document.createElement(name);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function svg(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // A cell is a string or number (text), a Node, or {num: value} (right-aligned).
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
        if (cell instanceof Node) { var td = el("td"); td.appendChild(cell); tr.appendChild(td); }
        else if (cell !== null && typeof cell === "object") { tr.appendChild(el("td", cell.num, "og-num")); }
        else { tr.appendChild(el("td", cell)); }
      });
      t.appendChild(tr);
    });
  }

  function si(v) {
    var k = ["", "k", "M", "G", "T"], i = 0;
    while (Math.abs(v) >= 1000 && i < k.length - 1) { v /= 1000; i++; }
    var text = v === Math.round(v) ? String(v) : v < 10 ? v.toFixed(1) : String(Math.round(v));
    return text + " " + k[i];
  }

  function rate(v, unit) { return si(v) + unit + "/s"; }

  function pairs(map) {
    return Object.keys(map).map(function (k) { return k + "=" + map[k]; }).join(", ") || "--";
  }

  // Per second since the previous refresh, for a count under key; "" before there is one.
  function perSecond(key, value, d) {
    if (!previous || !(key in previous.counts) || d.time <= previous.time) { return ""; }
    var r = (value - previous.counts[key]) / ((d.time - previous.time) / 1000);
    return r > 0 ? (r < 10 ? r.toFixed(1) : Math.round(r)) : "0";
  }

  // A round step for about three ticks up to max: 1, 2 or 5 times a power of ten.
  function niceMax(max) {
    if (max <= 0) { return 1; }
    var p = Math.pow(10, Math.floor(Math.log10(max))), m = max / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  // One chart: in (solid) and out (dashed) over the ten minutes ending now, with both axes labelled.
  function plot(series, metric, now, windowMs) {
    var inVals = metric === "packets" ? series.pin : series.bin;
    var outVals = metric === "packets" ? series.pout : series.bout;
    var unit = metric === "packets" ? "pkt" : "B";
    var max = 0;
    inVals.concat(outVals).forEach(function (v) { if (v > max) { max = v; } });
    var top = niceMax(max);
    var plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
    var chart = svg("svg", { "class": "og-plot", width: W, height: H, role: "img",
      "aria-label": metric + " per second of " + series.kind + " " + series.name + ", in and out, last ten minutes" });
    chart.setAttribute("data-series", series.kind + " " + series.name);
    chart.setAttribute("data-metric", metric);
    chart.setAttribute("data-samples", series.t.length);
    chart.setAttribute("data-last-time", series.t.length ? series.t[series.t.length - 1] : 0);
    chart.setAttribute("data-last-in", inVals.length ? inVals[inVals.length - 1] : 0);
    chart.setAttribute("data-last-out", outVals.length ? outVals[outVals.length - 1] : 0);
    chart.setAttribute("data-max", max);
    // y axis: gridlines and labels at 0, half and the top
    [0, 0.5, 1].forEach(function (f) {
      var y = TOP + plotH * (1 - f);
      chart.appendChild(svg("line", { x1: LEFT, x2: W - RIGHT, y1: y, y2: y, stroke: f === 0 ? "#888" : "#ddd", "stroke-width": 1 }));
      chart.appendChild(svg("text", { x: LEFT - 4, y: y + 3, "text-anchor": "end", "class": "og-ytick" }, rate(top * f, unit)));
    });
    chart.appendChild(svg("text", { x: LEFT, y: 10, "class": "og-ytitle" }, (metric === "packets" ? "packets" : "bytes") + " per second"));
    // x axis: minutes before now
    [[0, "-10 min"], [0.5, "-5 min"], [1, "now"]].forEach(function (tick) {
      var x = LEFT + plotW * tick[0];
      chart.appendChild(svg("line", { x1: x, x2: x, y1: TOP + plotH, y2: TOP + plotH + 3, stroke: "#888" }));
      chart.appendChild(svg("text", { x: x, y: H - 5, "text-anchor": tick[0] === 0 ? "start" : tick[0] === 1 ? "end" : "middle",
        "class": "og-xtick" }, tick[1]));
    });
    chart.appendChild(svg("line", { x1: LEFT, x2: LEFT, y1: TOP, y2: TOP + plotH, stroke: "#888" }));
    [[inVals, IN], [outVals, OUT]].forEach(function (line) {
      var pts = [];
      for (var i = 0; i < series.t.length; i++) {
        var x = LEFT + plotW * (1 - (now - series.t[i]) / windowMs);
        var y = TOP + plotH * (1 - line[0][i] / top);
        if (x >= LEFT) { pts.push(x.toFixed(1) + "," + y.toFixed(1)); }
      }
      var p = svg("polyline", { points: pts.join(" "), fill: "none", stroke: line[1].color, "stroke-width": 1.5, "class": "og-line og-" + line[1].name });
      if (line[1].dash) { p.setAttribute("stroke-dasharray", line[1].dash); }
      chart.appendChild(p);
    });
    return chart;
  }

  function legend() {
    var p = document.getElementById("og-legend");
    while (p.firstChild) { p.removeChild(p.firstChild); }
    [[IN, "in: from the underlay (overlay), from the VM (VNIC)"], [OUT, "out: to the underlay (overlay), to the VM (VNIC)"]].forEach(function (l) {
      var s = svg("svg", { width: 30, height: 10 });
      var line = svg("line", { x1: 0, x2: 30, y1: 5, y2: 5, stroke: l[0].color, "stroke-width": 2 });
      if (l[0].dash) { line.setAttribute("stroke-dasharray", l[0].dash); }
      s.appendChild(line);
      p.appendChild(s);
      p.appendChild(document.createTextNode(" " + l[1] + "   "));
    });
  }

  function render(d) {
    var counts = {};
    function count(key, value) { counts[key] = value; return { num: value }; }
    table("og-overlays", ["Overlay", "Status", "Reasons", "Encapsulation", "Search", "Invalidation", "Vnet id", "MTU",
      "Cache hits", "Cache misses", "Entries valid / pending / drop", "Pending frames"],
      d.overlays.map(function (o) {
        var e = o.entries || { valid: 0, pending: 0, drop: 0 };
        return [o.name, el("span", o.status, o.status === "ONLINE" ? "og-online" : "og-degraded"), o.reasons.join("; ") || "--",
          o.encap, o.search, o.invalidation || "none", o.vnet, o.mtu,
          o.entries ? { num: o.cache_hits } : "--", o.entries ? { num: o.cache_misses } : "--",
          o.entries ? e.valid + " / " + e.pending + " / " + e.drop : "--", o.entries ? { num: o.pending_frames } : "--"];
      }));
    document.getElementById("og-upcalls").textContent = "Upcall queue (misses, learned sources, address requests waiting for varpd): "
      + d.upcall_queue;
    var drops = [];
    function drop(where, key, map) {
      Object.keys(map).forEach(function (r) {
        drops.push([where, r, count(key + " " + r, map[r]), { num: perSecond(key + " " + r, map[r], d) }]);
      });
    }
    d.overlays.forEach(function (o) { drop("overlay " + o.name, "o " + o.name, o.drops || {}); });
    d.vnics.forEach(function (v) { drop("VNIC " + v.name + " (on " + v.overlay + ")", "v " + v.name, v.drops); });
    d.sockets.forEach(function (s) { drop("socket " + s.name, "s " + s.name, s.drops); });
    table("og-drops", ["Where", "Reason", "Frames", "Per second"], drops);
    var events = [];
    d.overlays.forEach(function (o) {
      Object.keys(o.events || {}).forEach(function (ev) {
        var c = count("e " + o.name + " " + ev, o.events[ev]);
        events.push([o.name, ev, c, { num: perSecond("e " + o.name + " " + ev, o.events[ev], d) }]);
      });
    });
    table("og-events", ["Overlay", "Event", "Count", "Per second"], events);
    table("og-search", ["Overlay", "Search", "Now", "Counts"], d.search.map(function (s) {
      var now = pairs(s.gauges);
      return [s.overlay, s.search || "--", s.gauges.connections_up === 0 ? el("span", now + " (not connected)", "og-bad") : now, pairs(s.counters)];
    }));
    table("og-sockets", ["Socket", "Packets in", "Packets out", "Bytes in", "Bytes out", "Drops", "Offloads"], d.sockets.map(function (s) {
      return [s.name, { num: s.pin }, { num: s.pout }, { num: s.bin }, { num: s.bout }, pairs(s.drops), pairs(s.offloads)];
    }));
    table("og-plugins", ["Kind", "Name", "Detail", "Bundle", "Version"],
      d.plugins.map(function (p) { return [p.kind, p.name, p.detail, p.bundle, p.version]; }));
    table("og-vnics", ["VNIC", "Overlay", "Kind", "Device", "MAC", "MTU", "Drops", "Offloads"],
      d.vnics.map(function (v) { return [v.name, v.overlay, v.kind, v.device || "--", v.mac, v.mtu, pairs(v.drops), pairs(v.offloads)]; }));
    table("og-targets", ["Overlay", "Target", "State", "Origin", "Age", "Destination"],
      d.targets.map(function (t) {
        return t.more ? [t.overlay, "… " + t.more + " more (overlay:show -t)", "", "", "", ""]
          : [t.overlay, t.mac, t.state, t.origin, Math.round(t.age_ms / 1000) + " s", t.destination || "--"];
      }));
    legend();
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
    previous = { time: d.time, counts: counts };
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
