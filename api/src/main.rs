//! The `api` binary: serve (default), migrate, mint a development token,
//! or print the OpenAPI document.

use api::{auth::Claims, auth::JwtKeys, config::Config};
use clap::{Parser, Subcommand};
use entities::enums::Role;

#[derive(Parser)]
#[command(name = "api", about = "zorgregie API server", version)]
struct Cli {
    /// Load the five demo regions of DOMAIN.md (only into an empty database).
    #[arg(long)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve {
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print a signed development token (HS256 with JWT_SECRET) to stdout.
    Token {
        /// Region code, or `*` with `--role platform-admin`.
        #[arg(long)]
        region: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// CBS code for an access-team token.
        #[arg(long)]
        municipality: Option<String>,
        /// AGB code for a provider token.
        #[arg(long)]
        agb: Option<String>,
        #[arg(long, default_value = "developer")]
        sub: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: i64,
    },
    /// Print the OpenAPI document (as committed in openapi/openapi.json).
    Openapi,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command {
        Some(Command::Token {
            region,
            role,
            municipality,
            agb,
            sub,
            ttl,
        }) => {
            let keys = JwtKeys::new(&config.jwt)?;
            let mut claims = Claims::new(&sub, &region, role, &config.jwt, ttl);
            claims.municipality = municipality;
            claims.agb = agb;
            println!("{}", keys.sign(&claims).map_err(|e| e.to_string())?);
            Ok(())
        }
        Some(Command::Openapi) => {
            print!("{}", api::openapi_json());
            Ok(())
        }
        Some(Command::Migrate) => {
            init_tracing();
            api::db::migrate(&config.database_url)
                .await
                .map_err(|e| e.to_string())
        }
        Some(Command::Serve { demo }) => serve(config, demo || cli.demo).await,
        None => serve(config, cli.demo).await,
    }
}

fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .init();
}

async fn serve(config: Config, demo: bool) -> Result<(), String> {
    init_tracing();
    if config.jwt.secret_is_default {
        tracing::warn!("JWT_SECRET is not set: using the built-in development secret; never do this in production");
    }
    if config.data_keys.is_default {
        tracing::warn!("DATA_ENCRYPTION_KEY is not set: the client vault uses the built-in development key; never do this in production");
    }
    let state = api::build_state(config).await?;
    if demo {
        api::demo::load(
            &state.db,
            &state.config.client_key_secret,
            &state.config.data_keys,
        )
        .await?;
    }
    if state.config.embedded_worker {
        tracing::info!("running the worker in-process");
        api::app::spawn_embedded_worker(&state);
        api::app::spawn_embedded_schedule(&state);
    }
    api::serve(state).await.map_err(|e| e.to_string())
}
