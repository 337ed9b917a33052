"""A software security key for tests: real WebAuthn registration and assertion responses (fido2's
types, an ES256 key of its own), so allauth.mfa checks them as it would a browser's."""

import hashlib
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

F = AuthenticatorData.FLAG


class SoftKey:
    def __init__(self, rp_id: str = "testserver", origin: str = "http://testserver"):
        self.rp_id, self.origin = rp_id, origin
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    def _rp_hash(self) -> bytes:
        return hashlib.sha256(self.rp_id.encode()).digest()

    def register(self, challenge: bytes | str = b"x" * 32, *, resident: bool = False) -> dict:
        """The browser's answer to navigator.credentials.create() (allauth's JSON form)."""
        if isinstance(challenge, str):
            challenge = websafe_decode(challenge)
        public_key = ES256.from_cryptography_key(self.private_key.public_key())
        credential = AttestedCredentialData.create(Aaguid(b"\0" * 16), self.credential_id, public_key)
        flags = F.UP | F.AT | (F.UV if resident else 0)
        auth_data = AuthenticatorData.create(self._rp_hash(), flags, self.counter, credential)
        attestation = AttestationObject.create("none", auth_data, {})
        client_data = CollectedClientData.create(type="webauthn.create", challenge=challenge, origin=self.origin)
        raw_id = websafe_encode(self.credential_id)
        return {
            "id": raw_id,
            "rawId": raw_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(bytes(attestation)),
            },
            "clientExtensionResults": {"credProps": {"rk": resident}},
        }

    def assertion(self, challenge: bytes | str) -> dict:
        """The browser's answer to navigator.credentials.get()."""
        if isinstance(challenge, str):
            challenge = websafe_decode(challenge)
        self.counter += 1
        auth_data = AuthenticatorData.create(self._rp_hash(), F.UP, self.counter)
        client_data = CollectedClientData.create(type="webauthn.get", challenge=challenge, origin=self.origin)
        signature = self.private_key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        raw_id = websafe_encode(self.credential_id)
        return {
            "id": raw_id,
            "rawId": raw_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(bytes(auth_data)),
                "signature": websafe_encode(signature),
            },
            "clientExtensionResults": {},
        }
