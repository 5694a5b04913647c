//! Writes a synthetic register: `cargo run --release --example generate -- N DIR [--double]`
//! (`--double`: about twice the findings an activity).

#[path = "../benches/generate.rs"]
mod generate;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(dir)) = (
        args.first().and_then(|n| n.parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: generate N DIR");
        return std::process::ExitCode::from(2);
    };
    let gaps = if args.iter().any(|a| a == "--double") {
        generate::Gaps::Double
    } else {
        generate::Gaps::Seed
    };
    match generate::generate_with(n, std::path::Path::new(dir), gaps) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cannot write {dir}: {err}");
            std::process::ExitCode::from(2)
        }
    }
}
