"""The cleaner: chrome rules on texts in the style of many sites, the seeds against gold, and
the promise that no line of article text is ever dropped silently."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.clean import CAPTION, PARAGRAPH, SUBHEADING, CleanArticle, clean
from newsarchive.text import normalize

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
FIXTURES = sorted((REPO / "tests" / "data" / "clean").glob("*.txt"))
GOLD = yaml.safe_load((REPO / "tests" / "data" / "gold" / "clean.yaml").read_text("utf-8"))


def raw_lines(raw: str) -> dict[int, str]:
    """Non-empty lines of a raw text as the cleaner numbers them, normalized and single-spaced."""
    text = normalize(raw.replace("\r\n", "\n").replace("\r", "\n"))
    lines = {n: " ".join(line.split()) for n, line in enumerate(text.split("\n"), start=1)}
    return {n: line for n, line in lines.items() if line}


def assert_nothing_lost(raw: str, article: CleanArticle) -> None:
    """Every non-empty line is accounted for exactly once, and kept words are the line's words."""
    lines = raw_lines(raw)
    owners: dict[int, list[str]] = {}
    for block in article.blocks:
        owners.setdefault(block.line, []).append("block")
        assert block.text and block.text in lines[block.line], block
    for removed in article.removed:
        owners.setdefault(removed.line, []).append("removed")
        assert removed.text == lines[removed.line]
        assert removed.reason
    for name, number, value in [
        ("title", article.title_line, article.title),
        ("section", article.section_line, article.section),
        ("byline", article.byline_line, article.byline),
        ("dateline", article.dateline_line, article.dateline),
    ]:
        if number is not None:
            owners.setdefault(number, []).append(name)
            assert value and value in lines[number]
    unaccounted = sorted(set(lines) - set(owners))
    assert not unaccounted, [lines[n] for n in unaccounted]
    for number, names in owners.items():
        # one line may hold both the author and the dateline ("Nguyễn Nga| 13/05/2022 12:35")
        assert len(names) == 1 or sorted(names) == ["byline", "dateline"], (number, names)


def cleaned(text: str) -> CleanArticle:
    article = clean(text, "test.txt")
    assert_nothing_lost(text, article)
    return article


def reasons(article: CleanArticle) -> dict[str, str]:
    return {r.text: r.reason for r in article.removed}


def kinds(article: CleanArticle) -> dict[str, str]:
    return {b.text: b.kind for b in article.blocks}


BODY = (
    "Những năm qua, Đảng bộ huyện đã gắn việc học tập và làm theo Bác với nhiệm vụ chính trị.\n\n"
    "Các chi bộ đều xây dựng kế hoạch cụ thể và đánh giá kết quả hằng quý, hằng năm.\n"
)


# -- the seeds against gold ----------------------------------------------------------------


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_matches_gold(path: Path) -> None:
    raw = path.read_text("utf-8")
    article = cleaned(raw)
    gold = GOLD[path.name]
    assert article.title == gold["title"]
    assert article.byline == gold["byline"]
    assert article.source_tag == gold["source_tag"]
    assert article.section == gold["section"]
    assert article.captions == gold["captions"]
    assert article.subheadings == gold["subheadings"]


def test_gold_covers_every_seed() -> None:
    assert sorted(GOLD) == [p.name for p in SEEDS]


@pytest.mark.parametrize("path", SEEDS + FIXTURES, ids=lambda p: p.name)
def test_nothing_of_the_raw_text_is_lost(path: Path) -> None:
    cleaned(path.read_text("utf-8"))


def test_seed_with_damaged_first_letter_keeps_it() -> None:
    article = cleaned((REPO / "seeds" / "001_0538a5d340dbff31.txt").read_text("utf-8"))
    assert article.blocks[0].text.startswith("ới việc cụ thể hóa")


def test_seed_chrome_is_removed_with_reasons() -> None:
    article = cleaned((REPO / "seeds" / "001_0538a5d340dbff31.txt").read_text("utf-8"))
    removed = reasons(article)
    assert removed["20 C"] == "thời tiết"
    assert removed["New York"] == "thời tiết"
    assert removed["Thứ Ba, Tháng Chín 28, 2021"] == "thanh ngày tháng"
    assert removed["66,540Thành viênThích"] == "bộ đếm mạng xã hội"
    assert removed["Vui lòng nhập tên của bạn ở đây"] == "form bình luận"
    assert removed["được quan tâm"] == "menu/chân trang"
    assert article.header_dates == ["Thứ Ba, Tháng Chín 28, 2021"]
    assert [r.line for r in article.removed if r.reason == "lặp tiêu đề"] == [11]


