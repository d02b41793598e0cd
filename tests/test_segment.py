"""Segmentation with the city dictionary, districts named in text, keywords and topics."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from data_adapters.nlp.keywords import (
    OTHER,
    area_of,
    extract_keywords,
    is_candidate,
    keywords,
    topic_of,
)
from data_adapters.nlp.segment import data_lines, district_of_text, lexicon, segment, tokens

ROOT = Path(__file__).resolve().parent.parent
HAIZHOU, LIANYUN, GANYU, DONGHAI, GUANYUN, GUANNAN = (
    "320706",
    "320703",
    "320707",
    "320722",
    "320723",
    "320724",
)


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("连云港经济技术开发区管委会", "连云港经济技术开发区"),
        ("海州区新浦街道朝阳小区", "新浦街道"),
        ("已转市城市管理局办理", "市城市管理局"),
        ("之前打过12345热线", "12345热线"),
        ("市公安局交通警察支队回复", "市公安局交通警察支队"),
        ("小区网格员上门了", "网格员"),
        ("徐圩新区的化工园区", "徐圩新区"),
        ("连云区海滨大道与中山西路交叉口路灯不亮", "路灯"),
    ],
)
def test_city_terms_are_single_tokens(text: str, whole: str) -> None:
    assert whole in tokens(text)


def test_every_word_of_the_city_dictionary_is_cut_whole() -> None:
    split = []
    for line in data_lines("city_dictionary.txt"):
        word, count, *_ = line.split(" ")
        if int(count) and tokens(word) != [word]:
            split.append(word)
    assert split == []


def test_segment_drops_stop_words_punctuation_and_emoji() -> None:
    text = "市民来电反映：楼下的烧烤店噪音特别大，希望相关部门尽快处理。😡 #连云港#"
    words = segment(text)
    assert "噪音" in words and "烧烤店" in words
    for gone in ("的", "反映", "希望", "相关部门", "尽快", "处理", "，", "。", "😡", "#", " "):
        assert gone not in words
    assert "的" in tokens(text) and "，" in tokens(text)  # tokens keeps every word


def test_stop_word_list_is_loaded_without_its_comments() -> None:
    stop = lexicon().stopwords
    assert {"的", "了", "反映", "相关部门"} <= stop
    assert not any(word.startswith("#") for word in stop)


def test_the_tokenizer_is_private_and_loads_quietly_without_a_cache(tmp_path: Path) -> None:
    """One tokenizer even when threads race for it; nothing on stderr, no cache file."""
    code = (
        "import threading, jieba\n"
        "from data_adapters.nlp import segment\n"
        "seen = []\n"
        "threads = [threading.Thread(target=lambda: seen.append(id(segment.lexicon())))"
        " for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "assert len(set(seen)) == 1 and len(seen) == 8\n"
        "assert segment.lexicon().tokenizer is not jieba.dt and not jieba.dt.initialized\n"
        "print(segment.segment('新浦街道'))\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONWARNINGS": "error"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['新浦街道']\n"
    assert done.stderr == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("来电人反映：海州区新浦街道朝阳小区3号楼楼下噪音大", HAIZHOU),
        ("墟沟码头附近有人焚烧垃圾", LIANYUN),
        ("连云港港今天又来了一艘大船", LIANYUN),  # 连云港港 is 连云区, not 连云港 the city
        ("求推荐好吃的赣榆煎饼", GANYU),
        ("东海县牛山街道停电了", DONGHAI),
        ("今天在大伊山景区散步", GUANYUN),
        ("灌南县新安镇长江花园漏水", GUANNAN),
        ("通灌北路又堵死了", HAIZHOU),
        ("赣榆区的朋友来海州区玩", GANYU),  # two districts: the first one named
        ("周末从东海县去连云区连岛", DONGHAI),
        ("连云港经济技术开发区的企业在海州区招聘", HAIZHOU),  # a zone of no single district
        ("海州湾的日落真美", None),  # the bay, not 海州
        ("在连云港生活真的很舒服", None),
        ("咨询公积金提取需要哪些材料。", None),
        ("县人民医院看病排队时间太长", None),  # in every county
        ("连云港港宏建筑工程有限公司拖欠工资", None),  # a company, not 连云港港
        ("连云港港宏物流有限公司在东海县的仓库", DONGHAI),
        ("", None),
    ],
)
def test_district_of_text(text: str, district: str | None) -> None:
    assert district_of_text(text) == district


def test_every_place_name_maps_to_a_district_of_the_city_or_none() -> None:
    codes = {line.partition("\t")[2] for line in data_lines("place_districts.tsv")}
    assert codes <= {HAIZHOU, LIANYUN, GANYU, DONGHAI, GUANYUN, GUANNAN, ""}


def test_keywords_are_content_words() -> None:
    text = (
        "市民来电反映：海州区新浦街道朝阳小区3号楼楼下的烧烤店噪音特别大，"
        "每天晚上十点以后还在营业，严重影响周边居民休息。希望相关部门尽快处理。"
    )
    words = extract_keywords(text, top=10)
    assert words[0] == "噪音"
    assert "烧烤店" in words
    stop = lexicon().stopwords
    for word in words:
        assert word not in stop
        assert not any(ch.isdigit() for ch in word)
        assert len(word) > 1
    for place in ("海州区", "新浦街道", "朝阳小区"):  # districts and places have columns
        assert place not in words


def test_keyword_candidates() -> None:
    assert is_candidate("井盖") and is_candidate("12345热线") and is_candidate("花果山")
    assert is_candidate("堵")  # a single character that says a lot
    for word in ("的", "水", "138", "5678", "三", "非常", "我们", "人民路", "市城市管理局"):
        assert not is_candidate(word), word


def test_keywords_of_many_texts_and_of_none() -> None:
    texts = ["人民路井盖缺失，晚上骑电动车很容易摔倒。", "", "的了吗"]
    found = keywords([segment(t) for t in texts], top=2)
    assert [len(words) for words in found] == [2, 0, 0]
    assert found[0][0] == "井盖"  # a topic term counts double


def test_keywords_are_deterministic() -> None:
    text = "周末去花果山，风景太美了，门票有点贵，停车位太难找了"
    assert extract_keywords(text) == extract_keywords(text) == keywords([segment(text)])[0]


@pytest.mark.parametrize(
    ("texts", "category", "topic"),
    [
        (
            (
                "海州区人民路138号井盖缺失，晚上骑电动车很容易摔倒。",
                "来电反映：东海县和平东路12号附近道路井盖缺失，已经有人摔伤了，希望尽快修复。",
                "赣榆区孔望山附近井盖松动，存在安全隐患。",  # never 道路破损·孔望山
            ),
            "道路破损",
            "道路破损·井盖",
        ),
        (
            (
                "连云区墟沟街道海港新村小区广场上有人跳广场舞，每晚音乐声很大。",
                "灌南县新安小区广场舞噪音太大，老人孩子睡不着。",
            ),
            "噪声扰民",
            "噪声扰民·广场舞",
        ),
        (
            ("通灌北路又堵死了，上班又要迟到了😡", "早高峰海滨大道堵车严重，谁来管管"),
            None,
            "交通出行·堵死",
        ),
    ],
)
def test_topic_is_stable_across_places_numbers_and_wording(
    texts: tuple[str, ...], category: str | None, topic: str
) -> None:
    topics = {topic_of(extract_keywords(text), category) for text in texts}
    if category is None:  # posts: the area comes from the first topic term
        topics = {t.split("·")[0] for t in topics}
        topic = topic.split("·")[0]
    assert topics == {topic}


def test_topic_rule() -> None:
    assert topic_of(["广场舞", "音响"], "噪声扰民") == "噪声扰民·广场舞"
    assert topic_of(["装修", "广场舞"], "噪声扰民") == "噪声扰民·装修"  # the first term
    assert topic_of(["孔望山", "井盖"], "道路破损") == "道路破损·井盖"  # the area's own terms
    assert topic_of(["加工"], "噪声扰民") == "噪声扰民"  # no term: the category alone
    assert topic_of(["花果山", "门票"], None) == "文化旅游·花果山"  # a post: area from a term
    assert topic_of(["生活"], None) == OTHER
    assert topic_of([], "") == OTHER
    assert topic_of(["井盖"], "市政设施") == "市政设施"  # a category with no terms of its own
    assert area_of(["生活", "海鲜", "堵车"]) == "美食"


def test_data_files_are_what_the_build_script_writes() -> None:
    """`python scripts/build_city_dictionary.py` was run after its lists last changed."""
    script = _load_script(ROOT / "scripts" / "build_city_dictionary.py")
    for path, text in script.outputs().items():
        assert path.read_text(encoding="utf-8") == text, f"run the script: {path.name} is stale"


def _load_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_city_dictionary", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module
