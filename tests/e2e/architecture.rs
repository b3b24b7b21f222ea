//! The shape of the code (issue 26, ARCHITECTURE.md), checked from its
//! source: the HTTP edge does not write to the database, the domain knows
//! no HTTP and depends on no edge, and the worker holds no domain work.

use std::{fs, path::PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Rust files below `dir`, with their text minus comment lines.
fn sources(dir: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![repo().join(dir)];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                let code = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                found.push((path.display().to_string(), code));
            }
        }
    }
    assert!(!found.is_empty(), "no sources under {dir}");
    found
}

/// What writing to the database looks like in sea-orm, and writing the
/// audit trail (which the domain does with the change it records).
const WRITES: &[&str] = &[
    "ActiveModel",
    "Set(",
    ".insert(",
    ".update(",
    ".delete(",
    "insert_many",
    "update_many",
    "delete_many",
    "delete_scoped",
    "update_scoped",
    "exec_without_returning",
    ".record(",
];

#[test]
fn routes_and_dashboard_do_not_write_to_the_database() {
    let mut offenders = Vec::new();
    for dir in ["api/src/routes", "api/src/dashboard"] {
        for (path, code) in sources(dir) {
            for (no, line) in code.lines().enumerate() {
                if let Some(write) = WRITES.iter().find(|w| line.contains(**w)) {
                    offenders.push(format!("{path}:{}: {write}", no + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "the edge writes to the database; move this into a domain operation:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_domain_knows_no_http_and_depends_on_no_edge() {
    let manifest = fs::read_to_string(repo().join("domain/Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("domain has dependencies");
    for edge in ["api", "worker", "actix", "utoipa", "apalis"] {
        assert!(
            !dependencies
                .lines()
                .any(|l| l.trim_start().starts_with(edge)),
            "domain/Cargo.toml depends on {edge}"
        );
    }
    // The API's views: every type it declares whose name ends in `Out`.
    let views: Vec<String> = sources("api/src")
        .iter()
        .flat_map(|(_, code)| code.split("pub struct ").skip(1))
        .filter_map(|rest| rest.split(|c: char| !c.is_alphanumeric()).next())
        .filter(|name| name.ends_with("Out"))
        .map(str::to_owned)
        .collect();
    assert!(views.len() > 20, "the views were not found: {views:?}");
    for (path, code) in sources("domain/src") {
        let words: Vec<&str> = code
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .collect();
        for word in ["actix_web", "utoipa", "ApiError", "HttpResponse"] {
            assert!(!words.contains(&word), "{path} names {word}");
        }
        let view = views.iter().find(|v| words.contains(&v.as_str()));
        assert_eq!(view, None, "{path} names an API view");
    }
}

#[test]
fn the_worker_is_queue_schedule_and_dispatch() {
    let mut files: Vec<String> = sources("worker/src")
        .into_iter()
        .map(|(path, _)| path.rsplit('/').next().unwrap_or_default().to_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["lib.rs", "main.rs", "queue.rs", "schedule.rs"]);
}
