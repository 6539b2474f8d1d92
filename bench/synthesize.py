"""Write a synthetic archive in the articles/ format: many provinces, directives and years.

    python bench/synthesize.py OUT [--count 500] [--seed 1]

OUT gets `articles/*.md`, the raw texts they claim to come from (`seeds/*.txt`) and a `site.yaml`
that builds them with this repository's templates and static files. The same seed always gives
byte-identical files, so benchmarks and browser tests see the same archive every run.
Names of districts and communes are made up from common syllables; provinces and the 2025
mapping are the real ones from data/regions.yaml.
"""

from __future__ import annotations

import argparse
import random
from importlib import resources
from pathlib import Path

import yaml

from newsarchive.article_file import format_article
from newsarchive.records import DirectiveRef, Locality, Metric, Period, Person, Record
from newsarchive.text import slugify

REPO = Path(__file__).resolve().parents[1]

# The campaign's central documents and the years in which articles usually cite each.
DIRECTIVES = (
    ("06-CT/TW", 2007, 2011, "Về tổ chức cuộc vận động \"Học tập và làm theo tấm gương đạo đức Hồ Chí Minh\""),
    ("03-CT/TW", 2011, 2016, "Về tiếp tục đẩy mạnh việc học tập và làm theo tấm gương đạo đức Hồ Chí Minh"),
    ("05-CT/TW", 2016, 2025, "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("01-KL/TW", 2021, 2025, "Về tiếp tục thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị khóa XII"),
)
SECONDARY = ("04-NQ/TW", "12-NQ/TW", "47-QĐ/TW")
SYLLABLES = ("An", "Bình", "Hòa", "Phú", "Tân", "Yên", "Thạch", "Long", "Minh", "Hưng", "Đức", "Thanh",
             "Sơn", "Hải", "Quang", "Vĩnh", "Lạc", "Xuân", "Trung", "Đông", "Tây", "Nam", "Mỹ", "Kim")
UNITS = (
    ("mô hình", "mô hình", 20, 900), ("tỷ đồng", "đồng", 1, 90), ("%", "%", 50, 100),
    ("đảng viên", "đảng viên", 30, 4000), ("gương điển hình", "gương điển hình", 5, 300),
    ("chỉ tiêu", "chỉ tiêu", 10, 40), ("công trình", "công trình", 3, 150),
)
QUALIFIERS = (None, None, "trên", "hơn", "gần")
OPENINGS = (
    "Thời gian qua, {unit_name} đã đẩy mạnh việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
    "Thực hiện {directive}, cấp ủy các cấp ở {place} đã cụ thể hóa nội dung học tập thành việc làm thiết thực.",
    "Việc học và làm theo Bác ở {place} đã trở thành nền nếp trong sinh hoạt của các chi bộ.",
)
MIDDLES = (
    "Các chi bộ đưa nội dung học tập vào sinh hoạt chuyên đề định kỳ, gắn với nhiệm vụ chính trị của địa phương.",
    "Nhiều cán bộ, đảng viên xây dựng kế hoạch cá nhân, lấy kết quả làm căn cứ đánh giá cuối năm.",
    "Công tác tuyên truyền được đa dạng hóa qua hệ thống loa truyền thanh, mạng xã hội và các hội thi.",
    "Người đứng đầu cấp ủy, chính quyền nêu gương trong lời nói và việc làm, tạo sức lan tỏa trong nhân dân.",
    "Phong trào thi đua yêu nước gắn với xây dựng nông thôn mới được nhân dân đồng tình hưởng ứng.",
    "Bên cạnh kết quả đạt được, việc nhân rộng các mô hình hay ở một số nơi còn chậm, cần khắc phục.",
)


def _place_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add(f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}")
    return sorted(names)


def _provinces() -> tuple[list[str], dict[str, str]]:
    data = yaml.safe_load(resources.files("newsarchive").joinpath("data/regions.yaml").read_text("utf-8"))
    old = [name for region in data["regions"] for name in region["before_2025"]]
    return old, data["merged_into"]


def _metric(rng: random.Random) -> tuple[str, Metric]:
    label, unit, low, high = rng.choice(UNITS)
    qualifier = rng.choice(QUALIFIERS)
    number = rng.randint(low, high)
    if label == "tỷ đồng":
        decimal = rng.randint(1, 9)
        shown = f"{number},{decimal} tỷ đồng"
        value: int | float = int((number + decimal / 10) * 1_000_000_000)
    elif label == "%":
        shown = f"{number}%"
        value = number
    else:
        shown = f"{number:,}".replace(",", ".") + f" {label}"
        value = number
    text = f"{qualifier} {shown}" if qualifier else shown
    sentence = f"Đến nay, toàn địa phương đã có {text} được ghi nhận trong quá trình thực hiện."
    return sentence, Metric(text=shown, value=value, unit=unit, sentence=sentence, qualifier=qualifier)


def synthesize(out: Path, count: int = 500, seed: int = 1) -> Path:
    """Write the archive under `out`; returns the path of its site.yaml."""
    rng = random.Random(seed)
    old_provinces, merged_into = _provinces()
    districts = {p: _place_names(rng, rng.randint(2, 5)) for p in old_provinces}
    articles_dir, seeds_dir = out / "articles", out / "seeds"
    articles_dir.mkdir(parents=True, exist_ok=True)
    seeds_dir.mkdir(parents=True, exist_ok=True)

    for index in range(count):
        province = old_provinces[index % len(old_provinces)]  # every province appears
        directive_id, first_year, last_year, directive_title = DIRECTIVES[index % len(DIRECTIVES)]
        year = rng.randint(first_year, last_year)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        current = merged_into.get(province, province)
        if (year, month) >= (2025, 7):
            province = current  # after the reorganization articles name the new province
        district = rng.choice(districts.get(province) or _place_names(rng, 2))
        commune = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
        dated = index % 10 != 3
        published = f"{year:04d}-{month:02d}-{day:02d}" if dated else None
        if dated and index % 4 == 0:
            published += f"T{rng.randint(6, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}:00+07:00"
        period = None if dated else Period(year=year, inferred=True, evidence=f"giai đoạn {year - 1} - {year}")

        metrics = [_metric(rng) for _ in range(rng.randint(0, 4))]
        refs = [DirectiveRef(id=directive_id, primary=True, mentions=rng.randint(1, 4),
                             evidence=[f"Chỉ thị số {directive_id}"], reason="nhắc nhiều nhất", title=directive_title)]
        if rng.random() < 0.3:
            extra = rng.choice(SECONDARY)
            refs.append(DirectiveRef(id=extra, primary=False, mentions=1, evidence=[extra], reason="nhắc một lần"))
        place = f"huyện {district}, tỉnh {province}"
        caption = f"Cán bộ, đảng viên xã {commune}, huyện {district} trao đổi kinh nghiệm."
        paragraphs = [rng.choice(OPENINGS).format(unit_name=f"Đảng bộ huyện {district}", directive=f"Chỉ thị số {directive_id}",
                                                  place=place), caption]
        for _ in range(rng.randint(4, 9)):
            paragraphs.append(" ".join(rng.sample(MIDDLES, 2)))
            if metrics and rng.random() < 0.5:
                paragraphs.append(metrics[len(paragraphs) % len(metrics)][0])
        paragraphs.extend(sentence for sentence, _ in metrics)
        title = f"{rng.choice(('Lan tỏa', 'Hiệu quả', 'Chuyển biến', 'Dấu ấn'))} học và làm theo Bác ở {district} ({index + 1})"
        slug = slugify(title)
        source = f"seeds/{index:04d}_{slug}.txt"
        body = "\n\n".join(paragraphs)
        (out / source).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        record = Record(
            source=source, title=title, slug=slug, published=published, province=province,
            province_current=current, district=district, body=body,
            published_evidence=published and f"{day:02d}/{month:02d}/{year}",
            period=period, province_evidence=f"tỉnh {province}", district_evidence=f"huyện {district}",
            commune=commune,
            localities=[Locality(name=province, level="province", code=None, evidence=f"tỉnh {province}"),
                        Locality(name=district, level="district", code=None, evidence=f"huyện {district}",
                                 province=province),
                        Locality(name=commune, level="commune", code=None, evidence=f"xã {commune}",
                                 province=province, district=district)],
            directives=refs, metrics=[m for _, m in metrics],
            people=[Person(name="Nguyễn Văn " + rng.choice(SYLLABLES), role="Bí thư Huyện ủy", evidence="")],
            byline=rng.choice(("Thu Hà", "Minh Đức", "Lan Anh", None)), captions=[caption],
        )
        (articles_dir / f"{slug}.md").write_text(format_article(record), encoding="utf-8")

    config = {"title": "Lưu trữ thử nghiệm", "articles_dir": "articles", "seeds_dir": "seeds",
              "templates_dir": str(REPO / "templates"), "static_dir": str(REPO / "static"), "output_dir": "site"}
    site_yaml = out / "site.yaml"
    site_yaml.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return site_yaml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write articles/, seeds/ and site.yaml into")
    parser.add_argument("--count", type=int, default=500, help="number of articles (default 500)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    print(synthesize(args.out, args.count, args.seed))


if __name__ == "__main__":
    main()
