//! WebKitGTK settings for a till: one local page that never navigates, shows no media
//! and draws no 3D, on machines that often have no GPU worth the name. Wry's defaults
//! suit a browser (WebGL on, back-forward cache on, the web-browser cache model, GPU
//! compositing when it can); each one costs memory or a GL context here and buys nothing.
//!
//! `KASSA_WEBVIEW_TUNING` picks the settings for a measurement (`kassa-bench desktop`):
//! `off` keeps wry's defaults, `all` turns on every tweak below, or a comma list of their
//! names; unset means the default set, which is all but `compositing` (see [`DEFAULT`]).

use tauri::Manager;

/// One change from wry's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tweak {
    /// Paint on the CPU, no GL compositing (the `WEBKIT_DISABLE_COMPOSITING_MODE` of
    /// old): no GL context in the web process, which under Xvfb is software GL anyway.
    NoCompositing,
    /// The smallest of WebKit's cache models: the page is local, nothing to keep.
    DocumentCache,
    /// No back-forward cache (the app never navigates away from its page).
    NoPageCache,
    /// No WebGL or WebAudio (nothing in the app uses them).
    NoWebGl,
}

const ALL: [(&str, Tweak); 4] = [
    ("compositing", Tweak::NoCompositing),
    ("cache", Tweak::DocumentCache),
    ("pagecache", Tweak::NoPageCache),
    ("webgl", Tweak::NoWebGl),
];

/// The tweaks applied when `KASSA_WEBVIEW_TUNING` is unset.
///
/// Not `compositing`: with the hardware acceleration policy at `Never`, WebKitGTK 2.50's
/// WebDriver screenshot (`GET /session/{id}/screenshot`) never answers, so the desktop end-to-end test hung on its first
/// screenshot, the first-run screen (bisected 2026-12-07: `compositing` alone hangs, the
/// other three together do not; the page itself kept painting). It is also the tweak that
/// saves the most memory: 60-77 MiB PSS in the web process under Xvfb, where GL is
/// llvmpipe (docs in bench/RESULTS.md). `KASSA_WEBVIEW_TUNING=all` turns it on for a till
/// that is never driven by WebDriver.
pub const DEFAULT: [Tweak; 3] = [Tweak::DocumentCache, Tweak::NoPageCache, Tweak::NoWebGl];

/// The tweaks `spec` (the environment variable's value) asks for.
pub fn tweaks(spec: Option<&str>) -> Vec<Tweak> {
    match spec.map(str::trim) {
        None | Some("") => DEFAULT.to_vec(),
        Some("all") => ALL.iter().map(|(_, t)| *t).collect(),
        Some("off") => Vec::new(),
        Some(list) => list
            .split(',')
            .filter_map(|name| {
                let found = ALL.iter().find(|(n, _)| *n == name.trim()).map(|(_, t)| *t);
                if found.is_none() {
                    tracing::warn!(name, "unknown webview tweak ignored");
                }
                found
            })
            .collect(),
    }
}

/// Applies the tweaks to the main window's webview (on the GTK thread, before the page
/// has done much: the setup hook runs as the page starts loading).
pub fn tune(app: &tauri::App) {
    let spec = std::env::var("KASSA_WEBVIEW_TUNING").ok();
    let chosen = tweaks(spec.as_deref());
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    tracing::info!(?chosen, "webview tweaks");
    #[cfg(target_os = "linux")]
    if let Err(e) = window.with_webview(move |view| apply(&view.inner(), &chosen)) {
        tracing::warn!("could not tune the webview: {e}");
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, chosen);
}

#[cfg(target_os = "linux")]
fn apply(view: &webkit2gtk::WebView, chosen: &[Tweak]) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let settings = WebViewExt::settings(view);
    for tweak in chosen {
        match (tweak, &settings) {
            (Tweak::NoCompositing, Some(s)) => {
                s.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            (Tweak::NoPageCache, Some(s)) => s.set_enable_page_cache(false),
            (Tweak::NoWebGl, Some(s)) => {
                s.set_enable_webgl(false);
                s.set_enable_webaudio(false);
            }
            (Tweak::DocumentCache, _) => {
                if let Some(context) = view.context() {
                    context.set_cache_model(CacheModel::DocumentViewer);
                }
            }
            (_, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_unless_told_otherwise() {
        assert_eq!(tweaks(None), DEFAULT.to_vec());
        assert!(
            !tweaks(None).contains(&Tweak::NoCompositing),
            "no compositing hangs WebDriver's screenshots"
        );
        assert_eq!(tweaks(Some("all")).len(), ALL.len());
        assert!(tweaks(Some("off")).is_empty(), "off keeps wry's defaults");
        assert_eq!(
            tweaks(Some("cache, webgl,nonsense")),
            vec![Tweak::DocumentCache, Tweak::NoWebGl],
            "a list picks those named and skips unknown names"
        );
    }
}
