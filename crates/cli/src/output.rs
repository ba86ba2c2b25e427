//! Writing to stdout: errors (a closed pipe included) are returned, never panics.

use std::io::Write;

/// Writes one line.
pub fn line(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")
}

/// Writes one JSON value as a line.
pub fn json_line(value: &serde_json::Value) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    out.write_all(b"\n")
}

/// A progress bar on stderr, hidden unless stderr is a terminal and the output is not JSON.
pub fn progress(ctx: &crate::Ctx, total: u64, unit: &str) -> indicatif::ProgressBar {
    if !ctx.progress {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} {{per_sec}} {{eta}}");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
