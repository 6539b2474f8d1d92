"""Place extraction: anchored names, ambiguity, eras, and the five seeds against the gold."""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import pytest
import yaml

from newsarchive import text
from newsarchive.gazetteer import gazetteer
from newsarchive.places import Places, find_places

REPO = Path(__file__).resolve().parents[1]


def places(title: str, *paragraphs: str, section: str | None = None, published: str | None = None) -> Places:
    return find_places(title, section, [text.normalize(p) for p in paragraphs], published)


# -- anchors and non-places ------------------------------------------------------------------

def test_person_ho_chi_minh_is_not_the_city() -> None:
    found = places("Học tập và làm theo Bác",
                   "Cán bộ học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
                   "Nhân kỷ niệm Ngày sinh Chủ tịch Hồ Chí Minh, Đảng bộ tổ chức hội thi.")
    assert found.province is None
    assert found.localities == []


def test_the_city_ho_chi_minh_when_anchored() -> None:
    found = places("Học tập và làm theo Bác",
                   "Thành ủy Thành phố Hồ Chí Minh chỉ đạo học tập tư tưởng Hồ Chí Minh.",
                   "Tại TP. Hồ Chí Minh, nhiều mô hình hay được nhân rộng.")
    assert found.province == "Hồ Chí Minh"
    assert found.province_current == "Hồ Chí Minh"
    assert found.province_evidence == "Thành phố Hồ Chí Minh"


def test_the_abbreviation_tp_hcm() -> None:
    found = places("Thành ủy TP.HCM biểu dương điển hình", "Các quận, huyện của TP.HCM đăng ký làm theo Bác.")
    assert (found.province, found.province_evidence) == ("Hồ Chí Minh", "TP.HCM")


def test_weekdays_holidays_and_officials_are_not_places() -> None:
    found = places("Thứ Ba, ngày 2/9",
                   "Sáng Thứ Ba, nhân dịp Quốc Khánh, Chủ tịch UBND tỉnh Hoàng Quốc Khánh dự lễ.",
                   "Khối các cơ quan tỉnh và các huyện đã triển khai; huyện đã hoàn thành kế hoạch.",
                   "Văn bản Kế hoạch số 12 được ban hành; nông thôn Mới là phong trào.")
    assert found.province is None
    assert found.district is None
    assert found.localities == []


# -- ambiguous names --------------------------------------------------------------------------

def test_chau_thanh_without_a_province_gives_no_province() -> None:
    found = places("Huyện ủy Châu Thành học tập và làm theo Bác",
                   "Ban Thường vụ Huyện ủy Châu Thành đã ban hành kế hoạch.",
                   "Các chi bộ của huyện Châu Thành đăng ký làm theo.")
    assert found.province is None
    assert found.province_current is None
    assert found.district == "Châu Thành"
    assert [loc.code for loc in found.localities] == [None]


def test_chau_thanh_with_its_province() -> None:
    found = places("Châu Thành làm theo Bác",
                   "Huyện ủy Châu Thành, tỉnh Bến Tre đã ban hành kế hoạch.",
                   "Đảng bộ huyện Châu Thành có 40 tổ chức cơ sở đảng.")
    assert found.province == "Bến Tre"
    assert found.province_current == "Vĩnh Long"
    assert found.district == "Châu Thành"
    district = next(loc for loc in found.localities if loc.level == "district")
    assert district.code == gazetteer().districts_named("Châu Thành", "83")[0].code
    assert district.province == "Bến Tre"
    assert district.mentions == 2


