"""The 事業所 master in the service: `kakunin employers import`, the worker's check of the
employer block against the database's master, and the roster naming a member's 事業所."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from extractors.model import FieldReading, FormReading
from intake.cli import app as cli
from intake.employers import import_csv, master, named_by_roster, with_employer_check
from intake.roster import import_csv as import_roster
from intake.services import Services
from tests.helpers import service_env

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "employers_sample.csv"
HEADER = "事業所記号,名称,所在地,電話番号,事業主\n"


def _sealed_form(symbol: str = "1001", number: str = "1") -> FormReading:
    """A 交付申請書 whose 事業所名称 and 事業主氏名 lie under a seal (read garbled, unsure)."""
    fields = (
        FieldReading("insured_symbol", symbol, 0.99, False),
        FieldReading("insured_number", number, 0.99, False),
        FieldReading("employer_name", "さくらテクノ株式(印)", 0.5, True),
        FieldReading("employer_owner_name", "取締役社長 川口 (印)", 0.5, True),
        FieldReading("employer_phone", "052-586-1100", 0.98, False),
        FieldReading("employer_address", None, 1.0, False),
    )
    return FormReading("kofu_shinsei", "SK-01 (2025.4)", (1,), fields)


def test_cli_imports_the_sample_master_and_updates_by_code(services: Services) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["employers", "import", str(SAMPLE)], env=service_env(services.settings))
    assert result.exit_code == 0, result.output
    assert "5 rows imported" in result.output
    assert [e.code for e in master(services)] == ["0001", "0002", "0003", "0004", "0005"]
    report = import_csv(
        services,
        HEADER
        + "0003,さくらテクノ株式会社,愛知県名古屋市中村区名駅4-1-1,052-586-1100,取締役社長 川口 誠\n,名無し,,,\n",
    )
    assert report.errors == ("3 行目: 事業所記号と名称は必須です",)
    moved = next(e for e in master(services) if e.code == "0003")
    assert moved.address == "愛知県名古屋市中村区名駅4-1-1" and len(master(services)) == 5


def test_cli_refuses_a_file_without_the_columns(services: Services, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n1,x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["employers", "import", str(bad)], env=service_env(services.settings))
    assert result.exit_code == 1
    assert master(services) == ()


def test_worker_check_fills_a_sealed_block_from_the_database_master(services: Services) -> None:
    form = _sealed_form()
    assert with_employer_check(services, form) == form  # no master imported: nothing happens
    import_csv(services, SAMPLE.read_text(encoding="utf-8"))
    out = with_employer_check(services, form)
    values = {f.name: f for f in out.fields}
    assert values["employer_name"].value == "さくらテクノ株式会社"
    assert values["employer_owner_name"].value == "取締役社長 川口 誠"
    assert values["employer_name"].needs_review and values["employer_owner_name"].needs_review
    assert values["employer_address"].value is None
    assert sorted(f.code for f in out.findings) == ["employer_proposed", "employer_proposed"]


def test_roster_names_a_members_employer(services: Services) -> None:
    import_csv(services, SAMPLE.read_text(encoding="utf-8"))
    roster = (
        "symbol,number,name,name_kana,birth_date,relationship,can_use_myna,voluntary,"
        "certificate_expiry,voluntary_until,employer_code\n"
        "1001,1,健保 太郎,ケンポ タロウ,1980-04-01,本人,false,false,,,0004\n"
        "1002,7,健保 次郎,ケンポ ジロウ,1981-04-01,本人,false,false,,,\n"
    )
    assert import_roster(services, roster).errors == []
    named = named_by_roster(services, _sealed_form("1001", "1"))
    assert named is not None and named.name == "さくら物流有限会社"
    assert named_by_roster(services, _sealed_form("1002", "7")) is None
