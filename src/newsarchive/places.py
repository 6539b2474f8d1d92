"""Places an article is about: province, district, commune, and every locality it names.

A name counts only where an administrative word or a party/state body anchors it ("huyện X",
"Huyện ủy X", "xã A, huyện B", a title "X (Tỉnh):" or "Tỉnh:", a section header "HUYỆN X").
Bare gazetteer names are never scanned for: "Hồ Chí Minh" is usually the person and "Thứ Ba" a
weekday. Each anchored name is resolved against the gazetteer at the level its word implies, and
the readings that agree with the rest of the article win. When the evidence does not settle one
province the answer is None: a wrong province is worse than none.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from . import text
from .gazetteer import NEW, OLD, District, Gazetteer, Province, Ward, gazetteer, name_key
from .records import Locality

REORGANIZATION = "2025-07-01"  # from this day there are 34 provinces and no districts

PROVINCE, CITY, DISTRICT, COMMUNE, VILLAGE = "province", "city", "district", "commune", "village"
# Rank in a chain "thôn A, xã B, huyện C, tỉnh D": a parent always ranks higher than its child.
# A "thành phố" may be a district-level city or a centrally-run one, so it sits between.
_RANK = {VILLAGE: 0, COMMUNE: 1, DISTRICT: 2, CITY: 2.5, PROVINCE: 3}

TITLE, BODY = "title", "body"  # where a mention was found; title covers the section header
_TITLE_WEIGHT = 3

# Administrative words and the bodies named after a unit, longest first so that "thị xã" wins
# over "xã" and "Huyện ủy" over "huyện". Each maps to (level, kind implied, is a party body).
_ANCHORS: tuple[tuple[str, str, str, bool], ...] = (
    ("tổ dân phố", VILLAGE, "tổ dân phố", False),
    ("tỉnh ủy", PROVINCE, "tỉnh", True),
    ("thành ủy", CITY, "thành phố", True),
    ("huyện ủy", DISTRICT, "huyện", True),
    ("quận ủy", DISTRICT, "quận", True),
    ("thị ủy", DISTRICT, "thị xã", True),
    ("thành phố", CITY, "thành phố", False),
    ("tp.", CITY, "thành phố", False),
    ("tp", CITY, "thành phố", False),
    ("thị xã", DISTRICT, "thị xã", False),
    ("thị trấn", COMMUNE, "thị trấn", False),
    ("đặc khu", COMMUNE, "đặc khu", False),
    ("tỉnh", PROVINCE, "tỉnh", False),
    ("huyện", DISTRICT, "huyện", False),
    ("quận", DISTRICT, "quận", False),
    ("xã", COMMUNE, "xã", False),
    ("phường", COMMUNE, "phường", False),
    ("thôn", VILLAGE, "thôn", False),
    ("bản", VILLAGE, "bản", False),
    ("ấp", VILLAGE, "ấp", False),
)
_ANCHOR_INFO = {word: (level, kind, body) for word, level, kind, body in _ANCHORS}
_ANCHOR_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(w) for w, *_ in _ANCHORS) + r")(?:(?<=\.)|(?![\w]))", re.IGNORECASE)
# Words that make "bản"/"thôn" part of a common noun ("văn bản", "nông thôn"), not a village.
_COMPOUND_BEFORE = {"bản": {"văn", "phiên", "cơ", "căn", "nhật", "xuất", "tái", "kịch", "dự", "hình", "bảo"},
                    "thôn": {"nông"}}
# One more syllable of a name: Title Case word, a number ("Phường 5", "Cổ Nhuế 1"), after a space
# or a hyphen ("Bà Rịa - Vũng Tàu").
_NEXT_SYLLABLE = re.compile(r"([ \t]*-[ \t]*|[ \t]+)([^\W_]+)")
_ATTACHED_SYLLABLE = re.compile(r"([ \t]*)([^\W_]+)")
_MAX_SYLLABLES = 5
_CHAIN_GAP = re.compile(r"[ \t]*[,–-][ \t]*|[ \t]+thuộc[ \t]+")  # "xã A, huyện B", "xã A thuộc tỉnh B"
_PARENTHESIS = re.compile(r"[ \t]*\(([^()]{2,40})\)")
# Titles: "Bảo Lâm (Cao Bằng): ..." and "Hà Giang: ...".
# Possessive \w*+: a long word must not make the optional parts backtrack (O(n^5)).
_TITLE_NAME = r"[^\W\d_][\w]*+(?:[ \t]*-?[ \t]*[^\W\d_][\w]*+){0,4}"
_TITLE_PAREN = re.compile(r"(?<![\w])(" + _TITLE_NAME + r")[ \t]*\((" + _TITLE_NAME + r")\)")
_TITLE_LEAD = re.compile(r"^[ \t]*(" + _TITLE_NAME + r")[ \t]*:")
# A dateline at the start of the lead: "SÓC TRĂNG - ", "(Kon Tum) – ".
_DATELINE = re.compile(r"^\(?([^\W\d_][\w ]{1,30}?)\)?[ \t]*[-–—][ \t]")
# Party committees written without a name still tell the level an article is told from.
# What only a text written after 1 July 2025 says: the two-level local government at work (not
# announced: "sẽ", "chuẩn bị" before it), or a province that the reorganization ended called
# former ("tỉnh X cũ", "tỉnh X trước đây") for an X the reorganization ended.
_TWO_LEVELS = re.compile(r"chính quyền (?:địa phương )?(?:2|hai) cấp", re.IGNORECASE)
_ANNOUNCED = re.compile(r"\b(?:sẽ|chuẩn bị|dự kiến|trước khi|sắp|chuẩn bị cho|đề án)\b[^.;]{0,60}$", re.IGNORECASE)
_FORMER = re.compile(r"[ \t]*\)?[ \t]*,?[ \t]*(?:\(?cũ\)?|trước đây)(?!\w)", re.IGNORECASE)
# "tỉnh Vĩnh Long (mới)": a province as the reorganization made it; only a text after it says so.
_NEW_PROVINCE = re.compile(r"[ \t]*\((?:mới|sau sáp nhập|sau sắp xếp|sau hợp nhất)\)", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+")
# "1. Đảng bộ xã A, huyện B;": an item of a numbered list (awarded collectives, examples).
_LIST_ITEM = re.compile(r"^[ \t]*\d{1,3}[.)][ \t]+\S")
_PROVINCE_BODY = re.compile(r"(?<![\w])Tỉnh ủy(?![\w])")
_DISTRICT_BODY = re.compile(r"(?<![\w])(?:Huyện ủy|Quận ủy|Thị ủy)(?![\w])")


@dataclass
class Places:
    province: str | None
    province_code: str | None
    province_evidence: str | None
    province_current: str | None
    district: str | None
    district_evidence: str | None
    commune: str | None
    localities: list[Locality] = field(default_factory=list)
    era: str = OLD  # OLD: written before 1 July 2025 (63 provinces); NEW: after (34)
    commune_evidence: str | None = None


@dataclass
class _Mention:
    level: str
    kind: str  # administrative kind the anchor implies; "" for a bare name in a title
    name: str  # as written
    evidence: str  # the anchor and the name, as written
    where: str  # TITLE or BODY
    party_body: bool
    parent: _Mention | None = None  # the next unit up when written as a chain
    span: tuple[int, int, int] = (0, 0, 0)  # text index, start, end: orders and chains mentions

    @property
    def weight(self) -> int:
        return _TITLE_WEIGHT if self.where == TITLE else 1


def find_places(title: str, section: str | None, paragraphs: list[str],
                published: str | None = None, source_tag: str | None = None) -> Places:
    """`source_tag` is the tag the cleaner took from the lead ("SƠN LA -" gives "SƠN LA"):
    a dateline that names a province places the article like its title does."""
    g = gazetteer()
    texts = [(text.normalize(title or ""), TITLE)]
    if section:
        texts.append((text.normalize(section), TITLE))
    texts += [(text.normalize(p), BODY) for p in paragraphs]
    mentions = _scan(texts, g)
    lead = next((i for i, (_, where) in enumerate(texts) if where == BODY), None)
    dateline = _dateline(text.normalize(source_tag) if source_tag else None,
                         texts[lead][0] if lead is not None else "", lead or 0, g)
    if dateline:
        mentions.append(dateline)
    era = _era(mentions, published, g, texts)
    resolver = _Resolver(g, era, mentions, texts)
    return resolver.places()


# -- finding anchored names ---------------------------------------------------------------

def _scan(texts: list[tuple[str, str]], g: Gazetteer) -> list[_Mention]:
    mentions: list[_Mention] = []
    for index, (content, where) in enumerate(texts):
        found = _anchored(content, where, index, g)
        if index == 0:
            found += _title_patterns(content, index, g, found)
        found.sort(key=lambda m: m.span)
        _link_chains(found, content)
        mentions += found
    return mentions


def _anchored(content: str, where: str, index: int, g: Gazetteer) -> list[_Mention]:
    found = []
    consumed = 0  # end of the last name taken: "xã Bản Xèo" holds no village "bản Xèo"
    for match in _ANCHOR_RE.finditer(content):
        if match.start() < consumed:
            continue
        word = match.group(1)
        level, kind, body = _ANCHOR_INFO[word.lower()]
        if word.lower().startswith("tp") and not word.startswith("TP"):
            continue  # only the abbreviation "TP", not a stray "tp"
        if level == VILLAGE and _is_common_noun(content, match.start(), word.lower()):
            continue
        run = _name_run(content, match.end(), allow_number=level in (DISTRICT, COMMUNE, VILLAGE),
                        attached=word.endswith("."))
        if not run:
            continue
        name, end = _resolvable_prefix(run, level, g)
        if name is None:
            continue
        mention = _Mention(level, kind, name, content[match.start():end], where, body,
                           span=(index, match.start(), end))
        found.append(mention)
        consumed = end
        paren = _PARENTHESIS.match(content, end)
        if paren and g.provinces_named(paren.group(1).strip()):
            found.append(_Mention(PROVINCE, "", paren.group(1).strip(), content[match.start():paren.end()],
                                  where, False, span=(index, paren.start(1), paren.end(1))))
    return found


def _is_common_noun(content: str, start: int, word: str) -> bool:
    before = content[:start].split()
    return bool(before) and before[-1].lower() in _COMPOUND_BEFORE.get(word, set())


def _name_run(content: str, pos: int, allow_number: bool, attached: bool = False) -> list[tuple[str, int]]:
    """The Title Case syllables after an anchor, each with the offset where it ends.

    `attached`: after an abbreviation's dot the name may follow without a space ("TP.HCM")."""
    run: list[tuple[str, int]] = []
    while len(run) < _MAX_SYLLABLES:
        pattern = _ATTACHED_SYLLABLE if attached and not run else _NEXT_SYLLABLE
        match = pattern.match(content, pos)
        if not match or (not run and "-" in match.group(1)):
            break
        syllable = match.group(2)
        if syllable.isdigit():
            if not run and not allow_number:
                break
        elif not syllable[0].isupper():
            break
        run.append((content[pos:match.end()].strip(), match.end()))
        pos = match.end()
    return run


