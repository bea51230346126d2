fn main() -> std::process::ExitCode {
    sobes::cli::main()
}
