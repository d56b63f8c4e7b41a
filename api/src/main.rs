//! `tandem`: serve (default), migrate, demo, seed-bench, seed-desk, openapi, create-admin.

use std::io::Read;

use api::{config::Config, db::Db, demo, openapi, setup};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Tandem — Customer Success and support platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default): API, WebSocket, web app, background jobs.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo dataset (MagicStore and three clients; password `tandem-demo`).
    Demo,
    /// Print the OpenAPI document as YAML.
    Openapi,
    /// Create the vendor organisation (if missing) and an administrator. The password is read
    /// from TANDEM_ADMIN_PASSWORD or, if unset, from standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The vendor's name, used when the database has no vendor yet.
        #[arg(long, default_value = "Our company")]
        vendor: String,
    },
    /// Migrate, load the demo if absent, then add the benchmark data set: client
    /// organisations (two users each, password `tandem-demo`) shared by bench CSMs
    /// (csm-bench-K@magicstore.test), one project each, and chat messages.
    SeedBench {
        /// Client organisations, one project each.
        #[arg(long, default_value_t = 2_000)]
        projects: usize,
        /// Checklist items per project (the built-in template, repeated).
        #[arg(long, default_value_t = 60)]
        items: usize,
        /// Chat messages in all, spread over the projects.
        #[arg(long, default_value_t = 200_000)]
        messages: usize,
        /// Bench CSMs; the organisations are assigned to them in turn.
        #[arg(long, default_value_t = 20)]
        csms: usize,
    },
    /// Migrate, load the demo if absent, then add the support-desk benchmark data set: client
    /// organisations (two users each, password `tandem-demo`), support agents
    /// (agent-desk-K@magicstore.test) in the demo departments, tickets with their messages,
    /// tags, history and search index.
    SeedDesk {
        #[arg(long, default_value_t = 1_000_000)]
        tickets: usize,
        /// Messages in all, spread over the tickets (at least one each).
        #[arg(long, default_value_t = 5_000_000)]
        messages: usize,
        /// Client organisations; tickets are dealt to them in turn.
        #[arg(long, default_value_t = 2_000)]
        orgs: usize,
        /// Support agents, dealt to the departments in turn.
        #[arg(long, default_value_t = 100)]
        agents: usize,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        match openapi::yaml_text() {
            Ok(text) => print!("{text}"),
            Err(e) => fail(&e),
        }
        return;
    }
    let config = Config::load().unwrap_or_else(|e| fail(&e));
    init_logging(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&e.to_string()));
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runtime.block_on(serve(config)),
        Command::Migrate => migrate(&config),
        Command::Demo => runtime.block_on(load_demo(config)),
        Command::CreateAdmin {
            email,
            name,
            vendor,
        } => create_admin(&config, &email, &name, &vendor),
        Command::SeedBench {
            projects,
            items,
            messages,
            csms,
        } => seed_bench(
            &config,
            &api::seed::Options {
                projects,
                items,
                messages,
                csms,
            },
        ),
        Command::SeedDesk {
            tickets,
            messages,
            orgs,
            agents,
        } => seed_desk(
            &config,
            &api::seed_desk::Options {
                tickets,
                messages,
                orgs,
                agents,
            },
        ),
        Command::Openapi => Ok(()),
    };
    if let Err(e) = result {
        fail(&e);
    }
}

fn fail(message: &str) -> ! {
    eprintln!("tandem: {message}");
    std::process::exit(1)
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let database = api::db::Backend::from_url(&config.database_url)?.name();
    let state = api::prepare(config).await?;
    let running = api::start(state)?;
    tracing::info!(address = %running.addr, database, "tandem is listening");
    let handle = running.handle.clone();
    // actix stops gracefully on SIGINT/SIGTERM: it stops accepting and lets requests finish.
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
        handle.stop(true).await;
    });
    running
        .server
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

fn migrate(config: &Config) -> Result<(), String> {
    let db = Db::connect(&config.database_url, 1)?;
    let ran = db.migrate()?;
    println!("{ran} migration(s) applied to {}", db.backend().name());
    Ok(())
}

async fn load_demo(config: Config) -> Result<(), String> {
    let state = api::prepare(config).await?;
    let loaded = state.db.run(demo::load).await.map_err(|e| e.to_string())?;
    state
        .db
        .run(api::demo_story::tell)
        .await
        .map_err(|e| e.to_string())?;
    if loaded {
        println!(
            "demo dataset loaded; sign in as admin@magicstore.test (or any demo login) with password {}",
            demo::PASSWORD
        );
    } else {
        println!("demo dataset already present");
    }
    Ok(())
}

fn seed_bench(config: &Config, opts: &api::seed::Options) -> Result<(), String> {
    let db = Db::connect(&config.database_url, 1)?;
    api::seed::run(&db, opts, |line| println!("{line}"))
}

fn seed_desk(config: &Config, opts: &api::seed_desk::Options) -> Result<(), String> {
    let db = Db::connect(&config.database_url, 1)?;
    api::seed_desk::run(&db, opts, |line| println!("{line}"))
}

fn create_admin(config: &Config, email: &str, name: &str, vendor: &str) -> Result<(), String> {
    let password = match std::env::var("TANDEM_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| e.to_string())?;
            text.trim_end_matches(['\n', '\r']).to_string()
        }
    };
    let db = Db::connect(&config.database_url, 1)?;
    db.migrate()?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let id = setup::create_admin(&mut conn, vendor, email, name, &password)?;
    println!("administrator {email} created (id {id})");
    Ok(())
}
