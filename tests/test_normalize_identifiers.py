"""arXiv ids, DOIs, OpenReview ids and link classification, on real links (CS294 syllabus)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.normalize import (
    ArxivId,
    classify_link,
    is_non_reading_link,
    parse_arxiv_id,
    parse_doi,
    parse_openreview_id,
    validate_arxiv_id,
)


@pytest.mark.parametrize(
    ("text", "base", "version"),
    [
        pytest.param("2104.04473", "2104.04473", None, id="bare_new_style"),
        pytest.param("2104.04473v2", "2104.04473", 2, id="bare_with_version"),
        pytest.param("arXiv:2104.04473", "2104.04473", None, id="arxiv_prefix"),
        pytest.param("arxiv:2104.04473v3", "2104.04473", 3, id="arxiv_prefix_lowercase"),
        pytest.param(" https://arxiv.org/abs/2104.07857 ", "2104.07857", None, id="abs_url_whitespace"),
        pytest.param("https://arxiv.org/pdf/2104.04473.pdf", "2104.04473", None, id="pdf_url_dot_pdf"),
        pytest.param("https://arxiv.org/pdf/2104.04473v1.pdf", "2104.04473", 1, id="pdf_url_versioned"),
        pytest.param("https://arxiv.org/pdf/2104.04473", "2104.04473", None, id="pdf_url_no_suffix"),
        pytest.param("http://export.arxiv.org/abs/2104.04473", "2104.04473", None, id="export_host"),
        pytest.param("arxiv.org/pdf/1208.4165.pdf", "1208.4165", None, id="no_scheme_4_digit_era"),
        pytest.param("https://arxiv.org/abs/1904.03257", "1904.03257", None, id="sysml_frontier"),
        pytest.param("hep-th/9901001v2", "hep-th/9901001", 2, id="old_style_versioned"),
        pytest.param("math.GT/0309136", "math/0309136", None, id="old_style_subject_class_dropped"),
        pytest.param("cs/0112017", "cs/0112017", None, id="old_style_cs"),
        pytest.param("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", None, id="old_style_url"),
        pytest.param("10.48550/arXiv.2104.04473", "2104.04473", None, id="arxiv_doi"),
        pytest.param("https://doi.org/10.48550/arXiv.2104.04473", "2104.04473", None, id="arxiv_doi_url"),
        pytest.param("0704.0001", "0704.0001", None, id="first_new_style_id"),
        pytest.param("1412.6980", "1412.6980", None, id="last_4_digit_month_adam"),
        pytest.param("1501.00001", "1501.00001", None, id="first_5_digit_month"),
        pytest.param("cond-mat/0703001", "cond-mat/0703001", None, id="last_old_style_month"),
    ],
)
def test_parse_arxiv_id(text: str, base: str, version: int | None) -> None:
    aid = parse_arxiv_id(text)
    assert aid == ArxivId(base, version)
    assert aid.canonical == base
    assert aid.with_version == (f"{base}v{version}" if version else base)
    assert validate_arxiv_id(text) == aid


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("2101.0001", "5 digits", id="4_digits_after_1501"),
        pytest.param("1412.69801", "4 digits", id="5_digits_before_1501"),
        pytest.param("0613.0001", "month 13", id="month_13"),
        pytest.param("0703.0001", "start in 0704", id="new_style_before_0704"),
        pytest.param("cond—mat/0709123", "U+2014", id="em_dash_in_archive"),
        pytest.param("cond-mat/0709123", "9108 to 0703", id="old_style_after_0703"),
        pytest.param("foo-bar/9901001", "unknown arXiv archive", id="unknown_archive"),
        pytest.param("2104.04473v0", "v0", id="version_zero"),
        pytest.param("https://www.alphaxiv.org/abs/2104.04473", "not an arXiv paper URL", id="alphaxiv_host"),
        pytest.param("https://arxiv.org/list/cs.LG/recent", "not an arXiv paper URL", id="listing_url"),
        pytest.param("", "not of the form", id="empty"),
    ],
)
def test_invalid_arxiv_id(text: str, reason: str) -> None:
    assert parse_arxiv_id(text) is None
    with pytest.raises(ValueError, match=re.escape(reason)) as exc:
        validate_arxiv_id(text)
    assert repr(text) in str(exc.value)  # the message names the input


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        pytest.param("10.1145/3458817.3476209", "10.1145/3458817.3476209", id="bare"),
        pytest.param("doi:10.1145/3458817.3476209", "10.1145/3458817.3476209", id="doi_prefix"),
        pytest.param("DOI: 10.1145/3458817.3476209.", "10.1145/3458817.3476209", id="prefix_space_trailing_dot"),
        pytest.param("https://doi.org/10.1145/3458817.3476209", "10.1145/3458817.3476209", id="doi_org"),
        pytest.param("http://dx.doi.org/10.1145/3458817.3476209", "10.1145/3458817.3476209", id="dx_doi_org"),
        pytest.param("https://doi.org/10.1145%2F3458817.3476209", "10.1145/3458817.3476209", id="url_encoded_slash"),
        pytest.param("https://dl.acm.org/doi/10.1145/3447786.3456245", "10.1145/3447786.3456245", id="acm_dl_rubberband"),
        pytest.param("https://dl.acm.org/doi/abs/10.1145/3447786.3456245", "10.1145/3447786.3456245", id="acm_dl_abs"),
        pytest.param("https://dl.acm.org/doi/pdf/10.1145/3447786.3456245?download=true", "10.1145/3447786.3456245", id="acm_dl_pdf_query"),
        pytest.param("https://link.springer.com/article/10.1007/s10994-021-06043-1", "10.1007/s10994-021-06043-1", id="springer_article"),
        pytest.param("https://link.springer.com/chapter/10.1007/978-3-030-58452-8_13", "10.1007/978-3-030-58452-8_13", id="springer_chapter"),
        pytest.param("https://link.springer.com/content/pdf/10.1007/978-3-030-58452-8_13.pdf", "10.1007/978-3-030-58452-8_13", id="springer_pdf"),
        pytest.param("https://onlinelibrary.wiley.com/doi/full/10.1002/cpe.4416", "10.1002/cpe.4416", id="wiley_full"),
        pytest.param("https://ieeexplore.ieee.org/stamp/stamp.jsp?doi=10.1109/MM.2021.3061394", "10.1109/mm.2021.3061394", id="ieee_with_doi_query"),
        pytest.param("10.1016/0004-3702(95)00124-7", "10.1016/0004-3702(95)00124-7", id="balanced_parentheses_kept"),
        pytest.param("(see 10.1145/3458817.3476209)", None, id="not_at_start"),
        pytest.param("https://doi.org/10.1145/3458817.3476209)", "10.1145/3458817.3476209", id="unbalanced_paren_stripped"),
        pytest.param("10.1109/ISCA.2016.40", "10.1109/isca.2016.40", id="lowercased"),
    ],
)
def test_parse_doi(text: str, doi: str | None) -> None:
    assert parse_doi(text) == doi


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("https://www.sciencedirect.com/book/9780123749574/principles-of-computer-system-design", id="sciencedirect_book"),
        pytest.param("https://www.sciencedirect.com/science/article/pii/S0004370295001247", id="sciencedirect_pii"),
        pytest.param("https://ieeexplore.ieee.org/document/7551407", id="ieee_document_number"),
        pytest.param("https://arxiv.org/abs/2104.04473", id="arxiv_abs"),
        pytest.param("hello", id="plain_word"),
        pytest.param("10.1145", id="prefix_only"),
    ],
)
def test_parse_doi_none(text: str) -> None:
    assert parse_doi(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("https://openreview.net/pdf?id=r1gs9JgRZ", "r1gs9JgRZ", id="pdf_mixed_precision"),
        pytest.param("https://openreview.net/forum?id=r1gs9JgRZ", "r1gs9JgRZ", id="forum"),
        pytest.param("openreview.net/forum?id=r1gs9JgRZ&noteId=abc123xyz", "r1gs9JgRZ", id="forum_note_no_scheme"),
        pytest.param("https://openreview.net/group?id=ICLR.cc/2018/Conference", None, id="group_page"),
        pytest.param("https://example.org/forum?id=r1gs9JgRZ", None, id="other_host"),
    ],
)
def test_parse_openreview_id(text: str, expected: str | None) -> None:
    assert parse_openreview_id(text) == expected


@pytest.mark.parametrize(
    ("url", "kind", "ident", "venue", "year"),
    [
        pytest.param("https://arxiv.org/pdf/2107.06925.pdf", "arxiv", "2107.06925", None, None, id="arxiv_pdf_chimera"),
        pytest.param("https://openreview.net/pdf?id=r1gs9JgRZ", "openreview", "r1gs9JgRZ", None, None, id="openreview"),
        pytest.param("https://www.usenix.org/system/files/conference/osdi16/osdi16-abadi.pdf", "usenix", "osdi16-abadi", "OSDI", 2016, id="usenix_osdi16_tensorflow"),
        pytest.param("https://www.usenix.org/conference/osdi21/presentation/qiao", "usenix", "osdi21/presentation/qiao", "OSDI", 2021, id="usenix_presentation_page"),
        pytest.param("https://www.usenix.org/system/files/osdi21-qiao.pdf", "usenix", "osdi21-qiao", "OSDI", 2021, id="usenix_flat_pdf_pollux"),
        pytest.param("https://www.usenix.org/system/files/conference/nsdi12/nsdi12-final138.pdf", "usenix", "nsdi12-final138", "NSDI", 2012, id="usenix_nsdi12_rdd"),
        pytest.param("https://www.usenix.org/conference/atc21/presentation/ren-jie", "usenix", "atc21/presentation/ren-jie", "USENIX ATC", 2021, id="usenix_atc"),
        pytest.param("https://www.usenix.org/system/files/sec20-carlini.pdf", "usenix", "sec20-carlini", "USENIX Security", 2020, id="usenix_security"),
        pytest.param("https://proceedings.mlr.press/v97/huang19a.html", "pmlr", "v97/huang19a", "ICML", 2019, id="pmlr_icml_2019"),
        pytest.param("http://proceedings.mlr.press/v139/kidger21a/kidger21a.pdf", "pmlr", "v139/kidger21a", "ICML", 2021, id="pmlr_icml_2021_pdf"),
        pytest.param("https://proceedings.mlr.press/v155/huang21a.html", "pmlr", "v155/huang21a", "CoRL", 2020, id="pmlr_corl_2020"),
        pytest.param("https://proceedings.mlr.press/v144/gama21a.html", "pmlr", "v144/gama21a", None, None, id="pmlr_unknown_volume"),
        pytest.param("https://papers.nips.cc/paper/2012/hash/6aca97005c68f1206823815f66102863-Abstract.html", "neurips", "6aca97005c68f1206823815f66102863", "NeurIPS", 2012, id="nips_hash_2012"),
        pytest.param("https://proceedings.neurips.cc/paper/2019/file/093f65e080a295f8076b1c5722a46aa2-Paper.pdf", "neurips", "093f65e080a295f8076b1c5722a46aa2", "NeurIPS", 2019, id="neurips_file_gpipe"),
        pytest.param("https://proceedings.neurips.cc/paper_files/paper/2022/hash/67d57c32e20fd0a7a302cb81d36e40d5-Abstract-Conference.html", "neurips", "67d57c32e20fd0a7a302cb81d36e40d5", "NeurIPS", 2022, id="neurips_paper_files_2022"),
        pytest.param("https://papers.nips.cc/paper/8092-automatic-differentiation-in-ml-where-we-are-and-where-we-should-be-going", "neurips", "8092", "NeurIPS", None, id="nips_old_numbered"),
        pytest.param("https://proceedings.mlsys.org/paper/2020/hash/02522a2b2726fb0a03bb19f2d8d9524d-Abstract.html", "mlsys", "02522a2b2726fb0a03bb19f2d8d9524d", "MLSys", 2020, id="mlsys_mlperf_training"),
        pytest.param("https://aclanthology.org/P19-1001", "acl", "P19-1001", "ACL", 2019, id="acl_old_id"),
        pytest.param("https://aclanthology.org/N19-1423.pdf", "acl", "N19-1423", "NAACL", 2019, id="acl_bert_naacl_pdf"),
        pytest.param("https://aclanthology.org/2020.acl-main.463/", "acl", "2020.acl-main.463", "ACL", 2020, id="acl_new_id"),
        pytest.param("https://aclanthology.org/2020.emnlp-main.1", "acl", "2020.emnlp-main.1", "EMNLP", 2020, id="acl_emnlp"),
        pytest.param("https://dl.acm.org/doi/10.1145/3447786.3456245", "doi", "10.1145/3447786.3456245", None, None, id="acm_dl_doi"),
        pytest.param("https://doi.org/10.48550/arXiv.2104.04473", "arxiv", "2104.04473", None, None, id="arxiv_doi_link"),
        pytest.param("https://people.eecs.berkeley.edu/~kubitron/cs252/handouts/papers/RooflineVyNoYellow.pdf", "pdf", None, None, None, id="author_pdf_roofline"),
        pytest.param("https://dspace.mit.edu/handle/1721.1/102369", "web", None, None, None, id="dspace_eyeriss"),
        pytest.param("https://cacm.acm.org/magazines/2019/2/234352-a-new-golden-age-for-computer-architecture/fulltext", "web", None, None, None, id="cacm_web"),
    ],
)
def test_classify_link(url: str, kind: str, ident: str | None, venue: str | None, year: int | None) -> None:
    info = classify_link(url)
    assert (info.kind, info.id, info.venue, info.year) == (kind, ident, venue, year)
    assert info.url == url


def test_classify_link_pmlr_volume() -> None:
    assert classify_link("https://proceedings.mlr.press/v97/huang19a.html").volume == 97


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        pytest.param("https://forms.gle/Arj4xh3NzWWiDbSU7", "Submit your review", True, id="review_form"),
        pytest.param("https://docs.google.com/forms/d/e/1FAIpQLS/viewform", "sign-up", True, id="google_form"),
        pytest.param("assets/lectures/lec02/lec_02.pptx", "PPTX", True, id="slides_pptx"),
        pytest.param("assets/lectures/lec02/lec_02.pdf", "PDF", True, id="slides_pdf_in_lectures"),
        pytest.param("https://berkeley.zoom.us/j/123456", "zoom", True, id="zoom"),
        pytest.param("https://piazza.com/berkeley/spring2022/cs294", "Piazza", True, id="piazza"),
        pytest.param("https://ucbrise.slack.com", "Slack", True, id="slack"),
        pytest.param("https://www.youtube.com/watch?v=abc", "Talk video", True, id="youtube"),
        pytest.param("https://youtu.be/abc", "recording", True, id="youtu_be"),
        pytest.param("mailto:jegonzal@berkeley.edu", "email", True, id="mailto"),
        pytest.param("https://en.wikipedia.org/wiki/Reynold_Xin", "Guest Speaker: Reynold Xin (Databricks)", True, id="guest_speaker"),
        pytest.param("https://www.linkedin.com/in/vchandra/", "Guest Speaker: Vikas Chandra", True, id="linkedin"),
        pytest.param("https://arxiv.org/pdf/2104.04473.pdf", "Efficient Large-Scale Language Model Training on GPU Clusters", False, id="arxiv_reading"),
        pytest.param("https://homes.cs.washington.edu/~pedrod/papers/cacm12.pdf", "A Few Useful Things to Know About Machine Learning", False, id="author_pdf_reading"),
        pytest.param("https://drive.google.com/file/d/16xs_-3XRym34z60-Ji4dlDwW487vOmpz/view?usp=sharing", "The Sky Above The Clouds", False, id="drive_reading"),
        pytest.param("https://www.microsoft.com/en-us/research/blog/deepspeed-advancing-moe/", "DeepSpeed: Advancing MoE inference [Blog post]", False, id="blog_post_reading"),
    ],
)
def test_is_non_reading_link(url: str, text: str, expected: bool) -> None:
    assert is_non_reading_link(url, text) is expected


_LINK_RE = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\((\S+?)\)")


def test_cs294_syllabus_reading_links_all_classified(shared_data: Path) -> None:
    seed = shared_data.parent / "seeds" / "002_10e67310be9a735f.txt"
    if not seed.is_file():
        pytest.skip("CS294 syllabus seed not present")
    links = _LINK_RE.findall(seed.read_text("utf-8"))
    readings = [(t, u) for t, u in links if not is_non_reading_link(u, t) and u.startswith("http")]
    kinds = {u: classify_link(u).kind for _, u in readings}
    assert sum(k == "arxiv" for k in kinds.values()) == 29  # 29 distinct arXiv readings in the Spring 2022 syllabus
    for url, kind in kinds.items():  # every arXiv-looking URL yields an id
        if "arxiv.org" in url:
            assert kind == "arxiv", url
    assert kinds["https://openreview.net/pdf?id=r1gs9JgRZ"] == "openreview"
    assert not any(u.startswith("https://forms.gle") for _, u in readings)


def _split_url_reference(raw: str) -> tuple[str, str, str]:
    from urllib.parse import urlsplit

    parts = urlsplit(raw if "://" in raw else "https://" + raw)
    return (parts.hostname or "").lower(), parts.path, parts.query


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(["https://", "http://", "HTTPS://", "", "ftp://", " https://"]),
       st.text(alphabet="aZ0.-_:@[]", min_size=0, max_size=12),
       st.text(alphabet="/aZ0.-_%?#=& @:[]\t", min_size=0, max_size=20))
def test_split_url_equals_urlsplit(scheme: str, host: str, rest: str) -> None:
    from readinglist.normalize.identifiers import split_url

    raw = scheme + host + rest
    try:
        want = _split_url_reference(raw)
    except ValueError:  # urlsplit refuses some netlocs (bad IPv6 brackets, ports): so must split_url
        with pytest.raises(ValueError):
            split_url(raw)
        return
    assert split_url(raw) == want


@pytest.mark.parametrize("raw", ["https://aclanthology.org/2020.acl-main.1", "https://www.USENIX.org/conference/osdi21/x",
                                 "http://arxiv.org/abs/1706.03762v2", "https://host.org", "https://host.org/",
                                 "https://h.org/a%20b", "https://h.org/p?x=1#f", "https://u@h.org:8080/p", "h.org/p"])
def test_split_url_examples(raw: str) -> None:
    from readinglist.normalize.identifiers import split_url

    assert split_url(raw) == _split_url_reference(raw)
