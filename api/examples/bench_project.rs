//! Load generator for the client-project benchmarks. Run by
//! scripts/bench-project.sh against a server holding the `tandem seed-bench` data set:
//!
//! * `read`: GET a project and then its checklist, for random projects as their CSM or one
//!   of their client users — first saturated (closed loop), then at a steady rate;
//! * `tick`: complete distinct to-do items as their CSM (item, history row, notifications,
//!   events per tick), closed loop;
//! * `chat`: N WebSockets open; a client user posts to their project's chat at a steady
//!   rate and the CSM's socket times the `chat.message` event from POST start to receipt.
//!
//! Prints figures and asserts nothing. The load generator shares the machine with the
//! server, so its own CPU use is part of what the server competes with.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::StreamExt;
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "tandem-demo";

#[derive(Parser, Clone)]
#[command(about = "Tandem client-project load generator")]
struct Args {
    /// The server, e.g. http://127.0.0.1:18081.
    #[arg(long)]
    base: String,
    /// Phases to run, in order.
    #[arg(long, value_delimiter = ',', default_value = "read,tick,chat")]
    phases: Vec<String>,
    /// Bench CSMs in the data set (csm-bench-K@magicstore.test).
    #[arg(long, default_value_t = 20)]
    csms: usize,
    /// Client users to log in: admin@bench-i.test for every project, then member@…
    #[arg(long, default_value_t = 2_000)]
    logins: usize,
    /// Logins at once (argon2 takes a core for tens of milliseconds each).
    #[arg(long, default_value_t = 2)]
    login_concurrency: usize,
    /// Seconds per measured run.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Workers of the saturated read run.
    #[arg(long, default_value_t = 8)]
    read_concurrency: usize,
    /// Requests per second of the steady read run; 0: half the saturated throughput.
    #[arg(long, default_value_t = 0.0)]
    read_rate: f64,
    /// Workers of the tick run.
    #[arg(long, default_value_t = 8)]
    tick_concurrency: usize,
    /// WebSockets open during the chat run (one per CSM, the rest over client users).
    #[arg(long, default_value_t = 2_000)]
    sockets: usize,
    /// Chat messages per second.
    #[arg(long, default_value_t = 50.0)]
    chat_rate: f64,
    /// The server's process id, to report its CPU use per run (Linux).
    #[arg(long)]
    server_pid: Option<u32>,
}

type Error = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, Error>;

#[derive(Clone)]
struct Login {
    token: String,
}

#[derive(Clone)]
struct Project {
    id: String,
    csm: usize,
}

struct World {
    http: reqwest::Client,
    base: String,
    csms: Vec<Login>,
    projects: Vec<Project>,
    /// Logged-in client users with the index of their project in `projects`.
    clients: Vec<(Login, usize)>,
}

/// Latencies and the failure count of one measure.
type Samples = (Vec<Duration>, u64);

