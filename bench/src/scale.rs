//! The three data-set sizes of the benchmark.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scale {
    /// One small region, built in seconds: CI runs it (no figures asserted).
    Smoke,
    /// One large region: 8 municipalities, 300 providers, 20,000 clients,
    /// ~250,000 declaration lines a year, 30,000 tariffs.
    Region,
    /// 40 regions: 12,000 providers, 1,000,000 clients, ~12,000,000 lines,
    /// ~1,000,000 tariffs.
    National,
}

/// What the generator builds for one region.
#[derive(Debug, Clone, Copy)]
pub struct RegionSize {
    pub municipalities: usize,
    pub providers: usize,
    pub clients: usize,
    /// Products in the catalogue; every provider has its own tariff for each,
    /// so tariffs = products × providers.
    pub products: usize,
}

impl Scale {
    pub fn name(self) -> &'static str {
        match self {
            Scale::Smoke => "smoke",
            Scale::Region => "region",
            Scale::National => "national",
        }
    }

    /// The regions, largest last. National regions differ in size (0.4× to
    /// 1.6× the mean) like the real ones; each has 300 providers.
    pub fn regions(self) -> Vec<RegionSize> {
        match self {
            Scale::Smoke => vec![RegionSize {
                municipalities: 4,
                providers: 20,
                clients: 300,
                products: 30,
            }],
            Scale::Region => vec![RegionSize {
                municipalities: 8,
                providers: 300,
                clients: 20_000,
                products: 100,
            }],
            Scale::National => {
                let n = 40;
                (0..n)
                    .map(|i| {
                        let factor = 0.4 + 1.2 * i as f64 / (n - 1) as f64;
                        RegionSize {
                            municipalities: 6 + i % 10,
                            providers: 300,
                            clients: (25_000.0 * factor).round() as usize,
                            products: 84,
                        }
                    })
                    .collect()
            }
        }
    }
}
