"""Officials named or quoted in an article, with the role the text gives them.

Two shapes are recognised, both anchored on words that only precede or follow people:

* name first: an honorific ("Đồng chí", "ông", "bà", "anh", "chị") or nothing, a name, a
  separator ("-", ",", "(") and a role ("Đồng chí Sùng A Páo - Phó Bí thư Thường trực Huyện ủy
  Bắc Hà cho biết"); offices listed with commas form one role ("Ủy viên Trung ương Đảng,
  Bí thư Tỉnh ủy"). Without an honorific the name must have three syllables or more; with
  "đồng chí" alone (a party member) the role may be missing.
* role first: a role and the name closing it ("Bí thư Tỉnh ủy Nguyễn Văn An tặng", "Chủ tịch UBND
  tỉnh Lâm Đồng Trần Văn Hiệp phát biểu"). The role runs over capitalised words, acronyms and the
  lower-case words of organisation names; the first capitalised run in it that can end in a name
  of three or more syllables holds an optional place and the name, split where the name starts
  with the most common surname.

A name is 2-5 capitalised syllables starting with a surname from `SURNAMES`. A run that the
article also writes as a place ("tỉnh Lai Châu", "Tỉnh ủy Lai Châu tổ chức") is never a name, and
Hồ Chí Minh, the subject of the campaign, is not an official. Mentions of one name merge; the
longest role is kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .records import Person
from .text import fold, normalize_name


def _words(text: str) -> frozenset[str]:
    """A word list written as running text, one or more words per line."""
    return frozenset(text.split())


# The most frequent surnames, Kinh and of ethnic minorities; a name starting with one of these wins
# over a place that starts with a rarer one ("Lai Châu Nguyễn Hữu Minh" -> "Nguyễn Hữu Minh").
COMMON_SURNAMES = _words("""
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Trương Lương
Trịnh Đào Lưu Tạ Triệu Phùng Nông Giàng Sùng Thào Lò Cầm Quàng Hầu Lầu Mùa Tòng Điêu Bế Hứa
""")
# Less frequent surnames, still general knowledge (Kinh, Tày, Nùng, Thái, Mông, Dao, Mường, Khmer,
# Chăm, Tây Nguyên). Ê Đê and M'nông names may also open with "Y", "H'" or "K'" (see _is_surname).
SURNAMES = COMMON_SURNAMES | _words("""
Mai Cao Hà Lâm Tô Chu Châu Quách Thái Kiều Tăng Văn Tống Khổng Khúc Kim Lạc Lại Mạc La Lù Vi Sầm
Vàng Vừ Hờ Tráng Cứ Chảo Tẩn Bàn Ma Nghiêm Ông Khuất Doãn Từ Lục Mông Lộc Âu Đàm Đồng Giáp Hàn Kha
Khương Lã Lăng Mẫn Nhữ Ninh Phí Phó Phương Quan Tiêu Trình Ưng Viên Vương Yên Lường Bạc Mè Sa Pờ
Danh Thạch Sơn Điểu Siu Ksor Nay Rơ Rah Kpă Y Thân Diệp Đàng Chế Lữ Đậu Thiều Cù Nhâm Vy Tôn Tiết
Lư Sìn Phàn Chìu Mã Bạch Hán Biện Lô Lang Ngân Cụt Xồng Hạng Chang A
""")
# The campaign's subject is named in every article; he is not an official being reported on.
NOT_OFFICIALS = frozenset({"Hồ Chí Minh"})

# Honorifics that introduce a person; only "đồng chí" implies an office without a stated role.
# Teachers are "cô"/"thầy"; officers and policemen are introduced by their rank ("Đại tá", "Trung
# tá"), which is not their role.
_HONORIFICS = {("đồng", "chí"): True, ("ông",): False, ("bà",): False, ("anh",): False, ("chị",): False,
               ("cô",): False, ("thầy",): False,
               **{tuple(rank.split()): False for rank in (
                   "đại tướng", "thượng tướng", "trung tướng", "thiếu tướng", "đại tá", "thượng tá", "trung tá",
                   "thiếu tá", "đại úy", "thượng úy", "trung úy", "thiếu úy")}}
# Role heads, longest first; each may follow a prefix. They match folded, so that a lost tone mark
# still matches, but a word written with other marks does not: "trường" (school) is not "trưởng"
# (chief), so "Chi bộ Trường THPT ..." holds no "Bộ trưởng".
_ROLE_HEADS_WRITTEN = (
    "tổng bí thư", "bí thư", "chủ tịch", "chủ nhiệm", "trưởng ban", "trưởng phòng", "trưởng thôn",
    "trưởng khu", "tổ trưởng", "đội trưởng", "trưởng ấp", "trưởng xóm", "trưởng buôn", "trưởng bản",
    "trưởng đoàn",
    "trưởng công an", "tổng giám đốc", "giám đốc", "chánh văn phòng", "chánh án", "chánh thanh tra",
    "ủy viên", "thủ tướng", "bộ trưởng", "thứ trưởng", "viện trưởng", "hiệu trưởng", "hiệu phó",
    "chỉ huy trưởng", "tư lệnh", "chính ủy", "chính trị viên", "tham mưu trưởng", "cục trưởng",
    "vụ trưởng", "trưởng khoa", "trưởng trạm", "trạm trưởng", "đồn trưởng", "đại biểu quốc hội",
)

_ROLE_HEADS = sorted((tuple(fold(h).split()) for h in _ROLE_HEADS_WRITTEN), key=lambda h: (-len(h), h))
# How each folded head word is written with its marks; "truong" is both "trưởng" and "trường".
_WRITTEN: dict[str, set[str]] = {}
for _written in _ROLE_HEADS_WRITTEN:
    for _word in _written.split():
        _WRITTEN.setdefault(fold(_word), set()).add(_word)
_ROLE_PREFIXES = ("phó", "nguyên", "quyền")  # lower case with marks: "nguyên" is not "Nguyễn"
_HEADS_BY_FIRST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _head in _ROLE_HEADS:
    _HEADS_BY_FIRST_WORD.setdefault(_head[0], []).append(_head)
# Lower-case words inside organisation names that a role runs over ("Chủ tịch Ủy ban nhân dân tỉnh",
# "Giám đốc Sở Xây dựng"). Verbs that follow a role ("kiểm tra", "phát biểu", "cho biết") are kept
# out, so that a role stops before them.
_ROLE_WORDS = _words("""
tỉnh huyện xã phường quận thị trấn thành phố nhân dân thường trực vụ ban chấp hành trung ương đảng
ủy khối cơ quan tuyên giáo vận tra tổ chức văn phòng mặt trận quốc đoàn thanh niên cộng sản phụ nữ
nông cựu chiến binh liên hiệp lao động sở tâm chính trị bộ chi thôn bản khu an sự biên hội đồng
nước phủ dục đào tạo tế nguyên môi trường nội pháp quân đội hiểm lý người cao tuổi nghiệp hợp tác
thương dựng học thuật tin truyền hình tòa án viện sát lịch thao tộc sách hàng hóa tầng huy
cứu lượng vệ kê ấp xóm tổ khóm buôn bon làng sóc khối đặc nhà trường
""")
# Units named by a number ("thôn 3", "ấp 2", "khu phố 4"): the number belongs to the role.
_NUMBERED_UNITS = frozenset({"thôn", "bản", "ấp", "xóm", "tổ", "khu", "phố", "khóm", "buôn", "bon", "plei", "sóc", "làng",
                             "khối", "đội", "phường"})
_SEPARATORS = frozenset({"-", "–", "—", ",", "("})
_JOINERS = frozenset({"-", "–", "—", "và"})
# Words after which a capitalised run is a place ("tỉnh Lai Châu", "Tỉnh ủy Lai Châu").
_PLACE_WORDS = (("tỉnh",), ("huyện",), ("xã",), ("phường",), ("quận",), ("thị", "xã"), ("thị", "trấn"),
                ("thành", "phố"), ("thôn",), ("bản",), ("tỉnh", "ủy"), ("huyện", "ủy"), ("thành", "ủy"),
                ("quận", "ủy"), ("thị", "ủy"), ("đảng", "ủy"), ("tại",))
# Prepositions of place: "Tại Hoàng Su Phì, Bí thư..." puts a place, not a name, before the comma.
_PLACE_PREPOSITIONS = frozenset({"tại", "ở", "về", "đến", "từ", "của"})

_TOKEN = re.compile(r"[\w'’]+|[^\w\s]")


@dataclass
class _Token:
    text: str
    start: int
    end: int
    lower: str = ""  # lower case, "uỷ" in the new tone placement "ủy"
    folded: str = ""

    def __post_init__(self) -> None:
        self.lower = self.text.lower().replace("uỷ", "ủy")
        self.folded = fold(self.text)


def _is_syllable(word: str) -> bool:
    """A capitalised name syllable: "Vừ", "A", "H'Hen"; not "UBND", not "thư"."""
    if len(word) > 2 and word[0] in "HKhk" and word[1] in "'’":
        word = word[2:]
    return word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower())


def _is_apostrophe_name(word: str) -> bool:
    """"K'Lâm", "H'Hen": one word that is a whole Tây Nguyên name."""
    return len(word) > 3 and word[0] in "HKhk" and word[1] in "'’" and word[2].isupper()


def _is_surname(syllable: str) -> bool:
    return syllable in SURNAMES or syllable[:2] in ("H'", "K'", "H’", "K’")


def _role_head(tokens: list[_Token], i: int) -> int:
    """Number of tokens of the role head starting at i ("Phó Bí thư" -> 3), 0 when none."""
    j = i
    while j < len(tokens) and tokens[j].lower in _ROLE_PREFIXES:
        j += 1
    if j >= len(tokens):
        return 0
    for head in _HEADS_BY_FIRST_WORD.get(tokens[j].folded, ()):
        window = tokens[j:j + len(head)]
        if tuple(t.folded for t in window) == head and all(_written_alike(t) for t in window):
            return j + len(head) - i
    return 0


def _written_alike(token: _Token) -> bool:
    """The token is a head word as written, or written without any marks (lost in scraping)."""
    return token.lower in _WRITTEN.get(token.folded, ()) or token.lower == token.folded


def _is_role_word(token: _Token) -> bool:
    return token.text in _ROLE_WORDS or token.lower == "ủy"


def _is_org_token(text: str) -> bool:
    """A capitalised word or an acronym ("UBND", "HĐND") inside an organisation's name."""
    return _is_syllable(text) or (len(text) >= 2 and text.isalpha() and text.isupper())


