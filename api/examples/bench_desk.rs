//! Load generator for the support-desk benchmark. Run by
//! scripts/bench-desk.sh against a server holding the `tandem seed-desk` data set:
//!
//! * `lists`: the first page of every work queue (as desk agents), of each filter, of
//!   searches for a common word, a rare word and a prefix, and of client users' portal lists —
//!   each measure a fixed number of requests from a few workers; p50/p99 and requests/s;
//! * `create`: client users open tickets (`POST /tickets`: routing, priority, SLA clocks,
//!   assignment, search index, notifications) from several workers for a fixed time.
//!
//! Prints figures and asserts nothing. The load generator shares the machine with the
//! server, so its own CPU use is part of what the server competes with.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::seed_desk::{COMMON, RARE, agent_email, client_emails, word};
use clap::Parser;
use futures_util::StreamExt;
use serde_json::{Value, json};

const PASSWORD: &str = "tandem-demo";

#[derive(Parser, Clone)]
#[command(about = "Tandem support-desk load generator")]
struct Args {
    /// The server, e.g. http://127.0.0.1:18082.
    #[arg(long)]
    base: String,
    /// Phases to run, in order.
    #[arg(long, value_delimiter = ',', default_value = "lists,create")]
    phases: Vec<String>,
    /// Client organisations in the data set (seed-desk --orgs).
    #[arg(long, default_value_t = 2_000)]
    orgs: usize,
    /// Desk agents to log in (agent-desk-K@magicstore.test).
    #[arg(long, default_value_t = 10)]
    agents: usize,
    /// Client users to log in (admin@desk-i.test, then member@…).
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Requests per list measure.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    /// Seconds after which a list measure stops early (slow searches would take minutes).
    #[arg(long, default_value_t = 15)]
    measure_secs: u64,
    /// Workers per list measure.
    #[arg(long, default_value_t = 2)]
    list_concurrency: usize,
    /// Seconds of the ticket-creation run.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Workers of the ticket-creation run.
    #[arg(long, default_value_t = 16)]
    create_concurrency: usize,
    /// Tickets of each outage run (all about one product: `outage` from every logged-in
    /// client, `outage-one` from one client).
    #[arg(long, default_value_t = 20_000)]
    outage_tickets: usize,
    /// The server's process id, to report its CPU use (Linux).
    #[arg(long)]
    server_pid: Option<u32>,
}

type Error = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, Error>;