def test_seed_body_has_no_chrome_and_every_paragraph() -> None:
    raw = (REPO / "seeds" / "004_451a73f3093e629b.txt").read_text("utf-8")
    article = cleaned(raw)
    body = article.body_markdown()
    for chrome in ("jpg", "Bình luận", "POWERED", "Nổi bật", "Nguyễn Nga", "(TN&MT)"):
        assert chrome not in body
    assert "## 2 nội dung đột phá để triển khai thực hiện" in body
    assert article.paragraphs[0].startswith("Chiều 12/5, tại Trung tâm Hội nghị tỉnh")
    assert len(article.blocks) == 23  # lines 5 to 55, less file names and blank lines
    assert article.dateline == "13/05/2022 12:35" and article.dateline_line == 3


def test_crlf_bom_nfd_and_old_tones_clean_like_the_original() -> None:
    raw = (REPO / "seeds" / "004_451a73f3093e629b.txt").read_text("utf-8")
    hostile = "\ufeff" + unicodedata.normalize("NFD", raw.replace("Tỉnh ủy", "Tỉnh uỷ")).replace("\n", "\r\n")
    original, variant = clean(raw, "a"), clean(hostile, "b")
    assert variant.title == original.title
    assert variant.blocks == original.blocks
    assert variant.removed == original.removed
    assert "Tỉnh ủy" in variant.paragraphs[0] and "Tỉnh uỷ" not in variant.body_markdown()


# -- chrome rules, on texts in the style of other sites ------------------------------------


def test_weather_widget_and_date_bar_before_the_title() -> None:
    article = cleaned("Đà Nẵng\n31°C\nChủ nhật, 05/12/2021\n\nQuảng Nam học và làm theo Bác\n\n" + BODY)
    assert article.title == "Quảng Nam học và làm theo Bác"
    assert reasons(article) == {
        "Đà Nẵng": "thời tiết",
        "31°C": "thời tiết",
        "Chủ nhật, 05/12/2021": "thanh ngày tháng",
    }
    assert article.header_dates == ["Chủ nhật, 05/12/2021"]
    assert article.dateline is None


def test_english_date_bar_of_a_default_theme() -> None:
    article = cleaned("Tuesday, September 28, 2021\n\nQuảng Nam học và làm theo Bác\n\n" + BODY)
    assert article.title == "Quảng Nam học và làm theo Bác"
    assert article.header_dates == ["Tuesday, September 28, 2021"]


def test_section_header_and_breadcrumb_before_the_title() -> None:
    article = cleaned("Trang chủ\nTHỜI SỰ\nTHÀNH PHỐ HUẾ\n\nHuế nhân rộng mô hình dân vận khéo\n\n" + BODY)
    assert article.section == "THÀNH PHỐ HUẾ"
    assert article.title == "Huế nhân rộng mô hình dân vận khéo"
    assert reasons(article) == {"Trang chủ": "menu/chân trang", "THỜI SỰ": "chuyên mục"}


def test_breadcrumb_trail_on_one_line_is_not_the_title() -> None:
    article = cleaned("Trang chủ > Thời sự > Chính trị\n\nHuế nhân rộng mô hình dân vận khéo\n\n" + BODY)
    assert article.title == "Huế nhân rộng mô hình dân vận khéo"
    assert reasons(article) == {"Trang chủ > Thời sự > Chính trị": "menu/chân trang"}


def test_all_caps_title_followed_by_its_lead_is_the_title() -> None:
    article = cleaned("HỌC VÀ LÀM THEO BÁC\n\n" + BODY)
    assert article.title == "HỌC VÀ LÀM THEO BÁC"
    assert article.section is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("- Advertisement -", "quảng cáo"),
        ("Quảng cáo", "quảng cáo"),
        ("Gửi bình luận", "form bình luận"),
        ("BÌNH LUẬN", "form bình luận"),
        ("(12) Bình luận", "form bình luận"),
        ("Chia sẻ", "menu/chân trang"),
        ("Tin liên quan", "tin liên quan"),
        ("Xem thêm: Bạc Liêu sơ kết 5 năm làm theo Bác", "tin liên quan"),
        ("DSC_0123.JPG", "tên tệp ảnh"),
        ("anh 2 (3).png", "tên tệp ảnh"),
        ("12,3KNgười theo dõiTheo dõi", "bộ đếm mạng xã hội"),
        ("5.400 Lượt thích", "bộ đếm mạng xã hội"),
    ],
)
def test_chrome_line_inside_the_body_is_removed(line: str, reason: str) -> None:
    text = "Vĩnh Long làm theo Bác\n\n" + BODY + "\n" + line + "\n\n" + BODY
    article = cleaned(text)
    assert reasons(article) == {line: reason}
    assert len(article.blocks) == 4