def _role_tail(tokens: list[_Token], i: int) -> int:
    """Index just past the organisation words that follow a role head at i.

    A dash or "và" inside a name ("Phòng Văn hóa - Thông tin", "Bí thư Tỉnh ủy - Chủ tịch HĐND
    tỉnh") continues the role when a capitalised word follows it.
    """
    j = i
    while j < len(tokens):
        if _is_org_token(tokens[j].text) or _is_role_word(tokens[j]):
            j += 1
        elif j > i and tokens[j].text.isdigit() and len(tokens[j].text) <= 3 and tokens[j - 1].lower in _NUMBERED_UNITS:
            j += 1  # "Bí thư Chi bộ thôn 3", "Tổ trưởng tổ dân phố 5"
        elif j > i and tokens[j].text.isdigit() and len(tokens[j].text) <= 2 and _is_syllable(tokens[j - 1].text) \
                and any(t.lower in _NUMBERED_UNITS for t in tokens[i:j]):
            j += 1  # "Bí thư Chi bộ bon Bu Prăng 2": a village whose name ends in a number
        elif j > i and tokens[j].lower in _JOINERS and _role_head(tokens, j + 1):
            j += 1 + _role_head(tokens, j + 1)
        elif j > i and tokens[j].lower in _JOINERS and j + 1 < len(tokens) and _is_org_token(tokens[j + 1].text):
            j += 2
        else:
            break
    return j