def test_ky_anh_town_and_district_are_told_apart() -> None:
    town = places("Thị xã Kỳ Anh học và làm theo Bác",
                  "Thị ủy Kỳ Anh chỉ đạo các phường đăng ký làm theo.",
                  "Tỉnh Hà Tĩnh biểu dương thị xã Kỳ Anh.", section="THỊ XÃ KỲ ANH")
    district = places("Kỳ Anh làm theo Bác", "Huyện ủy Kỳ Anh chỉ đạo các xã đăng ký làm theo.",
                      "Ban Thường vụ Huyện ủy Kỳ Anh kiểm tra huyện Kỳ Anh.")
    assert town.province == district.province == "Hà Tĩnh"
    assert town.district == district.district == "Kỳ Anh"
    codes = {found.localities[-1].kind: found.localities[-1].code for found in (town, district)}
    assert codes == {"thị xã": "449", "huyện": "447"}


def test_cao_lanh_after_huyen_uy_is_the_district_not_the_city() -> None:
    found = places("Cao Lãnh (Đồng Tháp): làm theo Bác", "Huyện ủy Cao Lãnh chỉ đạo xây dựng mô hình.")
    assert found.district == "Cao Lãnh"
    assert {loc.kind for loc in found.localities if loc.level == "district"} == {"huyện"}


def test_a_unique_district_implies_its_province_despite_a_passing_mention() -> None:
    found = places("Bảo Yên học tập và làm theo Bác",
                   "Huyện ủy Bảo Yên tổ chức hội nghị; huyện Bảo Yên có 17 xã.",
                   "Đoàn công tác của tỉnh Yên Bái đến thăm Đảng bộ huyện Bảo Yên.")
    assert found.province == "Lào Cai"
    assert found.district == "Bảo Yên"


def test_two_provinces_named_equally_give_none() -> None:
    found = places("Hai tỉnh ký kết hợp tác", "Tỉnh ủy Bến Tre và Tỉnh ủy Trà Vinh ký kết chương trình phối hợp.")
    assert found.province is None
    found = places("Hai tỉnh ký kết hợp tác", "Tỉnh ủy Bến Tre, Tỉnh ủy Trà Vinh và tỉnh Bến Tre.")
    assert found.province is None  # 2 against 1 is not enough to file it


def test_title_leading_district_name() -> None:
    found = places("Văn Chấn: Làm theo Bác bằng việc làm cụ thể", "Huyện ủy chỉ đạo các chi bộ đăng ký làm theo.")
    assert (found.province, found.district, found.district_evidence) == ("Yên Bái", "Văn Chấn", "Văn Chấn")


# -- titles, headers, chains ------------------------------------------------------------------

def test_title_province_and_province_level_article_has_no_district() -> None:
    found = places("Quảng Nam: Lan tỏa việc học và làm theo Bác",
                   "Tỉnh ủy Quảng Nam tổ chức hội nghị sơ kết.",
                   "Ban Thường vụ Tỉnh ủy biểu dương Đảng bộ huyện Nam Giang và thị xã Điện Bàn.",
                   "Mô hình của xã Tam Thanh, thành phố Tam Kỳ được nhân rộng.")
    assert (found.province, found.province_current, found.district) == ("Quảng Nam", "Đà Nẵng", None)
    assert found.province_evidence == "Quảng Nam"
    commune = next(loc for loc in found.localities if loc.level == "commune")
    assert (commune.name, commune.district, commune.province) == ("Tam Thanh", "Tam Kỳ", "Quảng Nam")


def test_upper_case_section_header_names_the_district() -> None:
    found = places("Nhiều mô hình hay", "Các chi bộ đã đăng ký làm theo.", section="HUYỆN MƯỜNG KHƯƠNG")
    assert (found.province, found.district, found.district_evidence) == \
        ("Lào Cai", "Mường Khương", "HUYỆN MƯỜNG KHƯƠNG")


