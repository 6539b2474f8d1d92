import unicodedata

from newsarchive.text import fold, normalize, normalize_name, sentences, slugify


def test_normalize_makes_nfd_and_old_tone_placement_comparable():
    nfd = unicodedata.normalize("NFD", "Tỉnh uỷ Hoà Bình")
    assert "ủy" not in nfd
    assert normalize(nfd) == "Tỉnh ủy Hòa Bình"


def test_normalize_keeps_words_that_only_look_old_style():
    assert normalize("kế hoạch quý Huỳnh") == "kế hoạch quý Huỳnh"


def test_normalize_turns_odd_spaces_into_plain_ones_and_drops_zero_width():
    assert normalize("Sơn\u00a0La\u200b") == "Sơn La"


def test_normalize_name_collapses_double_spaces():
    assert normalize_name("  Huyện  Mù Căng Chải ") == "Huyện Mù Căng Chải"


def test_fold_removes_marks_and_d_stroke():
    assert fold("Đồng Tháp") == "dong thap"
    assert fold("làm theo Bác") == "lam theo bac"
    assert fold("Ủy ban") == fold("Uỷ ban") == "uy ban"


def test_slugify_is_ascii_and_never_empty():
    assert slugify("Chỉ thị số 05-CT/TW") == "chi-thi-so-05-ct-tw"
    assert slugify("Đồng Tháp") == "dong-thap"
    assert slugify("!!!") == "bai-viet"
    assert len(slugify("Bài " * 100)) <= 80


def test_sentences_split_on_final_punctuation_before_a_capital():
    text = "Năm 2023, xã đạt 19/19 tiêu chí. Tỷ lệ hộ nghèo còn 2,1%. Đó là 5.000 người."
    assert sentences(text) == ["Năm 2023, xã đạt 19/19 tiêu chí.", "Tỷ lệ hộ nghèo còn 2,1%.", "Đó là 5.000 người."]
