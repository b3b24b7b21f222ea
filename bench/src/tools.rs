//! The outside programs the benchmark drives and reads: the `api` and
//! `worker` binaries (as child processes, so their memory is their own),
//! `wrk`, `pgbench` and DuckDB (through `python3`).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

/// The directory with the `api` and `worker` binaries: `ZORGREGIE_BIN_DIR`,
/// else next to this executable (or one up, for test executables in `deps/`).
pub fn bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("ZORGREGIE_BIN_DIR") {
        return Ok(dir.into());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    for _ in 0..2 {
        if dir.join("api").is_file() && dir.join("worker").is_file() {
            return Ok(dir);
        }
        dir = dir.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    Err("the api and worker binaries were not found next to the bench: run `cargo build --release -p api -p worker` first (or set ZORGREGIE_BIN_DIR)".into())
}

pub fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A child process killed when dropped.
pub struct Process {
    child: Child,
}

impl Process {
    pub fn spawn(binary: &Path, args: &[&str], env: &[(&str, String)]) -> Result<Self, String> {
        let mut command = Command::new(binary);
        command
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        command.env("RUST_LOG", "warn");
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", binary.display()))?;
        Ok(Self { child })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident set size so far (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let kib: f64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(kib / 1024.0)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Requests per second and p99 latency (ms) under load.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub per_second: f64,
    pub p99_ms: f64,
}

/// `wrk` at fixed concurrency against one URL with a bearer token.
pub fn wrk(url: &str, token: &str, connections: u32, duration: Duration) -> Result<Load, String> {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{}s", duration.as_secs().max(1)),
            "--latency",
            "-H",
            &format!("Authorization: Bearer {token}"),
            url,
        ])
        .output()
        .map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if text.contains("Non-2xx") {
        return Err(format!("wrk saw error responses:\n{text}"));
    }
    let per_second = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("wrk printed no rate:\n{text}"))?;
    let p99_ms = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| wrk_duration_ms(v.trim()))
        .ok_or_else(|| format!("wrk printed no p99:\n{text}"))?;
    Ok(Load { per_second, p99_ms })
}

fn wrk_duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

/// `pgbench` running one SQL statement at the same concurrency (prepared,
/// as sqlx prepares), with per-transaction logs for the p99.
pub fn pgbench(url: &str, sql: &str, connections: u32, duration: Duration) -> Result<Load, String> {
    let dir = std::env::temp_dir().join(format!("zorgregie-pgbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let script = dir.join("query.sql");
    std::fs::write(&script, format!("{sql};\n")).map_err(|e| e.to_string())?;
    let output = Command::new("pgbench")
        .current_dir(&dir)
        .args([
            "-n",
            "-M",
            "prepared",
            &format!("-c{connections}"),
            "-j2",
            &format!("-T{}", duration.as_secs().max(1)),
            "-l",
            "--log-prefix=tx",
            "-f",
        ])
        .arg(&script)
        .arg(url)
        .output()
        .map_err(|e| format!("pgbench: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let per_second = text
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            format!(
                "pgbench printed no tps:\n{text}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    // Log lines: client, transaction, latency (µs), script, epoch, µs.
    let mut latencies: Vec<u64> = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with("tx") {
            let log = std::fs::read_to_string(entry.path()).unwrap_or_default();
            latencies.extend(
                log.lines()
                    .filter_map(|l| l.split_whitespace().nth(2)?.parse::<u64>().ok()),
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    latencies.sort_unstable();
    let p99_ms = latencies
        .get(latencies.len().saturating_sub(1) * 99 / 100)
        .map(|us| *us as f64 / 1000.0)
        .ok_or("pgbench wrote no transaction log")?;
    Ok(Load { per_second, p99_ms })
}

/// DuckDB's time (seconds) for the report aggregates over a CSV of approved
/// lines: for the largest region and for all regions.
pub fn duckdb(csv: &Path, largest_region: &str) -> Result<(f64, f64), String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/duckdb_report.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(csv)
        .arg(largest_region)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "duckdb_report.py: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("duckdb_report.py: {e}"))?;
    match (v["largest"].as_f64(), v["all"].as_f64()) {
        (Some(l), Some(a)) => Ok((l, a)),
        _ => Err(format!("duckdb_report.py printed {v}")),
    }
}

pub fn duckdb_installed() -> bool {
    Command::new("python3")
        .args(["-c", "import duckdb"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
