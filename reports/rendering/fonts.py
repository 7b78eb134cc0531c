"""Fonts for the speech: which faces play 小标宋 / 仿宋 / 黑体 / 楷体, and the CSS naming them.

Sources, best first:

1. licensed fonts a deployment drops into ``REPORT_FONT_DIR`` (方正小标宋简体,
   仿宋_GB2312, 楷体_GB2312, 黑体), recognised by the names inside the files;
2. "reduced" copies of the free Fandol fonts (FandolSong-Bold 小标宋, FandolFang
   仿宋, FandolHei 黑体, FandolKai 楷体; GPL with the font exception, taken from
   Debian's texlive-lang-chinese by ``make install`` into ``var/fonts/fandol``)
   cut down once to GB 2312 plus punctuation, glyphs renumbered, and cached on
   disk; where Fandol is absent, of the Debian Noto CJK / AR PL UKai fonts;
3. the full Fandol files: a report built while the reduced copies are still
   being prepared (``manage.py prepare_report_fonts``, run in the background by
   ``make run``) lays out identically, only its PDF is larger;
4. the full system Noto CJK fonts, which cover any rare character Fandol lacks
   (Pango falls back glyph by glyph along the family list).

Rendering never builds a reduced font: it uses those already on disk.

Only family names known to exist go into the PDF's CSS: fontconfig answers an
unknown name such as "FangSong" with DejaVu Sans, whose Latin digits would then
win over the CJK face.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .default_template import DEFAULT_TEMPLATE_TEXT
from .outlines import simplify_cff_outlines

logger = logging.getLogger(__name__)

# Bump when the character set or subsetting options change, so caches rebuild.
_REDUCED_VERSION = "3"
_FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc"}


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    # Family whose Debian font stands in (fontconfig pattern, family to check).
    system_pattern: str
    system_family: str
    # Names a licensed font file may carry (compared case- and space-insensitively).
    licensed_names: tuple[str, ...]
    # Names an office PC's browser may have installed, for the HTML preview.
    preview_names: tuple[str, ...]
    generic: str
    # The free Fandol face for the role: its file in the Fandol folder, and the family
    # name it gets in the PDF's CSS (and so in the PDF's font names).
    free_file: str = ""
    free_family: str = ""


ROLES: dict[str, Role] = {
    r.key: r
    for r in (
        Role(
            "title",
            "小标宋",
            "Noto Serif CJK SC:bold",
            "Noto Serif CJK SC",
            ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXBSJW--GB1-0", "小标宋"),
            ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "SimSun"),
            "serif",
            "FandolSong-Bold.otf",
            "FandolSong-Bold",
        ),
        Role(
            "body",
            "仿宋",
            "Noto Serif CJK SC",
            "Noto Serif CJK SC",
            ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"),
            ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong"),
            "serif",
            "FandolFang-Regular.otf",
            "FandolFang",
        ),
        Role(
            "heading",
            "黑体",
            "Noto Sans CJK SC",
            "Noto Sans CJK SC",
            ("黑体", "SimHei", "方正黑体简体", "FZHei-B01S"),
            ("黑体", "SimHei", "STHeiti", "Microsoft YaHei"),
            "sans-serif",
            "FandolHei-Regular.otf",
            "FandolHei",
        ),
        Role(
            "kai",
            "楷体",
            "AR PL UKai CN",
            "AR PL UKai CN",
            ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"),
            ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti"),
            "serif",
            "FandolKai-Regular.otf",
            "FandolKai",
        ),
    )
}


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with libharfbuzz-subset.

    Without it WeasyPrint falls back to fontTools and one speech takes ~20 s
    instead of well under a second, so the worker should warn at start-up.
    """
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except (ImportError, OSError):
        return False
    # WeasyPrint itself uses the HarfBuzz path only from 4.1 on.
    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0


@cache
def system_font(pattern: str, family: str) -> FontFile | None:
    """The file fontconfig uses for ``pattern``, or None if it would substitute."""
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{family}\t%{file}\t%{index}", pattern],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, file, index = (out.split("\t") + ["", "", "0"])[:3]
    if family not in families.split(","):
        return None
    return FontFile(Path(file), int(index or 0))


