//! Just enough of the W3C WebDriver protocol, spoken as JSON over HTTP with `reqwest`, to drive
//! headless Chromium through Debian's `chromedriver`: a session, navigation, elements found by
//! CSS selector, clicks and typing, scripts, screenshots and the browser's console log.
//!
//! Waiting is for the browser (a page that loads, a poll that redraws), in wall time and bounded;
//! nothing here waits for the simulator's clock, which only the test moves.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The key WebDriver names an element reference by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long the browser gets to show something.
const PATIENCE: Duration = Duration::from_secs(15);

/// A `chromedriver` child process on a free loopback port, ended when dropped.
pub struct Chromedriver {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Chromedriver {
    /// Starts `$CHROMEDRIVER` (else `chromedriver` from `PATH`) and waits until it is ready.
    pub async fn start(log: &Path) -> Self {
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start `{program}` ({e}): install Debian's chromium and chromium-driver (.ci/run does)")
            });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http,
        };
        let deadline = Instant::now() + PATIENCE;
        loop {
            let status = driver
                .http
                .get(format!("{}/status", driver.url))
                .send()
                .await;
            if let Ok(resp) = status
                && let Ok(body) = resp.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not get ready in {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless Chromium window of 1400×1000, its console log kept.
    pub async fn session(&self) -> Browser {
        let mut options = json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000"],
        });
        let binary = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        if Path::new(&binary).exists() {
            options["binary"] = json!(binary);
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let answer = call(
            &self.http,
            "POST",
            &format!("{}/session", self.url),
            Some(capabilities),
        )
        .await
        .unwrap_or_else(|e| panic!("chromedriver refused a session: {e}"));
        let id = answer["sessionId"].as_str().expect("a session id");
        Browser {
            http: self.http.clone(),
            session: format!("{}/session/{id}", self.url),
        }
    }
}