def test_everything_after_the_footer_marker_is_chrome() -> None:
    text = (
        "Bến Tre làm theo Bác\n\n" + BODY + "\nTin cùng chuyên mục\n"
        "Trà Vinh sơ kết 5 năm học và làm theo Bác\n"
        "Sóc Trăng biểu dương điển hình tiên tiến\n"
        "POWERED BY SOMECMS\n"
    )
    article = cleaned(text)
    assert [b.text for b in article.blocks] == [p for p in BODY.split("\n") if p]
    assert reasons(article) == {
        "Tin cùng chuyên mục": "tin liên quan",
        "Trà Vinh sơ kết 5 năm học và làm theo Bác": "tin liên quan",
        "Sóc Trăng biểu dương điển hình tiên tiến": "tin liên quan",
        "POWERED BY SOMECMS": "menu/chân trang",
    }


def test_related_headlines_inside_the_body_are_chrome_and_the_body_goes_on() -> None:
    text = (
        "Bến Tre làm theo Bác\n\n" + BODY + "\nTin liên quan\n"
        "Trà Vinh sơ kết 5 năm học và làm theo Bác\n"
        "Sóc Trăng biểu dương điển hình tiên tiến\n\n" + BODY
    )
    article = cleaned(text)
    assert len(article.blocks) == 4 and not article.subheadings
    assert set(reasons(article).values()) == {"tin liên quan"}


def test_masthead_at_the_foot_is_chrome_even_in_full_sentences() -> None:
    masthead = [
        "Tổng biên tập: Nguyễn Văn An.",
        "Tòa soạn: Số 10 đường Trần Phú, phường Hải Châu, thành phố Đà Nẵng, Việt Nam.",
        "Giấy phép số 123/GP-BTTTT do Bộ Thông tin và Truyền thông cấp ngày 5/6/2020.",
    ]
    article = cleaned("Đà Nẵng làm theo Bác\n\n" + BODY + "\n" + "\n".join(masthead) + "\n")
    assert len(article.blocks) == 2
    assert set(reasons(article)) == set(masthead)


def test_related_list_repeating_the_title_is_removed_as_a_repeat() -> None:
    article = cleaned("Bến Tre làm theo Bác\n\n" + BODY + "\nĐừng bỏ lỡ\nBến Tre làm theo Bác\n")
    assert reasons(article)["Bến Tre làm theo Bác"] == "lặp tiêu đề"


# -- byline, dateline, source tag ----------------------------------------------------------


@pytest.mark.parametrize(
    ("closing", "byline"),
    [
        ("MINH HẢI", "MINH HẢI"),
        ("P.V", "P.V"),
        ("N.H.T", "N.H.T"),
        ("Bài, ảnh: Thanh Hương", "Thanh Hương"),
        ("Bài và ảnh: Lê Minh", "Lê Minh"),
        ("Theo Báo Nhân Dân", "Theo Báo Nhân Dân"),
        ("Theo baochinhphu.vn", "Theo baochinhphu.vn"),
        ("Trần Thị Mai", "Trần Thị Mai"),
        ("Hồng Nhung (TTXVN)", "Hồng Nhung (TTXVN)"),
        ("Nguồn: Báo Đồng Khởi", "Báo Đồng Khởi"),
    ],
)
def test_closing_byline(closing: str, byline: str) -> None:
    article = cleaned("An Giang làm theo Bác\n\n" + BODY + "\n" + closing + "\n\nChia sẻ\n")
    assert article.byline == byline
    assert closing not in article.paragraphs


@pytest.mark.parametrize("closing", ["Theo đó, các chi bộ tiếp tục rà soát.", "Theo ông Hùng, cần làm tốt hơn"])
def test_closing_sentence_starting_with_theo_is_body_not_byline(closing: str) -> None:
    article = cleaned("An Giang làm theo Bác\n\n" + BODY + "\n" + closing + "\n")
    assert article.byline is None
    assert article.paragraphs[-1] == closing