def _capital_run(tokens: list[_Token], i: int, limit: int = 6) -> int:
    """Index past the capitalised syllables from i, stopping before a role head."""
    j = i
    while j < len(tokens) and j - i < limit and _is_syllable(tokens[j].text) and not _role_head(tokens, j):
        j += 1
    return j


@dataclass
class _Found:
    name: str
    role: str | None
    evidence: str
    order: tuple[int, int]


class _Article:
    """The tokens of every paragraph and the places the article names."""

    def __init__(self, paragraphs: list[str]):
        self.paragraphs = [unicodedata.normalize("NFC", p) for p in paragraphs]
        self.tokens = [[_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(p)] for p in paragraphs]
        self.places = self._places()

    def _places(self) -> set[str]:
        """Capitalised runs written after a place word where no role precedes them."""
        places = set()
        for tokens in self.tokens:
            for i in range(len(tokens)):
                for word in _PLACE_WORDS:
                    if tokens[i].lower != word[0] or tuple(t.lower for t in tokens[i:i + len(word)]) != word:
                        continue
                    start = i + len(word)
                    end = start
                    while end < len(tokens) and _is_syllable(tokens[end].text):
                        end += 1
                    if end == start or any(_role_head(tokens, k) for k in range(max(0, i - 6), i)):
                        continue
                    places.add(" ".join(t.text for t in tokens[start:end]))
        return places

    def acceptable(self, syllables: list[str], minimum: int) -> bool:
        name = " ".join(syllables)
        return (minimum <= len(syllables) <= 5 and _is_surname(syllables[0]) and name not in NOT_OFFICIALS
                and not any(name == place or place.startswith(name + " ") for place in self.places))


