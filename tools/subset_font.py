"""Build innosim's CJK font: Noto Sans CJK SC Regular cut down to the characters Chinese text uses.

innosim ships one font for its figures, reports and app (``src/innosim/data/fonts/``): Noto Sans CJK
SC Regular (SIL Open Font License 1.1, no reserved font name; https://github.com/notofonts/noto-cjk),
subset to GB 2312 (the 6,763 hanzi and the symbols of the national standard for simplified
Chinese, which cover all but a tiny fraction of modern text), Latin-1 and its punctuation, CJK
symbols and punctuation, the fullwidth forms and the symbols innosim prints (✓ ✗ → ± ≤ ≥ …), plus
every character found in the repository's text files. The full font is 16 MB; the subset about a tenth.

Usage (the source font from the URL above, or any copy of NotoSansCJKsc-Regular.otf)::

    python tools/subset_font.py NotoSansCJKsc-Regular.otf src/innosim/data/fonts/NotoSansCJKsc-Regular-subset.otf
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
SYMBOLS = "✓✗→←↑↓±×÷≤≥≈≠…–—·•°‰℃€￥¥²³¼½¾"
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
SCANNED = ("*.py", "*.toml", "*.md", "*.j2", "*.csv")


def gb2312() -> set[str]:
    """Every character of GB 2312 (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def repository_text() -> set[str]:
    """The non-ASCII characters of the repository's text files (labels, facts, docs)."""
    chars: set[str] = set()
    for pattern in SCANNED:
        for path in ROOT.rglob(pattern):
            if ".venv" in path.parts or ".git" in path.parts:
                continue
            chars |= {c for c in path.read_text(encoding="utf-8", errors="ignore") if ord(c) > 0x7F}
    return chars


def wanted() -> set[str]:
    chars = gb2312() | repository_text() | set(SYMBOLS)
    for lo, hi in RANGES:
        chars |= {chr(c) for c in range(lo, hi + 1)}
    return chars


def main(source: str, out: str) -> None:
    font = TTFont(source)
    cmap = font.getBestCmap()
    chars = sorted(c for c in wanted() if ord(c) in cmap)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    font.save(out)
    digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    version = TTFont(source)["name"].getDebugName(5)
    print(f"{out}: {len(chars):,} characters, {Path(out).stat().st_size / 1e6:.2f} MB")
    print(f"source {source}: {version}, sha256 {digest}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
