//! TLS for a [`Listener`](crate::Listener): rustls with the ring provider,
//! a certificate chain and private key from PEM files, ALPN `h2` and
//! `http/1.1`, and a reload that swaps the certificate for new handshakes
//! while connections already open carry on with theirs.
//!
//! The handshake happens in the connection's own task, after the
//! connection was counted against the limit, and within the same deadline
//! as the first request (the header-read timeout): a client that stalls
//! its handshake is a slowloris client like any other.

use arc_swap::ArcSwap;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a certificate and key could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

/// The certificate in use: the chain and key rustls signs with, and the
/// SHA-256 fingerprint of the leaf certificate, for the log.
#[derive(Debug)]
struct Current {
    key: Arc<CertifiedKey>,
    fingerprint: String,
}

/// A certificate and key read from two PEM files, reloadable.
pub struct Tls {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    current: Arc<ArcSwap<Current>>,
    config: Arc<rustls::ServerConfig>,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

/// Hands every new handshake the certificate in use at that moment.
#[derive(Debug)]
struct Resolver(Arc<ArcSwap<Current>>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.load().key.clone())
    }
}

impl Tls {
    /// The ALPN protocols offered, in order of preference.
    pub const ALPN: [&'static [u8]; 2] = [b"h2", b"http/1.1"];

    /// Reads and checks the certificate chain (leaf first) and the private
    /// key (PKCS#8, PKCS#1 or SEC1), both PEM.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<Arc<Tls>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let current = Arc::new(ArcSwap::from_pointee(read(cert_path, key_path, &provider)?));
        let mut config = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(format!("TLS setup: {e}")))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(current.clone())));
        config.alpn_protocols = Self::ALPN.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(Tls {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            provider,
            current,
            config: Arc::new(config),
        }))
    }

    /// Reads both files again and, if they hold a usable certificate and
    /// key, uses them for every handshake from now on; connections already
    /// open keep theirs. On error nothing changes. Returns the new leaf
    /// certificate's SHA-256 fingerprint.
    pub fn reload(&self) -> Result<String, TlsError> {
        let fresh = read(&self.cert_path, &self.key_path, &self.provider)?;
        let fingerprint = fresh.fingerprint.clone();
        self.current.store(Arc::new(fresh));
        Ok(fingerprint)
    }

    /// SHA-256 of the leaf certificate in use, as `openssl x509
    /// -fingerprint -sha256` shows it (`AB:CD:…`).
    pub fn fingerprint(&self) -> String {
        self.current.load().fingerprint.clone()
    }

    pub fn cert_path(&self) -> &Path {
        &self.cert_path
    }

    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }
}

fn read(cert_path: &Path, key_path: &Path, provider: &CryptoProvider) -> Result<Current, TlsError> {
    let read_file = |path: &Path, what: &str| {
        std::fs::read(path).map_err(|e| {
            TlsError(format!(
                "cannot read the TLS {what} {}: {e}",
                path.display()
            ))
        })
    };
    let cert_pem = read_file(cert_path, "certificate")?;
    let key_pem = read_file(key_path, "key")?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            TlsError(format!(
                "{} is not a PEM certificate chain: {e}",
                cert_path.display()
            ))
        })?;
    if chain.is_empty() {
        return Err(TlsError(format!(
            "{} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
            cert_path.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        TlsError(format!(
            "{} holds no usable PEM private key (PKCS#8, PKCS#1 or SEC1): {e}",
            key_path.display()
        ))
    })?;
    let fingerprint = fingerprint(&chain[0]);
    let key = CertifiedKey::from_der(chain, key, provider).map_err(|e| {
        TlsError(format!(
            "{} and {} do not make a usable certificate and key: {e}",
            cert_path.display(),
            key_path.display()
        ))
    })?;
    Ok(Current {
        key: Arc::new(key),
        fingerprint,
    })
}

fn fingerprint(cert: &CertificateDer<'_>) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert.as_ref());
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Reloads `tls` whenever the process gets SIGHUP, logging the outcome;
/// without TLS, says that there is nothing to reload. Either way SIGHUP no
/// longer ends the process. Call it before announcing that the process
/// listens, so that a reload sent right after cannot kill it.
#[cfg(unix)]
pub fn reload_on_sighup(tls: Option<Arc<Tls>>) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangups = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            let Some(tls) = &tls else {
                tracing::info!("SIGHUP: nothing to reload (no TLS certificate configured)");
                continue;
            };
            match tls.reload() {
                Ok(sha256) => tracing::info!(
                    cert = %tls.cert_path.display(),
                    %sha256,
                    "SIGHUP: reloaded the TLS certificate; new connections use it"
                ),
                Err(e) => tracing::error!(
                    error = %e,
                    sha256 = %tls.fingerprint(),
                    "SIGHUP: cannot reload the TLS certificate; keeping the current one"
                ),
            }
        }
    }))
}
