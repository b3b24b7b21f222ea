//! The `smoke` scale end to end on SQLite and PostgreSQL: the generator, the
//! api and worker processes, every measurement and the BENCHMARKS.md writer
//! work. Timings are printed, never asserted. Needs the debug `api` and
//! `worker` binaries (`scripts/test.sh` builds them first).

use std::time::Duration;

use bench::{markdown, Backend, Options, Scale};

fn postgres_server() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL").ok()?;
    Some(url.rsplit_once('/')?.0.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_smoke_scale_runs_on_sqlite_and_postgresql() {
    let dir = std::env::temp_dir().join(format!("zorgregie-bench-smoke-{}", std::process::id()));
    let mut backends = vec![Backend::Sqlite];
    match postgres_server() {
        Some(_) => backends.push(Backend::Postgres),
        None if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true needs TEST_DATABASE_URL")
        }
        None => eprintln!("TEST_DATABASE_URL is not set: PostgreSQL skipped"),
    }
    for backend in backends {
        let options = Options {
            scale: Scale::Smoke,
            backend,
            data_dir: dir.clone(),
            postgres_url: postgres_server().unwrap_or_default(),
            seed: 7,
            regenerate: true,
            load_duration: Duration::from_secs(1),
            connections: 4,
            only: Vec::new(),
        };
        let figures = bench::run(&options)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        let table = markdown::section(Scale::Smoke, backend, &figures);
        println!("{table}");
        for what in [
            "declaration ingestion",
            "iWmo 323 import",
            "API read: tariff by id",
            "API read: allocation by number",
            "api peak RSS",
            "monitoring report 2025, largest region",
            "monitoring report 2025, all 1 regions",
            "outflow check",
            "indexation apply, 600 tariffs",
            "worker peak RSS",
            "concurrent ingestion",
        ] {
            assert!(
                figures.iter().any(|f| f.what.starts_with(what)),
                "{}: no figure for {what}:\n{table}",
                backend.name()
            );
        }
        // A second run reuses the data set and measures again.
        let again = bench::run(&Options {
            regenerate: false,
            ..options
        })
        .await
        .unwrap_or_else(|e| panic!("{} (reused data): {e}", backend.name()));
        assert_eq!(again.len(), figures.len());

        let file = dir.join("BENCHMARKS.md");
        markdown::write(&file, Scale::Smoke, backend, &figures).unwrap();
        markdown::write(&file, Scale::Smoke, backend, &again).unwrap();
        let written = std::fs::read_to_string(&file).unwrap();
        let heading = format!("## smoke on {}\n", backend.name());
        assert_eq!(
            written.matches(&heading).count(),
            1,
            "one section per run:\n{written}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