/// Samples per measure.
#[derive(Default, Clone)]
struct Recorder(Arc<Mutex<HashMap<&'static str, Samples>>>);

impl Recorder {
    fn ok(&self, label: &'static str, took: Duration) {
        if let Ok(mut m) = self.0.lock() {
            m.entry(label).or_default().0.push(took);
        }
    }
    fn failed(&self, label: &'static str) {
        if let Ok(mut m) = self.0.lock() {
            m.entry(label).or_default().1 += 1;
        }
    }
    /// Prints one line per label: count, rate over `elapsed`, p50, p99, max, failures.
    fn report(&self, title: &str, elapsed: Duration) {
        let Ok(m) = self.0.lock() else { return };
        let mut labels: Vec<_> = m.keys().copied().collect();
        labels.sort();
        println!("\n{title} ({:.1} s)", elapsed.as_secs_f64());
        println!(
            "  {:<34} {:>8} {:>9} {:>8} {:>8} {:>8} {:>7}",
            "measure", "count", "per s", "p50 ms", "p99 ms", "max ms", "failed"
        );
        for label in labels {
            let (lat, failed) = &m[label];
            let mut lat = lat.clone();
            lat.sort();
            println!(
                "  {:<34} {:>8} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>7}",
                label,
                lat.len(),
                lat.len() as f64 / elapsed.as_secs_f64(),
                pct(&lat, 0.50),
                pct(&lat, 0.99),
                lat.last().map_or(0.0, ms),
                failed
            );
        }
    }
    fn count(&self, label: &'static str) -> usize {
        self.0
            .lock()
            .map(|m| m.get(label).map_or(0, |v| v.0.len()))
            .unwrap_or(0)
    }
}

/// CPU seconds (user + system) a process has used so far, from /proc (Linux).
fn cpu_secs(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Prints the server's CPU use since `before` over `elapsed`, as cores busy.
fn report_cpu(pid: Option<u32>, before: Option<f64>, elapsed: Duration) {
    if let (Some(b), Some(a)) = (before, cpu_secs(pid)) {
        println!(
            "  server CPU: {:.2} cores busy on average",
            (a - b) / elapsed.as_secs_f64()
        );
    }
}

fn ms(d: &Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p` quantile of sorted latencies, in milliseconds (nearest rank).
fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    ms(&sorted[rank - 1])
}

async fn login(http: &reqwest::Client, base: &str, email: &str) -> Res<Login> {
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await?;
    if !res.status().is_success() {
        return Err(format!("login {email}: {}", res.status()).into());
    }
    let body: Value = res.json().await?;
    Ok(Login {
        token: body["access_token"]
            .as_str()
            .ok_or("no access_token")?
            .to_string(),
    })
}

async fn get_json(http: &reqwest::Client, url: &str, token: &str) -> Res<Value> {
    let res = http.get(url).bearer_auth(token).send().await?;
    if !res.status().is_success() {
        return Err(format!("GET {url}: {}", res.status()).into());
    }
    Ok(res.json().await?)
}

/// Logs in the CSMs, lists their projects, logs in the client users.
async fn prepare(args: &Args) -> Res<World> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(256)
        .build()?;
    let base = args.base.trim_end_matches('/').to_string();
    let started = Instant::now();
    let mut csms = Vec::new();
    for k in 0..args.csms {
        csms.push(login(&http, &base, &format!("csm-bench-{k}@magicstore.test")).await?);
    }
    // Each CSM's projects; the organisation name "Bench client 00042" gives the index.
    let mut by_index: Vec<Option<Project>> = Vec::new();
    for (k, csm) in csms.iter().enumerate() {
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{base}/api/v1/projects?limit=200");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let page = get_json(&http, &url, &csm.token).await?;
            for p in page["items"].as_array().ok_or("no items")? {
                let name = p["organization_name"].as_str().unwrap_or_default();
                let Some(i) = name
                    .strip_prefix("Bench client ")
                    .and_then(|n| n.parse::<usize>().ok())
                else {
                    continue;
                };
                if by_index.len() <= i {
                    by_index.resize(i + 1, None);
                }
                by_index[i] = Some(Project {
                    id: p["id"].as_str().unwrap_or_default().to_string(),
                    csm: k,
                });
            }
            cursor = page["next_cursor"].as_str().map(str::to_string);
            if cursor.is_none() {
                break;
            }
        }
    }
    let projects: Vec<Project> = by_index.iter().flatten().cloned().collect();
    if projects.len() != by_index.len() || projects.is_empty() {
        return Err(format!(
            "found {} bench projects for {} indexes; is the data set seeded with --csms {}?",
            projects.len(),
            by_index.len(),
            args.csms
        )
        .into());
    }
    println!(
        "{} CSMs logged in, {} projects listed ({:.1} s)",
        csms.len(),
        projects.len(),
        started.elapsed().as_secs_f64()
    );
    let n = projects.len();
    let wanted: Vec<(String, usize)> = (0..args.logins.min(2 * n))
        .map(|j| {
            let who = if j < n { "admin" } else { "member" };
            (format!("{who}@bench-{}.test", j % n), j % n)
        })
        .collect();
    let started = Instant::now();
    let logged: Vec<Res<(Login, usize)>> = futures_util::stream::iter(wanted)
        .map(|(email, i)| {
            let (http, base) = (http.clone(), base.clone());
            async move { Ok((login(&http, &base, &email).await?, i)) }
        })
        .buffer_unordered(args.login_concurrency.max(1))
        .collect()
        .await;
    let clients: Vec<(Login, usize)> = logged.into_iter().collect::<Res<_>>()?;
    println!(
        "{} client users logged in ({:.1} s, {:.0} logins/s)",
        clients.len(),
        started.elapsed().as_secs_f64(),
        clients.len() as f64 / started.elapsed().as_secs_f64()
    );
    Ok(World {
        http,
        base,
        csms,
        projects,
        clients,
    })
}

/// One read: the project, then its checklist, as `token`.
async fn read_once(w: &World, rec: &Recorder, token: &str, project: &str) {
    for (label, path) in [
        ("GET /projects/{id}", format!("/api/v1/projects/{project}")),
        (
            "GET /projects/{id}/activities",
            format!("/api/v1/projects/{project}/activities"),
        ),
    ] {
        let start = Instant::now();
        let res = w
            .http
            .get(format!("{}{path}", w.base))
            .bearer_auth(token)
            .send()
            .await;
        match res {
            Ok(r) if r.status().is_success() => {
                if r.bytes().await.is_ok() {
                    rec.ok(label, start.elapsed());
                } else {
                    rec.failed(label);
                }
            }
            _ => rec.failed(label),
        }
    }
}

/// Who reads what: every project as its CSM, and as each logged-in client user.
fn readers(w: &World) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = w
        .projects
        .iter()
        .map(|p| (w.csms[p.csm].token.clone(), p.id.clone()))
        .collect();
    pairs.extend(
        w.clients
            .iter()
            .map(|(l, i)| (l.token.clone(), w.projects[*i].id.clone())),
    );
    pairs
}

async fn read_phase(w: Arc<World>, args: &Args) {
    let pairs = Arc::new(readers(&w));
    let duration = Duration::from_secs(args.duration);
    // Saturated: each worker reads as fast as answers come.
    let rec = Recorder::default();
    let cpu = cpu_secs(args.server_pid);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.read_concurrency.max(1) {
        let (w, rec, pairs) = (w.clone(), rec.clone(), pairs.clone());
        tasks.push(tokio::spawn(async move {
            while started.elapsed() < duration {
                let (token, project) = &pairs[rand::rng().random_range(0..pairs.len())];
                read_once(&w, &rec, token, project).await;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    rec.report(
        &format!(
            "read, saturated: {} workers, random project as its CSM or client",
            args.read_concurrency
        ),
        elapsed,
    );
    report_cpu(args.server_pid, cpu, elapsed);
    let done = rec.count("GET /projects/{id}") + rec.count("GET /projects/{id}/activities");
    let saturated = done as f64 / elapsed.as_secs_f64();
    // Steady: requests started at a fixed rate whatever the answers do (open loop).
    let rate = if args.read_rate > 0.0 {
        args.read_rate
    } else {
        (saturated / 2.0).max(1.0)
    };
    let rec = Recorder::default();
    let pace = Duration::from_secs_f64(2.0 / rate);
    let mut ticker = tokio::time::interval(pace);
    let cpu = cpu_secs(args.server_pid);
    let started = Instant::now();
    let mut tasks = Vec::new();
    while started.elapsed() < duration {
        ticker.tick().await;
        let (w, rec, pairs) = (w.clone(), rec.clone(), pairs.clone());
        tasks.push(tokio::spawn(async move {
            let (token, project) = &pairs[rand::rng().random_range(0..pairs.len())];
            read_once(&w, &rec, token, project).await;
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    rec.report(
        &format!("read, steady at {rate:.0} requests/s (open loop)"),
        elapsed,
    );
    report_cpu(args.server_pid, cpu, elapsed);
}

async fn tick_phase(w: Arc<World>, args: &Args) -> Res<()> {
    let duration = Duration::from_secs(args.duration);
    // Enough to-do items for 1,500 ticks/s, from projects in random order (a second run on
    // the same database finds projects the first one did not exhaust).
    let wanted = 1_500 * args.duration as usize;
    let workers = args.tick_concurrency.max(1);
    let mut queues: Vec<VecDeque<(String, String)>> = vec![VecDeque::new(); workers];
    let mut found = 0;
    let started = Instant::now();
    let mut order: Vec<usize> = (0..w.projects.len()).collect();
    order.shuffle(&mut rand::rng());
    for batch in order.chunks(16) {
        if found >= wanted {
            break;
        }
        let lists: Vec<(usize, Res<Value>)> = futures_util::stream::iter(batch.iter().map(|&k| {
            let w = w.clone();
            async move {
                let p = &w.projects[k];
                let url = format!("{}/api/v1/projects/{}/activities", w.base, p.id);
                (k, get_json(&w.http, &url, &w.csms[p.csm].token).await)
            }
        }))
        .buffer_unordered(8)
        .collect()
        .await;
        for (k, list) in lists {
            let list = list?;
            let token = &w.csms[w.projects[k].csm].token;
            for cat in list["categories"].as_array().into_iter().flatten() {
                for item in cat["items"].as_array().into_iter().flatten() {
                    let may = item["allowed_actions"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x == "complete"));
                    if may && item["state"] == "todo" {
                        // One project's items go to one worker: distinct items, and the
                        // project row is not fought over by two ticks at once.
                        queues[k % workers].push_back((
                            token.clone(),
                            item["id"].as_str().unwrap_or_default().to_string(),
                        ));
                        found += 1;
                    }
                }
            }
        }
    }
    println!(
        "\n{found} to-do items gathered for ticking ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let rec = Recorder::default();
    let cpu = cpu_secs(args.server_pid);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut queue in queues {
        let (w, rec) = (w.clone(), rec.clone());
        tasks.push(tokio::spawn(async move {
            while started.elapsed() < duration {
                let Some((token, item)) = queue.pop_front() else {
                    break;
                };
                let start = Instant::now();
                let res = w
                    .http
                    .post(format!("{}/api/v1/activities/{item}/transitions", w.base))
                    .bearer_auth(&token)
                    .json(&json!({"action": "complete"}))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().is_success() => {
                        if r.bytes().await.is_ok() {
                            rec.ok("POST /activities/{id}/transitions", start.elapsed())
                        } else {
                            rec.failed("POST /activities/{id}/transitions")
                        }
                    }
                    Ok(r) => {
                        if rec.count("POST /activities/{id}/transitions") == 0 {
                            eprintln!("tick failed: {}", r.status());
                        }
                        rec.failed("POST /activities/{id}/transitions")
                    }
                    Err(_) => rec.failed("POST /activities/{id}/transitions"),
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    rec.report(
        &format!("tick (complete), {workers} workers, CSM ticking its clients' items"),
        elapsed,
    );
    report_cpu(args.server_pid, cpu, elapsed);
    Ok(())
}

/// Bodies posted and not yet seen at the CSM's socket, with the time their POST started.
type Pending = Arc<Mutex<HashMap<String, Instant>>>;

async fn chat_phase(w: Arc<World>, args: &Args) -> Res<()> {
    let ws_base = w.base.replacen("http", "ws", 1);
    let rec = Recorder::default();
    let pending: Pending = Arc::default();
    let open = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // Who connects: every CSM once (they time the receipt), then client users in turn.
    let mut who: Vec<(String, bool)> = w.csms.iter().map(|c| (c.token.clone(), true)).collect();
    let clients = w.clients.len().max(1);
    for j in 0..args.sockets.saturating_sub(who.len()) {
        if let Some((l, _)) = w.clients.get(j % clients) {
            who.push((l.token.clone(), false));
        }
    }
    let started = Instant::now();
    let connected: Vec<Res<()>> = futures_util::stream::iter(who)
        .map(|(token, timer)| {
            let url = format!("{ws_base}/api/v1/ws?access_token={token}");
            let (rec, pending, open) = (rec.clone(), pending.clone(), open.clone());
            async move {
                let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
                open.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::spawn(async move {
                    while let Some(Ok(msg)) = ws.next().await {
                        let Message::Text(text) = msg else { continue };
                        if !timer {
                            continue;
                        }
                        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
                            continue;
                        };
                        if frame["event"]["kind"] != "chat.message" {
                            continue;
                        }
                        let body = frame["event"]["payload"]["body"].as_str().unwrap_or("");
                        let sent = pending.lock().ok().and_then(|mut p| p.remove(body));
                        if let Some(sent) = sent {
                            rec.ok("chat POST start → CSM socket", sent.elapsed());
                        }
                    }
                    open.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                });
                Ok(())
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let failed = connected.iter().filter(|c| c.is_err()).count();
    if let Some(Err(e)) = connected.iter().find(|c| c.is_err()) {
        eprintln!("a WebSocket failed to open: {e}");
    }
    println!(
        "\n{} WebSockets open, {failed} failed ({:.1} s)",
        open.load(std::sync::atomic::Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let duration = Duration::from_secs(args.duration);
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / args.chat_rate));
    let cpu = cpu_secs(args.server_pid);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut n = 0u64;
    while started.elapsed() < duration {
        ticker.tick().await;
        n += 1;
        let (login, p) = &w.clients[rand::rng().random_range(0..w.clients.len())];
        let url = format!(
            "{}/api/v1/projects/{}/chat/messages",
            w.base, w.projects[*p].id
        );
        let body = format!("bench {n} {:08x}", rand::rng().random::<u32>());
        let (w, rec, pending, token) =
            (w.clone(), rec.clone(), pending.clone(), login.token.clone());
        tasks.push(tokio::spawn(async move {
            let start = Instant::now();
            if let Ok(mut p) = pending.lock() {
                p.insert(body.clone(), start);
            }
            let res = w
                .http
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "body": body }))
                .send()
                .await;
            match res {
                Ok(r) if r.status().as_u16() == 201 => {
                    rec.ok("chat POST (response)", start.elapsed())
                }
                Ok(r) => {
                    eprintln!("chat POST: {}", r.status());
                    rec.failed("chat POST (response)")
                }
                Err(_) => rec.failed("chat POST (response)"),
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    let cpu_after = cpu_secs(args.server_pid);
    // Late arrivals still count; what is missing after 5 s is reported as lost.
    let wait = Instant::now();
    while wait.elapsed() < Duration::from_secs(5) && pending.lock().map_or(0, |p| p.len()) > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    rec.report(
        &format!(
            "chat at {:.0} messages/s with {} WebSockets open",
            args.chat_rate,
            open.load(std::sync::atomic::Ordering::Relaxed)
        ),
        elapsed,
    );
    println!(
        "  messages not received by the CSM within 5 s: {}",
        pending.lock().map_or(0, |p| p.len())
    );
    if let (Some(b), Some(a)) = (cpu, cpu_after) {
        println!(
            "  server CPU: {:.2} cores busy on average",
            (a - b) / elapsed.as_secs_f64()
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args = Args::parse();
    let world = Arc::new(prepare(&args).await?);
    for phase in &args.phases {
        match phase.as_str() {
            "read" => read_phase(world.clone(), &args).await,
            "tick" => tick_phase(world.clone(), &args).await?,
            "chat" => chat_phase(world.clone(), &args).await?,
            other => return Err(format!("unknown phase {other} (read, tick, chat)").into()),
        }
    }
    Ok(())
}
