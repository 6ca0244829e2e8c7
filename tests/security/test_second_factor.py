"""The second factor for administrators and supervisors: enrol with a QR code, sign in with a code."""

from __future__ import annotations

import time

import pyotp
from fastapi.testclient import TestClient

from linli.app import create_app
from linli.runtime import Runtime
from tests.conftest import make_settings
from tests.factories import PASSWORD


def _login(client: TestClient, username: str, **extra: str):
    return client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD, **extra})


def _client(runtime: Runtime) -> TestClient:
    return TestClient(create_app(make_settings(runtime.settings.database_url, mfa_required=True)))


def test_it_makes_an_administrator_enrol_then_asks_for_the_code(runtime: Runtime, world) -> None:
    with _client(runtime) as client:
        assert _login(client, "admin").json()["stage"] == "enrol"
        assert client.get("/api/v1/residents").json()["error"]["code"] == "auth.mfa_enrolment_required"
        enrolment = client.post("/api/v1/auth/mfa").json()
        assert enrolment["uri"].startswith("otpauth://totp/") and "<svg" in enrolment["qr_svg"]
        totp = pyotp.TOTP(enrolment["secret"])
        codes = client.post("/api/v1/auth/mfa/confirm", json={"code": totp.now()}).json()["recovery_codes"]
        assert len(codes) == 10
        assert client.get("/api/v1/residents").status_code == 200

        refused = _login(client, "admin")
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "auth.otp_required"
        # The code just used to enrol cannot be replayed; the next time step's can.
        assert _login(client, "admin", otp=totp.now()).status_code == 401
        next_code = totp.at(time.time() + 30)
        assert _login(client, "admin", otp=next_code).json()["stage"] == ""
        # A recovery code works once.
        assert _login(client, "admin", otp=codes[0]).status_code == 200
        assert _login(client, "admin", otp=codes[0]).status_code == 401


def test_it_asks_no_second_factor_of_a_grid_worker(runtime: Runtime, world) -> None:
    with _client(runtime) as client:
        assert _login(client, "grid1").json()["stage"] == ""


def test_it_refuses_a_wrong_code_at_enrolment(runtime: Runtime, world) -> None:
    with _client(runtime) as client:
        _login(client, "supervisor")
        client.post("/api/v1/auth/mfa")
        refused = client.post("/api/v1/auth/mfa/confirm", json={"code": "000000"})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "mfa.bad_code"
        assert client.get("/api/v1/residents").status_code == 403
