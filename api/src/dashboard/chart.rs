//! Charts as SVG drawn on the server: no script, no library, nothing to
//! fetch. Colours come from classes in `dashboard.css` (the CSP allows no
//! inline style). Each chart carries a title and a description for screen
//! readers, and every page shows the same figures in a table beside it.

use maud::{html, Markup};

/// One series of a column chart: its name (the legend) and its CSS class.
pub struct Series<'a> {
    pub name: &'a str,
    pub class: &'a str,
    pub values: Vec<f64>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 88.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 12.0;

/// One drawn column (or part of a stack), with its tooltip.
struct Rect<'a> {
    class: &'a str,
    x: f64,
    y: f64,
    height: f64,
    tip: String,
}

/// Coordinates to a tenth of a unit: enough on any screen, short in the HTML.
fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
pub fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|step| step * power)
        .find(|bound| *bound >= max)
        .unwrap_or(10.0 * power)
}

/// Columns per label (months, say): stacked when the series add up to a
/// whole (Wmo and Jeugdwet spend), side by side when they do not (flows).
pub fn columns(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[Series],
    stacked: bool,
    axis: impl Fn(f64) -> String,
) -> Markup {
    let n = labels.len().max(1);
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| {
            let values = series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0));
            if stacked {
                values.sum()
            } else {
                values.fold(0.0, f64::max)
            }
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let plot_h = HEIGHT - BOTTOM - TOP;
    let slot = (WIDTH - LEFT) / n as f64;
    let y = |v: f64| TOP + plot_h - v / max * plot_h;
    let per_slot = if stacked { 1 } else { series.len().max(1) };
    let bar_w = round((slot * 0.8 / per_slot as f64).max(1.0));
    // Every label when they fit, else every third (24 months on a laptop).
    let label_every = if n > 12 { 3 } else { 1 };
    let mut rects = Vec::new();
    let mut ticks = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + slot * 0.1;
        let mut base = 0.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            let (x, bottom) = if stacked {
                (x0, base)
            } else {
                (x0 + bar_w * k as f64, 0.0)
            };
            base += v;
            rects.push(Rect {
                class: s.class,
                x: round(x),
                y: round(y(bottom + v)),
                height: round(y(bottom) - y(bottom + v)),
                tip: format!("{label}: {} {}", s.name, axis(v)),
            });
        }
        if i % label_every == 0 {
            ticks.push((round(x0 + slot * 0.4), label));
        }
    }
    let description = format!(
        "{} over {} perioden, van {} tot {}.",
        title,
        labels.len(),
        labels.first().map(String::as_str).unwrap_or("-"),
        labels.last().map(String::as_str).unwrap_or("-"),
    );
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                @for tick in [0.0, 0.5, 1.0] {
                    line.grid x1=(LEFT) x2=(WIDTH) y1=(round(y(tick * max))) y2=(round(y(tick * max))) {}
                    text.axis x=(LEFT - 6.0) y=(round(y(tick * max) + 4.0)) text-anchor="end" { (axis(tick * max)) }
                }
                @for r in &rects {
                    rect class=(r.class) x=(r.x) y=(r.y) width=(bar_w) height=(r.height) { title { (r.tip) } }
                }
                @for (x, label) in &ticks {
                    text.axis x=(x) y=(HEIGHT - BOTTOM + 16.0) text-anchor="middle" { (label) }
                }
            }
            figcaption {
                (title)
                @if series.len() > 1 {
                    ul.legend {
                        @for s in series {
                            li { svg.swatch viewBox="0 0 10 10" aria-hidden="true" { rect class=(s.class) width="10" height="10" {} } (s.name) }
                        }
                    }
                }
            }
        }
    }
}

/// Horizontal bars, one per row, each with its value written beside it.
/// The scale runs to the largest value, or to `at_least` (100 for shares,
/// so 83% does not look full).
pub fn bars(id: &str, title: &str, rows: &[(String, f64, String)], at_least: f64) -> Markup {
    let row_h = 22.0;
    let label_w = 260.0;
    let height = row_h * rows.len().max(1) as f64 + 8.0;
    let max = rows
        .iter()
        .map(|r| r.1)
        .fold(at_least, f64::max)
        .max(f64::MIN_POSITIVE);
    let plot_w = WIDTH - label_w - 110.0;
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {WIDTH} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (title) ", " (rows.len()) " rijen; de tabel eronder geeft dezelfde cijfers." }
                @for (i, (label, value, shown)) in rows.iter().enumerate() {
                    @let top = 4.0 + row_h * i as f64;
                    text.axis x=(label_w - 8.0) y=(top + 15.0) text-anchor="end" { (label) }
                    @let w = round((value / max * plot_w).max(0.0));
                    rect.bar x=(label_w) y=(top + 3.0) width=(w) height=(row_h - 6.0) {}
                    text.value x=(label_w + w + 6.0) y=(top + 15.0) { (shown) }
                }
            }
            figcaption { (title) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(130_000.0), 200_000.0);
        assert_eq!(nice_max(450.0), 500.0);
        assert_eq!(nice_max(100.0), 100.0);
    }

    #[test]
    fn stacked_columns_reach_the_total() {
        let labels = vec!["jan 2025".to_owned(), "feb 2025".to_owned()];
        let chart = columns(
            "c",
            "Uitgaven",
            &labels,
            &[
                Series {
                    name: "Wmo",
                    class: "wmo",
                    values: vec![30.0, 0.0],
                },
                Series {
                    name: "Jeugdwet",
                    class: "jeugd",
                    values: vec![20.0, 10.0],
                },
            ],
            true,
            |v| format!("{v}"),
        )
        .into_string();
        // The axis ends at 50 and the first month's stack fills the plot:
        // the Jeugdwet part starts where the Wmo part ends (y = 12).
        assert!(chart.contains(">50</text>"), "{chart}");
        assert!(
            chart.contains("class=\"jeugd\" x=\"119.6\" y=\"12\""),
            "{chart}"
        );
        assert!(chart.contains("<title>jan 2025: Wmo 30</title>"), "{chart}");
        assert!(chart.contains("role=\"img\""));
    }

    #[test]
    fn bars_scale_to_the_largest() {
        let chart = bars(
            "b",
            "Per inwoner",
            &[
                ("Arnhem".into(), 10.0, "€ 10,00".into()),
                ("Ede".into(), 5.0, "€ 5,00".into()),
            ],
            0.0,
        )
        .into_string();
        assert!(chart.contains("width=\"350\""), "{chart}");
        assert!(chart.contains("width=\"175\""), "{chart}");
        assert!(chart.contains(">€ 5,00</text>"));
        // A share of 50% fills half of a scale that runs to 100%.
        let share = bars("p", "Benut", &[("A".into(), 50.0, "50,00%".into())], 100.0).into_string();
        assert!(share.contains("width=\"175\""), "{share}");
    }
}