def test_dateline_names_the_province() -> None:
    found = places("Nhân rộng gương điển hình", "SÓC TRĂNG - Sáng 12/5, Ban Thường vụ Tỉnh ủy tổ chức hội nghị.")
    assert (found.province, found.province_evidence) == ("Sóc Trăng", "SÓC TRĂNG")
    tagged = find_places("Nhân rộng gương điển hình", None, ["Sáng 12/5, hội nghị được tổ chức."],
                         source_tag="Hậu Giang")
    assert (tagged.province, tagged.province_current) == ("Hậu Giang", "Cần Thơ")
    outlet = places("Nhân rộng gương điển hình", "ĐTO - Sáng 12/5, hội nghị được tổ chức.")
    assert outlet.province is None


def test_common_spelling_finds_the_official_name() -> None:
    found = places("Học tập ở vùng cao", "Huyện ủy Mù Cang Chải chỉ đạo các xã; huyện Mù Cang Chải có 14 xã.")
    assert found.district == "Mù Căng Chải"
    assert found.district_evidence == "Huyện ủy Mù Cang Chải"


def test_nfd_input_is_normalized() -> None:
    nfd = unicodedata.normalize("NFD", "Huyện uỷ Bắc Hà tổ chức hội nghị. Huyện ủy Bắc Hà khen thưởng.")
    assert "ủy" not in nfd
    found = find_places("Bắc Hà làm theo Bác", None, [nfd])
    assert (found.province, found.district) == ("Lào Cai", "Bắc Hà")


def test_chain_resolves_a_commune_name_shared_by_many() -> None:
    # Long An alone has two xã Tân Lập (in Mộc Hóa and in Tân Thạnh)
    found = places("Xã Tân Lập học Bác",
                   "Đảng ủy xã Tân Lập, huyện Tân Thạnh, tỉnh Long An đã xây dựng mô hình mới.")
    [commune] = [loc for loc in found.localities if loc.level == "commune"]
    assert (commune.name, commune.district, commune.province, commune.code) == \
        ("Tân Lập", "Tân Thạnh", "Long An", "27838")
    assert commune.mentions == 2  # the title's bare "Xã Tân Lập" takes the chain's reading
    assert found.province == "Long An"
    assert found.commune == "Tân Lập"  # named in the title


def test_commune_without_its_district_stays_unresolved() -> None:
    found = places("Làm theo Bác", "Đảng ủy xã Tân Lập, tỉnh Long An đã xây dựng mô hình mới.")
    [commune] = [loc for loc in found.localities if loc.level == "commune"]
    assert (commune.code, commune.district) == (None, None)


def test_village_keeps_its_chain() -> None:
    found = places("Thôn làm theo Bác", "Chi bộ thôn Nà Lừa, xã Mai Sơn, huyện Lục Yên góp 12 ngày công.")
    village = next(loc for loc in found.localities if loc.level == "village")
    assert (village.name, village.code, village.kind, village.district) == ("Nà Lừa", None, "thôn", "Lục Yên")


# -- the 2025 reorganization -------------------------------------------------------------------

def test_post_2025_commune_directly_under_a_province() -> None:
    found = places("Xã Mù Cang Chải làm theo Bác",
                   "Đảng ủy xã Mù Cang Chải, tỉnh Lào Cai tổ chức hội nghị học tập chuyên đề năm 2025.",
                   "Xã Mù Cang Chải có 12 thôn, bản.")
    assert found.era == "new"
    assert (found.province, found.province_current, found.district) == ("Lào Cai", "Lào Cai", None)
    assert found.commune == "Mù Cang Chải"
    commune = next(loc for loc in found.localities if loc.level == "commune")
    assert commune.province == "Lào Cai" and commune.district is None


def test_a_name_that_contains_an_anchor_word_is_one_place() -> None:
    found = places("Xã Bản Xèo học Bác", "Đảng ủy xã Bản Xèo, tỉnh Lào Cai tổ chức hội nghị.",
                   "Xã Bản Xèo có 14 thôn.")
    assert [(loc.level, loc.name) for loc in found.localities] == [("province", "Lào Cai"), ("commune", "Bản Xèo")]
    assert found.era == "new"  # a commune written directly under its province
    assert (found.province, found.commune) == ("Lào Cai", "Bản Xèo")


