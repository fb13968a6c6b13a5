fn main() -> std::process::ExitCode {
    ai_shell::run()
}
