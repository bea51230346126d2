fn main() -> std::process::ExitCode {
    sobes::storage::private_umask();
    // A sync's network step runs in a child process, started as `sobes __transfer …`.
    if let Some(code) = sobes::sync::transfer::child_main() {
        return code;
    }
    sobes::cli::main()
}
