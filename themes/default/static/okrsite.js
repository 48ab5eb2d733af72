/* okrsite default theme: light/dark switch, plotly charts in the page's colours, map drill-down (search: search.js).
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

  // Charts already drawn are redrawn in the colours of the moment (after a scheme switch).
  function redrawCharts() {
    document.querySelectorAll(".chart-plot[data-drawn]").forEach(function (el) { if (visible(el)) draw(el); });
  }

  function decode(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  // customdata is [page, map]: a unit's segment drills down by opening the unit's own map page (the
  // centre opens the level above); any other segment zooms in, and the line under the chart links its page.
  function onSunburstClick(el) {
    return function (ev) {
      var p = ev && ev.points && ev.points[0];
      if (!p) return;
      var data = Array.isArray(p.customdata) ? p.customdata : [p.customdata, ""];
      if (data[1]) {
        location.href = prefix + data[1];
        return false;
      }
      var pick = document.querySelector('[data-pick-for="' + el.id + '"]');
      if (!pick) return;
      pick.textContent = "";
      if (data[0]) {
        pick.appendChild(document.createTextNode("Open "));
        var a = document.createElement("a");
        a.href = prefix + data[0];
        a.textContent = decode(p.hovertext ? p.hovertext.split("<br>")[0] : p.label);
        pick.appendChild(a);
      }
    };
  }

  // Print lays the page out narrower or wider than the screen: fit the charts to the paper and back.
  function fitCharts() {
    if (!window.Plotly || !window.Plotly.Plots) return;
    document.querySelectorAll(".chart-plot[data-drawn]").forEach(function (el) {
      if (visible(el)) window.Plotly.Plots.resize(el);
    });
  }

  /* ---- phone: the sidebar as a drawer --------------------------------------------------------- */
  // Below 52rem the sidebar slides in from the left, opened by a button in the top bar; Escape, the
  // backdrop or the close button shut it and focus returns to the button. Wider, nothing changes.
  function setupDrawer() {
    var side = document.querySelector(".sidebar");
    var bar = document.querySelector(".top-bar");
    if (!side || !bar) return;
    var phone = window.matchMedia ? window.matchMedia("(max-width: 52rem)") : null;
    side.id = side.id || "sidebar";
    var label = side.getAttribute("aria-label") || "Related pages";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "drawer-toggle";
    toggle.setAttribute("aria-controls", side.id);
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-label", "Open " + label.toLowerCase());
    toggle.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z" fill="currentColor"/></svg>';
    bar.insertBefore(toggle, bar.firstChild);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "drawer-close";
    close.innerHTML = "<span></span><span aria-hidden=\"true\">\u2715</span>";
    close.firstChild.textContent = label;
    close.setAttribute("aria-label", "Close " + label.toLowerCase());
    side.insertBefore(close, side.firstChild);
    var backdrop = document.createElement("div");
    backdrop.className = "drawer-backdrop";
    document.body.appendChild(backdrop);
    function set(open) {
      side.classList.toggle("open", open);
      backdrop.classList.toggle("open", open);
      document.body.classList.toggle("drawer-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var first = side.querySelector("a[aria-current], a");
        (first || close).focus();
      }
    }
    toggle.addEventListener("click", function () { set(!side.classList.contains("open")); });
    close.addEventListener("click", function () { set(false); toggle.focus(); });
    backdrop.addEventListener("click", function () { set(false); toggle.focus(); });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && side.classList.contains("open")) { set(false); toggle.focus(); }
    });
    if (phone) {
      var onChange = function () { if (!phone.matches) set(false); };
      if (phone.addEventListener) phone.addEventListener("change", onChange);
      else if (phone.addListener) phone.addListener(onChange);
    }
  }

  function start() {
    setupDrawer();
    window.addEventListener("beforeprint", fitCharts);
    window.addEventListener("afterprint", fitCharts);
    setupSchemeToggle();
    drawVisible();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