@pytest.mark.parametrize(
    ("header", "byline", "dateline"),
    [
        ("Nguyễn Nga| 13/05/2022 12:35", "Nguyễn Nga", "13/05/2022 12:35"),
        ("Lê Văn Hùng - 13/05/2022 08:15", "Lê Văn Hùng", "13/05/2022 08:15"),
        ("Cập nhật ngày: 05/06/2019 09:34:44", None, "Cập nhật ngày: 05/06/2019 09:34:44"),
        ("Thứ Sáu, 13/05/2022 - 14:30", None, "Thứ Sáu, 13/05/2022 - 14:30"),
        ("Ngày đăng: 13-05-2022", None, "Ngày đăng: 13-05-2022"),
        ("Thứ Năm, ngày 12 tháng 5 năm 2022", None, "Thứ Năm, ngày 12 tháng 5 năm 2022"),
        ("Hoàng Yến\n13/5/2022 | 08:00 GMT+7", "Hoàng Yến", "13/5/2022 | 08:00 GMT+7"),
    ],
)
def test_dateline_and_author_under_the_title(header: str, byline: str | None, dateline: str) -> None:
    article = cleaned("Cà Mau làm theo Bác\n\n" + header + "\n\n" + BODY)
    assert (article.byline, article.dateline) == (byline, dateline)
    assert len(article.blocks) == 2


@pytest.mark.parametrize(
    ("opening", "byline"), [("Bài, ảnh: Lê Minh", "Lê Minh"), ("Minh Hà", "Minh Hà"), ("NGUYỄN HÙNG", "NGUYỄN HÙNG")]
)
def test_author_under_the_title_before_the_lead(opening: str, byline: str) -> None:
    article = cleaned("Cà Mau làm theo Bác\n\n" + opening + "\n\n" + BODY)
    assert article.byline == byline
    assert [b.kind for b in article.blocks] == [PARAGRAPH, PARAGRAPH]


@pytest.mark.parametrize(
    ("lead", "tag"),
    [
        ("ĐTO - Quán triệt tinh thần Chỉ thị số 05 của Bộ Chính trị.", "ĐTO"),
        ("(TN&MT) - Chiều 12/5, Tỉnh ủy tổ chức hội nghị.", "TN&MT"),
        ("(Baonghean) - Sáng nay, huyện tổ chức hội nghị.", "Baonghean"),
        ("(Chinhphu.vn) – Sáng nay, Thủ tướng dự hội nghị.", "Chinhphu.vn"),
        ("YBĐT - Huyện ủy đã ban hành kế hoạch.", "YBĐT"),
    ],
)
def test_source_tag_is_taken_from_the_lead(lead: str, tag: str) -> None:
    article = cleaned("Hậu Giang làm theo Bác\n\n" + lead + "\n\n" + BODY)
    assert article.source_tag == tag
    assert article.paragraphs[0] == lead.split(" ", 2)[2]


def test_lead_without_tag_keeps_its_first_words() -> None:
    article = cleaned("Hậu Giang làm theo Bác\n\nHà Nội là nơi Bác sống và làm việc.\n\n" + BODY)
    assert article.source_tag is None
    assert article.paragraphs[0] == "Hà Nội là nơi Bác sống và làm việc."


# -- captions and subheadings --------------------------------------------------------------


def test_caption_after_an_image_file_name() -> None:
    text = "Long An làm theo Bác\n\n" + BODY + "\nIMG_2041.jpg\n\nBí thư Tỉnh ủy tặng hoa các điển hình.\n\n" + BODY
    assert kinds(cleaned(text))["Bí thư Tỉnh ủy tặng hoa các điển hình."] == CAPTION


def test_title_printed_twice_at_the_top_does_not_make_the_lead_a_caption() -> None:
    article = cleaned("Long An làm theo Bác\nLong An làm theo Bác\n\n" + BODY)
    assert [b.kind for b in article.blocks] == [PARAGRAPH, PARAGRAPH]
    assert reasons(article) == {"Long An làm theo Bác": "lặp tiêu đề"}


def test_indented_line_after_the_title_is_a_caption() -> None:
    text = "Long An làm theo Bác\n\n Quang cảnh buổi sinh hoạt chuyên đề tại xã Mỹ Yên.\n\n" + BODY
    article = cleaned(text)
    assert article.blocks[0].kind == CAPTION
    assert article.blocks[1].kind == PARAGRAPH


def test_scene_line_after_the_title_is_a_caption_but_a_dated_lead_is_not() -> None:
    caption = "Lãnh đạo tỉnh Bình Phước trao bằng khen cho các tập thể tiêu biểu."
    assert cleaned("Bình Phước\n\n" + caption + "\n\n" + BODY).blocks[0].kind == CAPTION
    lead = "Sáng 5/6, lãnh đạo tỉnh Bình Phước trao bằng khen cho các tập thể tiêu biểu."
    assert cleaned("Bình Phước\n\n" + lead + "\n\n" + BODY).blocks[0].kind == PARAGRAPH