impl Drop for Chromedriver {
    /// Ends the process this test started (and so its browsers), passed or failed.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver call: its `value`, or the driver's `error: message`.
async fn call(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = http.request(method, url);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let ok = resp.status().is_success();
    let body: Value = resp.json().await.map_err(|e| e.to_string())?;
    if ok {
        Ok(body["value"].clone())
    } else {
        Err(format!(
            "{}: {}",
            body["value"]["error"], body["value"]["message"]
        ))
    }
}

/// A browser session.
pub struct Browser {
    http: reqwest::Client,
    session: String,
}

impl Browser {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        call(&self.http, method, &format!("{}{path}", self.session), body).await
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })))
            .await
            .unwrap_or_else(|e| panic!("cannot load {url}: {e}"));
    }

    /// Runs `script` (a function body; `arguments` are `args`) and answers what it returns.
    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// The text of the first element matching `selector`, `None` while there is none or it is
    /// hidden.
    pub async fn text(&self, selector: &str) -> Option<String> {
        let script = "const n = document.querySelector(arguments[0]); \
                      return n && !n.closest('[hidden]') ? n.textContent : null;";
        self.script(script, json!([selector]))
            .await
            .as_str()
            .map(str::to_string)
    }

    /// How many elements match `selector`.
    pub async fn count(&self, selector: &str) -> usize {
        let script = "return document.querySelectorAll(arguments[0]).length;";
        let n = self.script(script, json!([selector])).await;
        n.as_u64().map_or(0, |n| n as usize)
    }

    /// Waits until `selector`'s text contains `wanted`; answers the whole text.
    pub async fn wait_text(&self, selector: &str, wanted: &str) -> String {
        let what = format!("`{selector}` to show `{wanted}`");
        self.wait_for(&what, || async {
            self.text(selector).await.filter(|t| t.contains(wanted))
        })
        .await
    }

    /// Waits until `selector` matches `n` elements.
    pub async fn wait_count(&self, selector: &str, n: usize) {
        let what = format!("{n} elements matching `{selector}`");
        self.wait_for(&what, || async {
            (self.count(selector).await == n).then_some(())
        })
        .await
    }

    /// Clicks the element matching `selector` the way a person does (WebDriver's element click:
    /// scrolled into view, at its centre), once it exists. A live page may redraw it between
    /// finding and clicking: then it is found again.
    pub async fn click(&self, selector: &str) {
        let what = format!("`{selector}` to be clickable");
        self.wait_for(&what, || async {
            let id = self.find(selector).await?;
            self.call("POST", &format!("/element/{id}/click"), Some(json!({})))
                .await
                .ok()
        })
        .await;
    }

    /// Types `text` into the element matching `selector`, after clearing it.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let what = format!("`{selector}` to take `{text}`");
        self.wait_for(&what, || async {
            let id = self.find(selector).await?;
            self.call("POST", &format!("/element/{id}/clear"), Some(json!({})))
                .await
                .ok()?;
            self.call(
                "POST",
                &format!("/element/{id}/value"),
                Some(json!({ "text": text })),
            )
            .await
            .ok()
        })
        .await;
    }

    async fn find(&self, selector: &str) -> Option<String> {
        let found = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": selector})),
            )
            .await
            .ok()?;
        found[ELEMENT].as_str().map(str::to_string)
    }

    /// Polls `probe` until it answers something; past [`PATIENCE`], saves a screenshot beside
    /// the others and fails with what the page said.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, mut probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(found) = probe().await {
                return found;
            }
            if Instant::now() >= deadline {
                let shot = self.screenshot("dashboard-failure.png").await;
                let errors = self.page_errors().await;
                panic!(
                    "waited {PATIENCE:?} for {what}; page errors: {errors:?}; screenshot: {}",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Writes a PNG of the window to `name` in the artifacts folder; answers its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .call("GET", "/screenshot", None)
            .await
            .unwrap_or_else(|e| panic!("no screenshot: {e}"));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("a screenshot is base64");
        let path = artifacts().join(name);
        std::fs::write(&path, bytes).expect("the screenshot can be written");
        path
    }

    /// What went wrong in the page: errors its own handlers caught (none if its script never
    /// ran is an error too), and the console's severe entries that are not failed requests.
    pub async fn page_errors(&self) -> Vec<String> {
        let caught = self
            .script(
                "return window.__dashboardErrors ?? ['the dashboard script never ran'];",
                json!([]),
            )
            .await;
        let mut errors: Vec<String> = caught
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e.as_str().unwrap_or_default().to_string())
            .collect();
        let log = self
            .call("POST", "/se/log", Some(json!({"type": "browser"})))
            .await
            .unwrap_or_else(|e| panic!("no browser log: {e}"));
        for entry in log.as_array().into_iter().flatten() {
            if entry["level"] == "SEVERE" && entry["source"] != "network" {
                errors.push(entry["message"].as_str().unwrap_or_default().to_string());
            }
        }
        errors
    }
}

impl Drop for Browser {
    /// Ends the session, which quits its Chromium, passed or failed: a chromedriver ended with a
    /// session open leaves its browser running. A blocking call, as `drop` cannot await; the
    /// driver is on this machine and answers once the browser has quit.
    fn drop(&mut self) {
        let Some((host, path)) =
            (self.session.strip_prefix("http://")).and_then(|r| r.split_once('/'))
        else {
            return;
        };
        let Ok(mut stream) = std::net::TcpStream::connect(host) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(PATIENCE));
        let request = format!(
            "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let _ = stream.read_to_end(&mut Vec::new());
        }
    }
}

/// `target/ci-artifacts/`, beside the test binary's `target/<profile>/deps/`, which CI keeps.
pub fn artifacts() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the test binary sits in target/<profile>/deps/");
    let dir = target.join("ci-artifacts");
    std::fs::create_dir_all(&dir).expect("the artifacts folder can be made");
    dir
}