def test_published_after_july_2025_uses_the_new_provinces() -> None:
    found = places("Tỉnh ủy Yên Bái (cũ) tổng kết", "Tỉnh ủy Yên Bái trước đây đã có nhiều mô hình.",
                   published="2025-08-14T09:00:00+07:00")
    assert (found.province, found.province_current, found.province_code) == ("Lào Cai", "Lào Cai", "15")


def test_published_before_july_2025_keeps_the_old_province() -> None:
    found = places("Tỉnh ủy Yên Bái tổng kết", "Tỉnh ủy Yên Bái đã có nhiều mô hình.", published="2024-12-01")
    assert (found.province, found.province_current, found.era) == ("Yên Bái", "Lào Cai", "old")


# -- the seeds ----------------------------------------------------------------------------------

# Where each seed's title (and upper-case section header) sits among its blank-line blocks;
# the real cleaner is another module's job.
SEED_LAYOUT = {"000": (0, None), "001": (2, None), "002": (1, 0), "003": (0, None), "004": (0, None)}
GOLD = yaml.safe_load((REPO / "tests/data/gold/places.yaml").read_text(encoding="utf-8"))


def seed_places(name: str) -> Places:
    raw = (REPO / "seeds" / name).read_text(encoding="utf-8")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", raw) if b.strip()]
    title_at, section_at = SEED_LAYOUT[name[:3]]
    body = [text.normalize(b) for i, b in enumerate(blocks) if i not in (title_at, section_at)]
    return find_places(blocks[title_at], blocks[section_at] if section_at is not None else None, body)


@pytest.mark.parametrize("name", sorted(GOLD))
def test_seed_matches_gold(name: str) -> None:
    found = seed_places(name)
    got = {key: getattr(found, key) for key in ("province", "province_current", "district", "commune")}
    assert got == GOLD[name]


def test_seed_evidence_and_localities() -> None:
    yen_binh = seed_places("000_cf316e005009eefc.txt")
    assert yen_binh.province_evidence == "huyện Yên Bình"
    assert [(loc.level, loc.name) for loc in yen_binh.localities] == \
        [("district", "Yên Bình"), ("commune", "Mông Sơn"), ("village", "Làng Mới")]
    cao_lanh = seed_places("002_8a1db5ec53ba8223.txt")
    assert cao_lanh.district_evidence == "HUYỆN CAO LÃNH"
    assert cao_lanh.localities[0].code == "873"  # the district, not Cao Lãnh city (866)
    son_la = seed_places("004_451a73f3093e629b.txt")
    assert [loc.name for loc in son_la.localities if loc.level == "district"] == ["Mai Sơn", "Mường La", "Quỳnh Nhai"]


def test_extraction_is_fast_and_deterministic() -> None:
    gazetteer()
    start = time.perf_counter()
    first = [seed_places(name) for name in sorted(GOLD)]
    elapsed = time.perf_counter() - start
    assert elapsed / len(first) < 0.1
    assert first == [seed_places(name) for name in sorted(GOLD)]


# -- held-out lessons: communes that file their district, titles with punctuation, eras --------

def test_a_unique_commune_alone_files_its_district_and_province() -> None:
    found = places("Đảng bộ xã Pà Cò: Làm theo Bác từ việc nhỏ",
                   "Đảng ủy xã Pà Cò đã giúp đồng bào Mông phát triển du lịch cộng đồng.",
                   "Xã Pà Cò có 9 xóm, phần lớn là đồng bào Mông.", published="2023-09-02")
    assert (found.province, found.province_current) == ("Hòa Bình", "Phú Thọ")
    assert (found.district, found.commune) == ("Mai Châu", "Pà Cò")


