"""The client secret and the password reach `liveperson-check` without being on its command line,
where any local user reads them: from a file, an environment variable, or a hidden prompt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.checker import CHECK_IDS, cli
from tests.checker import broken_brand
from tests.checker.report import assert_well_formed
from tests.checker.terminal import in_terminal

BIN = Path(sys.executable).parent


def check(issuer: str, *options: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    status = cli.main([issuer, "--client-id", broken_brand.CLIENT_ID, "--json", *options])
    document = json.loads(capsys.readouterr().out)
    assert_well_formed(document)
    return status, document


def test_secrets_from_files_without_their_trailing_newline(tmp_path, capsys):
    (tmp_path / "secret").write_text(broken_brand.CLIENT_SECRET + "\n")
    (tmp_path / "password").write_text(broken_brand.PASSWORD + "\r\n")
    with broken_brand.serve() as brand:
        status, document = check(
            brand.issuer,
            "--client-secret-file",
            str(tmp_path / "secret"),
            "--email",
            broken_brand.EMAIL,
            "--password-file",
            str(tmp_path / "password"),
            capsys=capsys,
        )
    assert status == 0, document


def test_secrets_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("LIVEPERSON_CHECK_CLIENT_SECRET", broken_brand.CLIENT_SECRET)
    monkeypatch.setenv("LIVEPERSON_CHECK_PASSWORD", broken_brand.PASSWORD)
    with broken_brand.serve() as brand:
        status, document = check(brand.issuer, "--email", broken_brand.EMAIL, capsys=capsys)
    assert status == 0, document


def test_secrets_typed_at_a_hidden_prompt_in_a_terminal():
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPERSON_")}
    command = [str(BIN / "liveperson-check"), "--client-id", broken_brand.CLIENT_ID]
    command += ["--email", broken_brand.EMAIL]
    with broken_brand.serve() as brand, in_terminal([*command, brand.issuer], env) as terminal:
        terminal.expect(f"Client secret of {broken_brand.CLIENT_ID}: ")
        terminal.type(broken_brand.CLIENT_SECRET + "\n")
        terminal.expect(f"Password of {broken_brand.EMAIL}: ")
        terminal.type(broken_brand.PASSWORD + "\n")
        status = terminal.wait()
    assert status == 0, terminal.screen
    assert terminal.screen.count("  PASS  ") == len(CHECK_IDS), terminal.screen
    # Not echoed: nothing typed is left on the screen.
    assert broken_brand.CLIENT_SECRET not in terminal.screen
    assert broken_brand.PASSWORD not in terminal.screen


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--code=c"], "--client-secret-file"),
        (["--client-secret", "s", "--client-secret-file", "f", "--code=c"], "not allowed with"),
        (["--client-secret-file", "/nonexistent/secret", "--code=c"], "cannot read the secret file"),
        (["--client-secret", "s", "--email", "e@example.com"], "--password-file"),
        (["--client-secret", "s", "--code=c", "--password-file", "f"], "goes with --email"),
    ],
)
def test_a_missing_or_doubled_secret_is_a_usage_error(arguments, said):
    """Not in a terminal (a script, CI): nothing is asked, the usage error says where to put it."""
    result = subprocess.run(
        [str(BIN / "liveperson-check"), "https://brand.example", "--client-id", "i", *arguments],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("LIVEPERSON_")},
    )
    assert result.returncode == 2, result.stderr
    assert said in result.stderr


def test_the_help_discourages_secrets_on_the_command_line():
    shown = " ".join(cli.build_parser().format_help().split())
    for option in (
        "--client-secret SECRET the client secret", "--password PASSWORD the password for --email",
    ):
        assert f"{option} itself; discouraged: any local user can read it in the process list (ps)" in shown
