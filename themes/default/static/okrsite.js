/* okrsite default theme: light/dark switch, plotly charts in the page's colours, map filter, offline search.
   Everything here is progressive: without JavaScript every page still reads, prints and links. */
(function () {
  "use strict";
  var root = document.documentElement;
  var prefix = root.getAttribute("data-root") || "";

  /* ---- light / dark ---------------------------------------------------------------------------- */
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function currentScheme() {
    var chosen = root.getAttribute("data-scheme");
    if (chosen) return chosen;
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  function setupSchemeToggle() {
    var button = document.querySelector(".scheme-toggle");
    if (!button) return;
    var sync = function () { button.setAttribute("aria-pressed", currentScheme() === "dark" ? "true" : "false"); };
    sync();
    button.addEventListener("click", function () {
      var next = currentScheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-scheme", next);
      try { localStorage.setItem("okrsite-scheme", next); } catch (e) { /* storage may be off */ }
      sync();
      redrawCharts();
    });
    if (darkQuery) {
      var onChange = function () { if (!root.getAttribute("data-scheme")) { sync(); redrawCharts(); } };
      if (darkQuery.addEventListener) darkQuery.addEventListener("change", onChange);
      else if (darkQuery.addListener) darkQuery.addListener(onChange);
    }
  }

  /* ---- charts ---------------------------------------------------------------------------------- */
  var VAR = /^var\((--[\w-]+)\)$/;

  // Figures name colours as var(--x); resolve them from the live CSS so charts follow the scheme.
  function resolve(value, style) {
    if (typeof value === "string") {
      var m = VAR.exec(value);
      if (!m) return value;
      var v = style.getPropertyValue(m[1]).trim();
      return v || value;
    }
    if (Array.isArray(value)) return value.map(function (x) { return resolve(x, style); });
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = resolve(value[k], style); });
      return out;
    }
    return value;
  }

  var figures = {};

  function figureFor(el) {
    var id = el.getAttribute("data-figure");
    if (!figures[id]) {
      var src = document.getElementById(id);
      if (!src) return null;
      figures[id] = JSON.parse(src.textContent);
    }
    return figures[id];
  }

  function draw(el) {
    if (!window.Plotly) return;
    var fig = figureFor(el);
    if (!fig) return;
    var f = resolve(fig, getComputedStyle(root));
    window.Plotly.react(el, f.data, f.layout, f.config);
    if (!el.getAttribute("data-drawn")) {
      el.setAttribute("data-drawn", "1");
      if (el.on && f.data.length && f.data[0].type === "sunburst") el.on("plotly_sunburstclick", onSunburstClick(el));
    }
  }

  function visible(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }

  function drawVisible() {
    document.querySelectorAll(".chart-plot").forEach(function (el) { if (visible(el)) draw(el); });
  }

  // Hidden charts (other cycles on the map) are redrawn, in the colours of the moment, when shown.
  function redrawCharts() {
    document.querySelectorAll(".chart-plot[data-drawn]").forEach(function (el) { if (visible(el)) draw(el); });
  }

  function decode(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function onSunburstClick(el) {
    return function (ev) {
      var pick = document.querySelector('[data-pick-for="' + el.id + '"]');
      var p = ev && ev.points && ev.points[0];
      if (!pick || !p) return;
      pick.textContent = "";
      if (p.customdata) {
        pick.appendChild(document.createTextNode("Open "));
        var a = document.createElement("a");
        a.href = prefix + p.customdata;
        a.textContent = decode(p.hovertext ? p.hovertext.split("<br>")[0] : p.label);
        pick.appendChild(a);
      }
    };
  }

  /* ---- alignment map: the cycle filter --------------------------------------------------------- */
  function setupMap() {
    var select = document.getElementById("map-cycle");
    if (!select) return;
    var show = function (id) {
      document.querySelectorAll(".map-cycle[data-cycle]").forEach(function (el) {
        if (el.getAttribute("data-cycle") === id) el.removeAttribute("data-hidden");
        else el.setAttribute("data-hidden", "");
      });
      drawVisible();
    };
    var hash = decodeURIComponent(location.hash.replace(/^#cycle-/, ""));
    if (hash && hash !== location.hash && select.querySelector('option[value="' + hash.replace(/"/g, "") + '"]')) {
      select.value = hash;
      show(hash);
    }
    select.addEventListener("change", function () { show(select.value); });
  }

  /* ---- search ---------------------------------------------------------------------------------- */
  // The index is a script (search-index.js), not JSON: fetching a local JSON file fails from file://.
  var LABELS = {
    on_track: ["On track", "good"], healthy: ["Healthy", "good"], green: ["Green", "good"],
    at_risk: ["At risk", "warn"], yellow: ["Yellow", "warn"], off_track: ["Off track", "bad"], red: ["Red", "bad"],
    planned: ["Planned", "plan"], running: ["Running", "plan"], ended: ["Ended", "end"],
    no_data: ["No data", "none"], no_target: ["No target", "none"]
  };
  var ICONS = { good: "✓", warn: "!", bad: "✕", plan: "○", end: "■", none: "–" };
  var index = null;
  var loading = null;

  function fold(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(s) { return s.split(/[^\p{L}\p{N}]+/u).filter(Boolean); }

  function loadIndex() {
    if (index) return Promise.resolve(index);
    if (loading) return loading;
    loading = new Promise(function (resolveIndex, reject) {
      var s = document.createElement("script");
      s.src = prefix + "assets/search-index.js";
      s.onload = function () {
        var data = window.OKRSITE_SEARCH || { docs: [] };
        index = data.docs.map(function (d) {
          var t = fold(d[0]), x = fold(d[3]);
          return { title: d[0], type: d[1], url: d[2], text: d[3], status: d[4], t: t, x: x, tw: words(t), xw: words(x) };
        });
        resolveIndex(index);
      };
      s.onerror = function () { loading = null; reject(new Error("search index did not load")); };
      document.head.appendChild(s);
    });
    return loading;
  }

  function score(doc, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var term = terms[i], s = 0;
      if (doc.tw.indexOf(term) >= 0) s = 16;
      else if (doc.tw.some(function (w) { return w.indexOf(term) === 0; })) s = 10;
      else if (doc.t.indexOf(term) >= 0) s = 5;
      else if (doc.xw.some(function (w) { return w.indexOf(term) === 0; })) s = 2;
      else if (doc.x.indexOf(term) >= 0) s = 1;
      if (!s) return 0;
      total += s;
    }
    if (doc.type === "objective" || doc.type === "KPI") total += 1;
    return total;
  }

  function search(query, limit) {
    var terms = words(fold(query));
    if (!terms.length || !index) return [];
    var hits = [];
    index.forEach(function (d) { var s = score(d, terms); if (s) hits.push([s, d]); });
    hits.sort(function (a, b) { return b[0] - a[0] || a[1].title.localeCompare(b[1].title); });
    return hits.slice(0, limit).map(function (h) { return h[1]; });
  }

  function hitNode(doc, tag) {
    var a = document.createElement("a");
    a.className = "hit";
    a.href = prefix + doc.url;
    var title = document.createElement("span");
    title.className = "hit-title";
    title.textContent = doc.title;
    a.appendChild(title);
    var type = document.createElement("span");
    type.className = "hit-type";
    type.textContent = doc.type;
    a.appendChild(type);
    if (doc.status && LABELS[doc.status]) {
      var chip = document.createElement("span");
      chip.className = "chip tone-" + LABELS[doc.status][1];
      chip.style.marginLeft = ".5rem";
      var icon = document.createElement("span");
      icon.className = "chip-icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = ICONS[LABELS[doc.status][1]];
      chip.appendChild(icon);
      chip.appendChild(document.createTextNode(LABELS[doc.status][0]));
      a.appendChild(chip);
    }
    if (doc.text) {
      var text = document.createElement("span");
      text.className = "hit-text";
      text.textContent = doc.text;
      a.appendChild(text);
    }
    if (tag) { var li = document.createElement(tag); li.appendChild(a); return li; }
    return a;
  }

  function setupHeaderSearch() {
    var input = document.getElementById("search-q");
    var pop = document.getElementById("search-pop");
    if (!input || !pop) return;
    var selected = -1;
    var close = function () { pop.hidden = true; input.setAttribute("aria-expanded", "false"); selected = -1; };
    var mark = function () {
      var hits = pop.querySelectorAll(".hit");
      hits.forEach(function (h, i) {
        h.setAttribute("aria-selected", i === selected ? "true" : "false");
        if (i === selected) h.scrollIntoView({ block: "nearest" });
      });
    };
    var update = function () {
      var q = input.value.trim();
      if (!q) { close(); return; }
      loadIndex().then(function () {
        if (input.value.trim() !== q) return;
        var hits = search(q, 8);
        pop.textContent = "";
        if (!hits.length) {
          var none = document.createElement("p");
          none.className = "muted small";
          none.style.margin = ".5rem .7rem";
          none.textContent = "Nothing found for “" + q + "”.";
          pop.appendChild(none);
        }
        hits.forEach(function (d, i) {
          var node = hitNode(d);
          node.setAttribute("role", "option");
          node.id = "search-hit-" + i;
          pop.appendChild(node);
        });
        selected = -1;
        pop.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }, function () { close(); });
    };
    input.addEventListener("focus", function () { loadIndex().catch(function () {}); });
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (e) {
      var hits = pop.querySelectorAll(".hit");
      if (e.key === "ArrowDown" && hits.length) { selected = (selected + 1) % hits.length; mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp" && hits.length) { selected = (selected - 1 + hits.length) % hits.length; mark(); e.preventDefault(); }
      else if (e.key === "Enter" && selected >= 0 && hits[selected]) { e.preventDefault(); location.href = hits[selected].href; }
      else if (e.key === "Escape") { close(); }
    });
    document.addEventListener("click", function (e) { if (!input.form.contains(e.target)) close(); });
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); input.focus(); }
    });
  }

  function setupSearchPage() {
    var input = document.getElementById("search-page-q");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !list) return;
    var run = function () {
      var q = input.value.trim();
      list.textContent = "";
      if (!q) { status.textContent = "Type a word of a title: objectives, key results, KPIs, units and pages."; return; }
      status.textContent = "Searching…";
      loadIndex().then(function () {
        if (input.value.trim() !== q) return;
        var hits = search(q, 50);
        hits.forEach(function (d) { list.appendChild(hitNode(d, "li")); });
        status.textContent = hits.length ? hits.length + (hits.length === 50 ? "+" : "") + " result" + (hits.length === 1 ? "" : "s") + " for “" + q + "”" : "Nothing found for “" + q + "”.";
      }, function () { status.textContent = "The search index could not be loaded."; });
    };
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    input.addEventListener("input", run);
    run();
  }

  // Print lays the page out narrower or wider than the screen: fit the charts to the paper and back.
  function fitCharts() {
    if (!window.Plotly || !window.Plotly.Plots) return;
    document.querySelectorAll(".chart-plot[data-drawn]").forEach(function (el) {
      if (visible(el)) window.Plotly.Plots.resize(el);
    });
  }

  function start() {
    window.addEventListener("beforeprint", fitCharts);
    window.addEventListener("afterprint", fitCharts);
    setupSchemeToggle();
    setupMap();
    setupHeaderSearch();
    setupSearchPage();
    drawVisible();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
