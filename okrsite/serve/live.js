// okrsite serve: live reload and the diagnostics overlay. Injected by `serve` only, never by `build`.
// Diagnostics are shown with textContent only: a message may quote anything a user typed.
(() => {
  "use strict";
  const script = document.currentScript;
  const build = script ? script.dataset.build : "";
  let host = null;

  const STYLE = `
    :host { all: initial; }
    .panel { position: fixed; inset: auto 0 0 0; z-index: 2147483647; max-height: 60vh; overflow: auto;
      margin: 0; padding: 1rem 1.25rem; background: #111; color: #fff; border-top: 4px solid #ff5252;
      font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; box-shadow: 0 -4px 24px #0008; }
    h2 { margin: 0 0 .5rem; font: bold 15px/1.4 system-ui, sans-serif; color: #ff8a80; }
    p { margin: 0 0 .75rem; font: 13px/1.4 system-ui, sans-serif; color: #ddd; }
    ol { margin: 0; padding: 0; list-style: none; }
    li { white-space: pre-wrap; word-break: break-word; padding: .15rem 0; }
    button { float: right; font: inherit; color: #fff; background: #333; border: 1px solid #888;
      border-radius: 4px; padding: .1rem .6rem; cursor: pointer; }
    button:focus-visible { outline: 3px solid #ffd54f; }
  `;

  function el(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showOverlay(lines) {
    if (!lines.length) {
      if (host) host.remove();
      host = null;
      return;
    }
    if (!host) {
      host = el("okrsite-overlay");
      host.id = "okrsite-overlay";
      host.attachShadow({ mode: "open" });
      document.documentElement.appendChild(host);
    }
    const panel = el("section");
    panel.className = "panel";
    panel.setAttribute("role", "alert");
    panel.setAttribute("aria-label", "okrsite: the handbook has errors");
    const hide = el("button", "Hide");
    hide.type = "button";
    hide.addEventListener("click", () => { host.style.display = "none"; });
    const list = el("ol");
    for (const line of lines) list.appendChild(el("li", line));
    panel.append(hide, el("h2", "okrsite: the last edit has errors"),
      el("p", "This page shows the last good build; it updates when the files are fixed."), list);
    host.style.display = "";
    host.shadowRoot.replaceChildren(el("style", STYLE), panel);
  }

  function onState(event) {
    let state;
    try { state = JSON.parse(event.data); } catch (e) { return; }
    if (state.build !== build) { window.location.reload(); return; }
    showOverlay(Array.isArray(state.errors) ? state.errors.map(String) : []);
  }

  if (!window.EventSource) return;
  let events = null;
  function connect() {
    if (events) return;
    events = new EventSource("/__okrsite/events");
    window.__okrsiteEvents = events; // for tests and curious users: readyState 1 means listening
    for (const name of ["hello", "reload", "diagnostics"]) events.addEventListener(name, onState);
  }
  function disconnect() {
    if (events) events.close();
    events = null;
  }
  // Browsers open about six connections per host over HTTP/1.1, and each stream holds one: a hidden
  // tab gives its stream back, and on being shown again hears "hello" and reloads if the build moved on.
  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", (e) => { if (e.persisted) window.location.reload(); });
  if (!document.hidden) connect();
})();
