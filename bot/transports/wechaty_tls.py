"""TLS to a Wechaty puppet service, the way the official client (wechaty-puppet-service 1.x,
`src/client/grpc-manager.ts`) sets it up.

What the official client does, and what this module does alike:
- HTTP/2 over TLS with ALPN `h2` offered (grpc-js servers drop a client that offers none);
- the CA to trust from `WECHATY_PUPPET_SERVICE_TLS_CA_CERT` (a PEM string; `\\n` in an
  environment variable stands for a line break), else the Wechaty root CA below;
- the server name (TLS SNI, and the name the certificate must carry) from
  `WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME`, else the token's prefix: everything before the
  token's last `_`, lower-cased (wechaty-token's `WechatyToken.sni`), so `insecure_<uuid>`
  asks for `insecure`, the name the official server's default certificate is issued for;
- TLS off only when asked (`WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT=true`, `--no-tls`).

Where this module departs from it, and why:
- the CA may also be a path to a PEM file (an operator keeps certificates in files);
- with no CA given, the system's CAs are trusted besides the Wechaty root CA, so a gateway
  behind a publicly issued certificate works without configuration;
- with neither TLS switch, nor a CA, nor a server name, nor a prefixed token, TLS stays off
  (the official client would refuse to start): plain tokens are what pre-1.0 gateways and
  the project's fake use, and a deployment that worked keeps working;
- a certificate without a subjectAltName is checked against its common name (the official
  server's default certificate has none) and X.509 strict mode is off (Python 3.13 turns it
  on by default; the Wechaty root CA lacks the key-usage extension strict mode wants).

The Wechaty root CA (CN wechaty-root-ca, valid until 2031-08-07) is public, and so is the
private key of the official server's default `insecure` certificate: TLS with the defaults
encrypts, but anyone can pose as such a gateway. Real trust needs a CA and server name of
your own (README, "Connecting to the official puppet service").
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from pathlib import Path

# wechaty-puppet-service 1.19.9, src/auth/ca.ts `TLS_CA_CERT` (SHA-256 fingerprint
# 8D:69:5F:55:D4:97:D9:B6:7C:A4:CA:CC:80:11:8A:E1:27:F0:77:BB:EE:34:9E:4F:5C:2B:8F:7C:89:F5:4C:2B).
WECHATY_ROOT_CA = """\
-----BEGIN CERTIFICATE-----
MIIFxTCCA62gAwIBAgIUYddLAoa8JnLzJ80l2u5vGuFsaEIwDQYJKoZIhvcNAQEL
BQAwcjELMAkGA1UEBhMCVVMxFjAUBgNVBAgMDVNhbiBGcmFuY2lzY28xEjAQBgNV
BAcMCVBhbG8gQWx0bzEQMA4GA1UECgwHV2VjaGF0eTELMAkGA1UECwwCQ0ExGDAW
BgNVBAMMD3dlY2hhdHktcm9vdC1jYTAeFw0yMTA4MDkxNTQ4NTJaFw0zMTA4MDcx
NTQ4NTJaMHIxCzAJBgNVBAYTAlVTMRYwFAYDVQQIDA1TYW4gRnJhbmNpc2NvMRIw
EAYDVQQHDAlQYWxvIEFsdG8xEDAOBgNVBAoMB1dlY2hhdHkxCzAJBgNVBAsMAkNB
MRgwFgYDVQQDDA93ZWNoYXR5LXJvb3QtY2EwggIiMA0GCSqGSIb3DQEBAQUAA4IC
DwAwggIKAoICAQDulLjOZhzQ58TSQ7TfWNYgdtWhlc+5L9MnKb1nznVRhzAkZo3Q
rPLRW/HDjlv2OEbt4nFLaQgaMmc1oJTUVGDBDlrzesI/lJh7z4eA/B0z8eW7f6Cw
/TGc8lgzHvq7UIE507QYPhvfSejfW4Prw+90HJnuodriPdMGS0n9AR37JPdQm6sD
iMFeEvhHmM2SXRo/o7bll8UDZi81DoFu0XuTCx0esfCX1W5QWEmAJ5oAdjWxJ23C
lxI1+EjwBQKXGqp147VP9+pwpYW5Xxpy870kctPBHKjCAti8Bfo+Y6dyWz2UAd4w
4BFRD+18C/TgX+ECl1s9fsHMY15JitcSGgAIz8gQX1OelECaTMRTQfNaSnNW4LdS
sXMQEI9WxAU/W47GCQFmwcJeZvimqDF1QtflHSaARD3O8tlbduYqTR81LJ63bPoy
9e1pdB6w2bVOTlHunE0YaGSJERALVc1xz40QpPGcZ52mNCb3PBg462RQc77yv/QB
x/P2RC1y0zDUF2tP9J29gTatWq6+D4MhfEk2flZNyzAgJbDuT6KAIJGzOB1ZJ/MG
o1gS13eTuZYw24LElrhd1PrR6OHK+lkyYzqUPYMulUg4HzaZIDclfHKwAC4lecKm
zC5q9jJB4m4SKMKdzxvpIOfdahoqsZMg34l4AavWRqPTpwEU0C0dboNA/QIDAQAB
o1MwUTAdBgNVHQ4EFgQU0rey3QPklTOgdhMJ9VIA6KbZ5bAwHwYDVR0jBBgwFoAU
0rey3QPklTOgdhMJ9VIA6KbZ5bAwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0B
AQsFAAOCAgEAx2uyShx9kLoB1AJ8x7Vf95v6PX95L/4JkJ1WwzJ9Dlf3BcCI7VH7
Fp1dnQ6Ig7mFqSBDBAUUBWAptAnuqIDcgehI6XAEKxW8ZZRxD877pUNwZ/45tSC4
b5U5y9uaiNK7oC3LlDCsB0291b3KSOtevMeDFoh12LcliXAkdIGGTccUxrH+Cyij
cBOc+EKGJFBdLqcjLDU4M6QdMMMFOdfXyAOSpYuWGYqrxqvxQjAjvianEyMpNZWM
lajggJqiPhfF67sZTB2yzvRTmtHdUq7x+iNOVonOBcCHu31aGxa9Py91XEr9jaIQ
EBdl6sycLxKo8mxF/5tyUOns9+919aWNqTOUBmI15D68bqhhOVNyvsb7aVURIt5y
6A7Sj4gSBR9P22Ba6iFZgbvfLn0zKLzjlBonUGlSPf3rSIYUkawICtDyYPvK5mi3
mANgIChMiOw6LYCPmmUVVAWU/tDy36kr9ZV9YTIZRYAkWswsJB340whjuzvZUVaG
DgW45GPR6bGIwlFZeqCwXLput8Z3C8Sw9bE9vjlB2ZCpjPLmWV/WbDlH3J3uDjgt
9PoALW0sOPhHfYklH4/rrmsSWMYTUuGS/HqxrEER1vpIOOb0hIiAWENDT/mruq22
VqO8MHX9ebjInSxPmhYOlrSZrOgEcogyMB4Z0SOtKVqPnkWmdR5hatU=
-----END CERTIFICATE-----
"""

# The name the official server's default certificate is issued for
# (src/auth/ca.ts `TLS_INSECURE_SERVER_CERT_COMMON_NAME`).
INSECURE_SERVER_NAME = "insecure"

ENV_CA = "WECHATY_PUPPET_SERVICE_TLS_CA_CERT"
ENV_SERVER_NAME = "WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME"
ENV_NO_TLS = "WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT"


def token_server_name(token: str | None) -> str | None:
    """The server name a Wechaty token carries: its part before the last `_`, lower-cased
    (`insecure_3c1e…` -> `insecure`, `puppet_paimon_…` -> `puppet_paimon`), or None."""
    if not token:
        return None
    cut = token.rfind("_")
    return token[:cut].lower() if cut > 0 else None


def read_ca(value: str) -> str:
    """PEM text of the CA(s) to trust, from a PEM string or the path of a PEM file."""
    text = value.replace("\\n", "\n").strip()
    if "-----BEGIN" not in text:
        path = Path(value).expanduser()
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"TLS CA certificate: {value!r} is neither a PEM certificate nor "
                             f"a readable PEM file ({e})") from e
        if "-----BEGIN CERTIFICATE-----" not in text:
            raise ValueError(f"TLS CA certificate: {path} holds no PEM certificate")
    return text


def env_no_tls() -> bool:
    return os.environ.get(ENV_NO_TLS, "").strip().lower() == "true"


@dataclass(frozen=True)
class TlsSettings:
    """How to reach the gateway: TLS or not, which CAs, which server name, and why."""

    enabled: bool
    server_name: str | None = None  # None: the endpoint's host
    ca_pem: str | None = None  # a CA given by the operator (else system CAs + Wechaty root)
    why: str = ""

    @classmethod
    def decide(cls, *, tls: bool | None, token: str | None, ca_cert: str | None = None,
               server_name: str | None = None) -> TlsSettings:
        """`tls` True/False when a switch says so, None to decide as described above.
        Raises ValueError for a CA that cannot be read."""
        ca = read_ca(ca_cert) if ca_cert else None
        prefix = token_server_name(token)
        name = server_name or prefix
        if tls is False:
            return cls(False, why="TLS is off (asked for)")
        if tls is None and not (ca or server_name or prefix):
            return cls(False, why="TLS is off: no --tls, no CA, no server name and no "
                                  "server-name prefix on the token")
        if server_name:
            whence = f"server name {name!r} as configured"
        elif prefix:
            whence = f"server name {name!r} from the token's prefix"
        else:
            whence = "server name: the endpoint's host"
        trust = "the configured CA" if ca else "the Wechaty root CA and the system's CAs"
        return cls(True, server_name=name, ca_pem=ca, why=f"TLS with ALPN h2, {whence}, trusting {trust}")

    def context(self) -> ssl.SSLContext:
        """The client context: TLS 1.2 or later, ALPN h2, the CAs, the name checked."""
        if self.ca_pem:
            ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=self.ca_pem)
        else:
            ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
            ctx.load_verify_locations(cadata=WECHATY_ROOT_CA)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_alpn_protocols(["h2"])
        ctx.check_hostname = True
        ctx.hostname_checks_common_name = True
        strict = getattr(ssl, "VERIFY_X509_STRICT", 0)
        ctx.verify_flags &= ~strict
        return ctx


def explain(error: BaseException, settings: TlsSettings, host: str) -> str | None:
    """A plain sentence for a TLS failure (or a plain connection meeting a TLS server), or None."""
    if isinstance(error, ssl.SSLCertVerificationError):
        name = settings.server_name or host
        return (f"the gateway's TLS certificate was refused ({error.verify_message}; checked "
                f"for the name {name!r}): set {ENV_CA} (or --tls-ca-cert) to the CA that "
                f"issued it and {ENV_SERVER_NAME} (or --tls-server-name) to the name it was "
                f"issued for")
    if isinstance(error, ssl.SSLError):
        reason = getattr(error, "reason", None) or str(error)
        if "WRONG_VERSION_NUMBER" in str(reason).upper() or "wrong version" in str(error):
            return ("the gateway does not speak TLS on this port; start with --no-tls (or "
                    f"{ENV_NO_TLS}=true) if it is a plain gateway")
        return f"TLS handshake with the gateway failed ({reason})"
    return None
