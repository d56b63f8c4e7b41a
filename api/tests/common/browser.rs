//! The browser-test harness: the built web app (`web/dist`), served by the real server with
//! the demo data, driven in headless Chromium through chromedriver at a phone-sized window
//! (375 px). Shared by `browser.rs` and `browser_project.rs`.
//!
//! Tests run only with `TANDEM_BROWSER_TESTS=1` (see [`enabled`]); once enabled, a missing
//! browser, driver or build is a failure, not a skip. Every wait is an explicit wait for an
//! element or state, never a fixed sleep.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{Map, json};

use super::{TestApp, spawn_app_with};

/// The browser and its driver; `CHROMIUM` and `CHROMEDRIVER` override the Debian paths.
pub fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

pub fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}
/// Longest wait for anything to appear on the page.
pub const WAIT: Duration = Duration::from_secs(20);

/// One browser test at a time: each starts a server, a chromedriver and a Chromium, and the
/// machines these run on have two cores.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn enabled() -> bool {
    if std::env::var("TANDEM_BROWSER_TESTS").is_ok_and(|v| v == "1") {
        return true;
    }
    println!(
        "skipped: browser tests run with TANDEM_BROWSER_TESTS=1 (needs chromium, chromedriver and `bash scripts/build-web.sh`)"
    );
    false
}

pub fn web_dist() -> PathBuf {
    let dist = std::env::var("TANDEM_WEB_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/dist"));
    for file in [
        "index.html",
        "boot.js",
        "tandem.js",
        "tandem_bg.wasm",
        "style.css",
    ] {
        assert!(
            dist.join(file).is_file(),
            "{} is missing: build the app with `bash scripts/build-web.sh` (or point TANDEM_WEB_DIST at a build)",
            dist.join(file).display()
        );
    }
    dist
}

/// Where the browsers of this test process save what they download: emptied when a browser
/// starts, removed when it stops (browser tests run one at a time).
pub fn downloads_dir() -> PathBuf {
    std::env::temp_dir().join(format!("tandem-downloads-{}", std::process::id()))
}