def _resolvable_prefix(run: list[tuple[str, int]], level: str, g: Gazetteer) -> tuple[str | None, int]:
    """The longest leading part of the run that names a unit of this level.

    "Tỉnh ủy Lai Châu Nguyễn Văn An" -> "Lai Châu". Villages are not in the gazetteer: their
    whole run is the name.
    """
    joined = [" ".join(part for part, _ in run[:n]) for n in range(1, len(run) + 1)]
    if level == VILLAGE:
        return joined[-1], run[-1][1]
    for n in range(len(run), 0, -1):
        name = joined[n - 1]
        if _has_unit(name, level, g):
            return name, run[n - 1][1]
    return None, 0


def _has_unit(name: str, level: str, g: Gazetteer) -> bool:
    if level == PROVINCE:
        return bool(g.provinces_named(name))
    if level == CITY:
        return bool(g.provinces_named(name) or g.districts_named(name))
    if level == DISTRICT:
        return bool(g.districts_named(name))
    return bool(g.wards_named(name))


def _title_patterns(content: str, index: int, g: Gazetteer, anchored: list[_Mention]) -> list[_Mention]:
    """Bare names a title places by its form: "X (Province)" and a leading "Province:"."""
    taken = [m.span[1:] for m in anchored]
    found: list[_Mention] = []
    for match in _TITLE_PAREN.finditer(content):
        inner = match.group(2).strip()
        if not g.provinces_named(inner):
            continue
        province = _Mention(PROVINCE, "", inner, match.group(0).strip(), TITLE, False,
                            span=(index, match.start(2), match.end(2)))
        found.append(province)
        outer = _longest_suffix_name(match.group(1), g)
        if outer and not any(a <= match.end(1) and match.start(1) < b for a, b in taken):
            found.append(_Mention(DISTRICT if g.districts_named(outer) else COMMUNE, "", outer,
                                  match.group(0).strip(), TITLE, False, parent=province,
                                  span=(index, match.end(1) - len(outer), match.end(1))))
    lead = _TITLE_LEAD.match(content)
    if lead and not found and not any(a < lead.end(1) for a, _ in taken):
        name = lead.group(1).strip()
        # "Hà Giang: ..." names a province; "Bắc Hà: ..." a district, resolved with the rest
        level = PROVINCE if g.provinces_named(name) else DISTRICT if g.districts_named(name) else None
        if level:
            found.append(_Mention(level, "", name, name, TITLE, False, span=(index, lead.start(1), lead.end(1))))
    return found


