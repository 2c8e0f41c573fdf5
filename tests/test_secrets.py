"""The API key stays secret, the transport stays safe (issue 6).

A canary key runs every command (check, validate, snapshot, init, explain, merge, --version,
--help), every report format (stdout, `-o` and `--report`), with and without `-v`, through
every failure the API can produce (401 text/plain, 403 plan-gated, 500 forever, malformed
bodies, connection resets, and a gateway that *echoes the key back* in its error bodies), and
the key must appear nowhere: stdout, stderr, report files, snapshot files, the generated spec,
log records, exception messages. A canary is looked for by a fragment too (`CANARY`, its
random tail), so an escaped or cut copy (`pcsk\\_CANARY\\_...`) counts as a leak.

The CLI's `redact` (a last line of defence that scrubs every output of the keys it read) is
switched off in the failure matrix: there the first lines of defence (messages built without
the key, the client scrubbing what a server quotes back, the snapshot scrubbing bodies) must
hold on their own. `redact` is kept only where API *data* holds the key.

Transport: a non-loopback `http://` URL is refused before any request; TLS is always
verified (a self-signed server fails with a certificate reason, and works once
`SSL_CERT_FILE` names its CA); redirects are never followed; the spec cannot choose where the
key is sent.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from checker import cli
from checker.errors import Unreadable
from checker.source.http import PineconeHttp
from tests.emulator import (
    Echo,
    Emulator,
    EmulatorState,
    Fault,
    Malformed,
    Redirect,
    Reset,
    Status,
    make_schedule,
)
from tests.emulator.tls import Certificates, make_certificates
from tests.example_project import build_state
from tests.hardening import NOW, ROOT, SPEC, Outcome, api_env, fast_retries, invoke

KEY = "pcsk_CANARY_secrets_7f3a9c2e1b5d4a"
FRAGMENTS = (KEY, "CANARY", "7f3a9c2e1b5d4a")  # any of them in an output is a leak
FORMATS = cli.FORMATS
EXAMPLE = str(ROOT / "examples" / "snapshot")
ORDERS_HISTORY = r"/backup-schedules/[^/]+/history"


def assert_secret(text: str | bytes, where: str) -> None:
    """No copy of the key, whole or in part, escaped or cut, in `text`."""
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for fragment in FRAGMENTS:
        assert fragment not in shown, f"the key leaked into {where}: ...{_around(shown, fragment)}"


def _around(text: str, fragment: str) -> str:
    at = text.index(fragment)
    return repr(text[max(at - 60, 0) : at + len(fragment) + 20])


def assert_files_secret(directory: Path) -> list[Path]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    for path in files:
        assert_secret(path.read_bytes(), str(path.relative_to(directory)))
    return files


@pytest.fixture(autouse=True)
def fresh_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty `redact` list, as a new process would."""
    monkeypatch.setattr(cli, "_SECRETS", set())


def no_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch off the CLI's last-line scrubbing: what is left must be secret by construction."""
    monkeypatch.setattr(cli, "redact", lambda text: text)


# --------------------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class Scenario:
    faults: tuple[tuple[str, Fault], ...] = ()
    server_key: str = KEY  # another one makes the API refuse ours: every request is a 401
    plan_allows_backups: bool = True
    exit_code: int = 3
    echoes: bool = False  # the API quotes our key back (the client must scrub it)


SCENARIOS = {
    "clean": Scenario(exit_code=1),
    "401-text-plain": Scenario(server_key="pcsk_someone_elses_key_000"),
    "403-plan-gated": Scenario(plan_allows_backups=False),
    "500-forever": Scenario(faults=((r"/(indexes/[^/]+|backup-schedules/.+)/.*", Status(500)),)),
    "malformed-bodies": Scenario(
        faults=((r".*/backups", Malformed()), (ORDERS_HISTORY, Malformed()))
    ),
    "connection-resets": Scenario(faults=((r"/indexes/[^/]+/backup-schedules", Reset()),)),
    "echoed-in-error-bodies": Scenario(
        faults=(
            ("/indexes/orders-prod/backup-schedules", Echo(400)),
            ("/indexes/users-prod/backup-schedules", Echo(403)),
            ("/indexes/products-prod/backups", Echo(404)),
            ("/indexes/recs-prod/backup-schedules", Echo(418, plain=True)),
            (ORDERS_HISTORY, Echo(500)),
        ),
        echoes=True,
    ),
    "echoed-in-a-401": Scenario(faults=((ORDERS_HISTORY, Echo(401, plain=True)),), echoes=True),
}


