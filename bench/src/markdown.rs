//! BENCHMARKS.md: one section per scale and database, replaced on each run,
//! under a header naming the machine.

use std::path::Path;

use crate::{Backend, Figure, Scale};

/// The machine, as the figures depend on it: CPU model, cores, memory.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    format!("{model}, {cores} cores, {memory_gib:.0} GiB")
}

pub fn section(scale: Scale, backend: Backend, figures: &[Figure]) -> String {
    let mut out = format!(
        "## {} on {}\n\nMeasured {} on {}.\n\n| figure | zorgregie | reference | ratio | target |\n|---|---|---|---|---|\n",
        scale.name(),
        backend.name(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        machine()
    );
    for f in figures {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            f.what,
            f.measured,
            f.reference,
            f.ratio.map_or("–".into(), |r| format!("{r:.2}×")),
            f.target
        ));
    }
    out
}

const HEADER: &str = "# Benchmarks\n\nWritten by `scripts/bench.sh` (see the README). Each section is one run of one scale on one database; a new run replaces its section. Ratios are oriented so that above 1 means zorgregie is faster than the reference (rate ÷ rate, or the reference's time ÷ ours).\n\n<!-- notes -->\n";

/// Replaces (or adds) the section for this scale and database in `path`.
pub fn write(
    path: &Path,
    scale: Scale,
    backend: Backend,
    figures: &[Figure],
) -> std::io::Result<()> {
    let current = std::fs::read_to_string(path).unwrap_or_else(|_| HEADER.to_owned());
    let heading = format!("## {} on {}\n", scale.name(), backend.name());
    let new = section(scale, backend, figures);
    let updated = match current.find(&heading) {
        Some(start) => {
            let rest = &current[start + heading.len()..];
            let end = rest
                .find("\n## ")
                .map_or(current.len(), |i| start + heading.len() + i + 1);
            format!("{}{}{}", &current[..start], new, &current[end..])
        }
        None => format!("{}\n{}", current.trim_end(), format_args!("\n\n{new}")),
    };
    std::fs::write(path, updated)
}
