//! The load generator's HTTP/1.1 client: one kept-alive connection per client thread, each
//! request written whole and its answer read to the end, as wrk does. A general client (ureq)
//! spent about a tenth of the machine's CPU on what never changes between requests (the URL
//! parsed, the headers built, the address resolved), CPU the server it measures then lacked.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context, bail};

/// Most bytes of an answer's status line and headers.
const HEAD_BYTES_MAX: usize = 64 * 1024;
/// Most bytes of an answer's body.
const BODY_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Bytes read from the socket at a time.
const READ_BYTES: usize = 16 * 1024;

/// A connection to the server, opened at the first request and again after the server closed
/// it.
pub(crate) struct Connection {
    address: SocketAddr,
    timeout: Duration,
    stream: Option<TcpStream>,
    answer: Vec<u8>,
}

impl Connection {
    /// A client of the server at `address`, giving up on a read or write after `timeout`.
    pub(crate) fn new(address: SocketAddr, timeout: Duration) -> Self {
        Connection {
            address,
            timeout,
            stream: None,
            answer: Vec::with_capacity(READ_BYTES),
        }
    }

    /// Sends `request` (a whole HTTP/1.1 request, [`write_request`]) and reads its answer to
    /// the end; returns the answer's status.
    pub(crate) fn exchange(&mut self, request: &[u8]) -> anyhow::Result<u16> {
        if self.stream.is_none() {
            let stream = TcpStream::connect_timeout(&self.address, self.timeout)
                .with_context(|| format!("connecting to {}", self.address))?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(self.timeout))?;
            stream.set_write_timeout(Some(self.timeout))?;
            self.stream = Some(stream);
        }
        let result = self.send_and_read(request);
        match &result {
            Ok((_, keep)) if *keep => {}
            // Closed by the server, or broken: the next request opens a new connection.
            _ => self.stream = None,
        }
        result.map(|(status, _)| status)
    }

    /// The answer's status, and whether the connection stays open.
    fn send_and_read(&mut self, request: &[u8]) -> anyhow::Result<(u16, bool)> {
        let stream = self.stream.as_mut().context("a connection is open")?;
        stream.write_all(request).context("sending a request")?;
        let answer = &mut self.answer;
        answer.clear();
        let head_end = loop {
            if let Some(i) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if answer.len() > HEAD_BYTES_MAX {
                bail!("an answer's head is longer than {HEAD_BYTES_MAX} bytes");
            }
            read_some(stream, answer)?;
        };
        let head = std::str::from_utf8(&answer[..head_end]).context("an answer's head")?;
        let (status, length, keep) = parse_head(head)?;
        if length > BODY_BYTES_MAX {
            bail!("an answer's body of {length} bytes, more than {BODY_BYTES_MAX}");
        }
        let end = head_end + length;
        while answer.len() < end {
            read_some(stream, answer)?;
        }
        if answer.len() > end {
            bail!("the server sent more than the answer asked for");
        }
        Ok((status, keep))
    }
}

/// Reads what the socket has into `into`; an error if the server closed the connection.
fn read_some(stream: &mut TcpStream, into: &mut Vec<u8>) -> anyhow::Result<()> {
    let start = into.len();
    into.resize(start + READ_BYTES, 0);
    let n = stream.read(&mut into[start..]);
    into.truncate(start + *n.as_ref().unwrap_or(&0));
    match n.context("reading an answer")? {
        0 => bail!("the server closed the connection in the middle of an answer"),
        _ => Ok(()),
    }
}

/// The status, the body's length and whether the connection stays open, from an answer's head.
fn parse_head(head: &str) -> anyhow::Result<(u16, usize, bool)> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok())
        .with_context(|| format!("not an HTTP/1.1 status line: {status_line:?}"))?;
    let mut length = None;
    let mut keep = true;
    for line in lines.take_while(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            bail!("not a header: {line:?}");
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<usize>()
                    .with_context(|| format!("content-length {value:?}"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            bail!("a {value} answer: the benchmark reads answers of a known length only");
        } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
            keep = false;
        }
    }
    let length = length.with_context(|| format!("an answer without a length: {head:?}"))?;
    Ok((status, length, keep))
}

/// Writes a whole POST request with a JSON body to `out` (cleared first).
pub(crate) fn write_request(
    out: &mut Vec<u8>,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) {
    out.clear();
    // Writing to a Vec cannot fail.
    let _ = write!(out, "POST {path} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    let _ = write!(
        out,
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_status_length_and_whether_the_connection_stays() {
        let head = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\
                    Content-Length: 42\r\n\r\n";
        assert_eq!(parse_head(head).unwrap(), (201, 42, true));
        let closing = "HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\
                       content-length: 0\r\n\r\n";
        assert_eq!(parse_head(closing).unwrap(), (503, 0, false));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for head in [
            "HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\n",
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n",
            "HTTP/1.1 2x0 OK\r\ncontent-length: 1\r\n\r\n",
        ] {
            assert!(parse_head(head).is_err(), "{head:?}");
        }
    }

    #[test]
    fn writes_a_whole_request() {
        let mut out = b"left over".to_vec();
        write_request(
            &mut out,
            "127.0.0.1:80",
            "/api/v1/claims",
            &[("Authorization", "Bearer t")],
            b"{}",
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "POST /api/v1/claims HTTP/1.1\r\nHost: 127.0.0.1:80\r\nAuthorization: Bearer t\r\n\
             Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        );
    }
}