def _longest_suffix_name(words: str, g: Gazetteer) -> str | None:
    """In "Chuyển biến ở Bắc Hà", the Title Case tail that names a district or commune."""
    parts = words.split()
    for n in range(len(parts), 0, -1):
        tail = parts[-n:]
        if not all(p[0].isupper() for p in tail):
            continue
        name = " ".join(tail)
        if g.districts_named(name) or g.wards_named(name):
            return name
    return None


def _dateline(source_tag: str | None, lead: str, index: int, g: Gazetteer) -> _Mention | None:
    """A province named where a dateline stands: the cleaner's source tag, or the lead's start
    ("Hà Giang - Sáng 12/5, ...")."""
    candidates = []
    if source_tag:
        candidates.append((source_tag.strip(" ()-–—"), source_tag))
    match = _DATELINE.match(lead)
    if match:
        candidates.append((match.group(1).strip(), match.group(0).strip(" -–—")))
    for name, words in candidates:
        if g.provinces_named(name):
            return _Mention(PROVINCE, "", name, words, TITLE, False, span=(index, 0, 0))
    return None


def _link_chains(found: list[_Mention], content: str) -> None:
    """"xã A, huyện B, tỉnh C": each unit's parent is the next one when it ranks higher."""
    for child, parent in zip(found, found[1:]):
        if child.parent is not None or _RANK[parent.level] <= _RANK[child.level]:
            continue
        gap = content[child.span[2]:parent.span[1]]
        in_parenthesis = parent.level == PROVINCE and parent.evidence.startswith(child.evidence)
        if _CHAIN_GAP.fullmatch(gap) or in_parenthesis:  # "huyện A, tỉnh B" or "huyện A (B)"
            child.parent = parent