#[derive(Clone)]
struct Login {
    token: String,
    id: String,
    org: String,
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
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    Ok(Login {
        token: s(&body["access_token"]),
        id: s(&body["user"]["id"]),
        org: s(&body["user"]["organization_id"]),
    })
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

/// CPU seconds (user + system) a process has used so far, from /proc (Linux).
fn cpu_secs(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// One row of the table.
struct Row {
    label: String,
    count: usize,
    failed: usize,
    per_s: f64,
    p50: f64,
    p99: f64,
    max: f64,
    /// Items on the first page (the last request's), to show the measure found something.
    items: usize,
}

fn print_table(rows: &[Row]) {
    println!(
        "\n  {:<44} {:>6} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6}",
        "measure (first page, limit 50)",
        "count",
        "per s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "items",
        "failed"
    );
    for r in rows {
        println!(
            "  {:<44} {:>6} {:>8.1} {:>8.2} {:>8.2} {:>8.2} {:>6} {:>6}",
            r.label, r.count, r.per_s, r.p50, r.p99, r.max, r.items, r.failed
        );
    }
}

/// `requests` GETs of `path` (with `{i}` cycling through `logins`), `workers` at a time.
async fn measure(
    http: &reqwest::Client,
    base: &str,
    label: &str,
    path: &str,
    logins: &[Login],
    args: &Args,
) -> Row {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let cap = Duration::from_secs(args.measure_secs);
    let results: Vec<(Vec<Duration>, usize, usize)> =
        futures_util::stream::iter(0..args.list_concurrency.max(1))
            .map(|_| {
                let (http, next) = (http.clone(), next.clone());
                async move {
                    let (mut lat, mut failed, mut items) = (Vec::new(), 0, 0);
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= args.requests || started.elapsed() > cap {
                            break;
                        }
                        let who = &logins[k % logins.len()];
                        let url = format!(
                            "{base}{}",
                            path.replace("{me}", &who.id).replace("{org}", &who.org)
                        );
                        let start = Instant::now();
                        let res = http.get(&url).bearer_auth(&who.token).send().await;
                        match res {
                            Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                                Ok(v) => {
                                    lat.push(start.elapsed());
                                    items = v["items"].as_array().map_or(0, Vec::len);
                                }
                                Err(_) => failed += 1,
                            },
                            Ok(r) => {
                                if failed == 0 {
                                    eprintln!("{label}: GET {url}: {}", r.status());
                                }
                                failed += 1;
                            }
                            Err(e) => {
                                if failed == 0 {
                                    eprintln!("{label}: GET {url}: {e}");
                                }
                                failed += 1;
                            }
                        }
                    }
                    (lat, failed, items)
                }
            })
            .buffer_unordered(args.list_concurrency.max(1))
            .collect()
            .await;
    let elapsed = started.elapsed();
    let mut lat: Vec<Duration> = results.iter().flat_map(|r| r.0.clone()).collect();
    lat.sort();
    Row {
        label: label.to_string(),
        count: lat.len(),
        failed: results.iter().map(|r| r.1).sum(),
        per_s: lat.len() as f64 / elapsed.as_secs_f64(),
        p50: pct(&lat, 0.50),
        p99: pct(&lat, 0.99),
        max: lat.last().map_or(0.0, ms),
        items: results.iter().map(|r| r.2).max().unwrap_or(0),
    }
}