def test_an_ambiguous_commune_alone_files_no_district_nor_province() -> None:
    found = places("Đảng bộ xã Tân Lập: Hiệu quả từ Nghị quyết Trung ương 4",
                   "Đảng ủy xã Tân Lập lãnh đạo thực hiện Nghị quyết Trung ương 4 khóa XII.",
                   "Bí thư Đảng ủy xã Tân Lập cho biết các chi bộ đã tự soi, tự sửa.",
                   published="2023-10-13")
    assert (found.province, found.district) == (None, None)
    assert found.commune == "Tân Lập"


def test_commune_named_in_a_title_before_a_colon_is_the_main_commune() -> None:
    found = places("Long Hựu Tây: Hiệu quả từ kế hoạch của Đảng ủy xã",
                   "Đảng ủy xã Long Hựu Tây, huyện Cần Đước, tỉnh Long An ban hành kế hoạch.",
                   "Huyện ủy Cần Đước đánh giá cao cách làm của xã.", published="2023-10-11")
    assert (found.province, found.district, found.commune) == ("Long An", "Cần Đước", "Long Hựu Tây")


def test_district_named_like_a_province_is_the_district() -> None:
    found = places("Quảng Ninh (Quảng Bình): Nhiều cách làm hay",
                   "Huyện ủy Quảng Ninh gắn học tập và làm theo Bác với Quy định 101-QĐ/TW.",
                   published="2021-07-07")
    assert (found.province, found.province_current, found.district) == ("Quảng Bình", "Quảng Trị", "Quảng Ninh")


def test_post_2025_commune_named_like_an_old_district() -> None:
    found = places("Xã Mai Châu đưa học tập và làm theo Bác vào nếp sinh hoạt",
                   "Đảng ủy xã Mai Châu, tỉnh Phú Thọ xác định thực hiện Chỉ thị 05 là nhiệm vụ trọng tâm.",
                   published="2025-08-18T10:15:00+07:00")
    assert (found.province, found.district, found.commune) == ("Phú Thọ", None, "Mai Châu")


def test_undated_text_calling_an_ended_province_former_is_post_2025() -> None:
    found = places("Đảng bộ xã làm theo Bác",
                   "Xã Nam Sách, thành phố Hải Phòng được thành lập trên cơ sở thị trấn Nam Sách và một số "
                   "xã của huyện Nam Sách (tỉnh Hải Dương cũ).",
                   "Đảng ủy xã Nam Sách đã thực hiện tốt Chỉ thị 05.")
    assert found.era == "new"
    assert found.province in ("Hải Phòng", None)  # never the former Hải Dương


def test_undated_two_level_government_at_work_is_post_2025_but_announced_is_not() -> None:
    working = places("Làm theo Bác", "Sau khi vận hành chính quyền địa phương hai cấp, Đảng ủy xã Mai Châu, "
                     "tỉnh Phú Thọ ban hành kế hoạch.")
    assert working.era == "new" and working.province == "Phú Thọ"
    announced = places("Làm theo Bác", "Huyện ủy Yên Bình chuẩn bị các điều kiện để vận hành chính quyền "
                       "địa phương hai cấp.", "Huyện Yên Bình có nhiều mô hình hay.")
    assert announced.era == "old" and announced.province == "Yên Bái"


def test_a_commune_called_former_before_2025_does_not_change_the_era() -> None:
    found = places("Làm theo Bác", "Xã Phú Hưng (cũ) nay sáp nhập vào xã Hòa Phú, huyện Yên Bình.")
    assert found.era == "old"


def test_an_undated_commune_under_a_new_province_beside_its_former_district_is_post_2025() -> None:
    found = places("Xã Quỳnh Nhai: Đảng viên bám bản",
                   "Sau sắp xếp, xã Quỳnh Nhai, tỉnh Sơn La được thành lập từ các xã của huyện Quỳnh Nhai cũ.",
                   "Đảng ủy xã Quỳnh Nhai đưa Chỉ thị 05 vào sinh hoạt chi bộ.")
    assert (found.era, found.province, found.district, found.commune) == ("new", "Sơn La", None, "Quỳnh Nhai")


