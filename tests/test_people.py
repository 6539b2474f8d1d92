"""Officials and their roles, on sentences about other provinces (invented names) and on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsarchive.people import find_people
from newsarchive.text import normalize

REPO = Path(__file__).resolve().parents[1]


def people(*paragraphs: str) -> list[tuple[str, str | None]]:
    return [(p.name, p.role) for p in find_people([normalize(p) for p in paragraphs])]


@pytest.mark.parametrize("sentence, expected", [
    # name first, then the role
    ("Đồng chí Sùng A Páo - Bí thư Huyện ủy Mường Nhé cho biết: huyện đã hoàn thành kế hoạch.",
     ("Sùng A Páo", "Bí thư Huyện ủy Mường Nhé")),
    # Thái and Mông surnames of the north-west and of western Nghệ An; a village head ("Trưởng bản")
    ("Bà Ngân Thị Hòa, Phó Chủ tịch UBND xã Châu Tiến cho biết xã có 25 chi bộ.",
     ("Ngân Thị Hòa", "Phó Chủ tịch UBND xã Châu Tiến")),
    ("Đồng chí Xồng Bá Lử, Bí thư Đảng ủy xã Mường Lống phát biểu tại hội nghị.",
     ("Xồng Bá Lử", "Bí thư Đảng ủy xã Mường Lống")),
    ("Ông Lang Văn Phượng – Trưởng bản Huồi Cọ chia sẻ kinh nghiệm giữ rừng.",
     ("Lang Văn Phượng", "Trưởng bản Huồi Cọ")),
    ("Đồng chí Lô Thị Hằng, Chủ tịch UBND xã Tương Dương cho biết: xã đã hoàn thành kế hoạch.",
     ("Lô Thị Hằng", "Chủ tịch UBND xã Tương Dương")),
    ("Bà Lò Thị Mai, Chủ tịch Hội Liên hiệp Phụ nữ tỉnh Điện Biên, cho biết hội có 300 mô hình.",
     ("Lò Thị Mai", "Chủ tịch Hội Liên hiệp Phụ nữ tỉnh Điện Biên")),
    ("Ông Phạm Văn Toàn, Chủ tịch UBMTTQ Việt Nam huyện Kim Sơn, phát biểu tại hội nghị.",
     ("Phạm Văn Toàn", "Chủ tịch UBMTTQ Việt Nam huyện Kim Sơn")),
    ("Đồng chí Y Khuê Niê - Phó Chủ tịch HĐND tỉnh Đắk Lắk nhấn mạnh vai trò nêu gương.",
     ("Y Khuê Niê", "Phó Chủ tịch HĐND tỉnh Đắk Lắk")),
    ("Bà H'Yên Kđoh, Phó Trưởng ban Dân vận Tỉnh ủy Gia Lai, trao quà cho hộ nghèo.",
     ("H'Yên Kđoh", "Phó Trưởng ban Dân vận Tỉnh ủy Gia Lai")),
    ("Vàng A Dình - Chủ tịch UBND xã Pả Vi phát biểu tại buổi lễ.",
     ("Vàng A Dình", "Chủ tịch UBND xã Pả Vi")),
    ("Ông Tòng Văn Pánh (Bí thư Chi bộ bản Mển) chia sẻ kinh nghiệm.",
     ("Tòng Văn Pánh", "Bí thư Chi bộ bản Mển")),
    # role first, then the name
    ("Bí thư Tỉnh ủy Lê Minh Khôi phát biểu chỉ đạo hội nghị.", ("Lê Minh Khôi", "Bí thư Tỉnh ủy")),
    ("Chủ tịch UBND tỉnh Lâm Đồng Trần Minh Hải tặng bằng khen cho 20 tập thể.",
     ("Trần Minh Hải", "Chủ tịch UBND tỉnh Lâm Đồng")),
    ("Phó Chủ tịch UBND tỉnh Nguyễn Thị Thu Hà kiểm tra mô hình tại xã Tân Lập.",
     ("Nguyễn Thị Thu Hà", "Phó Chủ tịch UBND tỉnh")),
    ("Giám đốc Sở Xây dựng Đinh Công Luận trình bày báo cáo.", ("Đinh Công Luận", "Giám đốc Sở Xây dựng")),
    ("Bí thư Đảng ủy Khối Doanh nghiệp Hà Văn Sơn trao giấy khen.",
     ("Hà Văn Sơn", "Bí thư Đảng ủy Khối Doanh nghiệp")),
    # several offices, dashes inside an organisation's name
    ("Đồng chí Trần Quốc Dũng, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy Điện Biên ghi nhận kết quả.",
     ("Trần Quốc Dũng", "Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy Điện Biên")),
    ("Ông Nguyễn Văn Hải – Trưởng phòng Văn hóa - Thông tin huyện Yên Châu cho biết.",
     ("Nguyễn Văn Hải", "Trưởng phòng Văn hóa - Thông tin huyện Yên Châu")),
    ("Bí thư Tỉnh ủy - Chủ tịch HĐND tỉnh Nguyễn Văn Khải phát biểu.",
     ("Nguyễn Văn Khải", "Bí thư Tỉnh ủy - Chủ tịch HĐND tỉnh")),
    ("Theo Thượng tá Nguyễn Văn Bình, Chính ủy Bộ Chỉ huy Quân sự tỉnh, bộ đội đã giúp dân.",
     ("Nguyễn Văn Bình", "Chính ủy Bộ Chỉ huy Quân sự tỉnh")),
    ("Nguyên Bí thư Huyện ủy Nguyễn Văn Thìn kể lại những năm khó khăn.",
     ("Nguyễn Văn Thìn", "Nguyên Bí thư Huyện ủy")),
])
def test_official_and_role(sentence, expected):
    assert people(sentence) == [expected]


def test_a_comrade_without_a_stated_role_is_listed():
    assert people("Để làm tốt việc này, theo đồng chí Hà Văn Thắng, cần kiểm tra thường xuyên.") == [
        ("Hà Văn Thắng", None)]


def test_repeated_mentions_merge_and_keep_the_fullest_role():
    found = find_people([
        "Bí thư Huyện ủy Đà Bắc Nguyễn Văn Khang dự hội nghị.",
        "Theo Bí thư Nguyễn Văn Khang, cần nhân rộng mô hình.",
        "Đồng chí Bùi Thị Lan, Trưởng ban Tuyên giáo Huyện ủy, cũng phát biểu.",
    ])
    assert [(p.name, p.role) for p in found] == [
        ("Nguyễn Văn Khang", "Bí thư Huyện ủy Đà Bắc"), ("Bùi Thị Lan", "Trưởng ban Tuyên giáo Huyện ủy")]
    assert found[0].evidence == "Bí thư Huyện ủy Đà Bắc Nguyễn Văn Khang"


@pytest.mark.parametrize("paragraphs", [
    ["Bí thư Tỉnh ủy Hà Giang nhấn mạnh yêu cầu nêu gương."],
    ["Hội nghị do Tỉnh ủy Hoàng Su Phì chủ trì.", "Bí thư Huyện ủy Hoàng Su Phì cho biết kết quả."],
    ["Tại Hoàng Su Phì, Bí thư Huyện ủy cho biết kết quả."],
    ["Các tác phẩm của Chủ tịch Hồ Chí Minh và Di chúc của Chủ tịch Hồ Chí Minh được học tập."],
    ["Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; làm theo lời Bác Hồ."],
    ["Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy ký cam kết."],
    ["Ông Lý Văn Sình ở bản Nặm Ún cho biết gia đình đã thoát nghèo."],
    ["Chủ tịch UBND tỉnh Quảng Ngãi đã tặng bằng khen cho 15 tập thể."],
])
def test_places_the_campaign_subject_and_private_citizens_are_not_officials(paragraphs):
    assert people(*paragraphs) == []


GOLD = yaml.safe_load((REPO / "tests/data/gold/people.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(GOLD))
def test_seed_matches_gold(name):
    blocks = [b.strip() for b in normalize((REPO / "seeds" / name).read_text(encoding="utf-8")).split("\n\n")]
    found = find_people([b for b in blocks if b])
    assert [{"name": p.name, "role": p.role} for p in found] == GOLD[name]["people"]
    assert all(p.name in p.evidence for p in found)


@pytest.mark.parametrize("sentence, expected", [
    # the office of a hamlet's or village's party cell keeps the hamlet's name
    ("Ông Huỳnh Văn Bảy, Bí thư Chi bộ ấp Tân Phước, cho biết: chi bộ vận động 20 hộ hiến đất.",
     ("Huỳnh Văn Bảy", "Bí thư Chi bộ ấp Tân Phước")),
    ("Bà Đinh Thị Nụ, Bí thư Chi bộ xóm Bãi Lau, chia sẻ kinh nghiệm dân vận.",
     ("Đinh Thị Nụ", "Bí thư Chi bộ xóm Bãi Lau")),
    ("Ông Thạch Sa Rươl, Trưởng ấp Trà Sết, vận động bà con giữ vệ sinh môi trường.",
     ("Thạch Sa Rươl", "Trưởng ấp Trà Sết")),
])
def test_roles_in_hamlets_and_villages(sentence: str, expected: tuple[str, str]) -> None:
    assert people(sentence) == [expected]


@pytest.mark.parametrize("sentence, expected", [
    ("Theo đồng chí A Pớt, Bí thư Huyện ủy Tu Mơ Rông, huyện giảm 7% hộ nghèo.",
     ("A Pớt", "Bí thư Huyện ủy Tu Mơ Rông")),
    ("Ông K'Lâm, Bí thư Chi bộ thôn 2, cho biết đảng viên đều làm trước.",
     ("K'Lâm", "Bí thư Chi bộ thôn 2")),
    ("Bà Trần Thị Sáu, Tổ trưởng tổ dân phố 5, vận động bà con hiến đất.",
     ("Trần Thị Sáu", "Tổ trưởng tổ dân phố 5")),
])
def test_tay_nguyen_names_and_numbered_villages(sentence: str, expected: tuple[str, str]) -> None:
    assert people(sentence) == [expected]


def test_a_capital_letter_a_alone_is_not_a_name() -> None:
    assert people("Đội A giành giải nhất hội thi; Bí thư Đảng ủy xã trao giải.") == []


def test_role_in_a_special_zone() -> None:
    assert people("Đồng chí Trần Minh Khoa, Bí thư Đảng ủy đặc khu Vân Đồn, cho biết đặc khu đón nhiều khách.") == [
        ("Trần Minh Khoa", "Bí thư Đảng ủy đặc khu Vân Đồn")]


# -- second held-out batch: schools, ranks, army roles ------------------------------------------

def test_a_school_named_after_a_hero_holds_no_official() -> None:
    assert people("Chi bộ Trường THCS Lý Tự Trọng có 18 đảng viên; Chi bộ Trường THPT Nguyễn Huệ có 25 đảng viên.") == []


@pytest.mark.parametrize("sentence, expected", [
    ("Cô Đỗ Thị Lan Anh, Bí thư Chi bộ, Hiệu trưởng nhà trường, cho biết trường có 40 giáo viên.",
     ("Đỗ Thị Lan Anh", "Bí thư Chi bộ, Hiệu trưởng nhà trường")),
    ("Thầy Vũ Minh Đức, Hiệu phó nhà trường, hướng dẫn học sinh.", ("Vũ Minh Đức", "Hiệu phó nhà trường")),
    ("Thiếu tá Lê Quang Hưng, Chính trị viên Ban CHQS huyện Hương Khê, cho biết đơn vị giúp dân 300 ngày công.",
     ("Lê Quang Hưng", "Chính trị viên Ban CHQS huyện Hương Khê")),
    ("Thượng tá Phan Thị Hồng, Phó Giám đốc Công an tỉnh, phát biểu.", ("Phan Thị Hồng", "Phó Giám đốc Công an tỉnh")),
])
def test_teachers_and_officers_named_with_their_title_or_rank(sentence: str, expected: tuple[str, str]) -> None:
    assert people(sentence) == [expected]


def test_a_village_whose_name_ends_in_a_number_keeps_it_in_the_role() -> None:
    assert people("Ông Y Bhin Niê, Bí thư Chi bộ buôn Ea Kmar 2, vận động 30 hộ trồng cà phê.") == [
        ("Y Bhin Niê", "Bí thư Chi bộ buôn Ea Kmar 2")]
