//! Owns the problems that stop ropa from running (bad register, bad policies, I/O,
//! evaluation errors): their stable codes and where they point. Findings are elsewhere.

use crate::source::Location;

/// The tool's own diagnostic codes. Each is a stable kebab-case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A file could not be read.
    Io,
    /// No register file was found.
    NoRegisterFiles,
    /// A file is larger than the size cap.
    FileTooLarge,
    /// A file is not valid UTF-8.
    InvalidUtf8,
    /// A spreadsheet, document or other binary file given where YAML is read.
    NotText,
    /// YAML syntax error, or a YAML resource limit was hit.
    YamlSyntax,
    /// A file with no content.
    EmptyFile,
    /// A node of the wrong kind (a list where a mapping belongs, ...).
    WrongType,
    /// A key the format does not know.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value outside its vocabulary (legal basis, role, operation, ...).
    UnknownValue,
    /// A malformed value (an id that is not kebab-case, a bad date, ...).
    InvalidValue,
    /// A data or subject category that is not in the taxonomy.
    UnknownCategory,
    /// A reference to an id that does not exist.
    DanglingReference,
    /// An id defined twice.
    DuplicateId,
    /// A section that may appear only once appears twice.
    DuplicateSection,
    /// The category taxonomy has a cycle.
    TaxonomyCycle,
    /// A Cedar schema that does not parse.
    SchemaError,
    /// A Cedar policy file that does not parse.
    PolicyParse,
    /// A policy that does not validate against the schema.
    PolicyValidation,
    /// A policy annotation that is missing or malformed.
    PolicyAnnotation,
    /// Two policies with the same `@id`.
    DuplicateRule,
    /// No policy was found.
    NoPolicies,
    /// A policy failed while being evaluated.
    EvaluationError,
    /// An entity could not be built from the register.
    EntityError,
    /// A path that is not a regular file or folder (a FIFO, socket or device).
    NotARegularFile,
    /// Cedar text nested deeper than the limit.
    PolicyTooDeep,
    /// A policy file with no policy in it.
    EmptyPolicyFile,
    /// `ropa.toml` does not parse, or a value in it is wrong.
    Config,
    /// A policy whose condition is false for every valid request: it can never fire.
    ImpossiblePolicy,
    /// Another warning of Cedar's validator (a confusable or mixed-script identifier).
    PolicyWarning,
    /// A document template does not parse or does not render.
    Template,
    /// A path that leads outside the repository or the folder that names it.
    OutsideTree,
    /// A file name that holds a control character.
    FileName,
}

impl Code {
    /// Every code, for documentation and tests.
    pub const ALL: [Code; 34] = [
        Code::Io,
        Code::NoRegisterFiles,
        Code::FileTooLarge,
        Code::InvalidUtf8,
        Code::NotText,
        Code::YamlSyntax,
        Code::EmptyFile,
        Code::WrongType,
        Code::UnknownKey,
        Code::MissingKey,
        Code::UnknownValue,
        Code::InvalidValue,
        Code::UnknownCategory,
        Code::DanglingReference,
        Code::DuplicateId,
        Code::DuplicateSection,
        Code::TaxonomyCycle,
        Code::SchemaError,
        Code::PolicyParse,
        Code::PolicyValidation,
        Code::PolicyAnnotation,
        Code::DuplicateRule,
        Code::NoPolicies,
        Code::EvaluationError,
        Code::EntityError,
        Code::NotARegularFile,
        Code::PolicyTooDeep,
        Code::EmptyPolicyFile,
        Code::Config,
        Code::ImpossiblePolicy,
        Code::PolicyWarning,
        Code::Template,
        Code::OutsideTree,
        Code::FileName,
    ];

