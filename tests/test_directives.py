"""Directive catalogue and number grammar, on sentences about other provinces and on the seeds."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from newsarchive.directives import catalogue, find_directives
from newsarchive.text import normalize

REPO = Path(__file__).resolve().parents[1]


def ids(text: str, title: str = "") -> list[str]:
    refs, _ = find_directives(title, [text])
    return [r.id for r in refs]


def only(text: str):
    refs, local = find_directives("", [text])
    assert len(refs) == 1, refs
    assert local == []
    return refs[0]


# --- catalogue ---------------------------------------------------------------------------------

def test_catalogue_holds_the_campaign_and_the_documents_it_cites():
    known = catalogue()
    facts = {
        "06-CT/TW": ("2006-11-07", "Bộ Chính trị", "X"),
        "03-CT/TW": ("2011-05-14", "Bộ Chính trị", "XI"),
        "05-CT/TW": ("2016-05-15", "Bộ Chính trị", "XII"),
        "01-KL/TW": ("2021-05-18", "Bộ Chính trị", "XIII"),
        "12-NQ/TW": ("2012-01-16", "Ban Chấp hành Trung ương", "XI"),
        "04-NQ/TW": ("2016-10-30", "Ban Chấp hành Trung ương", "XII"),
        "08-QĐi/TW": ("2018-10-25", "Ban Chấp hành Trung ương", "XII"),
    }
    for doc_id, (date, issuer, term) in facts.items():
        d = known[doc_id]
        assert (d.date, d.issuer, d.term) == (date, issuer, term), doc_id
        assert d.title
    assert known["47-QĐ/TW"].date.startswith("2011")
    assert known["101-QĐ/TW"].date.startswith("2012")
    assert (known["12-NQ/TW"].plenum, known["04-NQ/TW"].plenum, known["21-KL/TW"].plenum) == (4, 4, 4)
    assert sorted(i for i, d in known.items() if d.campaign) == ["01-KL/TW", "03-CT/TW", "05-CT/TW", "06-CT/TW"]
    for doc_id, d in known.items():
        assert doc_id == f"{d.number}-{d.code}/TW"


# --- the forms real text uses --------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected, form", [
    ("Huyện ủy Bảo Lâm quán triệt Chỉ thị số 05-CT/TW tới chi bộ.", "05-CT/TW", "Chỉ thị số 05-CT/TW"),
    ("Đảng bộ xã Tân Hiệp tiếp tục thực hiện Chỉ thị 05 trong năm 2023.", "05-CT/TW", "Chỉ thị 05"),
    ("Quán triệt Chỉ thị số 05 của Bộ Chính trị (khóa XII) đến cơ sở.", "05-CT/TW",
     "Chỉ thị số 05 của Bộ Chính trị (khóa XII)"),
    ("Cán bộ phường Trần Phú đăng ký làm theo CT 05 hằng năm.", "05-CT/TW", "CT 05"),
    # the issuer without the kind code: "CT05/TW", "KL 01/TƯ"
    ("Chi bộ khu phố 3 sinh hoạt chuyên đề theo CT05/TW mỗi quý.", "05-CT/TW", "CT05/TW"),
    ("Đảng ủy xã Ia Hrú quán triệt KL 01/TƯ đến đảng viên.", "01-KL/TW", "KL 01/TƯ"),
    ("Thực hiện Chỉ thị số 05/CT-TW, Thành ủy Vinh đã ban hành kế hoạch.", "05-CT/TW", "Chỉ thị số 05/CT-TW"),
    ("Tuyên truyền Chỉ thị số 05-CT/W của Bộ Chính trị tại Kon Tum.", "05-CT/TW", "Chỉ thị số 05-CT/W"),
    ("Sơ kết việc thực hiện Chị thị số 05 ở huyện Tam Nông.", "05-CT/TW", "Chị thị số 05"),
    ("Thực hiện Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị, tỉnh Bình Định...", "01-KL/TW",
     "Kết luận số 01-KL/TW"),
    ("Gắn với thực hiện Nghị quyết Trung ương 4 khóa XII ở Quảng Trị.", "04-NQ/TW",
     "Nghị quyết Trung ương 4 khóa XII"),
    ("Kiểm điểm theo Nghị quyết Trung ương 4 (khóa XI) tại Hà Tĩnh.", "12-NQ/TW",
     "Nghị quyết Trung ương 4 (khóa XI)"),
    ("Đảng viên Cà Mau học NQ TW4 khóa XII.", "04-NQ/TW", "NQ TW4 khóa XII"),
    ("Thực hiện Nghị quyết Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XI.", "12-NQ/TW",
     "Nghị quyết Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XI"),
    ("Quán triệt Kết luận Trung ương 4 khóa XIII ở Bắc Kạn.", "21-KL/TW", "Kết luận Trung ương 4 khóa XIII"),
    ("Cán bộ Tuyên Quang thực hiện Quy định 47-QĐ/TW nghiêm túc.", "47-QĐ/TW", "Quy định 47-QĐ/TW"),
    ("Thực hiện Quy định số 08-QĐi/TW về nêu gương ở Phú Yên.", "08-QĐi/TW", "Quy định số 08-QĐi/TW"),
    ("Thực hiện Quy định 08 về trách nhiệm nêu gương.", "08-QĐi/TW", "Quy định 08"),
    ("THỰC HIỆN CHỈ THỊ SỐ 05-CT/TW Ở LAI CHÂU", "05-CT/TW", "CHỈ THỊ SỐ 05-CT/TW"),
    ("QUY ĐỊNH SỐ 08-QĐI/TW VỀ NÊU GƯƠNG", "08-QĐi/TW", "QUY ĐỊNH SỐ 08-QĐI/TW"),
    ("Mô hình “Quỹ Chỉ thị 05” của huyện Ba Chẽ giúp 20 hộ nghèo.", "05-CT/TW", "Chỉ thị 05"),
    ("Thực hiện Chỉ thị 5 của Bộ Chính trị ở Hòa Bình.", "05-CT/TW", "Chỉ thị 5 của Bộ Chính trị"),
    ("Chỉ thị số 05-CT/TƯ được quán triệt tại Ninh Thuận.", "05-CT/TW", "Chỉ thị số 05-CT/TƯ"),
    ("Thực hiện Chỉ thị 06-CT/TW năm 2006 ở Lạng Sơn.", "06-CT/TW", "Chỉ thị 06-CT/TW"),
])
def test_each_form_resolves_to_its_canonical_id(sentence, expected, form):
    ref = only(normalize(sentence))
    assert ref.id == expected
    assert ref.evidence == [form]
    assert ref.primary
    assert ref.title == catalogue()[expected].title


def test_nfd_input_is_read_like_nfc():
    text = unicodedata.normalize("NFD", "Đảng bộ tỉnh Gia Lai thực hiện Chị thị số 05 và Quy định số 08-QĐi/TW.")
    assert ids(text) == ["05-CT/TW", "08-QĐi/TW"]


def test_one_plenum_of_two_terms_names_both_resolutions():
    assert ids("Gắn với Nghị quyết Trung ương 4 khóa XI, XII ở Sóc Trăng.") == ["12-NQ/TW", "04-NQ/TW"]
    assert ids("Thực hiện Nghị quyết Trung ương 4 (khóa XI và khóa XII).") == ["12-NQ/TW", "04-NQ/TW"]


def test_a_regulation_number_that_lost_its_i_is_read_as_qdi():
    ref = only("Thực hiện Quy định 08-QĐ/TW về trách nhiệm nêu gương ở Cao Bằng.")
    assert (ref.id, ref.evidence) == ("08-QĐi/TW", ["Quy định 08-QĐ/TW"])


def test_a_plenum_without_its_term_takes_the_term_named_elsewhere():
    paragraphs = ["Thực hiện Nghị quyết Trung ương 4 khóa XII ở Đắk Nông.",
                  "Việc thực hiện Nghị quyết Trung ương 4 được kiểm điểm hằng năm."]
    refs, _ = find_directives("", paragraphs)
    assert [(r.id, r.mentions) for r in refs] == [("04-NQ/TW", 2)]
    assert refs[0].evidence == ["Nghị quyết Trung ương 4 khóa XII", "Nghị quyết Trung ương 4"]
    assert ids("Kiểm điểm theo Nghị quyết Trung ương 4 ở Đắk Nông.") == []


# --- local documents and things that are not documents -------------------------------------------

def test_local_documents_are_never_directives():
    text = ("Tỉnh ủy Thái Bình ban hành Chương trình hành động số 12-CTr/TU, Huyện ủy Kiến Xương có "
            "Kế hoạch số 72-KH/HU, Đảng ủy xã có Nghị quyết số 15-NQ/ĐU và Tỉnh đoàn có Kế hoạch "
            "số 123-KH/TĐTN-BTG để thực hiện Chỉ thị số 05-CT/TW.")
    refs, local = find_directives("", [text])
    assert [r.id for r in refs] == ["05-CT/TW"]
    assert [(d.id, d.evidence) for d in local] == [
        ("12-CTr/TU", "Chương trình hành động số 12-CTr/TU"),
        ("72-KH/HU", "Kế hoạch số 72-KH/HU"),
        ("15-NQ/ĐU", "Nghị quyết số 15-NQ/ĐU"),
        ("123-KH/TĐTN-BTG", "Kế hoạch số 123-KH/TĐTN-BTG"),
    ]


@pytest.mark.parametrize("sentence", [
    "Thực hiện Chỉ thị 05 của Ban Thường vụ Tỉnh ủy Nghệ An về cải cách hành chính.",
    "Thủ tướng ban hành Chỉ thị số 05/CT-TTg về chấn chỉnh kỷ luật.",
    "HĐND tỉnh Long An thông qua Nghị quyết số 12/2021/NQ-HĐND.",
    "Chiều 12/5, Đại hội nhiệm kỳ 2020 - 2025 hoàn thành 30/30 chỉ tiêu, 12/15 bản.",
    "Ban chỉ đạo giao 15 chỉ tiêu cho xã, quy định 3 mức thưởng.",
    "Chỉ thị 42 được Huyện ủy nhắc lại.",
    "ct 05 hằng năm",
])
def test_not_a_central_directive(sentence):
    refs, local = find_directives("", [normalize(sentence)])
    assert refs == []
    assert local == []


def test_unknown_central_numbers_keep_their_id_and_are_flagged():
    refs, _ = find_directives("", ["Thực hiện Chỉ thị số 99-CT/TW và Chỉ thị số 42 của Ban Bí thư tại Sóc Trăng."])
    assert [r.id for r in refs] == ["99-CT/TW", "42-CT/TW"]
    assert all(r.title == "" and "không có trong danh mục" in r.reason for r in refs)
    assert refs[1].evidence == ["Chỉ thị số 42 của Ban Bí thư"]


# --- primary --------------------------------------------------------------------------------------

def test_exactly_one_primary_and_order_of_first_appearance():
    paragraphs = ["Tỉnh ủy Lạng Sơn gắn Quy định 101-QĐ/TW với Chỉ thị 05.",
                  "Kết quả thực hiện Chỉ thị số 05-CT/TW được đánh giá cao; Quy định 101-QĐ/TW được quán triệt.",
                  "Qua 5 năm, Chỉ thị 05 đi vào chiều sâu."]
    refs, _ = find_directives("", paragraphs)
    assert [r.id for r in refs] == ["101-QĐ/TW", "05-CT/TW"]
    assert [r.mentions for r in refs] == [2, 3]
    assert refs[1].evidence == ["Chỉ thị 05", "Chỉ thị số 05-CT/TW"]
    assert sum(r.primary for r in refs) == 1
    assert refs[1].primary and "nhắc nhiều nhất (3 lần)" in refs[1].reason
    assert "05-CT/TW" in refs[0].reason


def test_the_title_decides_first():
    refs, _ = find_directives("Bến Tre sơ kết Quy định 08-QĐi/TW",
                              ["Gắn với Chỉ thị 05, Chỉ thị 05 và Chỉ thị 05, tỉnh thực hiện Quy định 08."])
    primary = next(r for r in refs if r.primary)
    assert primary.id == "08-QĐi/TW"
    assert "tiêu đề" in primary.reason


def test_the_document_an_event_reviews_is_primary():
    paragraphs = [
        ("Tỉnh ủy Hải Dương tổ chức Hội nghị tổng kết 3 năm thực hiện Kết luận số 01-KL/TW của Bộ Chính trị "
         "về tiếp tục thực hiện Chỉ thị số 05-CT/TW về đẩy mạnh học tập và làm theo Bác."),
        "Việc thực hiện Chỉ thị 05 gắn với nhiệm vụ chính trị; Chỉ thị 05 đi vào cuộc sống.",
    ]
    refs, _ = find_directives("", paragraphs)
    by_id = {r.id: r for r in refs}
    assert by_id["05-CT/TW"].mentions == 3 > by_id["01-KL/TW"].mentions
    assert by_id["01-KL/TW"].primary and not by_id["05-CT/TW"].primary
    assert "tổng kết 3 năm thực hiện Kết luận số 01-KL/TW" in by_id["01-KL/TW"].reason


def test_campaign_documents_outrank_more_frequent_others_and_ties_go_to_the_first():
    refs, _ = find_directives("", ["Quy định 101-QĐ/TW, Quy định 101-QĐ/TW, Quy định 101-QĐ/TW và Chỉ thị 03 ở Yên Bái."])
    assert next(r for r in refs if r.primary).id == "03-CT/TW"
    refs, _ = find_directives("", ["Gắn Chỉ thị 03 với Chỉ thị 05, rồi Chỉ thị 05 với Chỉ thị 03 ở Quảng Nam."])
    primary = next(r for r in refs if r.primary)
    assert primary.id == "03-CT/TW" and "nêu trước" in primary.reason
    refs, _ = find_directives("", ["Quy định 47-QĐ/TW, Quy định 101-QĐ/TW và Quy định 101-QĐ/TW."])
    assert next(r for r in refs if r.primary).id == "101-QĐ/TW"


# --- seeds against the hand-made gold ------------------------------------------------------------

GOLD = yaml.safe_load((REPO / "tests/data/gold/directives.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(GOLD))
def test_seed_matches_gold(name):
    blocks = [b.strip() for b in normalize((REPO / "seeds" / name).read_text(encoding="utf-8")).split("\n\n")]
    refs, local = find_directives("", [b for b in blocks if b])
    gold = GOLD[name]
    assert [r.id for r in refs] == gold["directives"]
    assert [r.id for r in refs if r.primary] == [gold["primary"]]
    assert [d.id for d in local] == gold["local_documents"]


def test_central_departments_guidance_is_neither_directive_nor_local():
    refs, local = find_directives("", ["Thực hiện Hướng dẫn số 125-HD/BTGTW của Ban Tuyên giáo Trung ương."])
    assert (refs, local) == ([], [])


# --- held-out forms ------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("Huyện ủy thực hiện Chỉ thị số 05 - CT/TW gắn với phát triển chăn nuôi.", ["05-CT/TW"]),
    ("Các chi bộ học tập Nghị quyết TW4 khóa XII về xây dựng, chỉnh đốn Đảng.", ["04-NQ/TW"]),
    ("Gắn với Nghị quyết Trung ương 4 (khóa XI, XII) và Chỉ thị 05-CT/TW.", ["12-NQ/TW", "04-NQ/TW", "05-CT/TW"]),
    ("Thị ủy gắn Chỉ thị số 05/CT-TW với Quy định 144-QĐ/TW về chuẩn mực đạo đức cách mạng.",
     ["05-CT/TW", "144-QĐ/TW"]),
    ("Đảng ủy phường sơ kết 4 năm thực hiện Kết luận 01 của Bộ Chính trị về tiếp tục thực hiện Chỉ thị 05.",
     ["01-KL/TW", "05-CT/TW"]),
    ("Thực hiện Chỉ thị 06-CT/TW ngày 07/11/2006 của Bộ Chính trị về Cuộc vận động.", ["06-CT/TW"]),
    ("Đảng ủy thực hiện nghiêm Quy định số 37-QĐ/TW về những điều đảng viên không được làm.", ["37-QĐ/TW"]),
])
def test_held_out_forms(sentence, expected):
    assert ids(normalize(sentence)) == expected


def test_a_communes_own_resolution_numbered_05_is_local():
    refs, local = find_directives("", [normalize(
        "Thực hiện Chỉ thị 05/CT-TW, Đảng ủy xã ban hành Nghị quyết số 05-NQ/ĐU và Kế hoạch số 15-KH/ĐU.")])
    assert [r.id for r in refs] == ["05-CT/TW"]
    assert [d.id for d in local] == ["05-NQ/ĐU", "15-KH/ĐU"]


def test_a_plenum_resolution_in_the_title_is_primary():
    refs, _ = find_directives("Đảng bộ xã Tân Lập: Hiệu quả từ thực hiện Nghị quyết Trung ương 4", [normalize(
        "Đảng ủy xã thực hiện Nghị quyết Trung ương 4 khóa XII gắn với Chỉ thị 05 của Bộ Chính trị.")])
    assert [r.id for r in refs if r.primary] == ["04-NQ/TW"]


def test_an_abbreviation_with_the_provincial_committee_as_issuer_is_not_central():
    refs, _ = find_directives("", [normalize("Thực hiện CT05/TU của Tỉnh ủy, các chi bộ đăng ký việc làm theo Bác.")])
    assert refs == []