# Where `make install` puts the Fandol files (reports/rendering/fetch-fandol-fonts.sh), and where a
# TeX installation keeps them; REPORT_FANDOL_DIR names another folder.
REPO_FANDOL_DIR = Path(__file__).resolve().parents[2] / "var" / "fonts" / "fandol"
TEX_FANDOL_DIR = Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol")


def free_font_dirs(free_dir: str | os.PathLike | None = None) -> list[Path]:
    """Folders searched for the Fandol files, first hit per file wins."""
    dirs = [free_dir, os.environ.get("REPORT_FANDOL_DIR"), REPO_FANDOL_DIR, TEX_FANDOL_DIR]
    return [Path(d) for d in dict.fromkeys(str(d) for d in dirs if d)]


def free_fonts(free_dir: str | os.PathLike | None = None) -> dict[str, Path]:
    """The full Fandol file of each role that has one on this machine."""
    found: dict[str, Path] = {}
    for role in ROLES.values():
        for directory in free_font_dirs(free_dir):
            path = directory / role.free_file
            if path.is_file():
                found[role.key] = path
                break
    return found


def reduced_charset() -> list[int]:
    """GB 2312 (which covers every character of ordinary government prose), ASCII,
    Latin-1 and the CJK/full-width punctuation blocks."""
    chars: set[int] = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.update(ord(c) for c in bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for start, end in ((0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2100, 0x214F)):
        chars.update(range(start, end + 1))
    return sorted(chars)


_build_lock = threading.Lock()


def _reduced_path(cache_dir: Path, role: str, source: FontFile) -> Path:
    stat = source.path.stat()
    key = f"{_REDUCED_VERSION}|{source.path}|{source.index}|{stat.st_size}|{stat.st_mtime_ns}"
    # The glyph order follows the default template: a new template rebuilds.
    key += "|" + hashlib.sha256(glyph_priority().encode()).hexdigest()
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    # No suffix: whether the outlines are CFF (.otf) or TrueType is only known
    # after opening the font, and neither fontconfig nor WeasyPrint needs it.
    return cache_dir / f"lawgov-{role}-gb2312-{digest}.font"


@cache
def glyph_priority() -> str:
    """Characters whose glyphs go first in a reduced font, most likely first.

    WeasyPrint keeps glyph ids when it subsets a font for the PDF, so every
    unused glyph below the highest one used still costs an (empty) entry in the
    embedded font: about 3 bytes compressed each, ~35 KB for a CJK font whose
    used glyphs sit among 14,000.  Putting the default template's characters
    first (title and headings open it), then ASCII, GB 2312 punctuation and
    level 1 (the 3,755 common characters) keeps a speech's glyphs within the first few
    thousand ids.  Glyph ids are internal: outlines, metrics and layout rules
    are unchanged.
    """

    ascii_ = "".join(map(chr, range(0x20, 0x7F)))
    gb2312 = []
    # Row 1 (punctuation, the page numbers' dash), row 3 (full-width ASCII),
    # then level 1.
    for high in (0xA1, 0xA3, *range(0xB0, 0xD8)):
        for low in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(dict.fromkeys(DEFAULT_TEMPLATE_TEXT + ascii_ + "".join(gb2312)))


def _common_glyphs_first(font) -> None:
    """Renumber the glyphs of ``font`` in glyph_priority() order (see there)."""
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    old_order = font.getGlyphOrder()
    cmap = font.getBestCmap()
    first = [".notdef"]
    first += [cmap[ord(ch)] for ch in glyph_priority() if ord(ch) in cmap]
    new_order = list(dict.fromkeys(first + old_order))
    if new_order == old_order:
        return
    top = font["CFF "].cff.topDictIndex[0] if "CFF " in font else None
    fd_select = getattr(top, "FDSelect", None)
    if fd_select is not None:
        # reorderGlyphs moves the charstrings but not a CID font's FDSelect,
        # which says which private dict (and subroutines) each glyph uses.
        by_name = {name: fd_select[gid] for gid, name in enumerate(old_order)}
    reorderGlyphs(font, new_order)
    if fd_select is not None:
        fd_select.gidArray = [by_name[name] for name in new_order]


def _build_reduced(source: FontFile, target: Path, *, simplify: bool = False) -> None:
    """``simplify``: the traced Fandol outlines get fewer points (see outlines.py)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    # Keep names, metrics and layout features: the reduced font must lay out
    # exactly like the full one so that falling back to it changes nothing.
    options.glyph_names = True
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.recalc_bounds = False
    options.hinting = True
    options.legacy_kern = True
    # FontForge's timestamp table, which fontTools cannot subset anyway.
    options.drop_tables += ["FFTM"]
    font = TTFont(source.path, fontNumber=source.index, lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=reduced_charset())
    subsetter.subset(font)
    if simplify and "CFF " in font:
        simplify_cff_outlines(font)
    _common_glyphs_first(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: several workers may build the same file concurrently.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=target.suffix + ".tmp")
    os.close(fd)
    try:
        font.save(tmp)
        # mkstemp creates 0600; other worker users must be able to read it.
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    font.close()


def reduced_sources(free_dir: str | os.PathLike | None = None) -> dict[str, tuple[FontFile, bool]]:
    """The font each role's reduced copy is cut from: Fandol where present (True), else
    the Debian system font (False)."""
    free = free_fonts(free_dir)
    sources: dict[str, tuple[FontFile, bool]] = {}
    for role in ROLES.values():
        if role.key in free:
            sources[role.key] = (FontFile(free[role.key]), True)
            continue
        system = system_font(role.system_pattern, role.system_family)
        if system is not None:
            sources[role.key] = (system, False)
    return sources


def reduced_fonts(
    cache_dir: str | os.PathLike | None,
    *,
    build: bool = False,
    free_dir: str | os.PathLike | None = None,
) -> dict[str, Path]:
    """Reduced copies of each role's font (see reduced_sources) that are on disk.

    ``build=True`` (prepare_report_fonts, tests) builds the missing ones first; a
    render never does, so that a report asked for while they are being prepared is
    built at once from the full fonts. A missing source or a failed build just
    leaves the role out: the full font then serves, slower but laid out the same.
    """
    if cache_dir is None:
        return {}
    cache = Path(cache_dir)
    found: dict[str, Path] = {}
    for key, (source, free) in reduced_sources(free_dir).items():
        try:
            target = _reduced_path(cache, key, source)
        except OSError:
            continue
        if not target.exists() and build:
            with _build_lock:
                if not target.exists():
                    try:
                        _build_reduced(source, target, simplify=free)
                    except Exception:  # noqa: BLE001 - any failure must fall back, not break the report
                        logger.exception("could not build reduced font %s", target)
                        continue
        if target.exists():
            found[key] = target
    return found


def _normalise(name: str) -> str:
    return "".join(name.split()).casefold()


@lru_cache(maxsize=32)
def _scan_licensed(font_dir: str, _mtime: int) -> dict[str, Path]:
    from fontTools.ttLib import TTFont

    wanted = {_normalise(name): role.key for role in ROLES.values() for name in role.licensed_names}
    priority = {role.key: [_normalise(n) for n in role.licensed_names] for role in ROLES.values()}
    best: dict[str, tuple[int, Path]] = {}
    for path in sorted(Path(font_dir).iterdir()):
        if path.suffix.lower() not in _FONT_SUFFIXES or not path.is_file():
            continue
        try:
            # WeasyPrint's @font-face cannot pick a face inside a collection,
            # so only the first face of a .ttc counts.
            font = TTFont(path, fontNumber=0, lazy=True)
            names = {
                _normalise(str(rec)) for rec in font["name"].names if rec.nameID in (1, 4, 6, 16)
            }
            font.close()
        except Exception:  # noqa: BLE001 - a broken file in the drop folder must not stop reports
            logger.warning("ignoring unreadable font file %s", path)
            continue
        for name in names:
            role = wanted.get(name)
            if role is None:
                continue
            rank = priority[role].index(name)
            if role not in best or rank < best[role][0]:
                best[role] = (rank, path)
    return {role: path for role, (_, path) in best.items()}


def licensed_fonts(font_dir: str | os.PathLike | None) -> dict[str, Path]:
    """Licensed font files found in ``font_dir`` by role."""
    if not font_dir or not Path(font_dir).is_dir():
        return {}
    directory = Path(font_dir)
    # The directory's mtime keys the cache, so dropping a file in takes effect.
    return _scan_licensed(str(directory.resolve()), directory.stat().st_mtime_ns)


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _font_face(family: str, path: Path) -> str:
    return f"@font-face {{ font-family: {_quote(family)}; src: url({_quote(path.resolve().as_uri())}); }}"


# Selectors each role's font applies to; kept here, next to the stacks, so the
# preview and the PDF cannot disagree about which element uses which face.
ROLE_SELECTORS = {
    "body": ".speech, .draft-cover, .speech .lead .punct",
    "title": ".speech .title, .draft-cover h1",
    # A comparison table's caption and header row are 黑体 too (its cells the body's 仿宋).
    "heading": ".speech .section, .speech .comparison .caption, .speech .comparison thead",
    # 公文's second heading level （一） is 楷体 (its third and fourth are the body's 仿宋).
    "kai": ".speech .lead, .speech .section2",
}


def pdf_font_css(
    font_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    free_dir: str | os.PathLike | None = None,
) -> str:
    """@font-face rules and font-family stacks for WeasyPrint.

    The family names become the PDF's font names (WeasyPrint names an embedded font
    after its CSS family): FandolFang-GB2312 for the reduced copy, FandolFang for the
    full file, LG-Licensed-body for a licensed font."""
    licensed = licensed_fonts(font_dir)
    free = free_fonts(free_dir)
    reduced = reduced_fonts(cache_dir, free_dir=free_dir)
    sources = reduced_sources(free_dir) if reduced else {}
    rules: list[str] = []
    stacks: dict[str, str] = {}
    for key, role in ROLES.items():
        stack: list[str] = []
        if key in licensed:
            rules.append(_font_face(f"LG Licensed {key}", licensed[key]))
            stack.append(_quote(f"LG Licensed {key}"))
        if key in reduced:
            from_free = sources[key][1]
            family = f"{role.free_family} GB2312" if from_free else f"LG Reduced {key}"
            rules.append(_font_face(family, reduced[key]))
            stack.append(_quote(family))
        if key in free:
            rules.append(_font_face(role.free_family, free[key]))
            stack.append(_quote(role.free_family))
        stack.append(_quote(role.system_family))
        # Body face behind every role: the reduced/licensed fonts may lack a
        # rare character that Noto Serif CJK has.
        stack.append(_quote(ROLES["body"].system_family))
        stack.append(role.generic)
        stacks[key] = ", ".join(dict.fromkeys(stack))
    rules += [f"{ROLE_SELECTORS[key]} {{ font-family: {stacks[key]}; }}" for key in ROLES]
    # Page numbers are 四号宋体; the body's face is the stand-in.
    body, heading = stacks["body"], stacks["heading"]
    rules.append(
        f"@page {{ @bottom-left {{ font-family: {body}; }} @bottom-right {{ font-family: {body}; }}"
        f" @top-right {{ font-family: {heading}; }} }}"
    )
    return "\n".join(rules)


def preview_font_css() -> str:
    """Font stacks for the browser preview: the office PC's own Chinese fonts first."""
    rules = []
    for key, role in ROLES.items():
        names = [*role.preview_names, role.system_family, ROLES["body"].system_family]
        stack = ", ".join([*map(_quote, dict.fromkeys(names)), role.generic])
        rules.append(f"{ROLE_SELECTORS[key]} {{ font-family: {stack}; }}")
    return "\n".join(rules)
