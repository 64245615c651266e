//! Measurements taken inside the app's real webview: JavaScript run through WebDriver
//! that types like a scanner or a cashier and times, with the page's own clock, how long
//! until the screen shows the result. WebDriver's round trips are outside the timing.

/// Types `arguments[0]` as a keyboard-wedge burst (keydown per character, then Enter)
/// into whatever has focus and answers `[dom_ms, painted_ms, ipc_start_ms, ipc_end_ms]`:
/// when the total changed in the DOM (a MutationObserver), the next animation frame after
/// it, and when the `scan` command's IPC request left and its answer arrived (resource
/// timing of Tauri's `ipc://` fetch; -1 when the webview keeps none).
pub const SCAN: &str = r#"
const done = arguments[arguments.length - 1];
const code = arguments[0];
const total = document.querySelector('#total');
const before = total.textContent;
const target = document.activeElement || document.body;
performance.clearResourceTimings();
const t0 = performance.now();
let dom = -1;
const ipc = (cmd) => {
  const e = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/' + cmd));
  return e ? [e.startTime - t0, e.responseEnd - t0] : [-1, -1];
};
const give = () => requestAnimationFrame(() => done([dom, performance.now() - t0, ...ipc('scan')]));
const obs = new MutationObserver(() => {
  if (dom < 0 && total.textContent !== before) { dom = performance.now() - t0; obs.disconnect(); give(); }
});
obs.observe(total, { subtree: true, characterData: true, childList: true });
const key = (k) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
  target.dispatchEvent(new KeyboardEvent('keyup', { key: k, bubbles: true }));
};
for (const ch of code) key(ch);
key('Enter');
setTimeout(() => { if (dom < 0) { obs.disconnect(); done([-1, -1, -1, -1]); } }, 5000);
"#;

/// Puts `arguments[0]` in the search field, waits for its results, then types one more
/// character `arguments[1]` (its keydown, the new text, its keyup, as a key press does)
/// and answers `[dom_ms, painted_ms, ipc_start_ms, ipc_end_ms]` until the list changed,
/// the IPC figures those of the last `search` request (-1 when not known).
pub const KEYSTROKE: &str = r#"
const done = arguments[arguments.length - 1];
const [prefix, next] = [arguments[0], arguments[1]];
const input = document.querySelector('#search');
input.focus();
const set = (v) => { input.value = v; input.dispatchEvent(new Event('input', { bubbles: true })); };
const press = (type) => input.dispatchEvent(new KeyboardEvent(type, { key: next, bubbles: true }));
// The query the shown results answer (Sell.svelte sets it when they arrive; it searches the
// trimmed text, so a third letter that is a space asks nothing new and is not timed).
const shown = () => { const r = document.querySelector('#search-row-results'); return r ? r.dataset.for : undefined; };
const [first, both] = [prefix.trim(), (prefix + next).trim()];
const fail = (why) => done([-1, -1, -1, -1, why, String(shown()), input.value]);
set(prefix);
const given = performance.now();
const settle = (then) => { const tick = () => (shown() === first ? then()
  : performance.now() - given > 2000 ? fail('settle') : setTimeout(tick, 10)); tick(); };
if (first === both || first === '') { fail('same'); } else settle(() => setTimeout(() => {
  performance.clearResourceTimings();
  const t0 = performance.now();
  let dom = -1;
  const ipc = () => {
    const e = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('/search')).pop();
    return e ? [e.startTime - t0, e.responseEnd - t0] : [-1, -1];
  };
  const obs = new MutationObserver(() => {
    if (dom < 0 && shown() === both) { dom = performance.now() - t0; obs.disconnect();
      requestAnimationFrame(() => done([dom, performance.now() - t0, ...ipc()])); }
  });
  obs.observe(document.body, { subtree: true, characterData: true, childList: true, attributes: true });
  press('keydown');
  set(prefix + next);
  press('keyup');
  setTimeout(() => { if (dom < 0) { obs.disconnect(); fail('typed'); } }, 2000);
}, 100));
"#;

/// Presses `arguments[0]` (a key name such as `F12` or `Enter`) on the focused element.
pub const PRESS: &str = r#"
const target = document.activeElement || document.body;
target.dispatchEvent(new KeyboardEvent('keydown', { key: arguments[0], bubbles: true }));
target.dispatchEvent(new KeyboardEvent('keyup', { key: arguments[0], bubbles: true }));
return true;
"#;

/// Milliseconds since the page started loading.
pub const PAGE_AGE: &str = "return performance.now();";

/// Calls the till's `search` command straight from the page with `arguments[0]` and limit
/// `arguments[1]`, and answers the milliseconds to its answer (-1 on an error): the IPC
/// and engine share of a keystroke, nothing rendered.
pub const SEARCH_IPC: &str = r#"
const done = arguments[arguments.length - 1];
const t0 = performance.now();
window.__TAURI_INTERNALS__.invoke('search', { query: arguments[0], limit: arguments[1] })
  .then(() => done(performance.now() - t0), () => done(-1));
"#;

/// Calls the command `arguments[0]` with the arguments `arguments[1]` `arguments[2]` times,
/// one after the other, and answers each round trip's milliseconds (-1 for a failure):
/// the IPC's own cost, with little or nothing for the engine to do.
pub const INVOKE_TIMES: &str = r#"
const done = arguments[arguments.length - 1];
const [cmd, args, n] = [arguments[0], arguments[1], arguments[2]];
const out = [];
const one = () => {
  if (out.length >= n) { done(out); return; }
  const t0 = performance.now();
  window.__TAURI_INTERNALS__.invoke(cmd, args)
    .then(() => out.push(performance.now() - t0), () => out.push(-1))
    .then(one);
};
one();
"#;
