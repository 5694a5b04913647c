//! Fuzzes `ropa import`'s readers: arbitrary bytes as a workbook (its ZIP checked against
//! the budgets first) and as a CSV file, each table read as the ICO templates with the
//! shipped taxonomy; as an AVG register export (a ZIP of JSON) and as DPV JSON-LD; the
//! mapping report and the register files rendered.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ropa::import::{avg, dpv, ico, normalise::Synonyms, table, write};
use ropa::policy::{load_policies, PolicyPack};
use ropa::source::SourceMap;

fn pack() -> &'static PolicyPack {
    static PACK: OnceLock<PolicyPack> = OnceLock::new();
    PACK.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let mut sources = SourceMap::new();
        match load_policies(&dir, &mut sources, &ropa::yaml::Limits::default()) {
            Ok(pack) => pack,
            Err(problems) => panic!("the shipped pack must load: {problems:?}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let pack = pack();
    let synonyms = Synonyms::default();
    let context = ropa::import::Context::of(pack, &synonyms);
    let mut tables = table::workbook("fuzz.xlsx", data).unwrap_or_default();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(csv) = table::csv("fuzz", text) {
            tables.push(csv);
        }
    }
    let imported = ico::read(&tables, &context, "fuzz");
    if let Ok(avg) = avg::read("fuzz.zip", data, &context) {
        let _ = write::files(&avg, "fuzz.zip", ropa::lang::Lang::En);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(read) = dpv::read("fuzz.jsonld", &value, &context) {
            let _ = write::files(&read, "fuzz.jsonld", ropa::lang::Lang::En);
        }
    }
    let _ = write::report(&imported, "fuzz", ropa::lang::Lang::En);
    let _ = write::files(&imported, "fuzz", ropa::lang::Lang::Nl);
});
