//! `msgbridge`: compose msgbridge's adapters around a messaging component, inspect and
//! check what a component speaks, run components on the reference host and send them
//! messages. The command line lives in the library (`msgbridge_cli::command`).

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(msgbridge_cli::command::main_with(std::env::args_os()))
}
