//! TLS on the server and the gateway (`--tls-cert`/`--tls-key`), with a
//! CA and certificates made in the test: the CLI trusting a private CA
//! (`--ca-cert`), HTTP/1.1 and HTTP/2 by ALPN on the gateway, certificate
//! reload on SIGHUP while open connections carry on, and a broken
//! replacement refused. SQLite only: nothing here depends on the backend.

use crate::common::{temp_dir, Backend, Cli, TestGateway, TestServer};
use crate::upstream::{add_echo_route, UPSTREAM_SECRET};
use bytes::Bytes;
use http::{Request, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// A private CA, and certificates it signs for localhost and 127.0.0.1.
struct Pki {
    dir: tempfile::TempDir,
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Pki {
        let dir = temp_dir();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "tokenctl test CA");
        let key = KeyPair::generate().unwrap();
        let ca = params.self_signed(&key).unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        Pki {
            dir,
            ca_der: ca.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    fn ca_path(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn ca(&self) -> String {
        self.ca_path().display().to_string()
    }

    /// Writes a fresh certificate and key to `NAME.crt` and `NAME.key`
    /// (replacing them if they exist).
    fn issue(&self, name: &str) -> (String, String) {
        let params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let (cert_path, key_path) = self.paths(name);
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        std::fs::write(&cert_path, cert.pem()).unwrap();
        (
            cert_path.display().to_string(),
            key_path.display().to_string(),
        )
    }

    fn paths(&self, name: &str) -> (PathBuf, PathBuf) {
        (
            self.dir.path().join(format!("{name}.crt")),
            self.dir.path().join(format!("{name}.key")),
        )
    }

    /// The leaf certificate now in `NAME.crt`.
    fn leaf(&self, name: &str) -> Vec<u8> {
        CertificateDer::from_pem_file(self.paths(name).0)
            .unwrap()
            .as_ref()
            .to_vec()
    }

    fn connector(&self, alpn: &[&[u8]]) -> tokio_rustls::TlsConnector {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).unwrap();
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        tokio_rustls::TlsConnector::from(Arc::new(config))
    }
}

enum Sender {
    H1(hyper::client::conn::http1::SendRequest<Full<Bytes>>),
    H2(hyper::client::conn::http2::SendRequest<Full<Bytes>>),
}

/// One TLS connection to a server or gateway, kept open across requests.
struct Conn {
    authority: String,
    /// The protocol ALPN settled on.
    alpn: Option<Vec<u8>>,
    /// The certificate the server presented (DER).
    cert: Vec<u8>,
    sender: Sender,
}

/// What one request on a [`Conn`] got back.
struct Answer {
    version: Version,
    status: u16,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Conn {
    /// Connects to an `https://` URL offering `alpn`; HTTP/2 when the
    /// server picks `h2`, else HTTP/1.1.
    async fn open(pki: &Pki, url: &str, alpn: &[&[u8]]) -> Conn {
        let authority = url.strip_prefix("https://").expect("an https URL");
        let tcp = TcpStream::connect(authority).await.unwrap();
        let tls = pki
            .connector(alpn)
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .expect("TLS handshake with a certificate of the test CA");
        let (_, session) = tls.get_ref();
        let alpn = session.alpn_protocol().map(<[u8]>::to_vec);
        let cert = session.peer_certificates().unwrap()[0].as_ref().to_vec();
        let io = TokioIo::new(tls);
        let sender = if alpn.as_deref() == Some(b"h2") {
            let (sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                .await
                .unwrap();
            tokio::spawn(conn);
            Sender::H2(sender)
        } else {
            let (sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
            tokio::spawn(conn);
            Sender::H1(sender)
        };
        Conn {
            authority: authority.to_string(),
            alpn,
            cert,
            sender,
        }
    }

    async fn get(&mut self, path: &str, token: Option<&str>) -> Answer {
        let mut req = Request::get(match self.sender {
            Sender::H1(_) => path.to_string(),
            Sender::H2(_) => format!("https://{}{path}", self.authority),
        });
        if matches!(self.sender, Sender::H1(_)) {
            req = req.header("host", &self.authority);
        }
        if let Some(t) = token {
            req = req.header("x-api-key", t);
        }
        let req = req.body(Full::new(Bytes::new())).unwrap();
        let resp = match &mut self.sender {
            Sender::H1(s) => {
                s.ready().await.expect("the connection is still open");
                s.send_request(req).await.unwrap()
            }
            Sender::H2(s) => {
                s.ready().await.expect("the connection is still open");
                s.send_request(req).await.unwrap()
            }
        };
        let (version, status) = (resp.version(), resp.status().as_u16());
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        Answer {
            version,
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn wait_for(what: &str, log: impl Fn() -> String, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "{what}: no `{needle}` in\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sighup(pid: u32) {
    let status = Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A server on SQLite serving HTTPS with a certificate of `pki`, and the
/// CLI trusting the CA.
fn tls_server(pki: &Pki) -> TestServer {
    let (cert, key) = pki.issue("server");
    let mut srv = TestServer::start_with_env(
        Backend::Sqlite,
        &[
            ("TOKENCTL_TLS_CERT", cert.as_str()),
            ("TOKENCTL_TLS_KEY", key.as_str()),
        ],
    )
    .unwrap();
    assert!(srv.url.starts_with("https://127.0.0.1:"), "{}", srv.url);
    srv.ca_cert = Some(pki.ca_path());
    srv
}

#[test]
fn the_cli_trusts_a_private_ca_with_ca_cert_and_the_server_reloads_on_sighup() {
    let pki = Pki::new();
    let srv = tls_server(&pki);

    // Not trusted: the bundled roots do not know the test CA.
    let untrusting = Cli::new(&srv.url, Some(&srv.admin));
    let refused = untrusting.run(&["token", "list", "-o", "json"]);
    assert!(
        refused.fails(1).contains("server_unreachable"),
        "{}",
        refused.stderr
    );

    // --ca-cert, or TOKENCTL_CA_CERT (what `srv.cli()` sets).
    let ca = pki.ca();
    let listed = untrusting.run(&["--ca-cert", &ca, "token", "list", "-o", "json"]);
    assert!(listed.json().is_array(), "{}", listed.stdout);
    let cli = srv.cli();
    let who = cli.json(&["whoami"]);
    assert_eq!(who["teams"][0]["team"], "system", "{who}");

    // A CA file that is not one is a usage error, before any request.
    let not_pem = untrusting.run(&["--ca-cert", &srv.log_path().display().to_string(), "whoami"]);
    assert!(not_pem.fails(2).contains("--ca-cert"), "{}", not_pem.stderr);
    let missing = untrusting.run(&["--ca-cert", "/nonexistent/ca.pem", "whoami"]);
    assert!(
        missing.fails(2).contains("cannot read --ca-cert"),
        "{}",
        missing.stderr
    );

    // The server reloads its certificate on SIGHUP.
    let rt = runtime();
    let before = rt.block_on(Conn::open(&pki, &srv.url, &[b"http/1.1"]));
    assert_eq!(before.cert, pki.leaf("server"));
    pki.issue("server");
    sighup(srv.pid());
    wait_for(
        "server reload",
        || srv.log(),
        "reloaded the TLS certificate",
    );
    let after = rt.block_on(Conn::open(&pki, &srv.url, &[b"h2", b"http/1.1"]));
    assert_eq!(
        after.cert,
        pki.leaf("server"),
        "new connections get the new certificate"
    );
    assert_ne!(after.cert, before.cert);
    assert_eq!(
        after.alpn.as_deref(),
        Some(&b"h2"[..]),
        "the server offers HTTP/2 too"
    );
    assert_eq!(cli.json(&["whoami"])["teams"][0]["team"], "system");
}

#[test]
fn tls_flags_come_in_pairs_and_bad_files_are_refused_at_start() {
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let pki = Pki::new();
    let (cert, key) = pki.issue("a");
    let (_, other_key) = pki.issue("b");
    let dir = temp_dir();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let cli = Cli::new("", None);
        let mut cmd = cli.command(args);
        cmd.env_remove("TOKENCTL_TLS_CERT")
            .env_remove("TOKENCTL_TLS_KEY")
            .env_remove("TOKENCTL_GATEWAY_TLS_CERT")
            .env_remove("TOKENCTL_GATEWAY_TLS_KEY")
            .env("TOKENCTL_GATEWAY_KEY", crate::common::new_credential())
            .envs(env.iter().copied());
        crate::common::finish(cmd.output().unwrap())
    };
    let server = |extra: &[&str]| {
        let mut args = vec!["server", "--database-url", &db, "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };

    let out = run(&args(&server(&["--tls-cert", &cert])), &[]);
    assert!(out.fails(2).contains("--tls-key"), "{}", out.stderr);
    let out = run(&args(&server(&[])), &[("TOKENCTL_TLS_KEY", &key)]);
    assert!(out.fails(2).contains("--tls-cert"), "{}", out.stderr);
    let out = run(
        &["gateway", "--listen", "127.0.0.1:0", "--tls-key", &key],
        &[],
    );
    assert!(out.fails(2).contains("--tls-cert"), "{}", out.stderr);
    let out = run(
        &["gateway", "--listen", "127.0.0.1:0"],
        &[("TOKENCTL_GATEWAY_TLS_CERT", &cert)],
    );
    assert!(out.fails(2).contains("--tls-key"), "{}", out.stderr);

    // A key of another certificate, a certificate file without one.
    let out = run(
        &args(&server(&["--tls-cert", &cert, "--tls-key", &other_key])),
        &[],
    );
    assert!(
        out.fails(2)
            .contains("do not make a usable certificate and key"),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path().join("t.db").exists(),
        "refused before opening the database"
    );
    let out = run(
        &[
            "gateway",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            &key,
            "--tls-key",
            &key,
        ],
        &[("TOKENCTL_SERVER", "http://127.0.0.1:9")],
    );
    assert!(
        out.fails(2).contains("holds no certificate"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_gateway_serves_http1_and_http2_over_tls_and_swaps_certificates_on_sighup() {
    let pki = Pki::new();
    let srv = tls_server(&pki);
    let cli = srv.cli();
    let upstream = crate::upstream::Upstream::start();
    add_echo_route(&cli, &upstream);
    let token = cli.json(&["token", "create", "--name", "tls", "--scope", "echo"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (cert, key) = pki.issue("gateway");
    // The gateway follows the HTTPS server, trusting the CA with --ca-cert.
    let gw = TestGateway::start_with(
        &srv,
        &[
            "--ca-cert",
            &pki.ca(),
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
        ],
        None,
    );
    assert!(gw.url.starts_with("https://"), "{}", gw.url);
    let rt = runtime();
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut probe = Conn::open(&pki, &gw.url, &[b"http/1.1"]).await;
            if probe.get("/api/echo/ready", Some(&token)).await.status == 200 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the token never passed:\n{}",
                gw.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let first = pki.leaf("gateway");

    let (mut h1, mut h2) = rt.block_on(async {
        let mut h1 = Conn::open(&pki, &gw.url, &[b"http/1.1"]).await;
        assert_eq!(h1.alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert_eq!(h1.cert, first);
        let a = h1.get("/api/echo/one", Some(&token)).await;
        assert_eq!((a.version, a.status), (Version::HTTP_11, 200), "{}", a.body);
        let seen = a.json();
        assert_eq!(seen["headers"]["x-forwarded-proto"], "https");
        assert_eq!(
            seen["headers"]["authorization"],
            format!("Bearer {UPSTREAM_SECRET}")
        );

        let mut h2 = Conn::open(&pki, &gw.url, &[b"h2", b"http/1.1"]).await;
        assert_eq!(h2.alpn.as_deref(), Some(&b"h2"[..]), "h2 preferred by ALPN");
        let a = h2.get("/api/echo/two", Some(&token)).await;
        assert_eq!((a.version, a.status), (Version::HTTP_2, 200), "{}", a.body);
        assert_eq!(a.json()["headers"]["x-forwarded-proto"], "https");
        // The health endpoint over HTTP/2 too.
        let health = h2.get("/_gateway/health", None).await;
        assert_eq!(health.status, 200, "{}", health.body);
        (h1, h2)
    });

    // A new certificate, then SIGHUP: new connections get it, open ones go on.
    pki.issue("gateway");
    let second = pki.leaf("gateway");
    assert_ne!(first, second);
    sighup(gw.pid());
    wait_for(
        "gateway reload",
        || gw.log(),
        "reloaded the TLS certificate",
    );
    rt.block_on(async {
        let mut fresh = Conn::open(&pki, &gw.url, &[b"http/1.1"]).await;
        assert_eq!(
            fresh.cert, second,
            "a new connection sees the new certificate"
        );
        assert_eq!(fresh.get("/api/echo/three", Some(&token)).await.status, 200);
        for conn in [&mut h1, &mut h2] {
            assert_eq!(conn.cert, first);
            let a = conn.get("/api/echo/again", Some(&token)).await;
            assert_eq!(
                a.status, 200,
                "an open connection keeps working: {}",
                a.body
            );
        }
    });

    // A broken replacement: refused with a log line, the second stays.
    let (cert_path, _) = pki.paths("gateway");
    std::fs::write(&cert_path, "-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap();
    sighup(gw.pid());
    wait_for(
        "refused reload",
        || gw.log(),
        "cannot reload the TLS certificate; keeping the current one",
    );
    let refusal = gw
        .log()
        .lines()
        .find(|l| l.contains("cannot reload the TLS certificate"))
        .unwrap()
        .to_string();
    assert!(
        refusal.contains("ERROR") && refusal.contains("gateway.crt"),
        "{refusal}"
    );
    rt.block_on(async {
        let mut fresh = Conn::open(&pki, &gw.url, &[b"h2"]).await;
        assert_eq!(fresh.cert, second, "the current certificate stays in use");
        assert_eq!(fresh.get("/api/echo/four", Some(&token)).await.status, 200);
        assert_eq!(h1.get("/api/echo/five", Some(&token)).await.status, 200);
    });
}

#[test]
fn the_gateway_reads_its_key_from_a_file() {
    let srv = TestServer::start(Backend::Sqlite).unwrap();
    let key = srv.cli().json(&["gateway-key", "create", "from-file"])["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = temp_dir();
    let key_file = dir.path().join("gateway.key");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();
    let cli = Cli::new(&srv.url, None);
    let start = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = cli.command(args);
        cmd.env_remove("TOKENCTL_GATEWAY_KEY")
            .env_remove("TOKENCTL_GATEWAY_KEY_FILE")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let state = dir.path().join("state").display().to_string();
    let key_path = key_file.display().to_string();
    let base = ["gateway", "--listen", "127.0.0.1:0", "--state-dir", &state];

    // --key-file: the gateway starts and gets its config with that key.
    let mut args = base.to_vec();
    args.extend(["--key-file", &key_path]);
    let mut child = start(&args, &[("TOKENCTL_LOG", "info")]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let snapshot = dir.path().join("state/snapshot.sealed");
    while !snapshot.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "gateway exited with {status}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            Instant::now() < deadline,
            "no config fetched with the key file"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();

    // Both a key and a key file, a missing file, neither: usage errors.
    let run = |args: &[&str], env: &[(&str, &str)]| {
        crate::common::finish(start(args, env).wait_with_output().unwrap())
    };
    let out = run(&args, &[("TOKENCTL_GATEWAY_KEY", &key)]);
    assert!(out.fails(2).contains("--key-file"), "{}", out.stderr);
    let mut missing = base.to_vec();
    missing.extend(["--key-file", "/nonexistent/gateway.key"]);
    let out = run(&missing, &[]);
    assert!(
        out.fails(2).contains("cannot read the gateway key file"),
        "{}",
        out.stderr
    );
    let out = run(&base, &[]);
    assert!(out.fails(2).contains("--key"), "{}", out.stderr);
    // The variable form works like the flag.
    let out = run(
        &base,
        &[("TOKENCTL_GATEWAY_KEY_FILE", "/nonexistent/gateway.key")],
    );
    assert!(
        out.fails(2).contains("cannot read the gateway key file"),
        "{}",
        out.stderr
    );
}