async fn lists(
    http: &reqwest::Client,
    base: &str,
    agents: &[Login],
    clients: &[Login],
    args: &Args,
) -> Vec<Row> {
    let one_org = &clients[..1];
    let prefix: String = word(3).chars().take(4).collect();
    let staff: Vec<(&str, String)> = vec![
        ("queue mine (agent)", "/api/v1/tickets?queue=mine".into()),
        (
            "queue unassigned",
            "/api/v1/tickets?queue=unassigned".into(),
        ),
        (
            "queue department",
            "/api/v1/tickets?queue=department".into(),
        ),
        ("queue breaching", "/api/v1/tickets?queue=breaching".into()),
        ("all tickets, newest first", "/api/v1/tickets".into()),
        ("filter status=open", "/api/v1/tickets?status=open".into()),
        (
            "filter status=closed",
            "/api/v1/tickets?status=closed".into(),
        ),
        (
            "filter priority=urgent",
            "/api/v1/tickets?priority=urgent".into(),
        ),
        (
            "filter cluster=billing",
            "/api/v1/tickets?cluster=billing".into(),
        ),
        (
            "filter channel=phone",
            "/api/v1/tickets?channel=phone".into(),
        ),
        (
            "filter organization_id",
            "/api/v1/tickets?organization_id={org}".into(),
        ),
        (
            "filter tag=refund (common)",
            "/api/v1/tickets?tag=refund".into(),
        ),
        (
            "filter tag=legal-hold (rare)",
            "/api/v1/tickets?tag=legal-hold".into(),
        ),
        (
            "filter assignee_id",
            "/api/v1/tickets?assignee_id={me}".into(),
        ),
        (
            "unassigned + priority=urgent",
            "/api/v1/tickets?queue=unassigned&priority=urgent".into(),
        ),
        (
            "breaching + cluster=billing",
            "/api/v1/tickets?queue=breaching&cluster=billing".into(),
        ),
        (
            "search q=common word",
            format!("/api/v1/tickets?q={}", word(COMMON)),
        ),
        (
            "search q=rare word",
            format!("/api/v1/tickets?q={}", word(RARE)),
        ),
        (
            "search q=prefix (4 letters)",
            format!("/api/v1/tickets?q={prefix}"),
        ),
        (
            "search q=two words",
            format!("/api/v1/tickets?q={}+{}", word(1), word(2)),
        ),
        (
            "search q=common + status=open",
            format!("/api/v1/tickets?q={}&status=open", word(COMMON)),
        ),
        (
            "queue department + q=common",
            format!("/api/v1/tickets?queue=department&q={}", word(COMMON)),
        ),
        (
            "queue department + q=rare",
            format!("/api/v1/tickets?queue=department&q={}", word(RARE)),
        ),
        // Word 300: in a few tickets per hundred, too many to list over the whole history,
        // too few for probing the queue to fill a page soon.
        (
            "queue department + q=middling",
            format!("/api/v1/tickets?queue=department&q={}", word(300)),
        ),
        // Word 24: some 7,000 search rows among the active tickets at 1,000,000 — too many
        // to look up match by match, too few per ticket for probing.
        (
            "queue department + q=in-between",
            format!("/api/v1/tickets?queue=department&q={}", word(24)),
        ),
    ];
    let mut rows = Vec::new();
    for (label, path) in staff {
        // The organisation filter needs an organisation id: a client's.
        let who: Vec<Login> = if path.contains("{org}") {
            agents
                .iter()
                .zip(clients.iter().cycle())
                .map(|(a, c)| Login {
                    org: c.org.clone(),
                    ..a.clone()
                })
                .collect()
        } else {
            agents.to_vec()
        };
        let row = measure(http, base, label, &path, &who, args).await;
        println!("  {label}: p99 {:.2} ms", row.p99);
        rows.push(row);
    }
    for (label, path, who) in [
        (
            "portal list (client users)",
            "/api/v1/tickets".to_string(),
            clients,
        ),
        (
            "portal search q=common (one client admin)",
            format!("/api/v1/tickets?q={}", word(COMMON)),
            one_org,
        ),
    ] {
        let row = measure(http, base, label, &path, who, args).await;
        println!("  {label}: p99 {:.2} ms", row.p99);
        rows.push(row);
    }
    rows
}

/// What a creation run sends: every cluster and no product for `duration` seconds, or (an
/// outage) `limit` tickets about one product.
struct Intake<'a> {
    label: String,
    clients: &'a [Login],
    product: Option<String>,
    limit: Option<usize>,
}

/// An outage: `outage_tickets` tickets about the data set's first product, from `clients`.
async fn outage(http: &reqwest::Client, base: &str, clients: &[Login], args: &Args) -> Res<Row> {
    let products: serde_json::Value = http
        .get(format!("{base}/api/v1/products"))
        .bearer_auth(&clients[0].token)
        .send()
        .await?
        .json()
        .await?;
    let product = products[0]["id"]
        .as_str()
        .ok_or("the data set has no product")?
        .to_string();
    let intake = Intake {
        label: format!(
            "POST /tickets, outage: {} tickets about one product from {} client{}",
            args.outage_tickets,
            clients.len(),
            if clients.len() == 1 { "" } else { "s" }
        ),
        clients,
        product: Some(product),
        limit: Some(args.outage_tickets),
    };
    Ok(create(http, base, &intake, args).await)
}

