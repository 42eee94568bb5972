"""The scale commands' flags: clear one-line errors before any work."""

from __future__ import annotations

from fashion_core.cli import main


def test_address_needs_the_ray_engine(demo_world, tmp_path, capsys):
    code = main(["index", "build", "--catalog", str(demo_world / "catalog.csv"), "--out", str(tmp_path / "i"),
                 "--address", "127.0.0.1:6379"])
    assert code == 2 and "--address goes with --engine ray" in capsys.readouterr().err
    assert not (tmp_path / "i").exists()


def test_serve_checks_its_flags(tmp_path, capsys):
    assert main(["serve", "--index", str(tmp_path), "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert main(["serve", "--index", str(tmp_path), "--port", "70000"]) == 2
    assert "--port must be between 1 and 65535" in capsys.readouterr().err
    assert main(["serve", "--index", str(tmp_path)]) == 2  # an empty folder is no index
    assert "is not an index directory" in capsys.readouterr().err
