//! `tandem`: serve (default), migrate, demo, openapi, create-admin.

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
