//! The five regions as their seed documents (`../shared/seeds/`) describe
//! them: municipalities (CBS codes and inhabitants), lots, products with
//! their iWmo/iJw category (WMO020, JZ020), procurement tracks with their
//! terms, and the regional rules the seeds give. Provider names, AGB/KvK numbers, prices and whatever a seed leaves
//! open are invented; where the demo fills a gap, the comment says so.

use entities::enums::{
    ArrangementPeriod, FundingVariant, Law, ProcurementForm, Unit, VolumeFrequency,
};

use FundingVariant::{Effort, Output, Task};
use Law::{Jeugdwet, Wmo};
use ProcurementForm::{OpenHouse, SasTender};
use Unit::{Day, DayPart, Hour, Piece};
use VolumeFrequency::{Month, Total, Week};

pub(super) struct DemoRegion {
    pub code: &'static str,
    pub name: &'static str,
    /// (CBS code, name, inhabitants). The inhabitants are CBS's figures
    /// for 1 January 2024 rounded to hundreds, so approximate, not exact
    /// counts; the demo has no exact later figures either, so it stores
    /// this same rounded figure for every year it shows (the reporting
    /// window, the trends' two years and the next year, see
    /// `catalogue::years_shown`), and spend per inhabitant is never blank.
    pub municipalities: &'static [(&'static str, &'static str, i64)],
    /// (code, name, law)
    pub groups: &'static [(&'static str, &'static str, Law)],
    pub products: &'static [DemoProduct],
    /// (kind, scope, rules)
    pub policies: &'static [(&'static str, &'static str, &'static str)],
    pub providers: &'static [DemoProvider],
    /// Procurement tracks; each admitted provider gets one contract per track.
    pub tracks: &'static [Track],
    /// A provider's own tariff, 2 % above the region's from 2026: (product
    /// code, provider index). Seed 000 §4.3 and seed 004 §6 allow them.
    pub differentiated_tariff: Option<(&'static str, usize)>,
    /// Clients of the generated year.
    pub clients: u32,
}

pub(super) struct DemoProduct {
    pub code: &'static str,
    pub name: &'static str,
    pub group: &'static str,
    /// iWmo WMO020 / iJw JZ020 product category.
    pub category: &'static str,
    pub unit: Unit,
    pub variant: FundingVariant,
    /// The 2025 price in cents; `None` for a product without a unit price.
    pub price_2025: Option<i64>,
    /// The last day the region buys the product, if it stops buying it.
    pub last_day: Option<(i32, u32, u32)>,
    /// From this day only the product's current clients get it (seed 002
    /// §4.3): the generated year allocates it to them alone.
    pub closed_from: Option<(i32, u32, u32)>,
    /// An arrangement (output-funded, a piece per month or per stay): the
    /// allocation grants the months (or the one stay) in total, and each is
    /// declared once.
    pub arrangement: Option<ArrangementPeriod>,
    /// How the generated year allocates it; `None`: never allocated on its
    /// own (temporary intensive comes with its main product; a task product
    /// is paid as a lump sum).
    pub usage: Option<Usage>,
    /// For a temporary-intensive product: the code of its main product.
    pub intensive_for: Option<&'static str>,
}

/// How often a product is allocated and with which volume.
#[derive(Clone, Copy)]
pub(super) struct Usage {
    /// Relative share of the region's allocations.
    pub share: u32,
    pub frequency: VolumeFrequency,
    /// Units per frequency window, from..=to.
    pub amount: (i64, i64),
    /// Length of an allocation in months, from..=to.
    pub months: (u32, u32),
}

pub(super) struct DemoProvider {
    pub name: &'static str,
    pub self_employed: bool,
    /// Relative chance to be chosen where it is contracted; 0 serves no one.
    pub share: u32,
}

/// One procurement track (a lot, or the lots procured together), and the
/// providers it admitted.
pub(super) struct Track {
    pub form: ProcurementForm,
    pub start: (i32, u32, u32),
    pub initial_term_months: u32,
    pub extension_options_months: &'static [u32],
    pub extensions_exercised: u32,
    pub groups: &'static [&'static str],
    /// Indices into the region's providers.
    pub providers: &'static [usize],
    /// Municipalities (CBS) that buy these lots themselves.
    pub except: &'static [&'static str],
    /// The notice the contract requires, in months (0: the general terms).
    pub notice_months: u32,
}

