//! Scores: the scoreboard and its drill-down with the officer's desk card (`board`), the trend
//! chart, the monthly notice, the scoring administration (classes, publications, the table)
//! and what one item earned.

pub mod admin_scoring;
pub mod board;
pub mod item_scoring;
pub mod notice;
pub mod trend_chart;
