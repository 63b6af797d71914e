"""Test certificates, made fresh in each test: a CA of our own and server certificates it
issues (the `cryptography` package), written as PEM files."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Issued:
    cert: Path  # PEM
    key: Path  # PEM, unencrypted

    def server_context(self) -> ssl.SSLContext:
        """A server context presenting this certificate and offering ALPN h2."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        ctx.set_alpn_protocols(["h2"])
        return ctx


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "daqiao tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Issued:
    c, k = folder / f"{stem}.pem", folder / f"{stem}.key"
    c.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    k.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return Issued(c, k)


class TestCA:
    """A certificate authority for one test."""

    __test__ = False  # not a test class

    def __init__(self, folder: Path, name: str = "daqiao test root CA") -> None:
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256()))
        self.issued = _write(folder, "ca", self.cert, self.key)

    @property
    def pem(self) -> str:
        return self.issued.cert.read_text(encoding="ascii")

    def issue(self, name: str, *, san: bool = True) -> Issued:
        """A server certificate for `name` (a DNS name or an IP address); with san False, the
        name only as the common name, like the official server's default certificate."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        b = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(self.cert.subject)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1)))
        if san:
            try:
                alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(name))
            except ValueError:
                alt = x509.DNSName(name)
            b = b.add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        cert = b.sign(self.key, hashes.SHA256())
        return _write(self.folder, f"server-{name}", cert, key)
