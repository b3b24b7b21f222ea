//! `zorgregie-bench`: generate (or reuse) a data set and print each figure
//! beside its reference; the table also goes to BENCHMARKS.md.
//! Usage: `scripts/bench.sh --scale region --database postgres`.

use std::{path::PathBuf, time::Duration};

use bench::{markdown, Backend, Options, Scale};
use clap::Parser;

#[derive(Parser)]
#[command(about = "zorgregie benchmarks: figures beside references, written to BENCHMARKS.md")]
struct Cli {
    #[arg(long, value_enum, default_value = "region")]
    scale: Scale,
    #[arg(long, value_enum, default_value = "sqlite")]
    database: Backend,
    /// PostgreSQL server, without a database name.
    #[arg(
        long,
        env = "BENCH_POSTGRES_URL",
        default_value = "postgres://postgres:postgres@127.0.0.1:5432"
    )]
    postgres_url: String,
    /// Directory for the SQLite data files.
    #[arg(long, default_value = "target/bench-data")]
    data_dir: PathBuf,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Build the data set again even when it exists.
    #[arg(long)]
    regenerate: bool,
    /// Seconds per wrk / pgbench run.
    #[arg(long, default_value_t = 10)]
    load_seconds: u64,
    #[arg(long, default_value_t = 16)]
    connections: u32,
    /// Only these parts: ingestion, reads, reports, outflow, indexation, worker.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Where the table goes.
    #[arg(long, default_value = "BENCHMARKS.md")]
    output: PathBuf,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let options = Options {
        scale: cli.scale,
        backend: cli.database,
        data_dir: cli.data_dir,
        postgres_url: cli.postgres_url,
        seed: cli.seed,
        regenerate: cli.regenerate,
        load_duration: Duration::from_secs(cli.load_seconds),
        connections: cli.connections,
        only: cli.only,
    };
    match bench::run(&options).await {
        Ok(figures) => {
            print!(
                "{}",
                markdown::section(options.scale, options.backend, &figures)
            );
            if let Err(e) = markdown::write(&cli.output, options.scale, options.backend, &figures) {
                eprintln!("error: writing {}: {e}", cli.output.display());
                std::process::exit(1);
            }
        }
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    }
}