def _name_first(article: _Article, block: int, used: set[int]) -> list[_Found]:
    text, tokens = article.paragraphs[block], article.tokens[block]
    found = []
    i = 0
    while i < len(tokens):
        start, office_implied, honorific = i, False, False
        for words, implied in _HONORIFICS.items():
            if tuple(t.lower for t in tokens[i:i + len(words)]) == words:
                i += len(words)
                office_implied, honorific = implied, True
                break
        first_of_run = i == 0 or not _is_syllable(tokens[i - 1].text) or honorific
        end = _capital_run(tokens, i)
        syllables = [t.text for t in tokens[i:end]]
        before = tokens[start - 1].lower if start > 0 else ""
        minimum = 2 if honorific else 3
        if honorific and end - i == 1 and _is_apostrophe_name(tokens[i].text):
            minimum = 1  # "Ông K'Lâm": a one-word Tây Nguyên name
        if not first_of_run or not syllables or before in _PLACE_PREPOSITIONS and not honorific \
                or not article.acceptable(syllables, minimum):
            i = max(end, start + 1)
            continue
        role = None
        last = end - 1
        if end < len(tokens) and tokens[end].text in _SEPARATORS and _role_head(tokens, end + 1):
            office = end + 1
            role_end = _role_tail(tokens, office + _role_head(tokens, office))
            # "Ủy viên Ban Thường vụ, Trưởng Ban Tuyên giáo Tỉnh ủy": several offices, one role.
            while role_end + 1 < len(tokens) and tokens[role_end].text == "," and _role_head(tokens, role_end + 1):
                office = role_end + 1
                role_end = _role_tail(tokens, office + _role_head(tokens, office))
            role = text[tokens[end + 1].start:tokens[role_end - 1].end]
            last = role_end - 1
        if role is None and not office_implied:
            i = end
            continue
        used.update(range(start, last + 1))
        found.append(_Found(" ".join(syllables), role, text[tokens[start].start:tokens[last].end],
                            (block, tokens[start].start)))
        i = last + 1
    return found


def _split_name(article: _Article, run: list[str]) -> int | None:
    """Where the name starts in a capitalised run closing a role, or None when it holds no name."""
    splits = [k for k in range(len(run)) if article.acceptable(run[k:], 3)]
    if not splits:
        return None
    # Common surname first, then the usual three syllables, then four, then the longest name.
    return min(splits, key=lambda k: (run[k] not in COMMON_SURNAMES, abs(len(run) - k - 3.4), k))


def _role_first(article: _Article, block: int, used: set[int]) -> list[_Found]:
    """Roles closed by a name: the first capitalised run of the role that ends with a name."""
    text, tokens = article.paragraphs[block], article.tokens[block]
    found = []
    i = 0
    while i < len(tokens):
        head = _role_head(tokens, i) if i not in used else 0
        if not head:
            i += 1
            continue
        tail_end = _role_tail(tokens, i + head)
        j = i + head
        while j < tail_end:
            if not _is_syllable(tokens[j].text) or _is_role_word(tokens[j]):
                j += 1
                continue
            run_end = j
            while run_end < tail_end and _is_syllable(tokens[run_end].text) and not _is_role_word(tokens[run_end]):
                run_end += 1
            split = _split_name(article, [t.text for t in tokens[j:run_end]])
            if split is not None:
                name_start = j + split
                role = text[tokens[i].start:tokens[name_start - 1].end]
                name = " ".join(t.text for t in tokens[name_start:run_end])
                found.append(_Found(name, role, text[tokens[i].start:tokens[run_end - 1].end],
                                    (block, tokens[i].start)))
                tail_end = run_end
                break
            j = run_end
        i = max(tail_end, i + 1)
    return found


def find_people(paragraphs: list[str]) -> list[Person]:
    """Officials by first appearance, one entry per name with the longest role given."""
    article = _Article(paragraphs)
    mentions: list[_Found] = []
    for block in range(len(paragraphs)):
        used: set[int] = set()
        mentions.extend(_name_first(article, block, used))
        mentions.extend(_role_first(article, block, used))
    mentions.sort(key=lambda m: m.order)
    people: dict[str, Person] = {}
    for m in mentions:
        name = normalize_name(m.name)
        role = normalize_name(m.role) if m.role else None
        known = people.get(name)
        if known is None:
            people[name] = Person(name, role, m.evidence)
        elif role and len(role) > len(known.role or ""):
            known.role, known.evidence = role, m.evidence
    return list(people.values())
