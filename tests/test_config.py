from pathlib import Path

import pytest

from newsarchive.config import OPTIONS, default_config, describe_options, load_config
from newsarchive.problems import InputError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_means_defaults(tmp_path):
    config = load_config(tmp_path / "site.yaml")
    assert config.page_size == 20 and config.language == "vi" and config.root == tmp_path


def test_values_override_defaults_and_base_url_gets_a_slash(tmp_path):
    config = load_config(write(tmp_path, "title: Lưu trữ\npage_size: 5\nbase_url: https://x.vn/a\n"))
    assert (config.title, config.page_size, config.base_url) == ("Lưu trữ", 5, "https://x.vn/a/")


def test_unknown_key_is_an_error_naming_key_and_line(tmp_path):
    with pytest.raises(InputError) as err:
        load_config(write(tmp_path, "title: X\npagesize: 5\n"))
    assert err.value.problem.line == 2
    assert "unknown option 'pagesize'" in str(err.value)
    assert "page_size" in str(err.value)  # the known options are listed


def test_wrong_type_is_an_error(tmp_path):
    with pytest.raises(InputError, match="option 'page_size' must be an integer"):
        load_config(write(tmp_path, "page_size: many\n"))


def test_broken_yaml_names_the_line(tmp_path):
    with pytest.raises(InputError) as err:
        load_config(write(tmp_path, "title: [unclosed\n"))
    assert err.value.problem.line is not None


def test_unsupported_language(tmp_path):
    with pytest.raises(InputError, match="language must be 'vi' or 'en'"):
        load_config(write(tmp_path, "language: fr\n"))


def test_every_option_is_documented_and_repo_site_yaml_is_valid(repo):
    assert all(option.doc for option in OPTIONS)
    assert all(f"{option.name}:" in describe_options() for option in OPTIONS)
    config = load_config(repo / "site.yaml")
    assert config.output_dir == default_config().output_dir
