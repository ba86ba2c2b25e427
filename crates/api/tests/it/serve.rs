//! The server on a real socket: a graceful shutdown lets the request in flight finish and
//! refuses new connections; a yente client written the way yente's documentation calls it
//! finds a listed person through Clearhouse.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::support::*;

/// Most connection attempts while waiting for the listener to close (10 ms apart).
const CLOSE_WAIT_ATTEMPTS_MAX: usize = 500;

/// A server on 127.0.0.1 (a port the system chose), stopped when `stop` is sent.
struct Server {
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn start(api: &Api) -> Server {
    let listener = api
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a port on loopback");
    let address = listener.local_addr().expect("its address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = std::sync::Arc::clone(&api.state);
    let done = api.rt.spawn(api::serve_on(state, listener, async move {
        let _ = stopped.await;
    }));
    Server {
        address,
        stop: Some(stop),
        done,
    }
}

/// Reads a whole HTTP/1.1 answer (the server closes the connection after it).
fn read_answer(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).expect("the answer reads");
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_graceful_shutdown_finishes_the_request_in_flight_and_refuses_new_connections() {
    let api = Api::new(TestDb::sqlite());
    let mut server = start(&api);
    let token = api.token("a.novak").to_owned();
    // A slow request: its headers are in, its body is not. With `Expect: 100-continue` the
    // server says when the handler starts reading the body: from then on the request is in
    // flight, whatever the machine's speed.
    let line = to_json(&demo_claim(api.clock.now(), "c-medicines").goods_lines[0]);
    let body = serde_json::to_vec(&serde_json::json!({"goods_lines": [line]})).expect("JSON");
    let mut slow = TcpStream::connect(server.address).expect("connect");
    let head = format!(
        "POST /api/v1/goods/check HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    slow.write_all(head.as_bytes()).expect("headers sent");
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut interim = Vec::new();
    let mut byte = [0u8; 1];
    while !interim.ends_with(b"\r\n\r\n") && interim.len() < 1024 {
        slow.read_exact(&mut byte)
            .expect("the server answers 100 Continue");
        interim.push(byte[0]);
    }
    assert!(
        interim.starts_with(b"HTTP/1.1 100"),
        "{}",
        String::from_utf8_lossy(&interim)
    );
    server
        .stop
        .take()
        .expect("once")
        .send(())
        .expect("the server listens");
    let mut refused = false;
    for _ in 0..CLOSE_WAIT_ATTEMPTS_MAX {
        match TcpStream::connect(server.address) {
            // Taken by the kernel before the listener closed (and reset when it closes):
            // not refused yet.
            Ok(_) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}");
                refused = true;
                break;
            }
        }
    }
    assert!(
        refused,
        "new connections are still taken after the shutdown began"
    );
    assert!(
        !server.done.is_finished(),
        "the server stopped with a request in flight"
    );
    slow.write_all(&body).expect("the body sent");
    let answer = read_answer(&mut slow);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"lines\""), "{answer}");
    let result = api
        .rt
        .block_on(async { tokio::time::timeout(Duration::from_secs(10), server.done).await });
    result
        .expect("the server stopped once its last request was answered")
        .expect("the server task")
        .expect("the server ended cleanly");
}

#[test]
fn a_yente_client_finds_a_listed_person_through_clearhouse() {
    let api = Api::new(TestDb::sqlite());
    let server = start(&api);
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/yente_client.py");
    let run = |key: Option<&str>| {
        let mut command = std::process::Command::new("python3");
        command
            .arg(&script)
            .arg(format!("http://{}", server.address))
            .env_remove("OPENSANCTIONS_API_KEY")
            .env_remove("CLEARHOUSE_TOKEN")
            .env_remove("YENTE_API_KEY");
        if let Some(key) = key {
            command.env("YENTE_API_KEY", key);
        }
        command.output().expect("python3 runs")
    };
    // Without a key, the server refuses it, and the client says so.
    let out = run(None);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("HTTP 401"),
        "{out:?}"
    );
    // With an officer's token as its API key (sent as yente's `Authorization: ApiKey …`).
    let out = run(Some(api.token("a.novak")));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let person = stdout
        .lines()
        .skip_while(|l| !l.starts_with("person:"))
        .nth(1)
        .unwrap_or_else(|| panic!("no result for the person:\n{stdout}"));
    assert!(person.to_lowercase().contains("rotenberg"), "{stdout}");
    assert!(person.contains("\tmatch\t"), "{stdout}");
    let metrics = api.get("/metrics").send().text();
    assert!(
        metrics.contains("route=\"/match/{dataset}\",status=\"200\"} 1"),
        "{metrics}"
    );
}