def test_photo_credit_line_is_a_caption() -> None:
    text = "Tây Ninh làm theo Bác\n\n" + BODY + "\nCán bộ xã trao quà cho hộ nghèo (Ảnh: Minh Tâm)\n\n" + BODY
    assert kinds(cleaned(text))["Cán bộ xã trao quà cho hộ nghèo (Ảnh: Minh Tâm)"] == CAPTION


def test_unpunctuated_line_after_a_blank_gap_is_a_caption() -> None:
    caption = "Hội nghị biểu dương tập thể và cá nhân tiêu biểu trong học tập và làm theo Bác năm 2020"
    text = "Tây Ninh làm theo Bác\n\n" + BODY + "\n\n\n" + caption + "\n\n" + BODY
    assert kinds(cleaned(text))[caption] == CAPTION


def test_short_unpunctuated_lines_inside_the_body_are_subheadings() -> None:
    text = "Đồng Nai làm theo Bác\n\n" + BODY + "\nNhững cách làm sáng tạo\n\n" + BODY + "\n- Ý kiến cử tri\n\n" + BODY
    found = kinds(cleaned(text))
    assert found["Những cách làm sáng tạo"] == SUBHEADING
    assert found["- Ý kiến cử tri"] == PARAGRAPH  # a list item, not a heading


def test_body_markdown_marks_subheadings() -> None:
    text = "Đồng Nai\n\nMở đầu bài viết có đủ tám từ ở đây.\n\nKết quả\n\nKết thúc bài viết có đủ tám từ ở đây.\n"
    article = cleaned(text)
    assert article.body_markdown() == (
        "Mở đầu bài viết có đủ tám từ ở đây.\n\n## Kết quả\n\nKết thúc bài viết có đủ tám từ ở đây."
    )


# -- hostile input -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n\r\n", "\ufeff", "\x00\x01\ufffd", "Phản hồi\nMới nhất\n- Advertisement -"])
def test_degenerate_input_does_not_crash(text: str) -> None:
    article = cleaned(text)
    assert article.blocks == []


def test_only_chrome_gives_no_title_and_lists_every_line() -> None:
    article = cleaned("20 C\nNew York\n- Advertisement -\nBình luận\n")
    assert article.title == ""
    assert len(article.removed) == 4


def test_fifty_megabyte_single_line_is_linear() -> None:
    line = "Thi đua làm theo lời Bác 12/5/2022 (TN&MT) - 66,540Thành viên 3(1).jpg " * 720_000
    started = time.perf_counter()
    article = clean(line, "huge.txt")
    elapsed = time.perf_counter() - started
    assert len(line) > 50_000_000 and article.title_line == 1
    assert elapsed < 60, elapsed


def test_many_short_lines_are_linear() -> None:
    text = "Đây là một câu dài đủ tám từ trong bài báo.\nTin liên quan\n20 C\n" * 50_000
    started = time.perf_counter()
    cleaned(text)
    assert time.perf_counter() - started < 30


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                ["", "20 C", "- Advertisement -", "Phản hồi", "3(1).jpg", "HUYỆN X", "P.V",
                 "Nguyễn Nga| 13/05/2022 12:35", "(TN&MT) - Chiều 12/5.", "Thứ Ba, Tháng Chín 28, 2021",
                 "Một câu đủ dài của thân bài có tám từ.", "Tiêu đề phụ", " Chú thích ảnh.", "\r", "\ufeff"]
            ),
        ),
        max_size=25,
    )
)
def test_fuzz_never_crashes_and_never_loses_a_line(parts: list[str]) -> None:
    cleaned("\n".join(parts))


# -- whole articles in the style of other sites --------------------------------------------

EXPECTED = yaml.safe_load((REPO / "tests" / "data" / "clean" / "expected.yaml").read_text("utf-8"))


def test_every_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == [p.name for p in FIXTURES]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_from_another_site(name: str) -> None:
    article = cleaned((REPO / "tests" / "data" / "clean" / name).read_text("utf-8"))
    expected = EXPECTED[name]
    found = {
        "title": article.title, "section": article.section, "byline": article.byline,
        "source_tag": article.source_tag, "captions": article.captions, "subheadings": article.subheadings,
    }
    assert found == {key: expected[key] for key in found}


# -- held-out lessons: navigation, dates above the title, captions, bylines -----------------------


