//! Running the `clearhouse` binary as a user does, and reading what it prints: shared by every
//! command's tests.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `clearhouse` with no arguments yet; list and database settings from the environment are
/// removed so that a test sees only what it passes.
pub fn clearhouse() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clearhouse"));
    command
        .env_remove("CLEARHOUSE_LISTS_DIR")
        .env_remove("CLEARHOUSE_DATABASE_URL");
    command
}

/// Runs `command` with `stdin` (any bytes, not only UTF-8) written to its standard input.
pub fn with_stdin(command: &mut Command, stdin: impl AsRef<[u8]>) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start clearhouse");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_ref())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Output bytes as JSON Lines; panics naming the line that is not JSON.
pub fn json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    text(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}
