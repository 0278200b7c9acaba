"""Venue table and syllabus venue tags (real tags from the CS294 Spring 2022 syllabus)."""

from __future__ import annotations

import pytest

from readinglist.normalize import VenueClaim, canonical_venue, load_venues, parse_venue_tag
from readinglist.normalize.venues import VENUE_TYPES, venue_norm


@pytest.mark.parametrize(
    ("text", "short"),
    [
        pytest.param("NIPS", "NeurIPS", id="nips_old_name"),
        pytest.param("Advances in Neural Information Processing Systems 32", "NeurIPS", id="neurips_volume_number"),
        pytest.param("NeurIPS’19", "NeurIPS", id="curly_apostrophe_year"),
        pytest.param("OSDI '21", "OSDI", id="straight_apostrophe_space"),
        pytest.param("Proc. of the 2021 USENIX Annual Technical Conference", "USENIX ATC", id="proc_of_the_year"),
        pytest.param("Proceedings of the 15th USENIX Symposium on Operating Systems Design and Implementation", "OSDI", id="ordinal_osdi"),
        pytest.param("SC’21", "SC", id="sc_tag"),
        pytest.param("SC '21: The International Conference for High Performance Computing, Networking, Storage and Analysis", "SC", id="sc_acm_booktitle"),
        pytest.param("SIGRAPH", "SIGGRAPH", id="sigraph_listed_misspelling"),
        pytest.param("Proc. VLDB Endow.", "PVLDB", id="pvldb_abbrev"),
        pytest.param("Proceedings of the VLDB Endowment", "PVLDB", id="pvldb_full"),
        pytest.param("CoRR", "arXiv", id="corr_is_arxiv"),
        pytest.param("arXiv preprint", "arXiv", id="arxiv_preprint"),
        pytest.param("Commun. ACM", "CACM", id="cacm_abbrev"),
        pytest.param("Communications of the ACM", "CACM", id="cacm_full"),
        pytest.param("Advances in Neural Information Processing Systems 33: Annual Conference on Neural Information Processing Systems 2020, NeurIPS 2020, December 6-12, 2020, virtual",
                     "NeurIPS", id="dblp_neurips_booktitle"),
        pytest.param("Proceedings of the 36th International Conference on Machine Learning, ICML 2019, 9-15 June 2019, Long Beach, California, USA",
                     "ICML", id="dblp_icml_booktitle"),
        pytest.param("Proceedings of the 2020 Conference on Robot Learning", "CoRL", id="pmlr_corl_booktitle"),
        pytest.param("Proceedings of the Twenty-Fifth International Conference on Architectural Support for Programming Languages and Operating Systems",
                     "ASPLOS", id="ordinal_words_asplos"),
        pytest.param("SysML", "MLSys", id="sysml_old_name"),
        pytest.param("Proceedings of Machine Learning and Systems", "MLSys", id="mlsys_proceedings"),
        pytest.param("ICLR", "ICLR", id="short_name_itself"),
        pytest.param("IEEE S&P", "IEEE S&P", id="ampersand"),
        pytest.param("IEEE Symposium on Security and Privacy", "IEEE S&P", id="sp_full"),
        pytest.param("SIGCOMM’17", "SIGCOMM", id="sigcomm_tag"),
        pytest.param("conf/osdi", "OSDI", id="dblp_key"),
        pytest.param("Trans. Assoc. Comput. Linguistics", "TACL", id="tacl_dblp_abbrev"),
    ],
)
def test_canonical_venue(text: str, short: str) -> None:
    venue = canonical_venue(text)
    assert venue is not None
    assert venue.short == short


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("ICMD", id="icmd_typo_not_guessed"),
        pytest.param("ICMD’18", id="icmd_typo_with_year"),
        pytest.param("OpenAI", id="organisation"),
        pytest.param("Blog post", id="blog_post"),
        pytest.param("Workshop on ML for Systems at NeurIPS", id="workshop_not_host_conference"),
        pytest.param("", id="empty"),
        pytest.param("Security", id="too_generic"),
    ],
)
def test_canonical_venue_unknown(text: str) -> None:
    assert canonical_venue(text) is None


def test_venue_table_is_well_formed() -> None:
    venues = load_venues()
    assert len(venues) >= 60
    shorts = [v.short for v in venues]
    assert len(set(shorts)) == len(shorts)
    seen: dict[str, str] = {}
    for v in venues:
        assert v.type in VENUE_TYPES, v
        assert canonical_venue(v.short) == v, v.short  # the short name maps to itself
        for name in (v.short, v.full, *v.aliases):
            key = venue_norm(name)
            assert key, name
            assert seen.setdefault(key, v.short) == v.short, f"{name!r} is ambiguous: {seen[key]} / {v.short}"
        assert v.dblp is None or v.dblp.startswith(("conf/", "journals/"))
    areas = {"NeurIPS", "OSDI", "ISCA", "SIGMOD", "SIGCOMM", "CCS", "SC", "ACL", "CVPR", "arXiv"}
    assert areas <= set(shorts)


@pytest.mark.parametrize(
    ("tag", "venue", "year", "note"),
    [
        pytest.param("[SC’21, Best Student Paper]", "SC", 2021, "Best Student Paper", id="sc_best_student_paper"),
        pytest.param("[SC’21, Best Paper finalist]", "SC", 2021, "Best Paper finalist", id="sc_finalist"),
        pytest.param("[SC’21]", "SC", 2021, None, id="sc_only"),
        pytest.param("(OSDI 2021)", "OSDI", 2021, None, id="parenthesized_four_digit_year"),
        pytest.param("[ICLR’18]", "ICLR", 2018, None, id="iclr"),
        pytest.param("[NeurIPS’12]", "NeurIPS", 2012, None, id="neurips_2012"),
        pytest.param("[CACM’08]", "CACM", 2008, None, id="cacm"),
        pytest.param("[SOSP'19]", "SOSP", 2019, None, id="straight_apostrophe"),
        pytest.param("[SIGCOMM’17]", "SIGCOMM", 2017, None, id="sigcomm"),
        pytest.param("[ICML’20]", "ICML", 2020, None, id="icml"),
        pytest.param("[OpenAI, 2020]", None, 2020, "OpenAI", id="organisation_and_year"),
        pytest.param("[Blog post]", None, None, "Blog post", id="blog_post"),
        pytest.param("[SIGRAPH, 2016]", "SIGGRAPH", 2016, None, id="sigraph_comma_year"),
        pytest.param("[Best Paper Award, DAC’21]", "DAC", 2021, "Best Paper Award", id="award_first"),
        pytest.param("[ICMD’18]", None, 2018, "ICMD", id="unknown_venue_kept_as_note"),
        pytest.param("[SIGCOMM’97]", "SIGCOMM", 1997, None, id="two_digit_year_1900s"),
        pytest.param("[NSDI ‘22]", "NSDI", 2022, None, id="left_quote_space"),
    ],
)
def test_parse_venue_tag(tag: str, venue: str | None, year: int | None, note: str | None) -> None:
    assert parse_venue_tag(tag) == VenueClaim(venue, year, note, tag)