# -- era ----------------------------------------------------------------------------------

def _era(mentions: list[_Mention], published: str | None, g: Gazetteer,
         texts: list[tuple[str, str]] | None = None) -> str:
    """NEW when published on or after 1 July 2025, or, undated, when the text speaks of the
    reorganization as done ("chính quyền địa phương hai cấp", "huyện X (tỉnh Y cũ)") or names
    only communes directly under a post-2025 province ("xã A, tỉnh B") and no district."""
    if published:
        return NEW if published[:10] >= REORGANIZATION else OLD
    if texts and _speaks_after_reorganization(mentions, texts, g):
        return NEW
    if any((m.level == DISTRICT or (m.level == CITY and g.districts_named(m.name)
                                    and not g.provinces_named(m.name, NEW)))
           and not (texts and _is_called_former(m, texts)) for m in mentions):
        return OLD  # a district at work; "huyện X cũ" is one that no longer is, and says nothing of when
    for m in mentions:
        if m.level == COMMUNE and m.parent is not None and m.parent.level in (PROVINCE, CITY):
            for province in g.provinces_named(m.parent.name, NEW):
                if any(w.province_code == province.code for w in g.wards_named(m.name, NEW)):
                    return NEW
    return OLD


def _is_called_former(m: _Mention, texts: list[tuple[str, str]]) -> bool:
    """"huyện Mường Lát cũ", "huyện A trước đây": a unit the text calls former."""
    return bool(_FORMER.match(texts[m.span[0]][0], m.span[2]))


