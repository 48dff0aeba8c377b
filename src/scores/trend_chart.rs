//! A month-by-month trend as a small SVG chart: bars for the points (总分), a line for the items
//! submitted (报送数), the month under each bar. It scales to the width it is given, so it reads
//! on a phone; each bar's title carries its numbers for screen readers.

use crate::i18n::{ui, use_i18n};
use leptos::prelude::*;
use xinbao_core::scores::{TrendPoint, points_text};

const W: f64 = 360.0;
const H: f64 = 170.0;
const LEFT: f64 = 8.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 14.0;

/// Where a value lands between `TOP` and the baseline, for a scale from `lo` to `hi`.
fn y_of(v: f64, lo: f64, hi: f64) -> f64 {
    let span = (hi - lo).max(1.0);
    TOP + (hi - v) / span * (H - BOTTOM - TOP)
}

#[component]
pub fn TrendChart(points: Vec<TrendPoint>) -> impl IntoView {
    let i18n = use_i18n();
    let slot = (W - LEFT) / points.len().max(1) as f64;
    let values: Vec<f64> = points.iter().map(|p| p.tally.centi as f64 / 100.0).collect();
    let (lo, hi) = (values.iter().copied().fold(0.0, f64::min), values.iter().copied().fold(0.0, f64::max).max(1.0));
    let most = f64::from(points.iter().map(|p| p.tally.submitted).max().unwrap_or(0).max(1));
    let zero = y_of(0.0, lo, hi);
    let line: String = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = LEFT + slot * (i as f64 + 0.5);
            let y = TOP + (1.0 - f64::from(p.tally.submitted) / most) * (H - BOTTOM - TOP);
            format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" })
        })
        .collect();
    let bars = points
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let v = p.tally.centi as f64 / 100.0;
            let x = LEFT + slot * i as f64 + slot * 0.15;
            let y = y_of(v.max(0.0), lo, hi);
            let h = (y_of(v.min(0.0), lo, hi) - y).max(if p.tally.centi == 0 { 0.0 } else { 1.0 });
            let mid = format!("{:.1}", x + slot * 0.35);
            let title = format!(
                "{} {} {} · {} {}",
                p.label,
                i18n.t(ui::TOTAL_POINTS),
                points_text(p.tally.centi),
                i18n.t(ui::SUBMITTED_N),
                p.tally.submitted
            );
            view! {
                <g data-testid="trend-bar">
                    <title>{title}</title>
                    <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}")
                        class=if p.tally.centi < 0 { "bar negative" } else { "bar" } />
                    <text x=mid.clone() y=format!("{:.1}", H - 6.0) class="label">{p.label.clone()}</text>
                    {(p.tally.centi != 0).then(|| view! {
                        <text x=mid.clone() y=format!("{:.1}", (y - 2.0).max(9.0)) class="value">{points_text(p.tally.centi)}</text>
                    })}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="trend" data-testid="trend">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=move || i18n.t(ui::TREND)>
                <line x1=LEFT y1=zero x2=W y2=zero class="axis" />
                {bars}
                <path d=line class="submitted" />
            </svg>
            <figcaption class="muted small">{move || format!("▮ {}　— {}", i18n.t(ui::TOTAL_POINTS), i18n.t(ui::SUBMITTED_N))}</figcaption>
        </figure>
    }
}