@pytest.fixture
def scenario_emulator(request: pytest.FixtureRequest) -> Iterator[tuple[Scenario, Emulator]]:
    scenario: Scenario = SCENARIOS[request.param]
    state = build_state()
    state.plan_allows_backups = scenario.plan_allows_backups
    with Emulator(state, api_key=scenario.server_key, page_size_cap=10) as emu:
        for pattern, fault in scenario.faults:
            emu.add_fault(pattern, fault, times=None)
        yield scenario, emu


def _stdout_format(name: str, verbose: bool) -> str:
    """Each format gets printed to stdout by some scenarios (every one, over the matrix)."""
    position = list(SCENARIOS).index(name) * 2 + verbose
    return FORMATS[position % len(FORMATS)]


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize("scenario_emulator", SCENARIOS, indirect=True)
def test_no_command_or_format_ever_shows_the_key(
    scenario_emulator: tuple[Scenario, Emulator],
    verbose: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    scenario, emu = scenario_emulator
    caplog.set_level(logging.DEBUG)
    api_env(monkeypatch, emu.url, KEY)
    fast_retries(monkeypatch)
    no_redaction(monkeypatch)  # even an echoing gateway is scrubbed by the client itself
    v = ["-v"] if verbose else []
    out = tmp_path / "out"
    targets = [f"--report={fmt}={out / f'report.{fmt}'}" for fmt in FORMATS]
    name = request.node.callspec.params["scenario_emulator"]
    stdout_format = _stdout_format(name, verbose)

    outcomes: dict[str, Outcome] = {
        "check -o": invoke(
            *v, "check", SPEC, "--now", NOW, "-f", "json", "-o", str(out / "r.json"), *targets
        ),
        f"check -f {stdout_format}": invoke(*v, "check", SPEC, "--now", NOW, "-f", stdout_format),
        "snapshot": invoke(*v, "snapshot", SPEC, "--out", str(out / "snap")),
        "replay": invoke(
            *v, "check", SPEC, "--snapshot", str(out / "snap"), "--now", NOW, "-f", "markdown"
        ),
        "init": invoke(*v, "init", "--out", str(out / "init.yaml")),
        "merge": invoke(
            *v, "merge", str(out / "r.json"), "-f", "text", "--report", f"sarif={out / 'm.sarif'}"
        ),
    }

    assert outcomes["check -o"].code == scenario.exit_code, outcomes["check -o"]
    assert outcomes["replay"].code == scenario.exit_code
    for label, outcome in outcomes.items():
        assert_secret(outcome.out, f"stdout of {label}")
        assert_secret(outcome.err, f"stderr of {label}")
        assert "Traceback" not in outcome.err, label
    written = assert_files_secret(out)
    assert {p.name for p in written} >= {f"report.{fmt}" for fmt in FORMATS} | {"manifest.json"}
    assert {r.name.split(".")[0] for r in caplog.records} >= {"httpx", "httpcore"}
    assert_secret(caplog.text, "the log")
    sent = {r.header("api-key") for r in emu.requests}
    assert sent == {KEY}, "the key was not even in play"
    if scenario.echoes:
        assert emu.served_faults, "the echoing gateway never answered"


def test_offline_commands_never_show_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("PINECONE_API_KEY", KEY)
    no_redaction(monkeypatch)
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nschedules: [{index: a, name: b, frequency: dayly}]\n")
    runs = [
        ("--version",),
        ("--help",),
        *(
            (command, "--help")
            for command in ("check", "validate", "snapshot", "init", "explain", "merge")
        ),
        ("validate", SPEC),
        ("validate", str(bad)),
        ("explain",),
        ("explain", "missed-run"),
        ("-v", "check", SPEC, "--snapshot", EXAMPLE, "--now", NOW, "-f", "sarif"),
        ("check", str(bad)),
    ]
    for args in runs:
        outcome = invoke(*args)
        assert outcome.code in (0, 1, 2), (args, outcome)
        assert_secret(outcome.out + outcome.err, " ".join(args))
    assert_secret(caplog.text, "the log")


def test_the_key_travels_only_in_the_api_key_header(monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(build_state(), api_key=KEY, page_size_cap=10) as emu:
        api_env(monkeypatch, emu.url, KEY)
        assert invoke("check", SPEC, "--now", NOW).code == 1
    assert emu.requests
    for request in emu.requests:
        assert request.header("api-key") == KEY
        others = [v for k, v in request.headers.items() if k != "api-key"]
        assert_secret(" ".join([request.path, *request.query.values(), *others]), "a request")


# --------------------------------------------------------------------------- exceptions


@pytest.mark.parametrize(
    "fault",
    [
        Status(401),
        Echo(401, plain=True),
        Echo(400),
        Echo(403),
        Echo(404),
        Echo(409, plain=True),
        Echo(500),
        Echo(503, plain=True),
        Malformed(b'{"key": "' + KEY.encode() + b'"'),
        Reset(),
    ],
    ids=repr,
)
def test_exception_messages_never_hold_the_key(fault: Fault) -> None:
    with Emulator(build_state(), api_key=KEY) as emu:
        emu.add_fault("/indexes", fault, times=None)
        client = PineconeHttp(
            api_url=emu.url,
            api_key=KEY,
            api_key_env="PINECONE_API_KEY",
            api_version="2026-07",
            max_attempts=2,
            sleep=lambda _: None,
        )
        with client, pytest.raises(Unreadable) as caught:
            client.get_pages("/indexes")
        assert_secret(repr(client), "the client's repr")
    error: BaseException | None = caught.value
    while error is not None:
        assert_secret(f"{error} {error!r}", f"a {type(error).__name__}")
        error = error.__cause__ or error.__context__
    assert_secret("".join(traceback.format_exception(caught.value)), "the traceback")


# --------------------------------------------------------------------------- known gaps


def _state_naming_the_key() -> EmulatorState:
    """A project whose API data holds the key itself (a schedule named after it by mistake,
    or a hostile API): only the CLI's `redact` stands between it and the outputs."""
    state = build_state()
    named = make_schedule("products-prod", f"oops-{KEY}", schedule_id=f"id-{KEY}")
    state.schedules["products-prod"].append(named)
    return state


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_inside_api_data_is_scrubbed_from_every_format(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    with Emulator(_state_naming_the_key(), api_key=KEY) as emu:
        api_env(monkeypatch, emu.url, KEY)
        stdout = invoke("check", SPEC, "--now", NOW, "-f", fmt)
        to_file = invoke("check", SPEC, "--now", NOW, "--report", f"{fmt}={tmp_path / 'r'}")
    assert stdout.code == to_file.code == 1
    if fmt not in ("markdown", "prometheus"):  # prometheus names no undeclared schedule
        assert "[REDACTED]" in stdout.out  # the key was in play, and scrubbed
    assert_secret(stdout.out, f"-f {fmt}")
    assert_secret((tmp_path / "r").read_bytes(), f"--report {fmt}")


def test_a_key_inside_api_data_is_scrubbed_from_snapshots_and_init(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Emulator(_state_naming_the_key(), api_key=KEY) as emu:
        api_env(monkeypatch, emu.url, KEY)
        assert invoke("snapshot", SPEC, "--out", str(tmp_path / "snap")).code == 0
        assert invoke("init", "--out", str(tmp_path / "init.yaml")).code == 0
    assert_files_secret(tmp_path)
    assert "[REDACTED]" in (tmp_path / "init.yaml").read_text()


def test_an_internal_error_traceback_is_scrubbed_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(report: object) -> str:
        names = [f.schedule for f in getattr(report, "findings", ())]
        raise ValueError(f"cannot render {names}")

    from checker import report

    monkeypatch.setattr(report, "RENDERERS", {**report.RENDERERS, "junit": broken})
    with Emulator(_state_naming_the_key(), api_key=KEY) as emu:
        api_env(monkeypatch, emu.url, KEY)
        quiet = invoke("check", SPEC, "--now", NOW, "-f", "junit")
        verbose = invoke("-v", "check", SPEC, "--now", NOW, "-f", "junit")
    assert quiet.code == verbose.code == 4
    assert "Traceback" in verbose.err
    assert_secret(quiet.err, "the one-line internal error")
    assert_secret(verbose.err, "the -v traceback")


# --------------------------------------------------------------------------- where the key goes


class _NoRequests:
    """Stands in for httpx's transport: any request at all fails the test."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def __call__(self, transport: object, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        raise AssertionError(f"a request was sent to {request.url}")


@pytest.mark.parametrize(
    "url",
    [
        "http://198.51.100.7",
        "http://api.pinecone.io",
        "HTTP://10.0.0.1:8080/v1",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "http://[::ffff:10.0.0.1]",
        "http://0.0.0.0:8080",
        "http://user:secret@127.0.0.1:9",
        "https://api.pinecone.io/?x=1",
        "ftp://127.0.0.1",
        "file:///etc/passwd",
        "//api.pinecone.io",
        "http://127.0.0.1 .example.com",
    ],
)
@pytest.mark.parametrize("via", ["flag", "env"])
def test_an_unsafe_api_url_is_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch, url: str, via: str
) -> None:
    guard = _NoRequests()
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", guard)
    api_env(monkeypatch, url, KEY)
    no_redaction(monkeypatch)
    args = ["--api-url", url] if via == "flag" else []
    outcome = invoke("check", SPEC, "--now", NOW, *args)
    assert outcome.code == 2, outcome
    assert "API URL" in outcome.err
    assert guard.sent == []
    assert_secret(outcome.out + outcome.err, "the refusal")
    assert "secret@" not in outcome.err  # credentials pasted into a URL are not echoed either


def test_redirects_are_never_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        Emulator(build_state(), api_key=KEY) as elsewhere,
        Emulator(build_state(), api_key=KEY) as api,
    ):
        api.add_fault("/indexes", Redirect(f"{elsewhere.url}/indexes"), times=None)
        api_env(monkeypatch, api.url, KEY)
        fast_retries(monkeypatch)
        outcome = invoke("check", SPEC, "--now", NOW, "-f", "json")
    assert outcome.code == 3
    assert elsewhere.requests == [], "the key followed a redirect to another host"
    assert all("HTTP 302" in s["error"] for s in outcome.report()["schedules"])


def test_the_spec_names_the_key_variable_but_never_the_destination(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A pull request may point `project.api_key_env` at another variable of the CI job: its
    value then goes, in the Api-Key header, to the configured API only, and is never shown;
    the spec itself cannot name a URL."""
    other = "ghs_CANARY_other_secret_7f3a9c2e1b5d4a"
    spec = tmp_path / "pr.yaml"
    spec.write_text(
        Path(SPEC).read_text().replace("api_key_env: PINECONE_API_KEY", "api_key_env: CI_TOKEN")
    )
    with Emulator(build_state(), api_key=KEY) as api:
        api_env(monkeypatch, api.url, KEY)
        monkeypatch.setenv("CI_TOKEN", other)
        no_redaction(monkeypatch)
        outcome = invoke("check", str(spec), "--now", NOW, "-f", "json")
    assert outcome.code == 3
    assert {r.header("api-key") for r in api.requests} == {other}  # to the configured API only
    assert "$CI_TOKEN was rejected" in outcome.err
    assert_secret(outcome.out + outcome.err, "a rejected foreign secret")

    with_url = tmp_path / "url.yaml"
    with_url.write_text(
        Path(SPEC).read_text().replace("project:\n", "project:\n  api_url: http://127.0.0.1:9\n")
    )
    refused = invoke("check", str(with_url), "--now", NOW)
    assert refused.code == 2
    assert "unknown key 'api_url'" in refused.err


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY"])
def test_a_plain_http_loopback_url_never_goes_through_a_proxy(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """`http://` is allowed for loopback because nothing crosses a network; a proxy taken
    from the environment would carry the key, in clear text, to another host."""
    with (
        Emulator(build_state(), api_key=KEY) as api,
        Emulator(build_state(), api_key=KEY) as proxy,  # stands in for proxy.corp:3128
    ):
        api_env(monkeypatch, api.url, KEY)
        monkeypatch.setenv(variable, proxy.url)
        outcome = invoke("check", SPEC, "--now", NOW)
    assert proxy.requests == [], "the key went to the proxy in clear text"
    assert outcome.code == 1
    assert api.requests


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https(certificates: Certificates) -> Iterator[Emulator]:
    with Emulator(
        build_state(), api_key=KEY, tls=(str(certificates.cert), str(certificates.key))
    ) as emu:
        yield emu


def test_tls_is_verified_and_an_untrusted_certificate_is_unknown(
    https: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert https.url.startswith("https://127.0.0.1:")
    api_env(monkeypatch, https.url, KEY)
    no_redaction(monkeypatch)
    outcome = invoke("check", SPEC, "--now", NOW, "-f", "json")
    assert outcome.code == 3
    report = outcome.report()
    assert all("TLS certificate verification failed" in s["error"] for s in report["schedules"]), (
        report["schedules"]
    )
    assert https.requests == []  # the handshake failed: no request, no key, was sent
    assert outcome.err.count("\n") == 1
    assert "Traceback" not in outcome.err


def test_ssl_cert_file_makes_a_private_ca_trusted(
    https: Emulator, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator(build_state(), api_key=KEY) as plain:
        api_env(monkeypatch, plain.url, KEY)
        over_http = invoke("check", SPEC, "--now", NOW, "-f", "json")
    api_env(monkeypatch, https.url, KEY)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    over_https = invoke("check", SPEC, "--now", NOW, "-f", "json")
    assert over_https.code == 1, over_https.err
    assert over_https == over_http
    assert https.requests


def test_a_certificate_for_another_host_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = make_certificates(tmp_path, hosts=("api.example.com",))
    with Emulator(build_state(), api_key=KEY, tls=(str(elsewhere.cert), str(elsewhere.key))) as emu:
        api_env(monkeypatch, emu.url, KEY)
        monkeypatch.setenv("SSL_CERT_FILE", str(elsewhere.ca))  # trusted CA, wrong name
        outcome = invoke("check", SPEC, "--now", NOW, "-f", "json")
    assert outcome.code == 3
    assert emu.requests == []
    assert all("certificate" in s["error"] for s in outcome.report()["schedules"])


@pytest.mark.parametrize("option", ["--insecure", "--no-verify", "--verify=false", "-k"])
def test_there_is_no_switch_to_turn_tls_verification_off(option: str) -> None:
    for command in ("check", "snapshot", "init"):
        help_text = invoke(command, "--help").out.lower()
        assert "insecure" not in help_text
        assert "verify" not in help_text
        outcome = invoke(command, option)
        assert outcome.code == 2
        assert "no such option" in outcome.err.lower()


@pytest.mark.parametrize("bundle", ["missing", "garbage"])
def test_a_broken_ca_bundle_is_a_usage_error(
    https: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundle: str
) -> None:
    path = tmp_path / "ca.pem"
    if bundle == "garbage":
        path.write_text("not a certificate\n")
    api_env(monkeypatch, https.url, KEY)
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    outcome = invoke("check", SPEC, "--now", NOW)
    assert outcome.code == 2, outcome
    assert "SSL_CERT_FILE" in outcome.err
    assert https.requests == []
