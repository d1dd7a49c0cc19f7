#!/usr/bin/env python3
"""Reproduce book/_vendor/ (the offline JavaScript, fonts of the book's HTML) from npm.

The built pages must load nothing from outside _build/html, so the three things Sphinx,
myst-nb and ipywidgets would fetch from CDNs are committed here, copied from npm:

* MathJax 3.2.2 (``mathjax``): ``es5/tex-chtml-full.js`` (TeX input, every TeX
  extension built in, CommonHTML output) and its woff-v2 fonts;
* RequireJS 2.3.8 (``requirejs``): ``require.js``;
* ``@jupyter-widgets/html-manager`` 1.0.15 (ipywidgets 8): ``dist/embed-amd.js`` and
  the woff2 fonts it asks for.

Usage (from the repository root)::

    python scripts/vendor_assets.py --check            # offline: files match MANIFEST.sha256
    python scripts/vendor_assets.py                    # npm pack, copy, then compare with MANIFEST
    python scripts/vendor_assets.py --update-manifest  # ... and rewrite MANIFEST.sha256

The npm tarballs are checked against the pinned ``integrity`` (sha512) before use;
the copied files against ``book/_vendor/MANIFEST.sha256`` (``sha256sum -c`` format, paths
relative to ``book/_vendor``). Needs ``npm`` except with ``--check``.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "book" / "_vendor"
MANIFEST = VENDOR / "MANIFEST.sha256"
# Files in VENDOR that are ours, not copied from npm (not in the manifest).
UNMANAGED = {"MANIFEST.sha256", "README.md"}

# spec -> (npm integrity of the tarball, [(glob inside package/, destination folder)])
PACKAGES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "mathjax@3.2.2": (
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        [
            ("LICENSE", "mathjax"),
            ("es5/tex-chtml-full.js", "mathjax/es5"),
            ("es5/output/chtml/fonts/woff-v2/*.woff", "mathjax/es5/output/chtml/fonts/woff-v2"),
        ],
    ),
    "requirejs@2.3.8": (
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        [("require.js", "requirejs")],
    ),
    "@jupyter-widgets/html-manager@1.0.15": (
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        [
            ("dist/embed-amd.js", "jupyter-widgets"),
            ("dist/*.woff2", "jupyter-widgets"),
        ],
    ),
}
MANAGED_DIRS = sorted({dest.split("/")[0] for _, files in PACKAGES.values() for _, dest in files})


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def vendored_files(vendor: Path = VENDOR) -> list[str]:
    """Paths (relative, posix) of every vendored file, manifest and README excluded."""
    return sorted(
        p.relative_to(vendor).as_posix()
        for p in vendor.rglob("*")
        if p.is_file() and p.relative_to(vendor).as_posix() not in UNMANAGED
    )


def read_manifest(manifest: Path = MANIFEST) -> dict[str, str]:
    entries = {}
    for line in manifest.read_text().splitlines():
        if line.strip():
            digest, name = line.split(None, 1)
            entries[name.lstrip("*")] = digest
    return entries


def check(vendor: Path = VENDOR, manifest: Path = MANIFEST) -> list[str]:
    """Compare the files in ``vendor`` with ``manifest``; return the problems found."""
    if not manifest.is_file():
        return [f"{manifest} is missing"]
    expected = read_manifest(manifest)
    present = set(vendored_files(vendor))
    problems = [f"missing: {n}" for n in sorted(set(expected) - present)]
    problems += [f"not in manifest: {n}" for n in sorted(present - set(expected))]
    problems += [
        f"checksum differs: {n}"
        for n in sorted(present & set(expected))
        if sha256(vendor / n) != expected[n]
    ]
    return problems


def write_manifest(vendor: Path = VENDOR, manifest: Path = MANIFEST) -> None:
    lines = [f"{sha256(vendor / n)}  {n}\n" for n in vendored_files(vendor)]
    manifest.write_text("".join(lines))


def npm_pack(spec: str, integrity: str, dest: Path) -> Path:
    out = subprocess.run(
        ["npm", "pack", "--json", "--pack-destination", str(dest), spec],
        check=True, capture_output=True, text=True, cwd=dest,
    ).stdout
    info = json.loads(out)[0]
    tarball = dest / info["filename"]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != integrity:
        sys.exit(f"{spec}: tarball integrity {digest} != pinned {integrity}")
    return tarball


def fetch(vendor: Path = VENDOR) -> None:
    """Replace the managed folders of ``vendor`` with fresh copies from npm."""
    for d in MANAGED_DIRS:
        shutil.rmtree(vendor / d, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for spec, (integrity, files) in PACKAGES.items():
            tarball = npm_pack(spec, integrity, tmp)
            unpacked = tmp / tarball.stem
            with tarfile.open(tarball) as tar:
                tar.extractall(unpacked, filter="data")
            package = unpacked / "package"
            for pattern, dest in files:
                matches = sorted(package.glob(pattern))
                if not matches:
                    sys.exit(f"{spec}: nothing matches {pattern}")
                (vendor / dest).mkdir(parents=True, exist_ok=True)
                for src in matches:
                    shutil.copyfile(src, vendor / dest / src.name)
            print(f"{spec}: copied", ", ".join(p for p, _ in files))


def total_size(vendor: Path = VENDOR) -> int:
    return sum((vendor / n).stat().st_size for n in vendored_files(vendor))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true",
                       help="only compare the committed files with the manifest (offline)")
    group.add_argument("--update-manifest", action="store_true",
                       help="fetch from npm and rewrite MANIFEST.sha256")
    args = parser.parse_args(argv)

    if not args.check:
        fetch()
        if args.update_manifest:
            write_manifest()
            print(f"wrote {MANIFEST.relative_to(ROOT)}")
    problems = check()
    for p in problems:
        print(p, file=sys.stderr)
    n = len(vendored_files())
    print(f"{n} files, {total_size() / 1e6:.2f} MB: "
          + ("OK, matches MANIFEST.sha256" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