def test_a_district_at_work_keeps_an_undated_article_before_2025_despite_a_former_one() -> None:
    found = places("Huyện Mai Sơn làm theo Bác",
                   "Huyện ủy Mai Sơn tiếp nhận một số xã của huyện Yên Châu cũ.",
                   "Huyện Mai Sơn có nhiều mô hình hay.")
    assert (found.era, found.province, found.district) == ("old", "Sơn La", "Mai Sơn")


def test_a_shared_district_name_is_settled_by_a_commune_only_one_of_them_holds() -> None:
    found = places("Bảo Lâm: Chi bộ gương mẫu, dân tin theo",
                   "Huyện ủy Bảo Lâm chỉ đạo các chi bộ thôn gắn việc học Bác với phát triển cây chè.",
                   "Tại xã Lộc Bắc, chi bộ vận động 45 hộ tái canh cà phê.", published="2023-11-14")
    assert (found.province, found.district) == ("Lâm Đồng", "Bảo Lâm")


def test_a_shared_district_name_alone_stays_unfiled() -> None:
    found = places("Bảo Lâm: Chi bộ gương mẫu", "Huyện ủy Bảo Lâm chỉ đạo các chi bộ thôn.",
                   published="2023-11-14")
    assert (found.province, found.district) == (None, "Bảo Lâm")


# -- second held-out batch -------------------------------------------------------------------

def test_a_province_marked_new_places_an_undated_article_after_the_reorganization() -> None:
    found = places("Xã Cái Nhum (sau sáp nhập) chăm lo chi bộ ấp",
                   "Xã Cái Nhum thuộc tỉnh Vĩnh Long (mới) có 31 chi bộ ấp.",
                   "Đảng ủy xã Cái Nhum đã chọn chủ đề năm là gần dân.")
    assert (found.province, found.province_current, found.district, found.commune, found.era) == (
        "Vĩnh Long", "Vĩnh Long", None, "Cái Nhum", "new")


def test_thuoc_links_a_commune_to_its_province() -> None:
    found = places("Phường Quy Nhơn Nam học Bác", "Sau sắp xếp, phường Quy Nhơn Nam thuộc tỉnh Gia Lai.",
                   "Đảng ủy phường Quy Nhơn Nam đã ban hành kế hoạch.")
    assert (found.province, found.commune, found.era) == ("Gia Lai", "Quy Nhơn Nam", "new")


def test_places_in_a_numbered_list_of_awards_are_not_the_subject() -> None:
    found = places("Tuyên dương tập thể làm theo Bác",
                   "Chiều 18/1, Tỉnh ủy Ninh Thuận tổng kết thực hiện Chỉ thị 05-CT/TW.",
                   "1. Đảng bộ xã Phước Hà, huyện Thuận Nam;",
                   "2. Chi bộ thôn Tân Hội, xã Nhơn Sơn, huyện Ninh Sơn;",
                   "3. Đảng bộ xã Lâm Sơn, huyện Ninh Sơn;",
                   "4. Chi bộ khu phố 2, phường Đô Vinh, thành phố Phan Rang - Tháp Chàm.")
    assert (found.province, found.district, found.commune) == ("Ninh Thuận", None, None)


def test_a_ward_whose_name_the_era_knows_only_as_a_commune_gives_no_province() -> None:
    # Undated: "phường Hội An" is not the old "xã Hội An" of Chợ Mới (An Giang); no confident filing.
    found = places("Phường Hội An học Bác", "Đảng ủy phường Hội An tổ chức hội nghị chuyên đề.")
    assert (found.province, found.district, found.commune) == (None, None, "Hội An")
    found = places("Xã Hội An học Bác", "Đảng ủy xã Hội An, huyện Chợ Mới tổ chức hội nghị.")
    assert (found.province, found.district) == ("An Giang", "Chợ Mới")