    /// The stable name shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::NoRegisterFiles => "no-register-files",
            Code::FileTooLarge => "file-too-large",
            Code::InvalidUtf8 => "invalid-utf8",
            Code::NotText => "not-a-text-file",
            Code::YamlSyntax => "yaml-syntax",
            Code::EmptyFile => "empty-file",
            Code::WrongType => "wrong-type",
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::UnknownValue => "unknown-value",
            Code::InvalidValue => "invalid-value",
            Code::UnknownCategory => "unknown-category",
            Code::DanglingReference => "dangling-reference",
            Code::DuplicateId => "duplicate-id",
            Code::DuplicateSection => "duplicate-section",
            Code::TaxonomyCycle => "taxonomy-cycle",
            Code::SchemaError => "schema-error",
            Code::PolicyParse => "policy-parse",
            Code::PolicyValidation => "policy-validation",
            Code::PolicyAnnotation => "policy-annotation",
            Code::DuplicateRule => "duplicate-rule",
            Code::NoPolicies => "no-policies",
            Code::EvaluationError => "evaluation-error",
            Code::EntityError => "entity-error",
            Code::NotARegularFile => "not-a-regular-file",
            Code::PolicyTooDeep => "policy-too-deep",
            Code::EmptyPolicyFile => "empty-policy-file",
            Code::Config => "config",
            Code::ImpossiblePolicy => "impossible-policy",
            Code::PolicyWarning => "policy-warning",
            Code::Template => "template",
            Code::OutsideTree => "outside-tree",
            Code::FileName => "file-name",
        }
    }

    /// One line on what the code means.
    pub fn description(self) -> &'static str {
        match self {
            Code::Io => "a file or folder could not be read",
            Code::NoRegisterFiles => "no *.yaml or *.yml register file was found",
            Code::FileTooLarge => "a file is larger than the size cap",
            Code::InvalidUtf8 => "a file is not valid UTF-8 text",
            Code::NotText => "a spreadsheet, document or other binary file was given as YAML",
            Code::YamlSyntax => "the YAML does not parse, or exceeds a nesting or alias limit",
            Code::EmptyFile => "a register file has no content",
            Code::WrongType => "a value is of the wrong kind (list, mapping, text)",
            Code::UnknownKey => "a key the register format or ropa.toml does not define",
            Code::MissingKey => "a required key is missing",
            Code::UnknownValue => "a value outside its vocabulary (legal basis, role, ...)",
            Code::InvalidValue => "a malformed value (id, date, country code, period)",
            Code::UnknownCategory => "a data or subject category that is not in the taxonomy",
            Code::DanglingReference => "a reference to an id that is not defined",
            Code::DuplicateId => "an id is defined twice",
            Code::DuplicateSection => "a section that may appear once appears twice",
            Code::TaxonomyCycle => "a category is its own ancestor",
            Code::SchemaError => "the Cedar schema does not parse",
            Code::PolicyParse => "a Cedar policy file does not parse",
            Code::PolicyValidation => "a policy does not validate against the schema",
            Code::PolicyAnnotation => "a required policy annotation is missing or malformed",
            Code::DuplicateRule => "two policies share an @id",
            Code::NoPolicies => "no policy was found",
            Code::EvaluationError => "a policy failed during evaluation (fail closed)",
            Code::EntityError => "the register could not be turned into Cedar entities",
            Code::NotARegularFile => "a path is a FIFO, socket or device, not a file or folder",
            Code::PolicyTooDeep => "a policy or schema file nests deeper than the limit",
            Code::EmptyPolicyFile => "a policy file holds no policy (empty or only comments)",
            Code::Config => "ropa.toml does not parse, or a value in it is wrong",
            Code::ImpossiblePolicy => {
                "a policy is false for every valid request: it can never fire"
            }
            Code::PolicyWarning => {
                "Cedar's validator warns about a policy (a confusable identifier)"
            }
            Code::Template => "a document template does not parse or does not render",
            Code::OutsideTree => {
                "a path leads outside the repository or its folder (a symbolic link out, an absolute path or `..` in ropa.toml)"
            }
            Code::FileName => "a file name holds a control character (a newline, a tab)",
        }
    }
}

/// A secondary place a problem refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where.
    pub at: Location,
    /// What is there.
    pub text: String,
}

/// Something that stops the run, pointing at the source where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code.
    pub code: Code,
    /// One-line description of what is wrong.
    pub message: String,
    /// Where it is, when known.
    pub at: Option<Location>,
    /// The label at `at`.
    pub label: String,
    /// What to do.
    pub help: Option<String>,
    /// Other places involved (the first definition of a duplicate, ...).
    pub notes: Vec<Note>,
}

impl Problem {
    /// A problem at a location.
    pub fn at(code: Code, at: Location, message: impl Into<String>) -> Self {
        Problem {
            code,
            message: message.into(),
            at: Some(at),
            label: String::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// A problem with no location in a file.
    pub fn general(code: Code, message: impl Into<String>) -> Self {
        Problem {
            code,
            message: message.into(),
            at: None,
            label: String::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the label at the primary location.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help text when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Adds a secondary place.
    pub fn note(mut self, at: Location, text: impl Into<String>) -> Self {
        self.notes.push(Note {
            at,
            text: text.into(),
        });
        self
    }
}

/// Sorts problems into report order: those without a place first, then by file and position.
pub fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by(|a, b| (a.at, a.code, &a.message).cmp(&(b.at, b.code, &b.message)));
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// A "did you mean" help text, when a close candidate exists.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.name()).collect();
        for name in &names {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{name}"
            );
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate code name");
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let keys = ["retention", "purposes", "role"];
        assert_eq!(did_you_mean("retenton", keys), Some("retention"));
        assert_eq!(did_you_mean("purpose", keys), Some("purposes"));
        assert_eq!(did_you_mean("xyzzy", keys), None);
    }
}
