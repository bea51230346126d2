fn main() -> std::process::ExitCode {
    sobes::storage::private_umask();
    sobes::cli::main()
}
