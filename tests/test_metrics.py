"""metrics.find_metrics: accepted and rejected forms on sentences written for these tests, then the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsarchive.metrics import find_metrics
from newsarchive.text import fold, normalize

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "data" / "gold" / "metrics.yaml"


def only(sentence: str):
    found = find_metrics([normalize(sentence)])
    assert len(found) == 1, [m.text for m in found]
    return found[0]


def summary(sentence: str) -> list[tuple]:
    return [(m.value, m.total, m.unit, m.qualifier) for m in find_metrics([normalize(sentence)])]


# --- accepted forms -----------------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "expected"), [
    ("Huyện Tân Uyên đã vận động được 2,6 tỷ đồng cho quỹ khuyến học.",
     (2600000000, None, "đồng", None)),
    ("Năm qua, tỉnh Kon Tum trích 1,42 tỷ đồng làm đường giao thông.", (1420000000, None, "đồng", None)),
    ("Đoàn viên huyện Hòa Vang đã đóng góp hơn 80.000 ngày công.", (80000, None, "ngày công", "hơn")),
    ("Tỷ lệ chi bộ đạt trong sạch vững mạnh ở Bình Liêu là 99,8%.", (99.8, None, "%", None)),
    ("Thị xã Ba Đồn hoàn thành 30/30 chỉ tiêu của năm.", (30, 30, "chỉ tiêu", None)),
    ("Đã có 12/15 bản ở xã Pá Khoang hoàn thành đường bê tông.", (12, 15, "bản", None)),
    ("Toàn huyện hiện có trên 579 mô hình tự quản.", (579, None, "mô hình", "trên")),
    ("Số hộ khá ở Lạc Dương tăng gấp gần 2 lần so với trước.", (2, None, "lần", "gấp gần")),
    ("Doanh thu dịch vụ của thị trấn Sa Pa vượt 25% kế hoạch.", (25, None, "%", "vượt")),
    ("Điện lực Bắc Hà đã dựng 2.200 cột điện chiếu sáng.", (2200, None, "cột điện", None)),
    ("Đảng bộ xã Tam Thanh đã xây dựng 4 xã đạt chuẩn nông thôn mới.", (4, None, "xã", None)),
    ("Ban Thường vụ Thành ủy Vị Thanh chọn 2 nội dung đột phá.", (2, None, "nội dung", None)),
    ("Quỹ vì người nghèo ở Ea Súp đã giúp 48 hộ nghèo sửa nhà.", (48, None, "hộ", None)),
    ("Đến nay, 100% số tổ chức đảng ở Cẩm Khê đã đăng ký làm theo.", (100, None, "%", None)),
    ("Ở Hương Khê, 328/378 công việc của cơ sở đã hoàn thành.", (328, 378, "công việc", None)),
    ("Đã có 11/17 huyện ủy của Thanh Hóa sơ kết chuyên đề.", (11, 17, "huyện ủy", None)),
    ("Thị ủy Sơn Tây chỉ đạo 46/46 chi bộ xây dựng kế hoạch.", (46, 46, "chi bộ", None)),
    ("Huyện Đức Trọng có bình quân 95% hộ dùng nước sạch.", (95, None, "%", "bình quân")),
    ("Chương trình thu hút khoảng 1,5 triệu lượt khách đến Hội An.", (1500000, None, "lượt khách", "khoảng")),
    ("Chi bộ thôn Phú Mỹ giúp hàng trăm hộ gia đình chuyển đổi cây trồng.", (100, None, "hộ", "hàng trăm")),
    ("Xã Ia Dom đã xóa 151 nhà tạm cho đồng bào.", (151, None, "nhà tạm", None)),
    ("Mỗi chi bộ ở Bảo Thắng duy trì 12 kỳ/năm sinh hoạt định kỳ.", (12, None, "kỳ/năm", None)),
    ("Thu nhập bình quân ở Quế Sơn đạt 45 triệu đồng/người/năm.",
     (45000000, None, "đồng/người/năm", "đạt")),
    ("Huyện Đông Anh trồng mới gần 30 ha cây ăn quả.", (30, None, "ha", "gần")),
    ("Mỗi đảng viên ở Cờ Đỏ đăng ký từ 3 việc làm cụ thể trở lên.", (3, None, "công việc", "trở lên")),
    ("Kết quả thi đua được chấm 92,5 điểm.", (92.5, None, "điểm", None)),
    ("Tổng số 120 hộ ở ấp Tân Phú được hỗ trợ.", (120, None, "hộ", None)),
    ("Khoảng 300 đoàn viên ở Long Hồ tham gia ngày chủ nhật xanh.", (300, None, "đoàn viên", "khoảng")),
    ("Tổng kinh phí làm đường ở Si Ma Cai là trên 3 tỷ 500 triệu đồng.",
     (3500000000, None, "đồng", "trên")),
    ("Sau sắp xếp, xã Nậm Nhùn có diện tích 120,5 km2.", (120.5, None, "km2", None)),
    ("Bà con ở Xín Mần hiến 2.500 m2 đất làm đường.", (2500, None, "m2", None)),
    ("Đảng bộ phường Kim Long có 37 tổ chức đảng trực thuộc.", (37, None, "tổ chức đảng", None)),
    ("Ở xã Tà Xùa, 4 trên 5 bản đã có điện lưới.", (4, 5, "bản", None)),
    ("Tỷ lệ hồ sơ đúng hạn ở Bắc Quang tăng 1,3 điểm phần trăm.", (1.3, None, "điểm phần trăm", "tăng")),
    ("Hội trường xã Phú Riềng đón gần 200 đại biểu.", (200, None, "đại biểu", "gần")),
    ("Chi đoàn ở Tân Hồng trồng 20ha rừng phòng hộ.", (20, None, "ha", None)),
    ("Các cơ sở ở Đầm Dơi sinh hoạt 3 năm liền đúng kỳ.", (3, None, "năm", None)),
])
def test_accepted_forms(sentence: str, expected: tuple) -> None:
    metric = only(sentence)
    assert (metric.value, metric.total, metric.unit, metric.qualifier) == expected
    assert metric.text in normalize(sentence)
    assert metric.sentence == normalize(sentence)


def test_values_are_int_when_whole_and_float_otherwise() -> None:
    whole = only("Huyện Phú Lương huy động 3,5 tỷ đồng.")
    assert whole.value == 3500000000 and isinstance(whole.value, int)
    fraction = only("Tỷ lệ hộ nghèo ở Mường Nhé giảm còn 12,35%.")
    assert fraction.value == 12.35 and isinstance(fraction.value, float)


def test_text_keeps_the_words_as_written() -> None:
    assert only("Xã Hương Sơn huy động được trên 579 mô hình.").text == "trên 579 mô hình"
    assert only("Trên 90% chi bộ ở Vĩnh Linh sinh hoạt đúng kỳ.").text == "Trên 90%"
    assert only("Số hộ khá ở Bù Đăng tăng gấp gần 2 lần.").text == "gấp gần 2 lần"


def test_several_figures_in_order_each_with_its_sentence() -> None:
    paragraphs = [normalize("Tỉnh Bắc Kạn khen thưởng 32 tập thể, 56 cá nhân. Các xã đã xóa 33 nhà tạm."),
                  normalize("Dự án thu hút trên 38.000 lượt khách du lịch.")]
    found = find_metrics(paragraphs)
    assert [(m.value, m.unit) for m in found] == [(32, "tập thể"), (56, "cá nhân"), (33, "nhà tạm"),
                                                   (38000, "lượt khách")]
    assert found[0].sentence == "Tỉnh Bắc Kạn khen thưởng 32 tập thể, 56 cá nhân."
    assert found[2].sentence == "Các xã đã xóa 33 nhà tạm."


def test_a_counted_noun_missing_from_the_vocabulary_is_still_a_unit() -> None:
    assert summary("Xã Đắk Ring đã lắp 25 máy lọc nước cho trường.") == [(25, None, "máy lọc", None)]


# --- rejected forms -----------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    # dates
    "Sáng 12/5, Huyện ủy Than Uyên tổ chức hội nghị.",
    "Kết luận được ban hành ngày 18/5/2021.",
    "Hội nghị diễn ra ngày 15/5/2016 tại Quảng Trị.",
    "Từ tháng 5/2022, các chi bộ ở Nghĩa Lộ đăng ký làm theo.",
    "Lễ kỷ niệm được tổ chức vào 30/4 hằng năm.",
    "Báo cáo cập nhật lúc 12:35 ngày hôm qua.",
    "Cập nhật: 09:34:44 chiều nay.",
    # years and periods
    "Năm 2022, huyện Bảo Yên tập trung cải cách hành chính.",
    "Đó là bài học lớn nhất của 2019 đối với Đảng bộ.",
    "Đại hội Đảng bộ thị xã nhiệm kỳ 2020 - 2025 đã đề ra mục tiêu.",
    "Đại hội Đảng các cấp nhiệm kỳ 2015-2020 đã thành công.",
    "Trong giai đoạn 2016 - 2020 tỉnh Hà Giang thay đổi nhiều.",
    # document numbers and plenums
    "Tỉnh ủy quán triệt Chỉ thị số 05-CT/TW của Bộ Chính trị.",
    "Các cấp ủy tiếp tục thực hiện Chỉ thị 05 của Bộ Chính trị.",
    "Huyện ủy ban hành Chương trình hành động số 56-CTr/TU.",
    "UBND tỉnh ban hành Quyết định 1234/QĐ-UBND về việc khen thưởng.",
    "Tỉnh ủy thực hiện Nghị quyết Trung ương 4 khóa XII.",
    "Văn bản được ký theo Điều 5 của Quy định.",
    # ordinals and names
    "Đại hội Đảng bộ huyện lần thứ XXIII thành công tốt đẹp.",
    "Đảng bộ Trường TC Nghề số 9 là điển hình của Khối.",
    "Mô hình Ngày thứ 7 với dân được nhân rộng ở Mường Tè.",
    "Các chi bộ ở Quận 3 đã học tập chuyên đề.",
    "Đoàn viên phường 5 ra quân làm sạch kênh.",
    "Học sinh lớp 12 trường Phan Bội Châu tham gia hội thi.",
    "Đội xung kích số 3 xã Mường Lói ra quân dọn vệ sinh.",
    "Đây là lần thứ 5 hội thi được tổ chức ở Ninh Sơn.",
    "Tổ 5 phường Tân Hà ra quân làm đường.",
    "Hội nghị Trung ương 8 khóa XIII bàn về văn hóa.",
    "Công ty Sông Đà 12 tuyển thêm lao động ở Mường La.",
    # anniversaries and the programme's own time
    "Sau 2 năm, mô hình ở Đồng Văn đã lan rộng.",
    "Dịp 5 năm thực hiện Chỉ thị, tỉnh Trà Vinh khen thưởng điển hình.",
    "Đảng bộ tổ chức sinh hoạt chính trị 60 năm Ngày Bác Hồ thăm Thái Nguyên.",
    "Cán bộ hưởng ứng 130 năm Ngày sinh Chủ tịch Hồ Chí Minh.",
    "Hội nghị ôn lại 50 năm thực hiện Di chúc của Bác.",
    "Sau 3 năm triển khai, nhận thức của cán bộ được nâng lên.",
    "Tỉnh ủy Lai Châu tổ chức sơ kết 1 năm thực hiện Kết luận số 01-KL/TW.",
    "Qua 5 năm thực hiện, phong trào đã lan tỏa.",
    "Trong 5 năm qua, huyện đã có nhiều đổi mới.",
    # chrome: file names, weather, widgets, phones, comments
    "3(1).jpg",
    "20 C",
    "Nhiệt độ ngoài trời 27°C.",
    "66,540Thành viênThích",
    "281Người theo dõiTheo dõi",
    "Điện thoại: 0214 3852 123",
    "(0) Bình luận",
    # not Vietnamese numbers, or nothing counted
    "Tỉnh đẩy mạnh chuyển đổi số, cách mạng công nghiệp 4.0.",
    "Chương trình phòng chống COVID-19 được triển khai.",
    "Kết quả là 15, cao hơn năm trước.",
    "Bài viết đã có 1.234 lượt xem.",
    "Đường dây nóng: 0912.345.678.",
    "Đồng chí Lò Văn Tâm (SN 1985) là Bí thư Chi bộ bản Nà Sản.",
    "Huyện ủy trao Huy hiệu 50 năm tuổi Đảng tại xã Mường Phăng.",
    "Trong 6 tháng đầu năm, xã Nà Hỳ tập trung cải cách hành chính.",
    "Chiều ngày 15/3/2024, Thành ủy Pleiku họp phiên thường kỳ.",
    "Hội nghị diễn ra trong 2 ngày 20-21/7 tại Cao Bằng.",
    # a rank is an ordinal ("thứ"): left out, though it measures a standing
    "Tỉnh Bạc Liêu xếp thứ 12/63 tỉnh, thành phố về chỉ số PCI.",
])
def test_rejected_forms(sentence: str) -> None:
    assert find_metrics([normalize(sentence)]) == []


def test_a_trailing_hedge_on_a_percentage_grades_the_noun_not_the_number() -> None:
    metric = only("Có 96,5% chi bộ ở Krông Bông hoàn thành tốt nhiệm vụ trở lên.")
    assert (metric.value, metric.qualifier) == (96.5, None)


def test_a_ratio_with_a_counted_noun_is_not_a_date() -> None:
    assert summary("Huyện Tủa Chùa hoàn thành 4/4 nội dung đột phá.") == [(4, 4, "nội dung", None)]
    assert summary("Ngày 4/4, huyện Tủa Chùa tổng kết.") == []


def test_figures_next_to_rejected_numbers_are_kept() -> None:
    sentence = ("Năm 2021, theo Kế hoạch số 72-KH/HU, huyện Văn Yên hoàn thành 50/50 chỉ tiêu, "
                "trong đó có 36 chỉ tiêu vượt kế hoạch.")
    assert summary(sentence) == [(50, 50, "chỉ tiêu", None), (36, None, "chỉ tiêu", None)]


# --- the seeds against the gold -----------------------------------------------------------------

def _seed_paragraphs(name: str) -> list[str]:
    """Every non-empty line of a seed: the chrome stays in, so rejection is tested on it too."""
    lines = (REPO / "seeds" / name).read_text(encoding="utf-8").splitlines()
    return [normalize(line).strip() for line in lines if line.strip()]


def _key(value, total, unit) -> tuple:
    number = (lambda v: None if v is None else round(float(v), 6))
    return number(value), number(total), fold(unit or "").strip()


GOLD_SEEDS = sorted(yaml.safe_load(GOLD.read_text(encoding="utf-8")))


@pytest.mark.parametrize("seed", GOLD_SEEDS)
def test_seed_matches_gold(seed: str) -> None:
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))[seed]["metrics"]
    found = find_metrics(_seed_paragraphs(seed))
    assert [_key(m.value, m.total, m.unit) for m in found] == [
        _key(g["value"], g["total"], g["unit"]) for g in gold]
    assert [m.qualifier for m in found] == [g["qualifier"] for g in gold]
    for metric in found:
        assert metric.text in metric.sentence


def test_output_is_deterministic() -> None:
    paragraphs = _seed_paragraphs("004_451a73f3093e629b.txt")
    assert find_metrics(paragraphs) == find_metrics(list(paragraphs))


# --- held-out lessons ------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "7 tháng đầu năm, xã đón hơn 25.000 lượt khách.",
    "Trong 6 tháng cuối năm, huyện tiếp tục rà soát các chỉ tiêu.",
    "Kết quả 9 tháng năm 2023 cho thấy nhiều chuyển biến.",
])
def test_part_of_the_year_is_a_period_not_a_figure(sentence: str) -> None:
    assert all(m.unit != "tháng" for m in find_metrics([normalize(sentence)]))


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Nhân dân góp tiền lắp đặt 1.200 đèn chiếu sáng trên các tuyến hẻm.", (1200, None, "đèn", None)),
    ("Phường nâng cấp 35 tuyến hẻm, lắp 400 bóng đèn.", (35, None, "tuyến hẻm", None)),
    ("Đồng bào làm 42 homestay phục vụ khách du lịch.", (42, None, "homestay", None)),
    ("Đơn vị trao 320 suất học bổng cho học sinh nghèo.", (320, None, "suất học bổng", None)),
])
def test_units_the_vocabulary_names(sentence: str, expected: tuple) -> None:
    assert summary(sentence)[0] == expected


@pytest.mark.parametrize("sentence", [
    "Chi bộ thôn 3 vận động bà con làm đường.",
    "Chi bộ tổ dân phố 5 vận động Nhân dân hiến đất.",
    "Bản 7 có nhiều hộ trồng chè.",
])
def test_numbers_naming_villages_and_street_groups_are_not_figures(sentence: str) -> None:
    assert find_metrics([normalize(sentence)]) == []


def test_classifier_before_a_compound_unit() -> None:
    assert summary("Các khu phố vận động xây 12 căn nhà tình thương.") == [(12, None, "nhà tình thương", None)]


def test_a_document_word_used_as_a_verb_does_not_hide_the_figure() -> None:
    assert summary("Hội Nông dân hướng dẫn 200 hộ chuyển đổi cây trồng.") == [(200, None, "hộ", None)]
    assert summary("Thực hiện Hướng dẫn 12 của Ban Tuyên giáo.") == []


# --- second held-out batch: classifiers, names in quotes, levels of government -------------------

@pytest.mark.parametrize(("sentence", "expected"), [
    ("Nhân dân góp công làm 12 cây cầu bê tông.", (12, None, "cầu", None)),
    ("Xã đã sửa 8 căn nhà cho hộ nghèo.", (8, None, "nhà", None)),
    ("Huyện biểu dương 40 tấm gương điển hình.", (40, None, "gương", None)),
    ("Đoàn viên trồng 500 cây bưởi trên đồi.", (500, None, "cây", None)),
    ("Giáo viên soạn 20 bài giảng điện tử.", (20, None, "bài giảng", None)),
])
def test_a_classifier_before_a_known_noun_gives_way_to_it(sentence: str, expected: tuple) -> None:
    assert summary(sentence) == [expected]


@pytest.mark.parametrize("sentence", [
    "Lực lượng công an thi đua thực hiện cuộc vận động \"Công an nhân dân học tập, thực hiện 6 điều Bác Hồ dạy\".",
    "Mô hình “Ngày thứ 7 vì dân” được duy trì ở mọi khu phố.",
    "Sau khi mô hình chính quyền địa phương 2 cấp vận hành, xã sắp xếp lại bộ phận một cửa.",
])
def test_numbers_in_quoted_names_and_levels_of_government_are_not_figures(sentence: str) -> None:
    assert summary(sentence) == []


def test_figures_in_quoted_speech_still_count() -> None:
    assert summary("Ông Tâm nói: \"Năm nay chi bộ vận động được 15 hộ hiến đất làm đường.\"") == [
        (15, None, "hộ", None)]


def test_a_thing_counted_by_its_quoted_name() -> None:
    assert summary("Phường lắp đặt 12 \"Thùng rác phân loại\" ở các khu dân cư.") == [(12, None, "thùng rác", None)]
