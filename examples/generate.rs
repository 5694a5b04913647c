//! Writes a synthetic register: `cargo run --release --example generate -- N DIR`.

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
    match generate::generate(n, std::path::Path::new(dir)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cannot write {dir}: {err}");
            std::process::ExitCode::from(2)
        }
    }
}