const fn product(
    code: &'static str,
    name: &'static str,
    group: &'static str,
    category: &'static str,
    unit: Unit,
    cents: i64,
    usage: Option<Usage>,
) -> DemoProduct {
    DemoProduct {
        code,
        name,
        group,
        category,
        unit,
        variant: Effort,
        price_2025: Some(cents),
        last_day: None,
        closed_from: None,
        arrangement: None,
        usage,
        intensive_for: None,
    }
}

/// An arrangement: output-funded, one piece per `per` at `cents`.
const fn arrangement(
    code: &'static str,
    name: &'static str,
    group: &'static str,
    category: &'static str,
    per: ArrangementPeriod,
    cents: i64,
    usage: Option<Usage>,
) -> DemoProduct {
    DemoProduct {
        variant: Output,
        arrangement: Some(per),
        ..product(code, name, group, category, Piece, cents, usage)
    }
}

/// The hourly temporary-intensive product of `main` (seed 000 §4.1).
const fn intensive(code: &'static str, name: &'static str, main: &'static str) -> DemoProduct {
    DemoProduct {
        intensive_for: Some(main),
        ..product(code, name, "BW", "15", Hour, 7_000, None)
    }
}

const fn usage(
    share: u32,
    frequency: VolumeFrequency,
    amount: (i64, i64),
    months: (u32, u32),
) -> Option<Usage> {
    Some(Usage {
        share,
        frequency,
        amount,
        months,
    })
}

const fn provider(name: &'static str, share: u32) -> DemoProvider {
    DemoProvider {
        name,
        self_employed: false,
        share,
    }
}

/// A day product used every day: 7 days a week.
const fn daily(share: u32, months: (u32, u32)) -> Option<Usage> {
    usage(share, Week, (7, 7), months)
}

/// Midden-IJssel/Oost-Veluwe's open house of 2019, 1 January 2019 to 31
/// December 2025 (seed 004 §1).
const fn open_house_2019(
    groups: &'static [&'static str],
    providers: &'static [usize],
    except: &'static [&'static str],
) -> Track {
    Track {
        form: OpenHouse,
        start: (2019, 1, 1),
        initial_term_months: 84,
        extension_options_months: &[],
        extensions_exercised: 0,
        groups,
        providers,
        except,
        notice_months: 0,
    }
}

/// Midden-IJssel/Oost-Veluwe's open house from 1 January 2026 through 2036
/// (seed 004 §6 and its title).
const fn open_house_2026(
    groups: &'static [&'static str],
    providers: &'static [usize],
    except: &'static [&'static str],
) -> Track {
    Track {
        form: OpenHouse,
        start: (2026, 1, 1),
        initial_term_months: 132,
        extension_options_months: &[],
        extensions_exercised: 0,
        groups,
        providers,
        except,
        notice_months: 0,
    }
}

const INDEXATION: (&str, &str, &str) = (
    "indexation",
    "region",
    r#"{"weights": {"ova": "0.9", "ppc": "0.1"}, "postCalculation": true, "indexDecimals": 2,
        "indexRounding": "half-away-from-zero", "tariffDecimals": 2,
        "tariffRounding": "half-away-from-zero", "previewOn": "10-01"}"#,
);

/// Seed 001 §4.3: "Het vastgestelde tarief zal jaarlijks geïndexeerd
/// worden op basis van de CAO-ontwikkelingen": Rijk van Nijmegen's wage
/// component follows the series `cao` (the wage development of the care
/// CAOs; the seed names no CAO), materials the price index `ppc`, weighted
/// as the other regions weigh theirs.
const INDEXATION_CAO: (&str, &str, &str) = (
    "indexation",
    "region",
    r#"{"weights": {"cao": "0.9", "ppc": "0.1"}, "postCalculation": true, "indexDecimals": 2,
        "indexRounding": "half-away-from-zero", "tariffDecimals": 2,
        "tariffRounding": "half-away-from-zero", "previewOn": "10-01"}"#,
);

/// Index figures: (series, year, forecast, definitive); a region gets those
/// of the series its indexation policy weighs. Invented, but 0.9 × 5.20 +
/// 0.1 × 2.80 = 4.96 % is the index the 2026 tariffs carry (the 2026 CAO
/// figures are the OVA's, so every region's 2026 tariffs are alike); for
/// 2027: 0.9 × 3.90 + 0.1 × 2.10 + 0.9 × (5.35 − 5.20) + 0.1 × (2.60 −
/// 2.80) = 3.835 → 3.84 % on the OVA, and 0.9 × 4.20 + 0.1 × 2.10 + 0.135 −
/// 0.02 = 4.105 → 4.11 % on the CAO figures.
pub(super) const INDEX_FIGURES: &[(&str, i32, &str, Option<&str>)] = &[
    ("ova", 2026, "5.20", Some("5.35")),
    ("cao", 2026, "5.20", Some("5.35")),
    ("ppc", 2026, "2.80", Some("2.60")),
    ("ova", 2027, "3.90", None),
    ("cao", 2027, "4.20", None),
    ("ppc", 2027, "2.10", None),
];

