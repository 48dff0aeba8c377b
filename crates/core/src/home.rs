//! The information section's home page (工作台) as the server answers it: what waits, by state;
//! open urgent items; commissions falling due; units behind quota; instructions awaiting
//! feedback (`GET /api/review/home`).

use serde::{Deserialize, Serialize};

/// How many of the office's items wait in one state (the home page's counts).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCount {
    pub state: crate::item::ItemState,
    /// Exact up to [`StateCount::CAP`]; at the cap, "that many or more" (`more`).
    pub count: u32,
    #[serde(default)]
    pub more: bool,
}

impl StateCount {
    /// Counting stops here: the home page costs the same whatever the backlog (a province's
    /// 169,000 items in one state took 25 ms a count on PostgreSQL); the list shows them all.
    pub const CAP: u32 = 10_000;

    /// `1234`, or `10000+` at the cap.
    pub fn shown(&self) -> String {
        if self.more { format!("{}+", self.count) } else { self.count.to_string() }
    }
}

/// A commission falling due within the week, and the asked units that have sent nothing yet.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueCommission {
    pub id: i64,
    pub topic: String,
    /// `YYYY-MM-DD`, the last day answers count.
    pub deadline: String,
    /// Units asked (a targeted commission; zero for a reporting priority).
    pub asked: u32,
    /// The asked units with no answer yet, by name.
    pub not_answered: Vec<String>,
}

/// A unit behind this month's quota: items submitted so far against the month's quota.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BehindQuota {
    pub unit_id: i64,
    pub name: String,
    pub submitted: u32,
    pub quota: u32,
}

/// `GET /api/review/home`: the information section's home page — what waits, by state; the
/// open urgent items; commissions falling due this week; units behind this month's quota; and
/// leader instructions whose feedback is still to be written.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Home {
    /// Every state an item waits in at the office, in the order of its life (zeros included).
    pub waiting: Vec<StateCount>,
    /// Urgent items still with the office (submitted, screening, editing), oldest first.
    pub urgent: Vec<crate::api::QueueRow>,
    pub commissions: Vec<DueCommission>,
    /// The month the quotas are of, e.g. `2026年12月`.
    pub month: String,
    pub behind: Vec<BehindQuota>,
    /// The newest instructions without feedback (at most 20), and how many there are.
    pub instructions: Vec<crate::commissions::InstructionNote>,
    pub instructions_waiting: u32,
}

impl Home {
    /// The states the home page counts, in the order of an item's life.
    pub const WAITING: [crate::item::ItemState; 6] = [
        crate::item::ItemState::Submitted,
        crate::item::ItemState::Screening,
        crate::item::ItemState::Editing,
        crate::item::ItemState::AwaitingSignOff,
        crate::item::ItemState::Reserved,
        crate::item::ItemState::Returned,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_at_the_cap_says_that_many_or_more() {
        let at = |count, more| StateCount { state: crate::item::ItemState::Submitted, count, more }.shown();
        assert_eq!(at(9_999, false), "9999");
        assert_eq!(at(StateCount::CAP, true), "10000+");
        // An older server's answer, without `more`, reads as exact.
        let old: StateCount = serde_json::from_str(r#"{"state":"submitted","count":3}"#).unwrap_or(StateCount {
            state: crate::item::ItemState::Draft,
            count: 0,
            more: true,
        });
        assert_eq!(old.shown(), "3");
    }
}
