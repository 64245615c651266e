//! Measurements taken inside the app's real webview: JavaScript run through WebDriver
//! that types like a scanner or a cashier and times, with the page's own clock, how long
//! until the screen shows the result. WebDriver's round trips are outside the timing.

/// Types `arguments[0]` as a keyboard-wedge burst (keydown per character, then Enter)
/// into whatever has focus and answers `[dom_ms, painted_ms]`: when the total changed in
/// the DOM (a MutationObserver), and the next animation frame after it.
pub const SCAN: &str = r#"
const done = arguments[arguments.length - 1];
const code = arguments[0];
const total = document.querySelector('#total');
const before = total.textContent;
const target = document.activeElement || document.body;
const t0 = performance.now();
let dom = -1;
const give = () => requestAnimationFrame(() => done([dom, performance.now() - t0]));
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
setTimeout(() => { if (dom < 0) { obs.disconnect(); done([-1, -1]); } }, 5000);
"#;

/// Puts `arguments[0]` in the search field, waits for its results, then types one more
/// character `arguments[1]` and answers `[dom_ms, painted_ms]` until the list changed.
pub const KEYSTROKE: &str = r#"
const done = arguments[arguments.length - 1];
const [prefix, next] = [arguments[0], arguments[1]];
const input = document.querySelector('#search');
input.focus();
const set = (v) => { input.value = v; input.dispatchEvent(new Event('input', { bubbles: true })); };
const list = () => document.querySelector('#search-results');
const text = () => (list() ? list().textContent : '');
set(prefix);
const settle = (then) => { let last = text(), still = 0;
  const tick = () => { const now = text(); still = now === last && now !== '' ? still + 1 : 0; last = now;
    if (still >= 5) then(); else setTimeout(tick, 20); };
  tick(); };
settle(() => {
  const before = text();
  const t0 = performance.now();
  let dom = -1;
  const obs = new MutationObserver(() => {
    if (dom < 0 && text() !== before) { dom = performance.now() - t0; obs.disconnect();
      requestAnimationFrame(() => done([dom, performance.now() - t0])); }
  });
  obs.observe(document.body, { subtree: true, characterData: true, childList: true });
  set(prefix + next);
  setTimeout(() => { if (dom < 0) { obs.disconnect(); done([-1, -1]); } }, 2000);
});
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
