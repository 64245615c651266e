//! Whom a till trusts when it talks to its server over https:// and wss://.
//!
//! By default the operating system's trust store decides (the platform verifier, the same
//! for REST and the live socket). A till enrolled with `pos enroll --ca-file ca.pem` trusts
//! only the certificate authorities in that file, for both channels: a certificate from
//! any other CA, public ones included, is refused. The pin is stored in the till's
//! settings (`server_ca_pem`) at enrollment, so every later sync uses it.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{CoreError, CoreResult};

/// The crypto every TLS connection of a till uses. Named explicitly: with more than one
/// rustls provider compiled in (the server links `ring` through lettre), rustls cannot
/// pick a process default on its own.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The CA certificates in `pem`; an error says what is wrong with the file.
pub fn parse_ca(pem: &str) -> CoreResult<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CoreError::invalid(format!("the CA file is not readable PEM: {e}")))?;
    if certs.is_empty() {
        return Err(CoreError::invalid(
            "the CA file holds no certificate (expected -----BEGIN CERTIFICATE-----)",
        ));
    }
    Ok(certs)
}

/// Reads and checks a CA file given on the command line; returns its PEM text.
pub fn read_ca_file(path: &std::path::Path) -> CoreResult<String> {
    let pem = std::fs::read_to_string(path).map_err(|e| {
        CoreError::invalid(format!("cannot read the CA file {}: {e}", path.display()))
    })?;
    parse_ca(&pem).map_err(|e| CoreError::invalid(format!("{}: {e}", path.display())))?;
    Ok(pem)
}

/// The TLS client configuration for a till: only the CAs in `ca_pem` when pinned,
/// otherwise the system's trust store.
pub fn client_config(ca_pem: Option<&str>) -> CoreResult<Arc<ClientConfig>> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| CoreError::invalid(format!("cannot set up TLS: {e}")))?;
    let config = match ca_pem {
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in parse_ca(pem)? {
                roots.add(cert).map_err(|e| {
                    CoreError::invalid(format!("the pinned CA certificate is not usable: {e}"))
                })?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        None => {
            let verifier = rustls_platform_verifier::Verifier::new(provider).map_err(|e| {
                CoreError::invalid(format!("cannot load the system's trusted CAs: {e}"))
            })?;
            builder
                .dangerous() // not dangerous: the platform's own verification
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth()
        }
    };
    Ok(Arc::new(config))
}

/// What rustls says when it refuses a certificate (`rustls::Error::InvalidCertificate`).
const REFUSED: &str = "invalid peer certificate";

/// The certificate error somewhere in `err`'s chain, if the connection failed on one.
fn certificate_error(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(err);
    while let Some(e) = cause {
        // `io::Error::source` skips the error it wraps, so look inside it by hand.
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .map(|i| i as &(dyn std::error::Error + 'static));
        for candidate in [Some(e), inner].into_iter().flatten() {
            if let Some(tls) = candidate.downcast_ref::<rustls::Error>()
                && matches!(
                    tls,
                    rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
                )
            {
                return Some(tls.to_string());
            }
        }
        cause = e.source();
    }
    // Some HTTP layers box the TLS error in a type of their own; what rustls said is still
    // in the message.
    let mut cause = Some(err);
    while let Some(e) = cause {
        let text = e.to_string();
        if let Some(at) = text.find(REFUSED) {
            return Some(text[at..].to_owned());
        }
        cause = e.source();
    }
    None
}

/// What a person reads when a connection failed on the server's certificate; `None` when
/// `err` is not a certificate failure.
pub(crate) fn explain(err: &(dyn std::error::Error + 'static), pinned: bool) -> Option<String> {
    let tls = certificate_error(err)?;
    Some(if pinned {
        format!(
            "the server's certificate is not signed by the CA this till is pinned to ({tls}); \
             the connection was refused. If the server's CA changed on purpose, pin the new \
             one: `pos enroll --server URL --ca-file NEW.pem`"
        )
    } else {
        format!("the server's certificate is not trusted by this machine ({tls})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_must_hold_a_certificate() {
        let err = parse_ca("not a certificate").unwrap_err().to_string();
        assert!(err.contains("holds no certificate"), "{err}");
        let err = parse_ca("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not readable PEM"), "{err}");
    }

    #[test]
    fn the_system_trust_store_is_the_default() {
        client_config(None).expect("platform verifier");
    }

    #[test]
    fn a_pin_needs_https() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let err = crate::sync::Remote::with_ca("http://127.0.0.1:8000", Some(pem))
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs an https:// server address"), "{err}");
    }
}
