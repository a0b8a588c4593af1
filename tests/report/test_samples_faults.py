"""samples.jsonl under faults: a damaged or truncated file is one error
naming it, and a disk that fills up mid-record leaves no torn line."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from evaluator import samples as samples_module
from evaluator.errors import BenchError, ReportError
from evaluator.samples import Sample, append_samples, read_samples

SAMPLE = Sample(process=0, variant="v", scenario="s", batch=0, warmup=False,
                ops=10, ns=100.0)


def _gz(tmp_path: Path, data: bytes) -> Path:
    (tmp_path / "samples.jsonl.gz").write_bytes(data)
    return tmp_path / "samples.jsonl"


def _good_gzip(tmp_path: Path) -> bytes:
    plain = tmp_path / "plain.jsonl"
    append_samples(plain, [SAMPLE] * 200)
    return gzip.compress(plain.read_bytes())


def test_truncated_gzip_is_one_error(tmp_path):
    data = _good_gzip(tmp_path)
    with pytest.raises(ReportError, match="damaged gzip file") as exc:
        read_samples(_gz(tmp_path, data[:len(data) // 2]))
    assert "samples.jsonl.gz" in str(exc.value)


def test_a_gz_file_that_is_not_gzip_is_one_error(tmp_path):
    with pytest.raises(ReportError, match="Not a gzipped file"):
        read_samples(_gz(tmp_path, b"plain text\n"))


@pytest.mark.parametrize("line", ["[1]", "3", '"text"'])
def test_a_record_that_is_not_an_object_names_its_line(tmp_path, line):
    path = tmp_path / "samples.jsonl"
    append_samples(path, [SAMPLE])
    with path.open("a") as handle:
        handle.write(line + "\n")
    with pytest.raises(ReportError, match=r"samples.jsonl:2: a record"):
        read_samples(path)


def test_full_disk_mid_record_leaves_no_torn_line(tmp_path, monkeypatch):
    path = tmp_path / "samples.jsonl"
    append_samples(path, [SAMPLE, SAMPLE])
    kept = path.read_bytes()
    real_write = os.write

    def short_write(fd, data):
        return real_write(fd, data[:len(data) // 2])     # disk filled up
    monkeypatch.setattr(samples_module.os, "write", short_write)
    with pytest.raises(BenchError, match="disk is full") as exc:
        append_samples(path, [SAMPLE])
    assert "kept whole" in str(exc.value)
    assert path.read_bytes() == kept
    assert len(read_samples(path).samples) == 2


def test_enospc_is_a_bench_error_not_a_traceback():
    with pytest.raises(BenchError, match="disk is full"):
        append_samples(Path("/dev/full"), [SAMPLE])