/// Waits until the browser has saved a download named `filename` (complete, not a
/// `.crdownload`) and returns its bytes.
pub async fn wait_download(c: &Client, filename: &str) -> Vec<u8> {
    let path = downloads_dir().join(filename);
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(bytes) = std::fs::read(&path) {
            return bytes;
        }
        if Instant::now() > deadline {
            let saved: Vec<String> = std::fs::read_dir(downloads_dir())
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            panic!(
                "no download {filename:?} within {WAIT:?} (saved: {saved:?}); {}",
                page_state(c).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// chromedriver on a free port, and a WebDriver session with a fresh Chromium profile.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = super::free_port();
        let driver_path = chromedriver();
        let mut driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {driver_path}: {e} (apt-get install chromium-driver)")
            });
        let url = format!("http://127.0.0.1:{port}");
        // The driver takes a moment to listen; poll its status endpoint (process start-up,
        // not a page wait).
        let http = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = http
                .get(format!("{url}/status"))
                .send()
                .await
                .ok()
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            if ready {
                break;
            }
            if let Ok(Some(status)) = driver.try_wait() {
                panic!("chromedriver exited at start-up: {status}");
            }
            if Instant::now() > deadline {
                let _ = driver.kill();
                panic!("chromedriver did not answer on {url} within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let downloads = downloads_dir();
        let _ = std::fs::remove_dir_all(&downloads);
        std::fs::create_dir_all(&downloads).expect("downloads dir");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=375,800".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        // Keeps the page's console (and Content-Security-Policy reports) for [`console_errors`].
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        // Headless Chromium will not make a window narrower than 500 px, so the 375 px phone
        // screen is emulated as well.
        let phone = json!({ "deviceMetrics": { "width": 375, "height": 800, "pixelRatio": 2.0, "touch": true } });
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium(),
                "args": args,
                "mobileEmulation": phone,
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await;
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                let _ = driver.kill();
                let _ = driver.wait();
                panic!("cannot open a Chromium session through chromedriver: {e}");
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(downloads_dir());
    }
}

/// Runs one scenario against a fresh server (demo data loaded) and a fresh browser, and
/// always shuts the browser down, also when the scenario fails.
pub async fn scenario<F, Fut>(body: F)
where
    F: FnOnce(TestApp, Client) -> Fut,
    Fut: Future<Output = ()>,
{
    scenario_with(|_| {}, body).await;
}

/// [`scenario`] with a server configuration changed by `adjust`.
pub async fn scenario_with<F, Fut>(adjust: impl FnOnce(&mut api::Config), body: F)
where
    F: FnOnce(TestApp, Client) -> Fut,
    Fut: Future<Output = ()>,
{
    let _turn = ONE_AT_A_TIME.lock().await;
    let dist = web_dist().display().to_string();
    let app = spawn_app_with(|c| {
        c.web_dist = dist;
        adjust(c);
    })
    .await;
    app.load_demo().await;
    let browser = Browser::start().await;
    let c = browser.client.clone();
    let outcome = AssertUnwindSafe(async move {
        body(app, c.clone()).await;
        assert_no_policy_violation(&c).await;
    })
    .catch_unwind()
    .await;
    browser.stop().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// chromedriver's `se/log` command: what the page wrote to its console since the last read.
#[derive(Debug)]
struct ReadBrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ReadBrowserLog {
    fn endpoint(
        &self,
        base: &reqwest::Url,
        session: Option<&str>,
    ) -> Result<reqwest::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (reqwest::Method, Option<String>) {
        (
            reqwest::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// The console errors (level `SEVERE`: uncaught exceptions, `console.error`, failed loads and
/// Content-Security-Policy refusals) written since the last call, oldest first.
pub async fn console_errors(c: &Client) -> Vec<String> {
    let log = c
        .issue_cmd(ReadBrowserLog)
        .await
        .expect("read the browser console (chromedriver se/log)");
    log.as_array()
        .expect("console entries")
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Fails on any console error since the last read; `when` says what the page was doing.
pub async fn assert_no_console_errors(c: &Client, when: &str) {
    let errors = console_errors(c).await;
    assert!(
        errors.is_empty(),
        "console errors {when}: {errors:#?}; {}",
        page_state(c).await
    );
}

/// Fails when the browser refused anything under the server's Content-Security-Policy since
/// the last read. Every scenario ends with this check; other console errors may be part of
/// what a scenario tests (a refused request shows as a failed load).
pub async fn assert_no_policy_violation(c: &Client) {
    let refused: Vec<String> = console_errors(c)
        .await
        .into_iter()
        .filter(|m| m.contains("Content Security Policy"))
        .collect();
    assert!(
        refused.is_empty(),
        "the Content-Security-Policy refused something: {refused:#?}"
    );
}

pub fn css(selector: &str) -> Locator<'_> {
    Locator::Css(selector)
}

/// Waits for the element with this `data-test`.
pub async fn wait_for(c: &Client, test: &str) -> Element {
    let selector = format!("[data-test=\"{test}\"]");
    match c.wait().at_most(WAIT).for_element(css(&selector)).await {
        Ok(el) => el,
        Err(e) => panic!(
            "no [data-test={test}] within {WAIT:?} ({e}); {}",
            page_state(c).await
        ),
    }
}

/// Clicks the element with this `data-test` once it shows.
pub async fn click(c: &Client, test: &str) {
    if let Err(e) = wait_for(c, test).await.click().await {
        panic!(
            "cannot click [data-test={test}] ({e}); {}",
            page_state(c).await
        );
    }
}

/// Types into the element with this `data-test` once it shows.
pub async fn type_into(c: &Client, test: &str, text: &str) {
    if let Err(e) = wait_for(c, test).await.send_keys(text).await {
        panic!(
            "cannot type into [data-test={test}] ({e}); {}",
            page_state(c).await
        );
    }
}

/// Where the browser is and what it shows, for failure messages.
pub async fn page_state(c: &Client) -> String {
    let url = c
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let body = c.find(css("body")).await;
    let text = match body {
        Ok(b) => b.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    format!("at {url}, showing {text:?}")
}

/// Waits until an element with this `data-test` shows text containing `expected` (which
/// must not contain a single quote), and returns its text.
pub async fn wait_for_text(c: &Client, test: &str, expected: &str) -> String {
    let xpath = format!("//*[@data-test='{test}'][contains(normalize-space(.), '{expected}')]");
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let el = c
            .wait()
            .at_most(left)
            .for_element(Locator::XPath(&xpath))
            .await;
        let el = match el {
            Ok(el) => el,
            Err(e) => {
                let shown = texts(c, test).await;
                panic!(
                    "[data-test={test}] never showed {expected:?} within {WAIT:?} ({e}); it shows {shown:?}; {}",
                    page_state(c).await
                );
            }
        };
        // A live page may redraw the element between finding and reading it: find it again.
        match el.text().await {
            Ok(text) => return text,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                continue;
            }
            Err(e) => panic!("[data-test={test}] kept changing ({e})"),
        }
    }
}

/// The texts of the elements with this `data-test`, read at one moment (read again when the
/// page redraws one of them meanwhile).
pub async fn texts(c: &Client, test: &str) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    'again: loop {
        let mut out = Vec::new();
        for el in c
            .find_all(css(&format!("[data-test=\"{test}\"]")))
            .await
            .expect("find_all")
        {
            match el.text().await {
                Ok(text) => out.push(text),
                Err(_) if Instant::now() < deadline => continue 'again,
                Err(e) => panic!("[data-test={test}] kept changing ({e})"),
            }
        }
        return out;
    }
}

/// Waits until no element with this `data-test` is on the page.
pub async fn wait_gone(c: &Client, test: &str) {
    let deadline = Instant::now() + WAIT;
    let selector = format!("[data-test=\"{test}\"]");
    while !c
        .find_all(css(&selector))
        .await
        .expect("find_all")
        .is_empty()
    {
        if Instant::now() > deadline {
            panic!(
                "[data-test={test}] still there after {WAIT:?}; {}",
                page_state(c).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn path(c: &Client) -> String {
    c.current_url()
        .await
        .expect("current url")
        .path()
        .to_string()
}

/// Opens the login page and submits the form.
pub async fn sign_in(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&format!("{}/login", app.address))
        .await
        .expect("open /login");
    wait_for(c, "login-email")
        .await
        .send_keys(email)
        .await
        .expect("type e-mail");
    wait_for(c, "login-password")
        .await
        .send_keys(password)
        .await
        .expect("type password");
    wait_for(c, "login-submit")
        .await
        .click()
        .await
        .expect("submit");
}

/// The page fits a 375 px screen: nothing sticks out sideways.
pub async fn assert_no_horizontal_scroll(c: &Client) {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("measure");
    let (scroll, inner) = (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0));
    assert!(
        inner > 0.0 && inner <= 400.0,
        "the window should be phone-sized, is {inner}px"
    );
    assert!(
        scroll <= inner,
        "the page is {scroll}px wide in a {inner}px window"
    );
}

/// Empties a text input with keystrokes, as a person would: WebDriver's `clear()` sends no
/// `input` event, so the app would not notice.
pub async fn empty_field(el: &Element) {
    let value = el.prop("value").await.expect("value").unwrap_or_default();
    let keys = format!(
        "{}{}",
        Key::End,
        Key::Backspace.repeat(value.chars().count())
    );
    el.send_keys(&keys).await.expect("erase");
}

/// [`scenario`] with two browsers, for journeys between two people (a client and their
/// CSM) each in their own browser with their own session.
pub async fn scenario_two<F, Fut>(body: F)
where
    F: FnOnce(TestApp, Client, Client) -> Fut,
    Fut: Future<Output = ()>,
{
    let _turn = ONE_AT_A_TIME.lock().await;
    let dist = web_dist().display().to_string();
    let app = spawn_app_with(|c| c.web_dist = dist).await;
    app.load_demo().await;
    let first = Browser::start().await;
    let second = Browser::start().await;
    let (one, two) = (first.client.clone(), second.client.clone());
    let outcome = AssertUnwindSafe(async move {
        body(app, one.clone(), two.clone()).await;
        assert_no_policy_violation(&one).await;
        assert_no_policy_violation(&two).await;
    })
    .catch_unwind()
    .await;
    first.stop().await;
    second.stop().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Waits for an element matching an XPath expression; `what` names it in the failure.
pub async fn wait_for_xpath(c: &Client, xpath: &str, what: &str) -> Element {
    match c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(xpath))
        .await
    {
        Ok(el) => el,
        Err(e) => panic!(
            "{what}: not there within {WAIT:?} ({e}); {}",
            page_state(c).await
        ),
    }
}

/// Sets an input's value from script and fires `input`, as typing would (date inputs take
/// keystrokes in the browser's locale format, which differs between machines).
pub async fn set_value(c: &Client, el: &Element, value: &str) {
    c.execute(
        "arguments[0].value = arguments[1]; \
         arguments[0].dispatchEvent(new Event('input', { bubbles: true })); \
         arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        vec![
            serde_json::to_value(el).expect("element reference"),
            json!(value),
        ],
    )
    .await
    .expect("set the value");
}