/// Client users open tickets from `create_concurrency` workers (see [`Intake`]).
async fn create(http: &reqwest::Client, base: &str, intake: &Intake<'_>, args: &Args) -> Row {
    let clients = intake.clients;
    let clusters = [
        "technical_problem",
        "usage_help",
        "product_not_working",
        "billing",
        "return_refund",
        "cancellation",
    ];
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> =
        futures_util::stream::iter(0..args.create_concurrency.max(1))
            .map(|_| {
                let (http, next) = (http.clone(), next.clone());
                async move {
                    let (mut lat, mut failed) = (Vec::new(), 0);
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let done = match intake.limit {
                            Some(n) => k >= n,
                            None => Instant::now() >= deadline,
                        };
                        if done {
                            break;
                        }
                        let who = &clients[k % clients.len()];
                        let mut body = json!({
                            "subject": format!("Bench request {k} {}", word(k % 5_000)),
                            "body": format!("{} {} {} — opened by the desk benchmark", word(k % 50), word(k % 700), word(k % 9_000)),
                            "cluster": clusters[k % clusters.len()],
                        });
                        if let Some(product) = &intake.product {
                            body["product_id"] = json!(product);
                            body["cluster"] = json!("product_not_working");
                        }
                        let start = Instant::now();
                        let res = http
                            .post(format!("{base}/api/v1/tickets"))
                            .bearer_auth(&who.token)
                            .json(&body)
                            .send()
                            .await;
                        match res {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                                lat.push(start.elapsed());
                            }
                            Ok(r) => {
                                if failed == 0 {
                                    let status = r.status();
                                    let text = r.text().await.unwrap_or_default();
                                    eprintln!("POST /tickets: {status} {text}");
                                }
                                failed += 1;
                            }
                            Err(e) => {
                                if failed == 0 {
                                    eprintln!("POST /tickets: {e}");
                                }
                                failed += 1;
                            }
                        }
                    }
                    (lat, failed)
                }
            })
            .buffer_unordered(args.create_concurrency.max(1))
            .collect()
            .await;
    let elapsed = started.elapsed();
    let mut lat: Vec<Duration> = results.iter().flat_map(|r| r.0.clone()).collect();
    lat.sort();
    Row {
        label: format!("{} ({} workers)", intake.label, args.create_concurrency),
        count: lat.len(),
        failed: results.iter().map(|r| r.1).sum(),
        per_s: lat.len() as f64 / elapsed.as_secs_f64(),
        p50: pct(&lat, 0.50),
        p99: pct(&lat, 0.99),
        max: lat.last().map_or(0.0, ms),
        items: 0,
    }
}

#[tokio::main]
async fn main() -> Res<()> {
    let args = Args::parse();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(256)
        .build()?;
    let base = args.base.trim_end_matches('/').to_string();
    let started = Instant::now();
    let mut agents = Vec::new();
    for k in 0..args.agents.max(1) {
        agents.push(login(&http, &base, &agent_email(k)).await?);
    }
    let mut clients = Vec::new();
    for j in 0..args.clients.max(1) {
        let [admin, member] = client_emails(j % args.orgs);
        let email = if j < args.orgs { admin } else { member };
        clients.push(login(&http, &base, &email).await?);
    }
    println!(
        "{} agents and {} client users logged in ({:.1} s)",
        agents.len(),
        clients.len(),
        started.elapsed().as_secs_f64()
    );
    let mut rows = Vec::new();
    for phase in &args.phases {
        let cpu = cpu_secs(args.server_pid);
        let t0 = Instant::now();
        match phase.as_str() {
            "lists" => rows.extend(lists(&http, &base, &agents, &clients, &args).await),
            "create" => {
                let intake = Intake {
                    label: "POST /tickets".into(),
                    clients: &clients,
                    product: None,
                    limit: None,
                };
                rows.push(create(&http, &base, &intake, &args).await);
            }
            "outage" => rows.push(outage(&http, &base, &clients, &args).await?),
            "outage-one" => rows.push(outage(&http, &base, &clients[..1], &args).await?),
            other => return Err(format!("unknown phase {other}").into()),
        }
        if let (Some(b), Some(a)) = (cpu, cpu_secs(args.server_pid)) {
            println!(
                "  {phase}: server CPU {:.2} cores busy on average over {:.1} s",
                (a - b) / t0.elapsed().as_secs_f64(),
                t0.elapsed().as_secs_f64()
            );
        }
    }
    print_table(&rows);
    Ok(())
}
