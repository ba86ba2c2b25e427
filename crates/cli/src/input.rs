//! Files the clearing-house commands read (a configuration, a participant or claim as JSON),
//! each read through [`open`] with a named limit: a file larger than its
//! limit (or one that never ends, such as `/dev/zero`) is refused after at most one byte more
//! than the limit was read, with an error that names the file and the limit.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

/// Largest configuration or JSON input file (`house init --config`, `participant add --file`,
/// `claim submit --file`), in bytes.
pub const INPUT_FILE_BYTES_MAX: u64 = 16 * 1024 * 1024;

/// A reader that fails once more than `limit` bytes come out of `inner`.
pub struct Limited<R> {
    inner: std::io::Take<R>,
    read: u64,
    limit: u64,
    path: String,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                too_large(&self.path, self.limit),
            ));
        }
        Ok(n)
    }
}

fn too_large(path: &str, limit: u64) -> String {
    format!("{path} is larger than {limit} bytes, the most this input may hold")
}

/// Opens `path` for reading at most `limit` bytes (see [`Limited`]).
pub fn open(path: &Path, limit: u64) -> anyhow::Result<Limited<std::fs::File>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Limited {
        inner: file.take(limit.saturating_add(1)),
        read: 0,
        limit,
        path: path.display().to_string(),
    })
}

/// The whole of `path`, refused beyond `limit` bytes.
pub fn read(path: &Path, limit: u64) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path, limit)?.read_to_end(&mut bytes).map_err(|e| {
        let ours = e.kind() == std::io::ErrorKind::InvalidData;
        let e = anyhow::Error::new(e);
        // The limit's message names the file already.
        if ours {
            e
        } else {
            e.context(format!("reading {}", path.display()))
        }
    })?;
    Ok(bytes)
}

/// The whole of `path` as UTF-8 text, refused beyond `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> anyhow::Result<String> {
    String::from_utf8(read(path, limit)?)
        .with_context(|| format!("{}: not UTF-8 text", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_up_to_its_limit_and_refused_beyond() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.json");
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_text(&path, 10).unwrap(), "0123456789");
        let err = format!("{:#}", read_text(&path, 9).unwrap_err());
        assert!(err.contains("input.json"), "{err}");
        assert!(err.contains("larger than 9 bytes"), "{err}");
    }

    #[test]
    fn an_endless_file_is_refused_after_the_limit() {
        let err = format!("{:#}", read_text(Path::new("/dev/zero"), 1024).unwrap_err());
        assert!(err.contains("/dev/zero is larger than 1024 bytes"), "{err}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let err = format!(
            "{:#}",
            read_text(Path::new("/nonexistent/x.toml"), 1).unwrap_err()
        );
        assert!(err.contains("opening /nonexistent/x.toml"), "{err}");
    }
}