@pytest.mark.parametrize("menu", [
    "Trang chủ\nThời sự\nChính trị\nKinh tế\nVăn hóa - Thể thao\nPháp luật",
    "Tin tức - Sự kiện | Xây dựng Đảng | Quốc phòng - An ninh | Dân tộc - Miền núi | Bạn đọc",
    "Thời sự Chính trị Kinh tế Xã hội Đời sống",
    "TRANG CHỦ  THỜI SỰ  CHÍNH TRỊ  KINH TẾ  XÃ HỘI  VĂN HÓA  QUỐC PHÒNG",
    "Đăng nhập | Đăng ký | Liên hệ quảng cáo",
    "Thời tiết: 31°C  Mưa rào nhẹ",
    "Trang chủ > Xây dựng Đảng > Học tập và làm theo Bác",
    "Nhân dân điện tử\nThời sự Chính trị Kinh tế\nChính trị",
    "Cổng thông tin điện tử\nGiới thiệu | Tin tức | Văn bản | Hỏi đáp | Liên hệ",
])
def test_navigation_above_the_title_is_chrome(menu: str) -> None:
    article = cleaned(menu + "\n\nBạc Liêu nhân rộng mô hình dân vận khéo\n\n" + BODY)
    assert article.title == "Bạc Liêu nhân rộng mô hình dân vận khéo"
    assert len(article.blocks) == 2


@pytest.mark.parametrize("bar", [
    "Chia sẻ Facebook\nChia sẻ Zalo\nIn bài viết",
    "Chia sẻ Facebook | Chia sẻ Twitter | Gửi email",
    "Chia sẻ Facebook  Chia sẻ Zalo  Sao chép liên kết",
    "Bình luận (0)\nGửi",
    "Các tin đã đưa:\nHội nghị sơ kết công tác Đảng 6 tháng đầu năm (12/5/2010)",
    "© Bản quyền thuộc về Trang tin Miền Biển. Ghi rõ nguồn khi phát hành lại thông tin từ website này.",
])
def test_share_bars_counts_and_long_footers_end_the_article(bar: str) -> None:
    article = cleaned("Trà Vinh làm theo Bác\n\n" + BODY + "\nLê Thảo\n\n" + bar + "\n")
    assert article.byline == "Lê Thảo"
    assert len(article.blocks) == 2


def test_a_lone_section_name_in_the_body_is_not_a_menu() -> None:
    article = cleaned("Trà Vinh làm theo Bác\n\n" + BODY + "\nKinh tế\n\n" + BODY)
    assert "Kinh tế" in article.subheadings


@pytest.mark.parametrize(("header", "dateline"), [
    ("Thứ Tư, 11/10/2023, 09:12\nTrang chủ > Thời sự > Cơ sở", "Thứ Tư, 11/10/2023, 09:12"),
    ("Cập nhật: 09:20 - 26/08/2021", "Cập nhật: 09:20 - 26/08/2021"),
    ("Ngày đăng: 15/5/2023", "Ngày đăng: 15/5/2023"),
    ("Thứ Năm, 23/11/2023", None),  # the day of fetching, not the article's
])
def test_a_timed_or_labelled_date_above_the_title_is_the_dateline_when_none_follows(
        header: str, dateline: str | None) -> None:
    article = cleaned(header + "\n\nSóc Trăng làm theo Bác\n\n" + BODY)
    assert article.dateline == dateline


def test_a_date_bar_above_the_title_yields_to_the_dateline_under_it() -> None:
    article = cleaned("Thứ Năm, 23/11/2023 10:00\n\nSóc Trăng làm theo Bác\n\nHoàng Lan - 08:05, 21/03/2021\n\n" + BODY)
    assert (article.byline, article.dateline) == ("Hoàng Lan", "08:05, 21/03/2021")
    assert reasons(article)["Thứ Năm, 23/11/2023 10:00"] == "thanh ngày tháng"


@pytest.mark.parametrize("caption", [
    "Cán bộ xã hướng dẫn bà con làm du lịch cộng đồng. Ảnh: Minh Anh",
    "Quang cảnh hội nghị.",
    "Bí thư Huyện ủy Tri Tôn Lê Văn Sáu trao giấy khen cho các tập thể, cá nhân tiêu biểu.",
    "Ông Lục Văn Páo, Bí thư Chi bộ thôn Khe Mò, xã Hoành Mô, kiểm tra vườn quế của gia đình.",
    "Người dân làm thủ tục tại Trung tâm Phục vụ hành chính công xã.",
    "Đảng viên Chi bộ ấp 3 tham gia làm đường giao thông nông thôn.",
])
def test_captions_between_paragraphs_without_an_image_marker(caption: str) -> None:
    article = cleaned("Kiên Giang làm theo Bác\n\n" + BODY + "\n" + caption + "\n\n" + BODY)
    assert article.captions == [caption]


