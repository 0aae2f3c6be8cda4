"""A minimal PEP 517 build backend for the xrayflow package: a pure-Python wheel made with zipfile.

It exists so that `pip install ./python` needs no registry: setuptools would have to be downloaded into pip's
isolated build environment. It packs xrayflow/*.py and the metadata below, nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

NAME = "xrayflow"
VERSION = "0.1.0"
ROOT = Path(__file__).resolve().parent.parent
TAG = "py3-none-any"
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Run XRayFlow recipes from Python through the installed xrayflow tool
Requires-Python: >=3.9
Requires-Dist: numpy
"""
WHEEL = f"""Wheel-Version: 1.0
Generator: xrayflow_build
Root-Is-Purelib: true
Tag: {TAG}
"""


def _sources() -> list[Path]:
    return sorted(p for p in (ROOT / NAME).glob("*.py"))


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{arcname},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory: str, files: dict[str, bytes]) -> str:
    files = dict(files)
    files[f"{DIST_INFO}/METADATA"] = METADATA.encode("utf-8")
    files[f"{DIST_INFO}/WHEEL"] = WHEEL.encode("utf-8")
    record = [_record_line(name, data) for name, data in files.items()] + [f"{DIST_INFO}/RECORD,,"]
    files[f"{DIST_INFO}/RECORD"] = ("\n".join(record) + "\n").encode("utf-8")
    wheel_name = f"{NAME}-{VERSION}-{TAG}.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return wheel_name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    target = Path(metadata_directory) / DIST_INFO
    target.mkdir(parents=True, exist_ok=True)
    (target / "METADATA").write_text(METADATA, encoding="utf-8")
    (target / "WHEEL").write_text(WHEEL, encoding="utf-8")
    return DIST_INFO


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, {f"{NAME}/{p.name}": p.read_bytes() for p in _sources()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file that puts this folder on sys.path: edits to xrayflow/*.py take effect without reinstalling.
    return _write_wheel(wheel_directory, {f"{NAME}.pth": (str(ROOT) + "\n").encode("utf-8")})


def build_sdist(sdist_directory, config_settings=None):
    base = f"{NAME}-{VERSION}"
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tf:
        for rel in ["pyproject.toml", "README.md", "_build/xrayflow_build.py"] + [f"{NAME}/{p.name}" for p in _sources()]:
            path = ROOT / rel
            if path.is_file():
                data = path.read_bytes()
                info = tarfile.TarInfo(f"{base}/{rel}")
                info.size = len(data)
                info.mtime = 1577836800
                tf.addfile(info, io.BytesIO(data))
        pkg_info = METADATA.encode("utf-8")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg_info)
        info.mtime = 1577836800
        tf.addfile(info, io.BytesIO(pkg_info))
    return name
