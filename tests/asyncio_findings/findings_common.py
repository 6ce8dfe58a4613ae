"""What every finding's reproducer shares: TLS contexts from the certificates run.sh made, a
bounded run, and one way to say whether the running CPython shows the finding.

A reproducer exits 0 when this python shows the behaviour docs/FINDINGS.md describes (the
expected outcome: the finding is asyncio's behaviour today), and 1 when it does not, which means
the python in use behaves differently and the finding must be re-checked.
"""
import asyncio
import os
import ssl
import sys


def contexts(cert_dir, version=ssl.TLSVersion.TLSv1_3):
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(os.path.join(cert_dir, "cert.pem"), os.path.join(cert_dir, "key.pem"))
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(os.path.join(cert_dir, "ca.pem"))
    for ctx in (server, client):
        ctx.minimum_version = version
        ctx.maximum_version = version
    return server, client


def verdict(name, shown, detail):
    version = sys.version.split()[0]
    if shown:
        print(f"python {version} shows {name}: {detail}")
        sys.exit(0)
    print(f"python {version} does NOT show {name}: {detail}")
    sys.exit(1)


def run(main, seconds=20):
    """Runs main() on a fresh loop, bounded in time so a hang is a failure, never a stuck test."""
    async def bounded():
        return await asyncio.wait_for(main(), seconds)
    return asyncio.run(bounded())