def _speaks_after_reorganization(mentions: list[_Mention], texts: list[tuple[str, str]], g: Gazetteer) -> bool:
    for content, _ in texts:
        for match in _TWO_LEVELS.finditer(content):
            if not _ANNOUNCED.search(content[:match.start()]):
                return True
    for m in mentions:
        if m.level in (PROVINCE, CITY) and g.provinces_named(m.name, NEW) \
                and _NEW_PROVINCE.match(texts[m.span[0]][0], m.span[2]):
            return True
    for m in mentions:
        if m.level != PROVINCE or g.provinces_named(m.name, NEW) or not g.provinces_named(m.name, OLD):
            continue  # only a province that no longer exists can be "former"
        content = texts[m.span[0]][0]
        if _FORMER.match(content, m.span[2]):
            return True
    return False


# -- resolution ---------------------------------------------------------------------------

@dataclass
class _Resolved:
    mention: _Mention
    level: str
    unit: Province | District | Ward | None  # None: a village, or a name several units share
    name: str
    province: Province | None
    district: District | None


class _Resolver:
    def __init__(self, g: Gazetteer, era: str, mentions: list[_Mention], texts: list[tuple[str, str]]):
        self.g = g
        self.era = era
        self.mentions = mentions
        self.texts = texts
        # texts that are items of a numbered list: the places they name are instances, never what
        # the article is mainly about
        self.listed = {i for i, (content, where) in enumerate(texts) if where == BODY and _LIST_ITEM.match(content)}

    def places(self) -> Places:
        province, province_evidence = self._province()
        resolved = [r for r in (self._resolve(m, province) for m in self.mentions) if r is not None]
        _adopt_unique_readings(resolved)
        district, district_evidence = (self._main_district(resolved, province) if self.era == OLD
                                       else (None, None))
        commune, commune_evidence = self._main_commune(resolved, district)
        if district is None and commune is not None and self.era == OLD:
            # an article about one commune is filed under the district that commune lies in
            # (a commune name unique in the country gives its district), when it resolved to one unit
            district, district_evidence = self._district_of_commune(resolved, commune, province)
        current = None
        if province is not None:
            current = province if self.era == NEW else self.g.current_province(province.code)
        return Places(
            province=province.name if province else None,
            province_code=province.code if province else None,
            province_evidence=province_evidence,
            province_current=current.name if current else None,
            district=district,
            district_evidence=district_evidence,
            commune=commune,
            commune_evidence=commune_evidence,
            localities=_localities(resolved),
            era=self.era,
        )

    # -- province ---------------------------------------------------------------------------
    def _provinces_for(self, name: str, city_only: bool = False) -> list[Province]:
        found = self.g.provinces_named(name, self.era)
        if not found and self.era == NEW:
            # an old province's name in a post-2025 text: the province it became part of
            found = [self.g.current_province(p.code) for p in self.g.provinces_named(name, OLD)]
        return [p for p in found if not city_only or p.kind == "thành phố"]

    def _province(self) -> tuple[Province | None, str | None]:
        """Votes: a named province counts fully; a district or commune shares its vote among
        the provinces that have a unit of that name (Châu Thành: a tenth to each of ten)."""
        score: dict[Province, float] = defaultdict(float)
        # the evidence shown is the strongest explicit naming, else the strongest implication
        evidence: dict[Province, tuple[bool, float, str]] = {}

        def vote(province: Province, amount: float, words: str, explicit: bool = False) -> None:
            score[province] += amount
            if province not in evidence or (explicit, amount) > evidence[province][:2]:
                evidence[province] = (explicit, amount, words)

        for m in self.mentions:
            if m.level in (PROVINCE, CITY):
                named = self._provinces_for(m.name, city_only=m.level == CITY)
                for p in named:
                    vote(p, m.weight, m.evidence, explicit=True)
                if named or m.level == PROVINCE:
                    continue
            if m.level in (CITY, DISTRICT):
                candidates = self._district_candidates(m, None)
                if len(candidates) > 1:
                    candidates = self._holding_a_named_commune(candidates)
                provinces = {self._era_province(d.province_code) for d in candidates}
                share = 1.0
            elif m.level == COMMUNE:
                wards = self._ward_candidates(m, None, None)
                if m.kind and wards and not any(w.kind == m.kind for w in wards):
                    continue  # "phường Hội An" where the era knows only a "xã Hội An": another place
                provinces = {self._ward_province(w) for w in wards}
                share = 0.5  # commune names repeat far more than district names
            else:
                continue
            for p in provinces:
                vote(p, m.weight * share / len(provinces), m.evidence)
        if not score:
            return None, None
        ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0].code))
        best, best_score = ranked[0]
        # a rival with half the votes or more makes the filing doubtful
        if best_score < 1 or (len(ranked) > 1 and 2 * ranked[1][1] >= best_score):
            return None, None
        return best, evidence[best][2]

    def _holding_a_named_commune(self, districts: list[District]) -> list[District]:
        """Of the districts a shared name may mean (one per province), those
        that hold a commune the article names (a commune that lies in only one of them);
        all of them when none does. Only before 2025, when communes had districts."""
        if self.era != OLD:
            return districts
        held: set[str] = set()
        for m in self.mentions:
            if m.level == COMMUNE:
                held |= {w.district_code for w in self.g.wards_named(m.name, OLD) if w.kind == m.kind or not m.kind}
        return [d for d in districts if d.code in held] or districts

    def _era_province(self, old_code: str) -> Province:
        if self.era == NEW:
            return self.g.current_province(old_code)
        province = self.g.province(old_code, OLD)
        assert province is not None
        return province

    def _ward_province(self, ward: Ward) -> Province:
        if ward.era == NEW:
            province = self.g.province(ward.province_code, NEW)
            assert province is not None
            return province
        return self._era_province(ward.province_code)

    # -- candidates ---------------------------------------------------------------------------
    def _district_candidates(self, m: _Mention, province: Province | None) -> list[District]:
        """Districts the mention may mean: of the kind its word implies when one exists, inside
        the province its chain or the article names."""
        found = self.g.districts_named(m.name)
        if m.level == CITY:
            found = [d for d in found if d.kind == "thành phố"]
        elif m.kind:
            same_kind = [d for d in found if d.kind == m.kind]
            found = same_kind or found
        parent = m.parent
        if parent is not None and parent.level in (PROVINCE, CITY):
            named = {p.code for p in self.g.provinces_named(parent.name, OLD)}
            in_parent = [d for d in found if d.province_code in named]
            found = in_parent or found
        if province is not None and self.era == OLD:
            found = [d for d in found if d.province_code == province.code] or found
        if len(found) > 1 and not m.kind:
            found = self._agree_with_others(m, found)
        return found

    def _agree_with_others(self, m: _Mention, found: list[District]) -> list[District]:
        """A bare name ("Kỳ Anh (Hà Tĩnh)") takes the kind other mentions of it give."""
        kinds = Counter(o.kind for o in self.mentions
                        if o is not m and o.kind and name_key(o.name) == name_key(m.name)
                        and o.level in (DISTRICT, CITY))
        for kind, _count in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
            agreeing = [d for d in found if d.kind == kind]
            if agreeing:
                return agreeing
        return found

    def _ward_candidates(self, m: _Mention, province: Province | None,
                         district: District | None) -> list[Ward]:
        found = self.g.wards_named(m.name, self.era)
        if self.era == NEW:
            # an old commune named in a new text is still a place; prefer the current list
            found = found or self.g.wards_named(m.name, OLD)
        same_kind = [w for w in found if w.kind == m.kind]
        found = same_kind or found
        parent = m.parent
        if parent is not None and parent.level in (DISTRICT, CITY):
            codes = {d.code for d in self._district_candidates(parent, province)}
            found = [w for w in found if w.district_code in codes] or found
        elif parent is not None and parent.level == PROVINCE:
            codes = {p.code for p in self._provinces_for(parent.name)}
            found = [w for w in found if self._ward_province(w).code in codes] or found
        if district is not None:
            found = [w for w in found if w.district_code == district.code] or found
        if province is not None:
            found = [w for w in found if self._ward_province(w).code == province.code] or found
        return found

    def _resolve(self, m: _Mention, province: Province | None) -> _Resolved | None:
        if m.level in (PROVINCE, CITY):
            named = self._provinces_for(m.name, city_only=m.level == CITY)
            if named:
                chosen = province if province in named else (named[0] if len(named) == 1 else None)
                return _Resolved(m, PROVINCE, chosen, chosen.name if chosen else m.name, chosen, None)
            if m.level == PROVINCE:
                return None
        if m.level in (CITY, DISTRICT):
            if self.era == NEW and not self.g.districts_named(m.name):
                return None
            candidates = self._district_candidates(m, province)
            if not candidates:
                return None
            unit = candidates[0] if len(candidates) == 1 else None
            return _Resolved(m, DISTRICT, unit, unit.name if unit else candidates[0].name,
                             self._era_province(unit.province_code) if unit else None, unit)
        if m.level == COMMUNE:
            parent_district = None
            if m.parent is not None and m.parent.level in (DISTRICT, CITY):
                options = self._district_candidates(m.parent, province)
                parent_district = options[0] if len(options) == 1 else None
            candidates = self._ward_candidates(m, province, parent_district)
            if not candidates:
                return None
            ward = candidates[0] if len(candidates) == 1 else None
            if ward is not None and m.kind and ward.kind != m.kind:
                ward = None  # "phường X" is not the "xã X" the gazetteer holds: the name, not that unit
            return _Resolved(m, COMMUNE, ward, ward.name if ward else candidates[0].name,
                             self._ward_province(ward) if ward else None,
                             self.g.district(ward.district_code) if ward and ward.district_code else None)
        return self._resolve_village(m, province)

    def _resolve_village(self, m: _Mention, province: Province | None) -> _Resolved:
        chain = m.parent
        district = None
        while chain is not None and district is None:
            if chain.level in (DISTRICT, CITY) and self.era == OLD:
                options = self._district_candidates(chain, province)
                district = options[0] if len(options) == 1 else None
            chain = chain.parent
        where = self._era_province(district.province_code) if district else province
        return _Resolved(m, VILLAGE, None, text.normalize_name(m.name), where, district)

    # -- what the article is mainly about --------------------------------------------------------
    def _level_signals(self, resolved: list[_Resolved]) -> tuple[int, int]:
        """How often the article speaks as a province and as a district (named or not)."""
        body = [content for content, where in self.texts if where == BODY]
        province_bodies = sum(len(_PROVINCE_BODY.findall(c)) for c in body)
        district_bodies = sum(len(_DISTRICT_BODY.findall(c)) for c in body)
        named_province = sum(1 for r in resolved if r.level == PROVINCE and r.mention.where == BODY
                             and not r.mention.party_body)
        named_district = sum(1 for r in resolved if r.level == DISTRICT and r.mention.where == BODY
                             and not r.mention.party_body)
        return province_bodies + named_province, district_bodies + named_district

    def _main_unit(self, units: list[_Resolved]) -> _Resolved | None:
        """The unit named in the title or section, else the one that dominates the body."""
        units = [r for r in units if r.mention.span[0] not in self.listed]
        if not units:
            return None
        by_name: dict[str, list[_Resolved]] = defaultdict(list)
        for r in units:
            by_name[r.name].append(r)
        titled = {name for name, rs in by_name.items()
                  if any(r.mention.where == TITLE for r in rs) or self._title_names(name)}
        counts = sorted(((sum(r.mention.weight for r in rs), name) for name, rs in by_name.items()),
                        key=lambda c: (-c[0], c[1]))
        if titled:
            best = next(name for _, name in counts if name in titled)
        else:
            (top, best) = counts[0]
            if top < 2 or (len(counts) > 1 and counts[1][0] >= top):
                return None
        chosen = by_name[best]
        return sorted(chosen, key=lambda r: (r.mention.where != TITLE, r.mention.span))[0]

    def _title_names(self, name: str) -> bool:
        """A unit anchored in the body and named bare in the title ("... ở Bắc Hà")."""
        title = " ".join(_NON_WORD.sub(" ", name_key(self.texts[0][0])).split())  # "X: ..." names X
        return f" {name_key(name)} " in f" {title} "

    def _main_district(self, resolved: list[_Resolved],
                       province: Province | None) -> tuple[str | None, str | None]:
        districts = [r for r in resolved if r.level == DISTRICT
                     and (province is None or r.province is None or r.province == province)]
        main = self._main_unit(districts)
        if main is None:
            return None, None
        if not self._is_titled(main, districts):
            province_signal, district_signal = self._level_signals(resolved)
            if district_signal < province_signal:
                return None, None
        return main.name, main.mention.evidence

    def _main_commune(self, resolved: list[_Resolved], district: str | None) -> tuple[str | None, str | None]:
        communes = [r for r in resolved if r.level == COMMUNE
                    and (district is None or r.district is None or r.district.name == district)]
        main = self._main_unit(communes)
        if main is None:
            return None, None
        if not self._is_titled(main, communes):
            province_signal, district_signal = self._level_signals(resolved)
            mentions = sum(1 for r in communes if r.name == main.name)
            if mentions < 3 or mentions <= province_signal + district_signal:
                return None, None
        return main.name, main.mention.evidence

    @staticmethod
    def _district_of_commune(resolved: list[_Resolved], commune: str,
                             province: Province | None) -> tuple[str | None, str | None]:
        units = {(r.unit, r.district) for r in resolved if r.level == COMMUNE and r.name == commune}
        if len(units) != 1:
            return None, None
        (unit, district), = units
        if unit is None or district is None:
            return None, None
        if province is not None and district.province_code != province.code:
            return None, None
        evidence = next(r.mention.evidence for r in resolved if r.level == COMMUNE and r.name == commune)
        return district.name, evidence

    def _is_titled(self, main: _Resolved, units: list[_Resolved]) -> bool:
        return self._title_names(main.name) or any(
            r.mention.where == TITLE for r in units if r.name == main.name)


