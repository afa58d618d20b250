//! TLS on a real listener on 127.0.0.1: a stalled handshake is a slow
//! client like any other (bounded by the header-read timeout, first to go
//! at the connection limit), and certificates are checked before use.

use http::{Request, Response};
use hyper::body::Incoming;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokenctl_listener::{Limits, Listener, Stats, Tls};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{timeout, Instant};

/// A CA and files for certificates it signs, in a directory of their own.
struct Pki {
    dir: tempfile::TempDir,
    ca_der: rustls::pki_types::CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "listener test CA");
        let key = KeyPair::generate().unwrap();
        let ca = params.self_signed(&key).unwrap();
        Pki {
            dir,
            ca_der: ca.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// Writes `NAME.crt` and `NAME.key` for localhost and 127.0.0.1.
    fn leaf(&self, name: &str) -> (PathBuf, PathBuf) {
        let params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let (cert_path, key_path) = (
            self.dir.path().join(format!("{name}.crt")),
            self.dir.path().join(format!("{name}.key")),
        );
        std::fs::write(&cert_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        (cert_path, key_path)
    }

    fn client(&self) -> tokio_rustls::TlsConnector {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        tokio_rustls::TlsConnector::from(Arc::new(config))
    }
}

/// A TLS listener answering `hello`; its address and counters.
async fn start(tls: Arc<Tls>, limits: Limits) -> (SocketAddr, Arc<Stats>) {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let listener = Listener::new(tcp, limits).with_tls(Some(tls));
    assert!(listener.is_tls());
    let stats = listener.stats();
    tokio::spawn(listener.serve(
        |_peer| {
            hyper::service::service_fn(|_req: Request<Incoming>| async {
                Ok::<_, Infallible>(Response::new(String::from("hello")))
            })
        },
        std::future::pending(),
    ));
    (addr, stats)
}

fn limits(header_read_timeout: Duration, max_connections: usize) -> Limits {
    Limits {
        header_read_timeout,
        keep_alive_timeout: Duration::from_secs(30),
        max_connections,
        shutdown_timeout: Duration::from_secs(1),
    }
}

/// A whole HTTPS request; the answer's body.
async fn get(pki: &Pki, addr: SocketAddr) -> String {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = pki.client().connect(name, tcp).await.unwrap();
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    text.rsplit("\r\n\r\n").next().unwrap().to_string()
}

/// How long the server takes to close a connection that does nothing more.
async fn closed_after(mut s: TcpStream) -> Duration {
    let began = Instant::now();
    let mut buf = [0u8; 512];
    timeout(Duration::from_secs(5), async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the server closes the connection");
    began.elapsed()
}

#[tokio::test]
async fn a_stalled_handshake_is_closed_after_the_header_read_timeout() {
    let pki = Pki::new();
    let (cert, key) = pki.leaf("server");
    let tls = Tls::load(&cert, &key).unwrap();
    let (addr, stats) = start(tls, limits(Duration::from_millis(400), 10)).await;

    // Nothing at all, and a ClientHello that stops after its first bytes.
    let silent = TcpStream::connect(addr).await.unwrap();
    let mut partial = TcpStream::connect(addr).await.unwrap();
    partial.write_all(&[0x16, 0x03, 0x01, 0x02]).await.unwrap();
    let (a, b) = tokio::join!(closed_after(silent), closed_after(partial));
    for waited in [a, b] {
        assert!(
            waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
            "{waited:?}"
        );
    }
    assert_eq!(stats.snapshot().timed_out, 2);
    // A real client is still served.
    assert_eq!(get(&pki, addr).await, "hello");
}

#[tokio::test]
async fn a_stalled_handshake_makes_room_for_a_real_client_at_the_limit() {
    let pki = Pki::new();
    let (cert, key) = pki.leaf("server");
    let tls = Tls::load(&cert, &key).unwrap();
    // At the limit the listener makes room at once; with two slots, the
    // second connection (the real client) reaches it.
    let (addr, stats) = start(tls, limits(Duration::from_secs(20), 2)).await;

    let stalled = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        stats.snapshot().open,
        1,
        "the handshake counts as a connection"
    );
    let answer = timeout(Duration::from_secs(5), get(&pki, addr))
        .await
        .expect("the stalled handshake is evicted for the newcomer");
    assert_eq!(answer, "hello");
    assert!(closed_after(stalled).await < Duration::from_secs(1));
    let snapshot = stats.snapshot();
    assert_eq!((snapshot.evicted, snapshot.timed_out), (1, 0));
}

#[test]
fn unusable_certificates_are_refused_and_a_failed_reload_changes_nothing() {
    let pki = Pki::new();
    let (cert_a, key_a) = pki.leaf("a");
    let (cert_b, key_b) = pki.leaf("b");
    let err = |cert: &Path, key: &Path| Tls::load(cert, key).unwrap_err().to_string();

    assert!(
        err(&cert_a, &key_b).contains("do not make a usable certificate and key"),
        "{}",
        err(&cert_a, &key_b)
    );
    assert!(err(&pki.dir.path().join("missing.crt"), &key_a)
        .contains("cannot read the TLS certificate"));
    let garbage = pki.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    assert!(err(&garbage, &key_a).contains("holds no certificate"));
    assert!(err(&cert_a, &garbage).contains("holds no usable PEM private key"));
    // A certificate where the key should be, and the reverse.
    assert!(err(&cert_a, &cert_a).contains("private key"));
    assert!(err(&key_a, &key_a).contains("holds no certificate"));

    // Reload: A's files now hold B; then something broken.
    let live = pki.dir.path().join("live.crt");
    let live_key = pki.dir.path().join("live.key");
    std::fs::copy(&cert_a, &live).unwrap();
    std::fs::copy(&key_a, &live_key).unwrap();
    let tls = Tls::load(&live, &live_key).unwrap();
    let first = tls.fingerprint();
    assert_eq!(first.len(), 32 * 3 - 1, "{first}");
    std::fs::copy(&cert_b, &live).unwrap();
    std::fs::copy(&key_b, &live_key).unwrap();
    let second = tls.reload().unwrap();
    assert_ne!(first, second);
    assert_eq!(tls.fingerprint(), second);
    std::fs::write(&live, "-----BEGIN CERTIFICATE-----\nbroken\n").unwrap();
    assert!(tls.reload().is_err());
    // Only the key replaced: it no longer matches the certificate.
    std::fs::copy(&cert_b, &live).unwrap();
    std::fs::copy(&key_a, &live_key).unwrap();
    assert!(tls.reload().is_err());
    assert_eq!(
        tls.fingerprint(),
        second,
        "the old certificate stays in use"
    );
}
