//! Owns waivers: findings a DPO accepted on purpose, for a time. A live waiver removes its
//! finding from the report (and counts it); an expired one removes nothing, and the finding
//! it covered shows where the waiver expired.

use crate::finding::{Finding, Label};
use crate::register::Waiver;

/// The findings left after waivers, and how many were waived.
#[derive(Debug)]
pub struct Waived {
    /// Findings no live waiver covers.
    pub findings: Vec<Finding>,
    /// How many findings live waivers covered.
    pub waived: usize,
}

fn covers(waiver: &Waiver, finding: &Finding) -> bool {
    waiver.rule.value == finding.rule
        && finding.activity.as_deref() == Some(waiver.activity.value.as_str())
        && waiver
            .target
            .as_ref()
            .is_none_or(|t| finding.target.as_deref() == Some(t.value.as_str()))
}

/// Applies waivers as of `today` (`YYYY-MM-DD`; a waiver holds through its `expires` day).
pub fn apply_waivers(findings: Vec<Finding>, waivers: &[Waiver], today: &str) -> Waived {
    let mut kept = Vec::with_capacity(findings.len());
    let mut waived = 0;
    for mut finding in findings {
        let matching: Vec<&Waiver> = waivers.iter().filter(|w| covers(w, &finding)).collect();
        if matching.iter().any(|w| w.expires.value.as_str() >= today) {
            waived += 1;
            continue;
        }
        for waiver in matching {
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
