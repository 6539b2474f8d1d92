"""Publication dates from datelines (day first, Vietnam time) and the period of undated articles."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsarchive.clean import clean
from newsarchive.dates import find_date, find_published, infer_period

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
GOLD = yaml.safe_load((REPO / "tests" / "data" / "gold" / "dates.yaml").read_text("utf-8"))

BODY = (
    "Chiều 12/5, Huyện ủy tổ chức hội nghị sơ kết thực hiện Kết luận số 01-KL/TW ngày 18/5/2021.\n\n"
    "Các chi bộ đều xây dựng kế hoạch cụ thể và đánh giá kết quả hằng quý, hằng năm.\n"
)


def published(text: str) -> tuple[str | None, str | None]:
    return find_published(clean(text, "test.txt"))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_dates_match_gold(path: Path) -> None:
    article = clean(path.read_text("utf-8"), path.name)
    gold = GOLD[path.name]
    iso, evidence = find_published(article)
    assert iso == gold["published"]
    assert (evidence is None) == (iso is None)
    period = None if iso else infer_period(article.paragraphs)
    assert (period.year if period else None) == gold["period_year"]
    if period:
        assert period.inferred and str(period.year) in period.evidence


def test_gold_covers_every_seed() -> None:
    assert sorted(GOLD) == [p.name for p in SEEDS]


@pytest.mark.parametrize(
    ("dateline", "iso", "evidence"),
    [
        ("Nguyễn Nga| 13/05/2022 12:35", "2022-05-13T12:35:00+07:00", "13/05/2022 12:35"),
        ("Cập nhật ngày: 05/06/2019 09:34:44", "2019-06-05T09:34:44+07:00", "Cập nhật ngày: 05/06/2019 09:34:44"),
        ("Thứ Sáu, 13/05/2022 - 14:30", "2022-05-13T14:30:00+07:00", "Thứ Sáu, 13/05/2022 - 14:30"),
        ("Ngày đăng: 13-05-2022", "2022-05-13", "Ngày đăng: 13-05-2022"),
        ("13/5/2022 | 08:00 GMT+7", "2022-05-13T08:00:00+07:00", "13/5/2022 | 08:00 GMT+7"),
        ("Thứ Năm, ngày 12 tháng 5 năm 2022", "2022-05-12", "Thứ Năm, ngày 12 tháng 5 năm 2022"),
        ("Thứ hai, 6/6/2022, 14h05 (GMT+7)", "2022-06-06T14:05:00+07:00", "Thứ hai, 6/6/2022, 14h05 (GMT+7)"),
        ("Đăng lúc 07:45 ngày 01/10/2020", "2020-10-01T07:45:00+07:00", "Đăng lúc 07:45 ngày 01/10/2020"),
        # a weekday between the time and the date
        ("Cập nhật lúc 14:10, Thứ Hai, 03/04/2023", "2023-04-03T14:10:00+07:00",
         "Cập nhật lúc 14:10, Thứ Hai, 03/04/2023"),
        ("09:05 Chủ nhật, ngày 7/5/2023", "2023-05-07T09:05:00+07:00", "09:05 Chủ nhật, ngày 7/5/2023"),
    ],
)
def test_dateline_forms(dateline: str, iso: str, evidence: str) -> None:
    assert published("Bạc Liêu làm theo Bác\n\n" + dateline + "\n\n" + BODY) == (iso, evidence)


def test_day_comes_first() -> None:
    found = find_date("05/06/2019")
    assert found is not None and found.iso() == "2019-06-05"


def test_date_bar_above_the_title_is_not_the_publication_date() -> None:
    text = "28°C\nHà Nội\nThứ Ba, Tháng Chín 28, 2021\n\nBạc Liêu làm theo Bác\n\n" + BODY
    article = clean(text, "t")
    assert article.header_dates == ["Thứ Ba, Tháng Chín 28, 2021"]
    assert find_published(article) == (None, None)


def test_date_bar_is_ignored_when_the_dateline_is_given() -> None:
    text = "Thứ Hai, 01/01/2024\n\nBạc Liêu làm theo Bác\n\nNgày đăng: 13-05-2022\n\n" + BODY
    assert published(text) == ("2022-05-13", "Ngày đăng: 13-05-2022")


def test_dates_inside_the_body_are_not_the_publication_date() -> None:
    assert published("Bạc Liêu làm theo Bác\n\n" + BODY) == (None, None)


@pytest.mark.parametrize("text", ["31/02/2022", "29/02/2021", "13/13/2022", "00/05/2022", "12/5/1850"])
def test_invalid_dates_are_rejected(text: str) -> None:
    assert find_date(text) is None
    assert published("Bạc Liêu làm theo Bác\n\nNgày đăng: " + text + "\n\n" + BODY)[0] is None


def test_leap_day_is_valid() -> None:
    found = find_date("29/02/2024")
    assert found is not None and found.iso() == "2024-02-29"


def test_impossible_time_keeps_the_date_only() -> None:
    found = find_date("13/05/2022 25:70")
    assert found is not None and found.iso() == "2022-05-13"


# -- the period of an undated article ------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "year"),
    [
        (["Năm 2022, huyện Tam Nông đã hoàn thành 30/30 chỉ tiêu."], 2022),
        (["Đến hết năm 2021, toàn tỉnh có 12 xã đạt chuẩn."], 2021),
        (["Riêng trong năm 2018, đã có 46 chi bộ đăng ký.", "Trong năm 2019, có 8 đề tài được nhân rộng."], 2019),
        (["Tính đến năm 2020, huyện có 15 xã nông thôn mới."], 2020),
    ],
)
def test_period_is_the_latest_year_reported(texts: list[str], year: int) -> None:
    period = infer_period(texts)
    assert period is not None
    assert period.year == year and period.inferred
    assert f"năm {year}" in period.evidence.lower()


@pytest.mark.parametrize(
    "text",
    [
        "Đại hội Đảng bộ huyện lần thứ XXIII, nhiệm kỳ 2020 - 2025 đã đề ra.",
        "Chỉ thị số 05-CT/TW về học tập và làm theo Bác giai đoạn 2021 - 2025.",
        "Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị.",
        "Kỷ niệm 130 năm Ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/2020).",
        "Đến năm 2025, huyện phấn đấu có 20 xã đạt chuẩn nông thôn mới.",
        "Năm 2025, tỉnh phấn đấu thu hút 2 triệu lượt khách.",
        "Thực hiện Luật Cán bộ, công chức năm 2008 và các văn bản hướng dẫn.",
        "Bác Hồ sinh năm 1890 tại làng Kim Liên.",
    ],
)
def test_terms_plans_anniversaries_and_documents_are_not_periods(text: str) -> None:
    assert infer_period([text]) is None


def test_period_ignores_a_term_beside_a_report() -> None:
    texts = ["Nhiệm kỳ 2020 - 2025, huyện đặt 30 chỉ tiêu.", "Năm 2021, huyện đã hoàn thành 28 chỉ tiêu."]
    period = infer_period(texts)
    assert period is not None and period.year == 2021
    assert period.evidence == "Năm 2021, huyện đã hoàn thành 28 chỉ tiêu."


def test_no_year_no_period() -> None:
    assert infer_period([]) is None
    assert infer_period(["Sau 3 năm thực hiện, nhận thức của cán bộ được nâng lên."]) is None


FIXTURES = REPO / "tests" / "data" / "clean"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_publication_date(name: str) -> None:
    article = clean((FIXTURES / name).read_text("utf-8"), name)
    assert find_published(article)[0] == EXPECTED[name]["published"]


@pytest.mark.parametrize(("header", "iso"), [
    ("Cập nhật: 10:15 | 18/08/2025", "2025-08-18T10:15:00+07:00"),
    ("Thứ Hai, 15-05-2023, 10:25", "2023-05-15T10:25:00+07:00"),
    ("Thứ Hai, 15/05/2023 10:25 [GMT+7]", "2023-05-15T10:25:00+07:00"),
    ("11/06/2024, 15:20 (GMT+7)", "2024-06-11T15:20:00+07:00"),
    ("Ngày đăng: 02-09-2023", "2023-09-02"),
    ("Cập nhật lúc 16:20 ngày 18/5/2010", "2010-05-18T16:20:00+07:00"),
    ("Ma Thị Lan | 21/10/2025 08:30", "2025-10-21T08:30:00+07:00"),
])
def test_more_dateline_forms_under_the_title(header: str, iso: str) -> None:
    article = clean("Cà Mau làm theo Bác\n\n" + header + "\n\nĐảng bộ huyện đã gắn việc học Bác với nhiệm vụ "
                    "chính trị của địa phương.\n", "t.txt")
    assert find_published(article)[0] == iso


@pytest.mark.parametrize(("header", "iso"), [
    ("Thứ Tư, 15/10/2025 | 10:25:00", "2025-10-15T10:25:00+07:00"),  # timed: the article's own
    ("Ngày đăng: 15/5/2023", "2023-05-15"),  # labelled: the article's own
    ("Thứ Sáu, ngày 13 tháng 10 năm 2023", None),  # a bare date bar: the day of fetching
])
def test_dates_above_the_title(header: str, iso: str | None) -> None:
    article = clean(header + "\n\nCà Mau làm theo Bác\n\nĐảng bộ huyện đã gắn việc học Bác với nhiệm vụ "
                    "chính trị của địa phương.\n", "t.txt")
    assert find_published(article)[0] == iso


def test_related_headlines_dates_are_not_the_publication_date() -> None:
    article = clean("Nam Đàn làm theo Bác\n\nĐảng bộ huyện đã gắn việc học Bác với nhiệm vụ chính trị của "
                    "địa phương.\n\nCác tin đã đưa:\nHội nghị sơ kết công tác Đảng (12/5/2010)\n", "t.txt")
    assert find_published(article) == (None, None)


@pytest.mark.parametrize(("dateline", "iso"), [
    ("Cập nhật: 2024-02-03 15:20", "2024-02-03T15:20:00+07:00"),
    ("Published: 2023-11-14T06:25:00+07:00", "2023-11-14T06:25:00+07:00"),
    ("03 Tháng 2, 2024", "2024-02-03"),
    ("Thứ Bảy, 03/02/2024 03:20 PM", "2024-02-03T15:20:00+07:00"),
    ("Chủ nhật, 04/02/2024 08:00 AM", "2024-02-04T08:00:00+07:00"),
    ("Đăng lúc 15 giờ 20 phút, ngày 03/02/2024", "2024-02-03T15:20:00+07:00"),
    ("18:45 | 11.03.2024", "2024-03-11T18:45:00+07:00"),
    ("Thứ hai, 3/6/2024, 08:00 (GMT+7)", "2024-06-03T08:00:00+07:00"),
])
def test_machine_dates_meridiem_and_hour_words(dateline: str, iso: str) -> None:
    assert published("Bạc Liêu làm theo Bác\n\n" + dateline + "\n\n" + BODY)[0] == iso


def test_todays_date_on_a_portal_is_not_the_publication_date() -> None:
    raw = ("Hôm nay: Thứ Năm, 21/11/2024\nTrang chủ\nGiới thiệu\n\nBạc Liêu làm theo Bác\n\n"
           "Ngày 14 tháng 11 năm 2023\n\n" + BODY)
    assert published(raw)[0] == "2023-11-14"


def test_a_timed_today_bar_is_never_the_dateline() -> None:
    raw = "Hôm nay: Thứ Năm, 21/11/2024 10:15\n\nBạc Liêu làm theo Bác\n\n" + BODY
    assert published(raw)[0] is None
