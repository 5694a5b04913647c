//! Owns waivers and reasoned positions: findings a DPO accepted on purpose, for a time (a
//! waiver) or for good with the legal reading written down (a position). A live waiver or a
//! position takes its finding out of the counts and the gate (reports still show it); an
//! expired waiver takes out nothing, and the finding it covered shows where it expired.

use crate::finding::{Finding, Label};
use crate::register::{Position, Waiver};

/// The findings left after positions, the ones they answer, and what each position matched.
#[derive(Debug)]
pub struct Positioned {
    /// Findings no position answers.
    pub findings: Vec<Finding>,
    /// Findings a position answers, each with the index of the first such position.
    pub positioned: Vec<(Finding, usize)>,
    /// For each position, how many findings it matches.
    pub matches: Vec<usize>,
}

fn answers(position: &Position, finding: &Finding) -> bool {
    position.rule.value == finding.rule
        && finding.activity.as_deref() == position.activity.as_ref().map(|a| a.value.as_str())
        && position
            .target
            .as_ref()
            .is_none_or(|t| finding.target.as_deref() == Some(t.value.as_str()))
}

/// Applies reasoned positions (before waivers: where both cover a finding the position
/// applies and the waiver is unused).
pub fn apply_positions(findings: Vec<Finding>, positions: &[Position]) -> Positioned {
    let mut matches = vec![0; positions.len()];
    if positions.is_empty() {
        return Positioned {
            findings,
            positioned: Vec::new(),
            matches,
        };
    }
    let mut kept = Vec::with_capacity(findings.len());
    let mut positioned = Vec::new();
    for finding in findings {
        let mut first = None;
        for (i, position) in positions.iter().enumerate() {
            if answers(position, &finding) {
                if let Some(m) = matches.get_mut(i) {
                    *m += 1;
                }
                first.get_or_insert(i);
            }
        }
        match first {
            Some(i) => positioned.push((finding, i)),
            None => kept.push(finding),
        }
    }
    Positioned {
        findings: kept,
        positioned,
        matches,
    }
}

/// The findings left after waivers, the ones waived, and what each waiver matched.
#[derive(Debug)]
pub struct Waived {
    /// Findings no live waiver covers.
    pub findings: Vec<Finding>,
    /// Findings a live waiver covers, each with the index of the first such waiver.
    pub waived: Vec<(Finding, usize)>,
    /// For each waiver, how many findings it matches (live or expired).
    pub matches: Vec<usize>,
}

fn covers(waiver: &Waiver, finding: &Finding) -> bool {
    waiver.rule.value == finding.rule
        && finding.activity.as_deref() == Some(waiver.activity.value.as_str())
        && waiver
            .target
            .as_ref()
            .is_none_or(|t| finding.target.as_deref() == Some(t.value.as_str()))
}

/// Whether a waiver holds on `today` (`YYYY-MM-DD`): through its `expires` day.
pub fn is_live(waiver: &Waiver, today: &str) -> bool {
    waiver.expires.value.as_str() >= today
}

/// Applies waivers as of `today` (`YYYY-MM-DD`; a waiver holds through its `expires` day).
pub fn apply_waivers(findings: Vec<Finding>, waivers: &[Waiver], today: &str) -> Waived {
    let mut kept = Vec::with_capacity(findings.len());
    let mut waived = Vec::new();
    let mut matches = vec![0; waivers.len()];
    for mut finding in findings {
        let matching: Vec<usize> = waivers
            .iter()
            .enumerate()
            .filter(|(_, w)| covers(w, &finding))
            .map(|(i, _)| i)
            .collect();
        for &i in &matching {
            if let Some(m) = matches.get_mut(i) {
                *m += 1;
            }
        }
        let live = matching
            .iter()
            .copied()
            .find(|&i| waivers.get(i).is_some_and(|w| is_live(w, today)));
        if let Some(i) = live {
            waived.push((finding, i));
            continue;
        }
        for waiver in matching.iter().filter_map(|&i| waivers.get(i)) {
            finding.labels.push(Label {
                at: waiver.expires.at,
                text: format!("waiver expired on {}", waiver.expires.value),
            });
        }
        kept.push(finding);
    }
    Waived {
        findings: kept,
        waived,
        matches,
    }
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_785), "2026-11-28");
    }
}