@pytest.mark.parametrize("paragraph", [
    "Dịp kỷ niệm Quốc khánh, Tỉnh ủy tặng Bằng khen cho 60 tập thể, 85 cá nhân.",
    "Ông Trần Văn Hòa cho biết chi bộ đã trao 18 suất quà cho hộ nghèo.",
    "Mỗi đảng viên đăng ký một việc làm cụ thể, được chi bộ theo dõi và đánh giá cuối năm.",
    "Phát biểu tại hội nghị, đồng chí Lê Văn Sáu đề nghị các cấp ủy tiếp tục làm theo Bác.",
    "Hội Nông dân hướng dẫn 200 hộ chuyển đổi cây trồng phù hợp.",
])
def test_narration_and_reported_speech_are_not_captions(paragraph: str) -> None:
    article = cleaned("Kiên Giang làm theo Bác\n\n" + BODY + "\n" + paragraph + "\n\n" + BODY)
    assert article.captions == []


def test_closing_credit_repeating_the_opening_byline_is_removed() -> None:
    article = cleaned("Bắc Kạn làm theo Bác\n\nNông Thu Trang\n\n" + BODY + "\nNông Thu Trang\n")
    assert article.byline == "Nông Thu Trang"
    assert reasons(article)["Nông Thu Trang"] == "ký tên thứ hai"
    assert len(article.blocks) == 2


def test_a_long_affiliation_after_the_author_is_not_part_of_the_byline() -> None:
    closing = "Thanh Hương (Trung tâm Văn hóa, Thể thao và Truyền thanh huyện Cần Đước)"
    article = cleaned("Long An làm theo Bác\n\n" + BODY + "\n" + closing + "\n")
    assert article.byline == "Thanh Hương"


def test_outlet_name_in_brackets_with_diacritics_is_the_source_tag() -> None:
    article = cleaned("Bình Dương làm theo Bác\n\n(Cảng Phố) - Đảng ủy phường tiếp tục thực hiện Kết luận 01.\n\n" + BODY)
    assert article.source_tag == "Cảng Phố"
    assert article.paragraphs[0] == "Đảng ủy phường tiếp tục thực hiện Kết luận 01."


def test_a_latest_news_sidebar_inside_the_body_is_removed_with_its_headlines() -> None:
    sidebar = "Tin mới nhất\nGia Lai: Tập huấn nghiệp vụ công tác tuyên giáo\nQuảng Ngãi: Khen thưởng 50 gương điển hình\n"
    article = cleaned("Kon Tum làm theo Bác\n\n" + BODY + "\n" + sidebar + "\n" + BODY)
    assert len(article.blocks) == 4
    assert article.subheadings == []


def test_author_before_the_outlet_credit_is_the_byline() -> None:
    article = cleaned("Thanh Hóa làm theo Bác\n\n" + BODY + "\nTác giả: Lê Hoàng\nNguồn: Báo Xứ Thanh điện tử\n")
    assert article.byline == "Lê Hoàng"
    assert reasons(article)["Nguồn: Báo Xứ Thanh điện tử"] == "ký tên thứ hai"


def test_dateline_at_the_foot_posted_by_the_sites_account() -> None:
    article = cleaned("Đắk Lắk làm theo Bác\n\n" + BODY + "\nĐăng ngày 09/03/2023 bởi Quản trị viên\n")
    assert article.dateline == "Đăng ngày 09/03/2023 bởi Quản trị viên"
    assert article.byline is None


def test_short_upper_case_title_over_a_bare_date_is_the_title() -> None:
    article = cleaned("MAI SƠN LÀM THEO LỜI BÁC\n\n15/09/2021\n\n" + BODY)
    assert (article.title, article.section, article.dateline) == ("MAI SƠN LÀM THEO LỜI BÁC", None, "15/09/2021")


# -- second held-out batch: portals, TV pages, English UI words ----------------------------------

@pytest.mark.parametrize("masthead", [
    "CỔNG THÔNG TIN ĐIỆN TỬ ĐẢNG BỘ TỈNH QUẢNG BÌNH",
    "UBND THỊ XÃ BA ĐỒN - TỈNH QUẢNG BÌNH",
    "ĐÀI PHÁT THANH - TRUYỀN HÌNH QUẢNG BÌNH\nTrang chủ   Thời sự   Phát thanh   Truyền hình   Lịch phát sóng",
    "BỘ CHỈ HUY QUÂN SỰ TỈNH - TRANG THÔNG TIN ĐIỆN TỬ\nQuân sự   Quốc phòng   Tin ảnh",
])
def test_a_long_masthead_above_the_headline_and_its_dateline_is_chrome(masthead: str) -> None:
    article = cleaned(masthead + "\n\nBa Đồn đưa việc học Bác vào từng khu phố\n\n10:20, 14/03/2024\n\n" + BODY)
    assert article.title == "Ba Đồn đưa việc học Bác vào từng khu phố"
    assert article.dateline == "10:20, 14/03/2024"
    assert article.subheadings == [] and article.captions == []


