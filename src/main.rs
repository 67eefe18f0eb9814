//! The `sev` binary: everything lives in the library; see `sev::cli`.

fn main() -> std::process::ExitCode {
    sev::cli::main()
}
