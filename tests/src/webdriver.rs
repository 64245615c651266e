//! A small W3C WebDriver client over HTTP, enough to drive the desktop app through
//! `tauri-driver` (which hands the session to WebKitWebDriver and the app's real
//! webview): find elements by CSS, click, type, read text and attributes, screenshots.

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// W3C's key for an element reference in JSON.
pub const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One WebDriver session.
pub struct Session {
    http: reqwest::Client,
    base: String,
}

impl Session {
    /// Opens a session on the driver at `driver` (e.g. `http://127.0.0.1:4444`).
    pub async fn new(driver: &str, capabilities: Value) -> anyhow::Result<Self> {
        let http = reqwest::Client::new();
        let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let v: Value = http
            .post(format!("{driver}/session"))
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        let id = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no session: {v}"))?;
        Ok(Self {
            http,
            base: format!("{driver}/session/{id}"),
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await?.json().await?;
        if let Some(err) = v["value"]["error"].as_str() {
            anyhow::bail!("{path}: {err}: {}", v["value"]["message"]);
        }
        Ok(v["value"].clone())
    }

    /// The first element matching `css`, if any now.
    pub async fn find(&self, css: &str) -> anyhow::Result<Option<String>> {
        let body = json!({ "using": "css selector", "value": css });
        let found = self
            .call(reqwest::Method::POST, "/elements", Some(body))
            .await?;
        Ok(found
            .as_array()
            .and_then(|a| a.first())
            .and_then(|e| e[ELEMENT].as_str())
            .map(str::to_owned))
    }

    /// Waits up to `within` for an element matching `css`.
    pub async fn wait(&self, css: &str, within: Duration) -> anyhow::Result<String> {
        let start = Instant::now();
        loop {
            if let Some(e) = self.find(css).await? {
                return Ok(e);
            }
            if start.elapsed() > within {
                anyhow::bail!("no `{css}` after {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `css`'s text contains `needle`; returns the text.
    pub async fn wait_text(
        &self,
        css: &str,
        needle: &str,
        within: Duration,
    ) -> anyhow::Result<String> {
        let start = Instant::now();
        loop {
            if let Some(e) = self.find(css).await? {
                let text = self.text(&e).await.unwrap_or_default();
                if text.contains(needle) {
                    return Ok(text);
                }
                if start.elapsed() > within {
                    anyhow::bail!("`{css}` says {text:?}, not {needle:?}, after {within:?}");
                }
            } else if start.elapsed() > within {
                anyhow::bail!("no `{css}` after {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, element: &str) -> anyhow::Result<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    /// Types `text` into `element` (`\n` is Enter).
    pub async fn type_into(&self, element: &str, text: &str) -> anyhow::Result<()> {
        let text = text.replace('\n', "\u{E007}");
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        )
        .await?;
        Ok(())
    }

    /// Presses keys on whatever has focus (W3C actions), `\n` as Enter, F-keys as
    /// WebDriver's codes (`\u{E031}` is F1 ... `\u{E03C}` F12).
    pub async fn keys(&self, keys: &str) -> anyhow::Result<()> {
        let mut actions = Vec::new();
        for c in keys.chars() {
            let k = if c == '\n' { '\u{E007}' } else { c };
            actions.push(json!({ "type": "keyDown", "value": k.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": k.to_string() }));
        }
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.call(reqwest::Method::POST, "/actions", Some(body))
            .await?;
        Ok(())
    }

    /// Empties an input.
    pub async fn clear(&self, element: &str) -> anyhow::Result<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/clear"),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> anyhow::Result<usize> {
        let body = json!({ "using": "css selector", "value": css });
        let found = self
            .call(reqwest::Method::POST, "/elements", Some(body))
            .await?;
        Ok(found.as_array().map_or(0, Vec::len))
    }

    /// Runs an async `script` whose last argument is the callback to call with the result.
    pub async fn script_async(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// The element's rendered text. Read with a script: WebKitWebDriver's text endpoint
    /// answered "" for visible text in the app's header.
    pub async fn text(&self, element: &str) -> anyhow::Result<String> {
        let v = self
            .script(
                "return arguments[0].innerText || arguments[0].textContent || ''",
                json!([{ ELEMENT: element }]),
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    pub async fn attr(&self, element: &str, name: &str) -> anyhow::Result<Option<String>> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{element}/attribute/{name}"),
                None,
            )
            .await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Runs `script` in the page (its `return` value comes back).
    pub async fn script(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    pub async fn set_window_size(&self, width: u32, height: u32) -> anyhow::Result<()> {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await?;
        Ok(())
    }

    /// Saves a PNG of the window to `path`.
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        let png =
            base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or_default())?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Ends the session (the driver closes the app).
    pub async fn close_ref(&self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}