def test_a_portal_left_menu_above_the_headline_is_chrome_and_the_date_bar_is_not_the_dateline() -> None:
    menu = ("Hôm nay: Thứ Sáu, 22/11/2024\nTrang chủ\nGiới thiệu\n  Tổng quan\n  Sơ đồ tổ chức\n"
            "Các phường, xã\n  Phường Quảng Thọ\n  Xã Quảng Hải\nDịch vụ công\nLiên hệ")
    article = cleaned(menu + "\n\nThị ủy nâng cao chất lượng sinh hoạt chi bộ\n\nNgày 5 tháng 10 năm 2023\n"
                      "Lượt xem: 812\n\n" + BODY)
    assert article.title == "Thị ủy nâng cao chất lượng sinh hoạt chi bộ"
    assert article.dateline == "Ngày 5 tháng 10 năm 2023"
    assert article.subheadings == [] and article.captions == []
    assert "Phường Quảng Thọ" not in " ".join(article.paragraphs)


@pytest.mark.parametrize("masthead", [
    "ĐẢNG BỘ TỈNH THANH HÓA - CỔNG THÔNG TIN ĐIỆN TỬ",
    "Ủy ban nhân dân huyện Như Xuân - Trang thông tin điện tử",
])
def test_a_portal_name_with_its_owner_is_chrome_even_without_a_dateline(masthead: str) -> None:
    article = cleaned(masthead + "\nHôm nay: Thứ Ba, 25/11/2025\nTrang chủ > Tin tức\n\n"
                      "Xã Như Xuân giữ nền nếp sinh hoạt chi bộ\n\n" + BODY)
    assert article.title == "Xã Như Xuân giữ nền nếp sinh hoạt chi bộ"
    assert article.dateline is None


def test_without_a_dateline_the_first_heading_stays_the_title() -> None:
    article = cleaned("Quảng Trạch học Bác từ việc nhỏ\n\nMinh Thu\n\n" + BODY)
    assert article.title == "Quảng Trạch học Bác từ việc nhỏ"


@pytest.mark.parametrize("bar", ["Share   Tags: Ba Đồn, Chỉ thị 05", "Related", "Bài viết cùng chủ đề"])
def test_english_ui_words_and_topic_lists_end_the_article(bar: str) -> None:
    article = cleaned("Ba Đồn làm theo Bác\n\n" + BODY + "\nHOÀNG LONG\n\n" + bar +
                      "\nTuyên Hóa: Ra quân làm đường giao thông (12/03/2024)\n")
    assert article.byline == "HOÀNG LONG"
    assert not any("Tuyên Hóa" in p for p in article.paragraphs)


@pytest.mark.parametrize(("closing", "byline"), [
    ("T.LINH", "T.LINH"),
    ("N.Hương", "N.Hương"),
    ("Ban Tuyên giáo Huyện ủy", "Ban Tuyên giáo Huyện ủy"),
    ("Phòng Công tác Đảng", "Phòng Công tác Đảng"),
    ("Văn phòng Huyện ủy", "Văn phòng Huyện ủy"),
    ("Ban Xây dựng Đảng và Dân vận Đảng ủy phường", "Ban Xây dựng Đảng và Dân vận Đảng ủy phường"),
    ("NGỌC ÁNH (thực hiện)", "NGỌC ÁNH"),
    ("Lê Hải (ghi)", "Lê Hải"),
    ("PV", "PV"),
    ("QNO", "QNO"),
])
def test_more_closing_credits(closing: str, byline: str) -> None:
    article = cleaned("An Giang làm theo Bác\n\n" + BODY + "\n" + closing + "\n\nÝ kiến bạn đọc\nHọ tên:\n")
    assert article.byline == byline


def test_a_hyphenated_province_abbreviation_opening_the_lead_is_not_a_source_tag() -> None:
    article = cleaned("Xuyên Mộc làm theo Bác\n\nĐNO - Sáng nay, Huyện ủy tổ chức hội nghị sơ kết.\n\n" + BODY)
    assert article.source_tag == "ĐNO"
    article = cleaned("Xuyên Mộc làm theo Bác\n\nTT-H - Sáng nay, Huyện ủy tổ chức hội nghị sơ kết.\n\n" + BODY)
    assert article.source_tag is None
