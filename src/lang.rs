//! Owns the language a person reads ropa in: the choice (`--lang`, `lang` in ropa.toml,
//! English by default) and how code says a thing in it. Rule texts come from the policies'
//! annotations (`@message_nl`, ...); the words of reports and documents from their modules.

/// A language ropa speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum, serde::Serialize)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Dutch.
    Nl,
}

impl Lang {
    /// The language's code (`en`, `nl`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// The language with this code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Lang::En),
            "nl" => Some(Lang::Nl),
            _ => None,
        }
    }

    /// The English or the Dutch text, whichever this language reads.
    pub fn pick<'a>(self, en: &'a str, nl: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Nl => nl,
        }
    }

    /// The suffix of a rule annotation in this language (`_nl`); English has none.
    pub fn annotation_suffix(self) -> &'static str {
        match self {
            Lang::En => "",
            Lang::Nl => "_nl",
        }
    }
}
