//! Owns importing the same source again into a register an earlier import wrote: activities
//! are matched by the source's key (`x-source-id`, so a renamed record keeps its id) and
//! what the new import would add, change and remove is listed, compared without the
//! provenance comments (a moved row is no change).

/// One activity of an imported register file: its id, its source key, and its text without
/// comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Its id.
    pub id: String,
    /// Its `x-source-id`, when it has one.
    pub source_id: Option<String>,
    /// Its lines, comments left out.
    pub text: String,
}

/// A line without its trailing `# ...` comment (outside quotes), or `None` for a comment line.
fn without_comment(line: &str) -> Option<String> {
    if line.trim_start().starts_with('#') {
        return None;
    }
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            '\\' if quoted && !escaped => {
                escaped = true;
                continue;
            }
            '"' if !escaped => quoted = !quoted,
            '#' if !quoted && line.get(..i).is_some_and(|b| b.ends_with(' ')) => {
                return Some(line.get(..i).unwrap_or(line).trim_end().to_string());
            }
            _ => {}
        }
        escaped = false;
    }
    Some(line.trim_end().to_string())
}

/// The activities of an activities file as an import writes it (`  - id: ...` blocks).
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for line in text.lines() {
        let Some(line) = without_comment(line) else {
            continue;
        };
        if let Some(id) = line.strip_prefix("  - id: ") {
            out.push(Block {
                id: id.trim().to_string(),
                source_id: None,
                text: String::new(),
            });
        }
        if let Some(block) = out.last_mut() {
            if let Some(key) = line.strip_prefix("    x-source-id: ") {
                block.source_id = Some(key.trim().trim_matches('"').to_string());
            }
            block.text.push_str(&line);
            block.text.push('\n');
        }
    }
    out
}

/// Gives each new activity whose source key an earlier import wrote the id it had then.
pub fn keep_ids(imported: &mut super::Imported, old: &[Block]) {
    for activity in &mut imported.activities {
        let Some(key) = activity.source_id.as_ref().map(|s| s.value.clone()) else {
            continue;
        };
        if let Some(block) = old
            .iter()
            .find(|b| b.source_id.as_deref() == Some(key.as_str()))
        {
            activity.id.clone_from(&block.id);
        }
    }
}

/// What a new import does to the activities of an earlier one: added, changed, removed ids.
pub fn changes(old: &[Block], new: &[Block]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let added = new
        .iter()
        .filter(|n| !old.iter().any(|o| o.id == n.id))
        .map(|n| n.id.clone())
        .collect();
    let changed = new
        .iter()
        .filter(|n| old.iter().any(|o| o.id == n.id && o.text != n.text))
        .map(|n| n.id.clone())
        .collect();
    let removed = old
        .iter()
        .filter(|o| !new.iter().any(|n| n.id == o.id))
        .map(|o| o.id.clone())
        .collect();
    (added, changed, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_compared_without_their_provenance() {
        let old = blocks(
            "activities:\n  - id: a  # from S!A2\n    x-source-id: \"K1\"  # from S!B2\n    name: \"A # one\"  # from S!C2\n    # review: x\n  - id: b  # from S!A3\n",
        );
        assert_eq!(old.len(), 2);
        assert_eq!(old[0].source_id.as_deref(), Some("K1"));
        assert!(
            old[0].text.contains("name: \"A # one\"\n"),
            "{}",
            old[0].text
        );
        let new = blocks(
            "activities:\n  - id: a  # from S!A9\n    x-source-id: \"K1\"  # from S!B9\n    name: \"A # one\"  # from S!C9\n  - id: c  # from S!A10\n",
        );
        assert_eq!(
            changes(&old, &new),
            (vec!["c".to_string()], vec![], vec!["b".to_string()])
        );
    }
}
