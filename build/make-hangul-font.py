#!/usr/bin/python3
"""Makes the Hangul faces: assets/fonts/NotoSansKR-{Regular,Bold}-Hangul.woff2 for the renderer, and
NotoSansKR-Bold-Hangul.otf for the exports' text (libvips's FreeType reads no WOFF2: it has no Brotli).

Subsets of Noto Sans CJK KR (Debian's fonts-noto-cjk; SIL Open Font License 1.1) holding the 2,350
Hangul syllables of KS X 1001 (every syllable Korean text in EUC-KR can write, so the names users
type for annotations render too), the Hangul jamo, compatibility jamo, CJK punctuation and
full-width forms; Latin stays Inter's (fonts.css gives these faces a unicode-range).

Reproducible on Debian: apt-get install fonts-noto-cjk python3-fonttools python3-brotli, then
    /usr/bin/python3 build/make-hangul-font.py
Run from the repository root; it overwrites the three files.
"""

import subprocess
import sys
from pathlib import Path

SOURCES = {
    'Regular': '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    'Bold': '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
}
# The collection's fonts: 0 JP, 1 KR, 2 SC, ... (the KR one has Korean glyph shapes and metrics).
KR_FONT_NUMBER = 1

# Jamo, compatibility jamo, CJK symbols and punctuation (「」〈〉《》·), half- and full-width forms.
RANGES = [(0x1100, 0x11FF), (0x3130, 0x318F), (0x3000, 0x303F), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6)]


def ks_x_1001_syllables() -> list[int]:
    """The precomposed syllables EUC-KR (KS X 1001) encodes: 2,350 of U+AC00..U+D7A3's 11,172."""
    # Python's codec writes the others as 8-byte jamo compositions (KS X 1001 annex 3): two bytes
    # means the syllable has a code of its own.
    return [code for code in range(0xAC00, 0xD7A4) if len(chr(code).encode('euc_kr')) == 2]


def main() -> None:
    syllables = ks_x_1001_syllables()
    if len(syllables) != 2350:
        sys.exit(f'expected 2350 KS X 1001 syllables, found {len(syllables)}')
    codes = syllables + [c for start, end in RANGES for c in range(start, end + 1)]
    unicodes = ','.join(f'U+{c:04X}' for c in codes)
    out_dir = Path('assets/fonts')
    targets = [(weight, source, 'woff2') for weight, source in SOURCES.items()] + [('Bold', SOURCES['Bold'], 'otf')]
    for weight, source, flavor in targets:
        target = out_dir / f'NotoSansKR-{weight}-Hangul.{flavor}'
        subprocess.run(
            [
                sys.executable,
                '-m',
                'fontTools.subset',
                source,
                f'--font-number={KR_FONT_NUMBER}',
                f'--unicodes={unicodes}',
                # Hangul needs no shaping features beyond what the syllables carry precomposed;
                # kerning and the vertical/width features of CJK are left out.
                '--layout-features=kern,palt',
                '--no-hinting',
                '--desubroutinize',
                '--name-IDs=*',
                *(['--flavor=woff2'] if flavor == 'woff2' else []),
                f'--output-file={target}',
            ],
            check=True,
        )
        print(f'{target}: {target.stat().st_size:,} bytes')


if __name__ == '__main__':
    main()
