"""Member search reads the members nearest the page first and turns to the trigram indexes only when they
hold too few matches: whichever way a page is found, it is the same page, and pages still walk forward
and back without gaps or repeats."""
from __future__ import annotations

from sqlalchemy import select

from linecomm.members import directory
from linecomm.members.models import Member, MemberStatus
from tests.admin.console import make_member
from tests.support.community import Community

WINDOW = 7  # members read in page order before the indexes are asked: small, so pages cross it


def _every_page(community: Community, flt: directory.MemberFilter, page_size: int) -> list[list[int]]:
    pages: list[list[int]] = []
    after = None
    with community.session() as s:
        while True:
            page = directory.search(s, flt, after=after, page_size=page_size, probe_window=WINDOW)
            pages.append([row.member.id for row in page.rows])
            if page.next_after is None:
                return pages
            after = page.next_after


def _matching(community: Community, flt: directory.MemberFilter) -> list[int]:
    with community.session() as s:
        return list(s.scalars(select(Member.id).where(*directory.conditions(flt)).order_by(Member.id.desc())))


def test_matches_far_behind_the_newest_members_are_found_in_order(community: Community) -> None:
    with community.session() as s:
        for i in range(60):  # the older members: every third one is a "Yuki 7..."
            make_member(s, display_name=f"Yuki 7{i:02d}" if i % 3 == 0 else f"佐藤 {i}")
        for i in range(40):  # the newest: no match among them
            make_member(s, display_name=f"Yuki 1{i:02d}")
    flt = directory.MemberFilter(q="yuki 7")
    expected = _matching(community, flt)
    assert len(expected) == 20

    pages = _every_page(community, flt, page_size=6)

    assert [member for page in pages for member in page] == expected
    assert [len(page) for page in pages] == [6, 6, 6, 2]


def test_a_common_word_fills_its_pages_from_the_newest_members(community: Community) -> None:
    with community.session() as s:
        for i in range(45):
            make_member(s, display_name=f"佐藤 {i}" if i % 4 else f"鈴木 {i}",
                        status=MemberStatus.LEFT if i % 9 == 0 else MemberStatus.MEMBER)
    flt = directory.MemberFilter(q="佐藤", status=MemberStatus.MEMBER)
    expected = _matching(community, flt)

    pages = _every_page(community, flt, page_size=5)

    assert [member for page in pages for member in page] == expected
    assert all(len(page) == 5 for page in pages[:-1])


def test_walking_back_returns_the_same_pages(community: Community) -> None:
    with community.session() as s:
        for i in range(50):
            make_member(s, display_name=f"Hana {i}" if i < 25 and i % 2 else f"Ken {i}")
    flt = directory.MemberFilter(q="hana")
    with community.session() as s:
        first = directory.search(s, flt, page_size=4, probe_window=WINDOW)
        second = directory.search(s, flt, after=first.next_after, page_size=4, probe_window=WINDOW)
        third = directory.search(s, flt, after=second.next_after, page_size=4, probe_window=WINDOW)
        back = directory.search(s, flt, before=third.prev_before, page_size=4, probe_window=WINDOW)
        back_again = directory.search(s, flt, before=back.prev_before, page_size=4, probe_window=WINDOW)
    assert [r.member.id for r in back.rows] == [r.member.id for r in second.rows]
    assert [r.member.id for r in back_again.rows] == [r.member.id for r in first.rows]
    assert back_again.prev_before is None