pub(super) const REGIONS: &[DemoRegion] = &[
    // Seed 000: Beschermd Wonen and Beschermd Thuis, products A–E (§4.1),
    // P×Q per day, each main product with temporary intensive in hours.
    DemoRegion {
        code: "centraal-gelderland",
        name: "Centraal Gelderland",
        municipalities: &[
            ("GM0274", "Renkum", 31_800),
            ("GM1734", "Overbetuwe", 49_600),
            ("GM0202", "Arnhem", 166_000),
            ("GM0277", "Rozendaal", 1_700),
            ("GM0293", "Westervoort", 15_200),
            ("GM1705", "Lingewaard", 48_600),
            ("GM0226", "Duiven", 25_900),
            ("GM0275", "Rheden", 44_200),
            ("GM0221", "Doesburg", 11_500),
            ("GM0299", "Zevenaar", 45_000),
        ],
        groups: &[("BW", "Beschermd Wonen en Beschermd Thuis", Wmo)],
        products: &[
            product(
                "BW0A1",
                "A. Zelfstandig Beschermd Thuis",
                "BW",
                "15",
                Day,
                9_650,
                daily(5, (6, 18)),
            ),
            intensive(
                "BW0A2",
                "A. Zelfstandig Beschermd Thuis, tijdelijk intensief",
                "BW0A1",
            ),
            product(
                "BW0B1",
                "B. Beschermd Thuis",
                "BW",
                "15",
                Day,
                13_540,
                daily(4, (6, 18)),
            ),
            intensive("BW0B2", "B. Beschermd Thuis, tijdelijk intensief", "BW0B1"),
            product(
                "BW0C1",
                "C. Beschermd Wonen",
                "BW",
                "15",
                Day,
                18_275,
                daily(3, (9, 24)),
            ),
            intensive("BW0C2", "C. Beschermd Wonen, tijdelijk intensief", "BW0C1"),
            // A short stay to relieve, not a place to live: kortdurend verblijf.
            product(
                "BW0D1",
                "D. Logeren",
                "BW",
                "04",
                Day,
                12_100,
                usage(1, Month, (2, 6), (3, 12)),
            ),
            product("BW0E1", "E. Afwezigheidsdag", "BW", "15", Day, 6_050, None),
        ],
        // Seed 000 §4.1 and §4.4, and the alert levels of DOMAIN.md.
        policies: &[
            (
                "temporary-intensive",
                "BW0A1",
                r#"{"maxMonths": 3, "per": "calendar-year"}"#,
            ),
            (
                "temporary-intensive",
                "BW0B1",
                r#"{"maxMonths": 3, "per": "calendar-year"}"#,
            ),
            (
                "temporary-intensive",
                "BW0C1",
                r#"{"maxMonths": 12, "per": "allocation"}"#,
            ),
            ("self-employed", "GM0202", r#"{"forbidden": true}"#),
            ("self-employed", "GM1734", r#"{"forbidden": true}"#),
            ("budget-alerts", "region", r#"{"levelsPercent": [80, 100]}"#),
            INDEXATION,
        ],
        providers: &[
            provider("Stichting Beschermd Thuis Veluwezoom", 30),
            provider("Pro Persona Wonen", 25),
            provider("Iriszorg Beschermd Wonen", 15),
            DemoProvider {
                name: "RIBW Arnhem & Veluwe Vallei",
                self_employed: true,
                share: 20,
            },
            provider("Thuis in de Wijk Rheden", 8),
            provider("Kleinschalig Wonen Zevenaar", 2),
        ],
        tracks: &[
            // The contracts that "lopen op 1 januari 2026 af" (§1); the new
            // ones cannot start then (§4.7), so the region bridged a year.
            // Their form, start and bridging year are the demo's.
            Track {
                form: ProcurementForm::EuTender,
                start: (2022, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[12],
                extensions_exercised: 1,
                groups: &["BW"],
                providers: &[0, 1, 2, 3, 4, 5],
                except: &[],
                notice_months: 0,
            },
            // §4.2: European procedure (above € 750,000), SAS without EMVI
            // (§4.8) with a manageable number of providers; 4 years + 2 × 2.
            // The seed gives no start date after 1 January 2026; procedures
            // published after 1 April start on the next 1 January (§4.7).
            Track {
                form: SasTender,
                start: (2027, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[24, 24],
                extensions_exercised: 0,
                groups: &["BW"],
                providers: &[0, 1, 2, 3, 4],
                except: &[],
                notice_months: 0,
            },
        ],
        differentiated_tariff: Some(("BW0A1", 0)),
        clients: 70,
    },
    // Seed 001: Wmo ambulant; a European SAS procedure (§3.1), framework
    // contracts 4 years + 3 × 3 years, 1 January 2025 – 31 December 2037
    // (§3.5), P×Q per hour or day (§4.3), tariffs indexed on the CAO
    // figures (§4.3).
    DemoRegion {
        code: "rijk-van-nijmegen",
        name: "Rijk van Nijmegen",
        municipalities: &[
            ("GM1945", "Berg en Dal", 35_800),
            ("GM0209", "Beuningen", 26_400),
            ("GM0225", "Druten", 19_900),
            ("GM0252", "Heumen", 16_900),
            ("GM0944", "Mook en Middelaar", 8_000),
            ("GM0268", "Nijmegen", 184_000),
            ("GM0296", "Wijchen", 41_700),
        ],
        groups: &[
            ("BEG", "Begeleiding", Wmo),
            ("DB", "Dagbesteding", Wmo),
            ("KV", "Kortdurend verblijf", Wmo),
        ],
        products: &[
            product(
                "02A01",
                "Begeleiding regulier",
                "BEG",
                "02",
                Hour,
                6_840,
                usage(10, Week, (2, 6), (6, 12)),
            ),
            product(
                "02A02",
                "Begeleiding specialistisch",
                "BEG",
                "02",
                Hour,
                7_820,
                usage(5, Week, (2, 5), (6, 12)),
            ),
            product(
                "07A01",
                "Dagbesteding basis",
                "DB",
                "07",
                DayPart,
                4_520,
                usage(3, Week, (2, 6), (6, 12)),
            ),
            product(
                "07A02",
                "Dagbesteding specialistisch",
                "DB",
                "07",
                DayPart,
                5_960,
                usage(2, Week, (2, 4), (6, 12)),
            ),
            product(
                "04A01",
                "Kortdurend verblijf",
                "KV",
                "04",
                Day,
                15_000,
                usage(1, Month, (2, 4), (3, 6)),
            ),
        ],
        policies: &[INDEXATION_CAO],
        providers: &[
            provider("Driestroom", 30),
            provider("Stichting Dagbesteding Nijmegen", 20),
            provider("Begeleiding Waal en Rijn", 25),
            provider("Logeerhuis De Linde", 10),
            provider("Buurtzorg Begeleiding Nijmegen", 12),
            provider("Stichting Ambulant Wijchen", 2),
            provider("Zorgboerderij De Ooij", 8),
        ],
        tracks: &[
            Track {
                form: SasTender,
                start: (2025, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[36, 36, 36],
                extensions_exercised: 0,
                groups: &["BEG"],
                providers: &[0, 2, 4, 5],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: SasTender,
                start: (2025, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[36, 36, 36],
                extensions_exercised: 0,
                groups: &["DB"],
                providers: &[0, 1, 6],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: SasTender,
                start: (2025, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[36, 36, 36],
                extensions_exercised: 0,
                groups: &["KV"],
                providers: &[3],
                except: &[],
                notice_months: 0,
            },
        ],
        differentiated_tariff: None,
        clients: 120,
    },
    // Seed 002: Wmo and Jeugd, extramural; no more open house after 1
    // January 2023 (§6.1) but a tender (the SAS regime, Bijlage 5) for at
    // least 3 years + 2 × 3 (§6.3); the first option has been exercised.
    // The tender buys §4.3's new lots: begeleiding individual and in a
    // group together in one lot, dagbesteding a lot of its own, and
    // persoonlijke verzorging no longer a lot but a transition for its
    // current clients only (closed to new clients from 1 January 2023).
    // Before 2023 the open house carried persoonlijke verzorging (the demo
    // keeps only that contract of it, for the clients who held it then).
    // Bijlage 3: "onderzoeken of een minimaal aantal cliënten per aanbieder
    // vereist kan worden"; the demo sets that minimum at 10, counted over
    // the last twelve months.
    DemoRegion {
        code: "rivierenland",
        name: "Rivierenland",
        municipalities: &[
            ("GM0214", "Buren", 28_100),
            ("GM0216", "Culemborg", 30_100),
            ("GM1740", "Neder-Betuwe", 25_400),
            ("GM0281", "Tiel", 43_000),
            ("GM1960", "West Betuwe", 52_300),
            ("GM0668", "West Maas en Waal", 20_200),
        ],
        groups: &[
            ("PV", "Persoonlijke verzorging (overgangsregeling)", Wmo),
            ("BEG", "Begeleiding (individueel en groepsgewijs)", Wmo),
            ("DB", "Dagbesteding", Wmo),
            ("JAB", "Ambulante begeleiding", Jeugdwet),
            ("JBH", "Ambulante behandeling", Jeugdwet),
            ("JLO", "Logeren", Jeugdwet),
        ],
        products: &[
            // §4.3: "enkel doorgezet voor de huidige groep gebruikers".
            DemoProduct {
                closed_from: Some((2023, 1, 1)),
                ..product(
                    "03B01",
                    "Persoonlijke verzorging",
                    "PV",
                    "03",
                    Hour,
                    6_150,
                    usage(1, Week, (2, 5), (6, 12)),
                )
            },
            product(
                "02B01",
                "Individuele begeleiding",
                "BEG",
                "02",
                Hour,
                6_720,
                usage(10, Week, (2, 6), (6, 12)),
            ),
            product(
                "07B01",
                "Begeleiding groep",
                "BEG",
                "07",
                DayPart,
                4_380,
                usage(3, Week, (2, 6), (6, 12)),
            ),
            product(
                "07B02",
                "Dagbesteding",
                "DB",
                "07",
                DayPart,
                4_150,
                usage(3, Week, (2, 6), (6, 12)),
            ),
            product(
                "45A01",
                "Jeugd ambulante begeleiding",
                "JAB",
                "45",
                Hour,
                7_110,
                usage(8, Week, (1, 4), (6, 12)),
            ),
            // Mostly youth mental health care (Table 1's largest providers).
            product(
                "54A01",
                "Jeugd ambulante behandeling",
                "JBH",
                "54",
                Hour,
                10_450,
                usage(10, Month, (4, 10), (3, 9)),
            ),
            // Verblijf without treatment.
            product(
                "44A01",
                "Jeugd logeren",
                "JLO",
                "44",
                Day,
                16_800,
                usage(2, Month, (2, 6), (3, 12)),
            ),
        ],
        policies: &[
            (
                "outflow-threshold",
                "region",
                r#"{"minClients": 10, "window": "rolling-12-months", "level": "region",
                    "count": "approved-declarations", "graceForNewContracts": true, "runOn": "01-15"}"#,
            ),
            INDEXATION,
        ],
        providers: &[
            provider("Zorggroep Betuwe", 25),
            provider("Stichting Ambulant Tiel", 20),
            provider("Kwadraad Zorg", 15),
            provider("Logeerboerderij De Linge", 10),
            provider("Jeugdhulp Rivierenland", 25),
            provider("Karakter Kinder- en Jeugdpsychiatrie", 30),
            provider("Praktijk Jeugd-ggz Culemborg", 2),
            provider("Begeleiding Maas en Waal", 0),
        ],
        tracks: &[
            // The open house until 2023, for persoonlijke verzorging (the demo's).
            Track {
                form: OpenHouse,
                start: (2019, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[],
                extensions_exercised: 0,
                groups: &["PV"],
                providers: &[0],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: SasTender,
                start: (2023, 1, 1),
                initial_term_months: 36,
                extension_options_months: &[36, 36],
                extensions_exercised: 1,
                groups: &["PV", "BEG"],
                providers: &[0, 1, 7],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: SasTender,
                start: (2023, 1, 1),
                initial_term_months: 36,
                extension_options_months: &[36, 36],
                extensions_exercised: 1,
                groups: &["DB"],
                providers: &[1, 3],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: SasTender,
                start: (2023, 1, 1),
                initial_term_months: 36,
                extension_options_months: &[36, 36],
                extensions_exercised: 1,
                groups: &["JAB"],
                providers: &[2, 4],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: SasTender,
                start: (2023, 1, 1),
                initial_term_months: 36,
                extension_options_months: &[36, 36],
                extensions_exercised: 1,
                groups: &["JBH"],
                providers: &[4, 5, 6],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: SasTender,
                start: (2023, 1, 1),
                initial_term_months: 36,
                extension_options_months: &[36, 36],
                extensions_exercised: 1,
                groups: &["JLO"],
                providers: &[3],
                except: &[],
                notice_months: 0,
            },
        ],
        differentiated_tariff: None,
        clients: 140,
    },
    // Seed 003: four procurements whose contracts start on 1 January 2027
    // (§7), signed 1 July 2026 for begeleiding and beschermd wonen. Until
    // then the region's current contracts carry the care; the seed does not
    // describe them, so their form (open house, 2023–2026) is the demo's,
    // and so is the hourly begeleiding they pay, which ends with them.
    DemoRegion {
        code: "regio-amersfoort",
        name: "Regio Amersfoort",
        municipalities: &[
            ("GM0307", "Amersfoort", 160_000),
            ("GM0308", "Baarn", 25_300),
            ("GM0313", "Bunschoten", 22_100),
            ("GM0327", "Leusden", 30_600),
            ("GM0267", "Nijkerk", 45_300),
            ("GM0342", "Soest", 47_400),
            ("GM0351", "Woudenberg", 14_400),
        ],
        groups: &[
            ("BEG", "Wmo begeleiding", Wmo),
            ("BW", "Beschermd wonen", Wmo),
            ("SH", "Begeleid wonen in een safehouse", Wmo),
            ("RV", "Respijtverblijf", Wmo),
        ],
        products: &[
            // §3.3: one annual budget for the task (clients × intensity × price).
            // The task's price per hour: clients × hours × this tariff.
            DemoProduct {
                variant: Task,
                ..product(
                    "02C01",
                    "Aanvullende begeleiding (taakgericht)",
                    "BEG",
                    "02",
                    Hour,
                    6_200,
                    None,
                )
            },
            DemoProduct {
                last_day: Some((2026, 12, 31)),
                ..product(
                    "02C02",
                    "Begeleiding per uur (lopende contracten, tot 2027)",
                    "BEG",
                    "02",
                    Hour,
                    6_420,
                    usage(12, Week, (2, 6), (6, 12)),
                )
            },
            // §4.3: "passende ondersteuning binnen een vooraf afgesproken
            // arrangement": a monthly arrangement (the demo's prices, about
            // a month of the day tariffs of € 179.50 and € 74.50).
            arrangement(
                "15C01",
                "Beschermd wonen (arrangement per maand)",
                "BW",
                "15",
                ArrangementPeriod::Month,
                546_000,
                usage(5, Total, (1, 1), (9, 24)),
            ),
            arrangement(
                "15C02",
                "Beschermd thuis (arrangement per maand)",
                "BW",
                "15",
                ArrangementPeriod::Month,
                226_500,
                usage(3, Total, (1, 1), (6, 12)),
            ),
            // Paid from the centre municipality's BW/MO budget (§5.3).
            product(
                "18C01",
                "Begeleid wonen in een safehouse",
                "SH",
                "18",
                Day,
                21_000,
                daily(1, (3, 9)),
            ),
            // §6.3: "financiering per arrangement": one arrangement per stay
            // (the demo's price, about five days).
            arrangement(
                "04C01",
                "Respijtverblijf (arrangement per verblijf)",
                "RV",
                "04",
                ArrangementPeriod::Stay,
                66_000,
                usage(1, Total, (1, 1), (1, 1)),
            ),
        ],
        policies: &[
            // §3.4 one contractor for begeleiding; §4.4 at most five for BW.
            ("contract-admission", "BEG", r#"{"maxProviders": 1}"#),
            ("contract-admission", "BW", r#"{"maxProviders": 5}"#),
            // §5.4 and §6.4: open house without new providers once the
            // contract period runs. The rule closes the groups for
            // providers contracted *from* `closedFrom`, so the day after
            // the start keeps the admitted ones in.
            (
                "closed-product-groups",
                "GM0307",
                r#"{"productGroupCodes": ["SH", "RV"], "closedFrom": "2027-01-02"}"#,
            ),
            (
                "closed-product-groups",
                "GM0308",
                r#"{"productGroupCodes": ["SH", "RV"], "closedFrom": "2027-01-02"}"#,
            ),
            (
                "closed-product-groups",
                "GM0313",
                r#"{"productGroupCodes": ["SH", "RV"], "closedFrom": "2027-01-02"}"#,
            ),
            (
                "closed-product-groups",
                "GM0327",
                r#"{"productGroupCodes": ["SH", "RV"], "closedFrom": "2027-01-02"}"#,
            ),
            (
                "closed-product-groups",
                "GM0267",
                r#"{"productGroupCodes": ["SH", "RV"], "closedFrom": "2027-01-02"}"#,
            ),
            (
                "closed-product-groups",
                "GM0342",
                r#"{"productGroupCodes": ["SH", "RV"], "closedFrom": "2027-01-02"}"#,
            ),
            (
                "closed-product-groups",
                "GM0351",
                r#"{"productGroupCodes": ["SH", "RV"], "closedFrom": "2027-01-02"}"#,
            ),
            INDEXATION,
        ],
        providers: &[
            provider("Amersfoortse Begeleidingscombinatie", 30),
            provider("Stichting Beschermd Eemland", 30),
            provider("Safe Haven Utrecht-Oost", 10),
            provider("Respijthuis De Eem", 10),
            provider("Herstelhuis Soest", 15),
            provider("Begeleiding Leusden", 12),
            provider("Eemzorg Ambulant", 8),
            provider("Wonen met Begeleiding Nijkerk", 6),
        ],
        tracks: &[
            // The current contracts (the demo's).
            Track {
                form: OpenHouse,
                start: (2023, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[],
                extensions_exercised: 0,
                groups: &["BEG"],
                providers: &[0, 5, 6],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: OpenHouse,
                start: (2023, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[],
                extensions_exercised: 0,
                groups: &["BW"],
                providers: &[1, 4, 7],
                except: &[],
                notice_months: 0,
            },
            Track {
                form: OpenHouse,
                start: (2023, 1, 1),
                initial_term_months: 48,
                extension_options_months: &[],
                extensions_exercised: 0,
                groups: &["SH", "RV"],
                providers: &[2, 3],
                except: &[],
                notice_months: 0,
            },
            // §3.4, §3.6: one task-based contractor, SAS, 3 years + 3 × 2.
            Track {
                form: SasTender,
                start: (2027, 1, 1),
                initial_term_months: 36,
                extension_options_months: &[24, 24, 24],
                extensions_exercised: 0,
                groups: &["BEG"],
                providers: &[0],
                except: &[],
                notice_months: 0,
            },
            // §4.4, §4.6: SAS (non-public), at most five, 3 years + 3 × 2.
            Track {
                form: SasTender,
                start: (2027, 1, 1),
                initial_term_months: 36,
                extension_options_months: &[24, 24, 24],
                extensions_exercised: 0,
                groups: &["BW"],
                providers: &[1, 4, 7],
                except: &[],
                notice_months: 0,
            },
            // §5.4, §5.7: open house, nine years, notice at least a year.
            Track {
                form: OpenHouse,
                start: (2027, 1, 1),
                initial_term_months: 108,
                extension_options_months: &[],
                extensions_exercised: 0,
                groups: &["SH"],
                providers: &[2],
                except: &[],
                notice_months: 12,
            },
            // §6.4, §6.7: open house, nine years, notice at least a year.
            Track {
                form: OpenHouse,
                start: (2027, 1, 1),
                initial_term_months: 108,
                extension_options_months: &[],
                extensions_exercised: 0,
                groups: &["RV"],
                providers: &[3],
                except: &[],
                notice_months: 12,
            },
        ],
        differentiated_tariff: None,
        clients: 90,
    },
    // Seed 004: all Wmo maatwerkvoorzieningen (§7); P×Q (§9); open house
    // since 2019, ending by law on 31 December 2025 (§1), and a new open
    // house from 1 January 2026 (§6) for "2026 – 2036" (the demo reads the
    // title as through 2036; the seed names no options). HH is bought
    // locally by Zutphen and Heerde (Bijlage 2), and from 2026 by Apeldoorn,
    // which buys respijtzorg locally too (§7). §6's thresholds: outflow below
    // X clients a year (the demo takes X = 5) and entry at most once a year.
    DemoRegion {
        code: "midden-ijssel-oost-veluwe",
        name: "Midden-IJssel/Oost-Veluwe",
        municipalities: &[
            ("GM0200", "Apeldoorn", 167_000),
            ("GM0213", "Brummen", 21_500),
            ("GM0232", "Epe", 33_500),
            ("GM0244", "Hattem", 12_500),
            ("GM0246", "Heerde", 19_100),
            ("GM1859", "Lochem", 34_100),
            ("GM0285", "Voorst", 25_000),
            ("GM0301", "Zutphen", 48_800),
        ],
        groups: &[
            ("HH", "Hulp bij het huishouden", Wmo),
            ("PV", "Persoonlijke verzorging", Wmo),
            ("BEG", "Begeleiding individueel", Wmo),
            ("BGR", "Begeleiding groep", Wmo),
            ("VV", "Vervoer", Wmo),
            ("RZ", "Respijtzorg", Wmo),
        ],
        products: &[
            product(
                "01D01",
                "Hulp bij het huishouden",
                "HH",
                "01",
                Hour,
                3_960,
                usage(12, Week, (2, 4), (6, 12)),
            ),
            product(
                "03D01",
                "Persoonlijke verzorging",
                "PV",
                "03",
                Hour,
                5_890,
                usage(2, Week, (1, 4), (3, 12)),
            ),
            product(
                "02D01",
                "Begeleiding basis",
                "BEG",
                "02",
                Hour,
                6_590,
                usage(8, Week, (2, 5), (6, 12)),
            ),
            product(
                "02D02",
                "Begeleiding complex",
                "BEG",
                "02",
                Hour,
                8_140,
                usage(3, Week, (2, 5), (6, 12)),
            ),
            product(
                "07D01",
                "Begeleiding groep (dagdeel)",
                "BGR",
                "07",
                DayPart,
                4_610,
                usage(4, Week, (2, 6), (6, 12)),
            ),
            product(
                "08D01",
                "Vervoer dagbesteding (rit)",
                "VV",
                "08",
                Piece,
                1_450,
                usage(3, Week, (4, 10), (6, 12)),
            ),
            product(
                "04D01",
                "Respijtzorg (etmaal)",
                "RZ",
                "04",
                Day,
                14_300,
                usage(1, Month, (2, 5), (3, 9)),
            ),
        ],
        policies: &[
            (
                "outflow-threshold",
                "region",
                r#"{"minClients": 5, "window": "calendar-year", "level": "region",
                    "count": "active-allocations", "graceForNewContracts": true, "runOn": "01-15"}"#,
            ),
            (
                "contract-admission",
                "HH",
                r#"{"admissionWindows": [{"from": "01-01", "to": "01-31"}]}"#,
            ),
            (
                "contract-admission",
                "PV",
                r#"{"admissionWindows": [{"from": "01-01", "to": "01-31"}]}"#,
            ),
            (
                "contract-admission",
                "BEG",
                r#"{"admissionWindows": [{"from": "01-01", "to": "01-31"}]}"#,
            ),
            (
                "contract-admission",
                "BGR",
                r#"{"admissionWindows": [{"from": "01-01", "to": "01-31"}]}"#,
            ),
            (
                "contract-admission",
                "VV",
                r#"{"admissionWindows": [{"from": "01-01", "to": "01-31"}]}"#,
            ),
            (
                "contract-admission",
                "RZ",
                r#"{"admissionWindows": [{"from": "01-01", "to": "01-31"}]}"#,
            ),
            INDEXATION,
        ],
        providers: &[
            provider("Thuiszorg IJsselstroom", 30),
            provider("Begeleiding Oost-Veluwe", 25),
            provider("Taxi Zorgvervoer Apeldoorn", 10),
            provider("Zorgboerderij De Hattemse Hoeve", 10),
            provider("Huishoudelijke Hulp Veluwe", 20),
            provider("Stichting Wijkbegeleiding Epe", 10),
            provider("Begeleiding aan de IJssel", 4),
            provider("Zorgcoöperatie Lochem", 8),
        ],
        tracks: &[
            // The open house of 2019, ended by law on 31 December 2025.
            open_house_2019(&["HH"], &[0, 4], &["GM0301", "GM0246"]),
            open_house_2019(&["PV"], &[0], &[]),
            open_house_2019(&["BEG"], &[1, 5, 6], &[]),
            open_house_2019(&["BGR"], &[1, 3], &[]),
            open_house_2019(&["VV"], &[2], &[]),
            open_house_2019(&["RZ"], &[3], &[]),
            // The open house of 2026 – 2036; provider 6 did not enrol again.
            open_house_2026(&["HH"], &[0, 4], &["GM0200", "GM0301", "GM0246"]),
            open_house_2026(&["PV"], &[0, 7], &[]),
            open_house_2026(&["BEG"], &[1, 5, 7], &[]),
            open_house_2026(&["BGR"], &[1, 3], &[]),
            open_house_2026(&["VV"], &[2], &[]),
            open_house_2026(&["RZ"], &[3], &["GM0200"]),
        ],
        differentiated_tariff: Some(("02D02", 1)),
        clients: 150,
    },
];
