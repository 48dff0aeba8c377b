//! Calendar days and periods in China Standard Time: what a notice's month, quarter or year is.

use serde::{Deserialize, Serialize};

/// A calendar day in China Standard Time (UTC+8), counted from 1970-01-01.
pub type Day = i32;

pub const MS_PER_DAY: i64 = 86_400_000;
const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// The China Standard Time day of a millisecond timestamp.
pub fn day_of(ms: i64) -> Day {
    (ms + CST_OFFSET_MS).div_euclid(MS_PER_DAY) as Day
}

/// The first millisecond of `day` (China Standard Time).
pub fn day_start_ms(day: Day) -> i64 {
    day as i64 * MS_PER_DAY - CST_OFFSET_MS
}

/// The first and last day anything is dated (the years a date field accepts).
pub const FIRST_DAY: Day = from_ymd(1900, 1, 1);
pub const LAST_DAY: Day = from_ymd(9999, 12, 31);

/// The day of a civil date (proleptic Gregorian; Howard Hinnant's algorithm).
pub const fn from_ymd(y: i32, m: u32, d: u32) -> Day {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of `day`.
pub fn ymd(day: Day) -> (i32, u32, u32) {
    // In i64: any i32 day has a date, however far out (a hostile request's, say).
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 };
    (y.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32, m, d)
}

/// `2026-11-25`
pub fn day_text(day: Day) -> String {
    let (y, m, d) = ymd(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026年11月25日`, as official documents print a date.
pub fn day_text_zh(day: Day) -> String {
    let (y, m, d) = ymd(day);
    format!("{y}年{m}月{d}日")
}

/// Parses `2026-11-25` (the value of an `<input type=date>`); `None` for anything else.
pub fn parse_day(text: &str) -> Option<Day> {
    let mut parts = text.trim().splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || !(1900..=9999).contains(&y) {
        return None;
    }
    Some(from_ymd(y, m, d))
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A month counted from year 0 (`year * 12 + month - 1`): the key of the monthly totals the
/// server keeps beside its events.
pub fn month_index(day: Day) -> i32 {
    let (y, m, _) = ymd(day);
    y * 12 + m as i32 - 1
}

/// The whole month a [`month_index`] names.
pub fn month_of_index(index: i32) -> Period {
    Period::month(index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// A span of days, both ends included: the month, quarter or year of a notice, or any range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub from: Day,
    pub to: Day,
}

impl Period {
    pub fn month(y: i32, m: u32) -> Period {
        Period { from: from_ymd(y, m, 1), to: from_ymd(y, m, days_in_month(y, m)) }
    }

    /// Quarter `q` (1–4) of year `y`.
    pub fn quarter(y: i32, q: u32) -> Period {
        let first = (q.clamp(1, 4) - 1) * 3 + 1;
        Period { from: from_ymd(y, first, 1), to: Period::month(y, first + 2).to }
    }

    pub fn year(y: i32) -> Period {
        Period { from: from_ymd(y, 1, 1), to: from_ymd(y, 12, 31) }
    }

    pub fn contains(self, day: Day) -> bool {
        (self.from..=self.to).contains(&day)
    }

    /// How many calendar months the period touches (for monthly quotas over a quarter or year).
    pub fn months(self) -> u32 {
        let (y0, m0, _) = ymd(self.from);
        let (y1, m1, _) = ymd(self.to);
        ((y1 - y0) * 12 + m1 as i32 - m0 as i32 + 1).max(0) as u32
    }

    /// The weeks a period counts for per-person weekly quotas: a week counts in the month (and
    /// the year) that holds its Thursday — the ISO 8601 rule — so every week counts exactly
    /// once and the quotas compose: a month has 4 or 5 weeks, its months add up to the quarter
    /// and the year (52 or 53). A span holding no Thursday counts none.
    pub fn weeks(self) -> u32 {
        // Day 0 (1970-01-01) was a Thursday: Thursdays are the multiples of 7.
        (self.to.div_euclid(7) - (self.from - 1).div_euclid(7)).max(0) as u32
    }

    /// The calendar months the period touches, each cut to the period (for trend charts).
    pub fn month_parts(self) -> Vec<Period> {
        let mut out = Vec::new();
        let (mut y, mut m, _) = ymd(self.from);
        loop {
            let whole = Period::month(y, m);
            if whole.from > self.to {
                break;
            }
            out.push(Period { from: whole.from.max(self.from), to: whole.to.min(self.to) });
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        out
    }

    /// The period split for summing: the whole calendar months inside it (first and last
    /// [`month_index`], if any) and the days at either end that are not a whole month.
    pub fn split_months(self) -> (Option<(i32, i32)>, Vec<Period>) {
        let whole: Vec<i32> =
            self.month_parts().into_iter().filter(|p| month_of_index(month_index(p.from)) == *p).map(|p| month_index(p.from)).collect();
        match (whole.first(), whole.last()) {
            (Some(&first), Some(&last)) => {
                let mut edges = Vec::new();
                let (start, end) = (month_of_index(first).from, month_of_index(last).to);
                if self.from < start {
                    edges.push(Period { from: self.from, to: start - 1 });
                }
                if end < self.to {
                    edges.push(Period { from: end + 1, to: self.to });
                }
                (Some((first, last)), edges)
            }
            _ => (None, vec![self]),
        }
    }

    /// From the first of the year of the period's end up to that end: the year's running
    /// total a notice prints beside the period's own numbers.
    pub fn year_to_date(self) -> Period {
        let (y, _, _) = ymd(self.to);
        Period { from: Period::year(y).from, to: self.to }
    }

    /// What kind of period this is, for a notice's wording and awards.
    pub fn kind(self) -> PeriodKind {
        let (y, m, _) = ymd(self.from);
        if self == Period::year(y) {
            PeriodKind::Year
        } else if self == Period::month(y, m) {
            PeriodKind::Month
        } else if m % 3 == 1 && self == Period::quarter(y, m.div_ceil(3)) {
            PeriodKind::Quarter
        } else {
            PeriodKind::Range
        }
    }

    /// `2026年11月`, `2026年第4季度`, `2026年`, or `2026-11-01 至 2026-11-25`.
    pub fn title(self) -> String {
        let (y, m, _) = ymd(self.from);
        match self.kind() {
            PeriodKind::Year => format!("{y}年"),
            PeriodKind::Month => format!("{y}年{m}月"),
            PeriodKind::Quarter => format!("{y}年第{}季度", m.div_ceil(3)),
            PeriodKind::Range => format!("{} 至 {}", day_text(self.from), day_text(self.to)),
        }
    }

    /// A trend chart's axis label: `11月` for (part of) one month, else the first day `11.3`.
    pub fn short_label(self) -> String {
        let ((y0, m0, d0), (y1, m1, _)) = (ymd(self.from), ymd(self.to));
        if (y0, m0) == (y1, m1) { format!("{m0}月") } else { format!("{m0}.{d0}") }
    }
}

/// A month, a quarter, a year, or any other range (月通报 / 季度通报 / 年度通报).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
    Range,
}

impl PeriodKind {
    /// The notice's name for the period: 月度通报 etc.
    pub fn notice_name(self) -> &'static str {
        match self {
            PeriodKind::Month => "月通报",
            PeriodKind::Quarter => "季度通报",
            PeriodKind::Year => "年度通报",
            PeriodKind::Range => "通报",
        }
    }
}
