//! Scoring (积分): how submissions, adoptions (采用) and leader instructions (领导批示) turn into
//! points, and how points add up into the scoreboard and the monthly notice (月通报).
//!
//! Every point is a [`ScoreEvent`] naming its cause — the item, the rule, the fact behind it —
//! so any total can be drilled down. Events are derived from facts by pure functions here, under
//! the [`ScoringTable`] in force on the fact's day: tables are versioned by effective date, so a
//! new version never changes an earlier period. The server stores the events these functions
//! return (and sums them in SQL at scale); the browser shows them; the tests in `points.rs` hold the
//! arithmetic to its promises (totals are sums of events, recording order does not matter, one
//! leader level counts once, a rule change leaves the past alone).
//!
//! Points are kept in hundredths (`centi`) so an even split of a combined piece stays exact:
//! the parts always add up to the whole.

//!
//! The module is its parts, each using only the ones before it: `calendar` (days, months,
//! periods), `points` (tables, events, tallies), `wire` (the scoreboard and what travels),
//! `closing` (the rules a board is read under, and closed periods), `notice` (the monthly
//! notice).

mod calendar;
mod closing;
mod notice;
mod points;
mod wire;

pub use calendar::*;
pub use closing::*;
pub use notice::*;
pub use points::*;
pub use wire::*;