def _adopt_unique_readings(resolved: list[_Resolved]) -> None:
    """A name left ambiguous in one place ("Xã Tân Lập" in a title) takes the unit the same name
    resolved to elsewhere in the article ("xã Tân Lập, huyện Sông Hinh"), when that is one unit."""
    readings: dict[tuple[str, str], list[_Resolved]] = defaultdict(list)
    for r in resolved:
        if r.unit is not None and r.level in (DISTRICT, COMMUNE):
            readings[(r.level, name_key(r.name))].append(r)
    for r in resolved:
        if r.unit is not None or r.level not in (DISTRICT, COMMUNE):
            continue
        same_name = readings.get((r.level, name_key(r.name)), [])
        if len({other.unit for other in same_name}) == 1:
            model = same_name[0]
            r.unit, r.name, r.province, r.district = model.unit, model.name, model.province, model.district


def _localities(resolved: list[_Resolved]) -> list[Locality]:
    grouped: dict[tuple[str, str, str | None], list[_Resolved]] = defaultdict(list)
    for r in resolved:
        code = r.unit.code if r.unit is not None else None
        grouped[(r.level, r.name, code)].append(r)
    out = []
    for (level, name, code), rs in grouped.items():
        first = min(rs, key=lambda r: r.mention.span)
        out.append(Locality(
            name=name, level=level, code=code, evidence=first.mention.evidence,
            kind=getattr(first.unit, "kind", "") or first.mention.kind,
            province=first.province.name if first.province and level != PROVINCE else None,
            district=first.district.name if first.district and level in (COMMUNE, VILLAGE) else None,
            mentions=len(rs)))
    order = {level: i for i, level in enumerate((PROVINCE, DISTRICT, COMMUNE, VILLAGE))}
    return sorted(out, key=lambda loc: (order[loc.level], loc.name, loc.code or ""))
