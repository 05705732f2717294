//! A running `jixiao serve` for the workbench tests: started on a free loopback port, its URL
//! (with the token) read from its standard output, killed when dropped; and a plain HTTP/1.1
//! client over `TcpStream` that sends exactly the request it is given (no normalising of
//! paths, so `..` reaches the server as written).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use super::jixiao_command;

/// A workbench process.
pub struct Workbench {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The token printed at start.
    pub token: String,
    /// The URL printed at start, token included.
    pub url: String,
    /// Everything printed before the URL, and the lines after it up to "按 Ctrl-C 停止".
    pub banner: String,
}

impl Workbench {
    /// Starts `jixiao serve ARGS` from the crate root and waits (at most 30 s) for its URL.
    pub fn start(args: &[&str]) -> Self {
        let mut child = jixiao_command()
            .arg("serve")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("jixiao serve starts");
        let stdout = child.stdout.take().unwrap();
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = String::new();
        let mut url = None;
        loop {
            let Ok(line) = receive.recv_timeout(Duration::from_secs(30)) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("jixiao serve printed no URL within 30 s; printed:\n{banner}");
            };
            banner.push_str(&line);
            banner.push('\n');
            if line.starts_with("http://") {
                url = Some(line.clone());
            }
            if line.contains("Ctrl-C") {
                break;
            }
        }
        let url = url.unwrap();
        let rest = url.strip_prefix("http://").unwrap();
        let (addr, query) = rest.split_once('/').unwrap();
        let token = query.strip_prefix("?token=").unwrap().to_owned();
        Self {
            child,
            addr: addr.to_owned(),
            token,
            url,
            banner,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// The `Cookie` header that carries the token.
    pub fn cookie(&self) -> String {
        format!("jixiao_token_{}={}", self.port(), self.token)
    }

    /// `GET path` with the token's cookie.
    pub fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[("Cookie", &self.cookie())], b"")
    }

    /// `POST path` with the token's cookie and a form-encoded body.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", percent(v))).collect();
        self.send(
            "POST",
            path,
            &[
                ("Cookie", &self.cookie()),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.join("&").as_bytes(),
        )
    }

    /// Sends one request as written and reads the whole response.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        // A server may answer (413) and close before the whole body is sent.
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        Response::parse(&raw)
    }
}

impl Drop for Workbench {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Percent-encodes a form value (every byte but unreserved ASCII).
pub fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An HTTP response: status, headers (names lower-case), body as text.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body (chunked bodies are de-chunked).
    pub body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Self {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
            .collect();
        let chunked = headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked { dechunk(body) } else { body.to_owned() };
        Self { status, headers, body }
    }

    /// The first header of this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}
