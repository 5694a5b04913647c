//! The `ropa` binary: hands argv to the CLI and returns its exit code.

fn main() -> std::process::ExitCode {
    ropa::cli::main()
}
