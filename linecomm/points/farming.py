"""Points do not reward farming: a post whose text is the same or nearly the same as one of the member's
earlier posts, or has no meaning (「。」, 「あかさたな」, a lone emoji, 「ああああ」), earns nothing (its
grant is recorded with 0 points and the reason) and is put in the moderators' queue, still published.

The check is a setting (`FarmingPolicy`, defaults when unsaved). It reads the batch's texts and the
members' earlier posts with two queries whatever the batch's size (a webhook batch of theme answers):

- texts are compared folded: NFKC, lower case, katakana as hiragana, with spaces, punctuation, symbols
  and emoji removed;
- "meaningless": fewer than `min_chars` characters left, one character or two repeated three times or
  more (「あああ」, 「www」, 「あいあいあい」), or a run of a kana row, the alphabet, a keyboard row or
  digits (「あかさたな」, 「abc」);
- "near-same": identical folded, or at least `similarity` % alike (difflib's ratio of characters in
  common) with one of the member's last `RECENT_POSTS` posts of the last `lookback_days` days (only posts made
  before it: the first of two copies keeps its points).

Only the actions that carry the member's own writing are checked (`TEXT_KINDS`); pictures are not.

A moderator has the last word: approving a post from the queue (queued as farming, or for an NG word or a
report before or after) settles its withheld 0 grant with a 0 reversal (reason `CLEARED`) and pays the
action by the rule (linecomm.points.service.on_flag_cleared); that reversal marks the action as cleared, so
the verdict is not applied to it again (a cleared post hidden, then restored, pays again). Functions only
flush."""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.db import one_of, utcnow
from linecomm.moderation.models import ContentItem
from linecomm.moderation.service import IMAGE_BODY
from linecomm.points.farming_models import FarmingPolicy
from linecomm.points.models import EntryKind, PointEntry

TEXT_KINDS = (ActionKind.THEME_ANSWER, ActionKind.REVIEW_PUBLISHED, ActionKind.IDEA_SUBMITTED,
              ActionKind.ANSWER_GIVEN)
RECENT_POSTS = 20
DUPLICATE = "duplicate"
MEANINGLESS = "meaningless"
REASONS = {DUPLICATE: "以前の投稿と同じ・ほぼ同じ内容のためポイント対象外",
           MEANINGLESS: "意味のない投稿のためポイント対象外"}
CLEARED = "運営の確認によりポイント対象"  # the reason of the reversal settling a withheld grant a moderator cleared

# Runs a farmer types to fill a post: kana rows and columns, the iroha, the alphabet, keyboard rows, digits.
_RUNS = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん",
    "あかさたなはまやらわ", "いきしちにひみりゐ", "うくすつぬふむゆる", "えけせてねへめれゑ", "おこそとのほもよろを",
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽ",
    "いろはにほへとちりぬるをわかよたれそつねならむうゐのおくやまけふこえてあさきゆめみしゑひもせすん",
    "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "0123456789", "9876543210",
)
_RUN_MIN = 3


def _is_variation_selector(code: int) -> bool:  # emoji presentation selectors: marks that carry no letter
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


@dataclass(frozen=True)
class Policy:
    enabled: bool = True
    min_chars: int = 2
    similarity: int = 90
    lookback_days: int = 90


DEFAULT = Policy()
LIMITS = {"min_chars": (1, 20), "similarity": (50, 100), "lookback_days": (1, 365)}


def fold(text: str) -> str:
    """The letters of `text` as compared: NFKC, lower case, katakana as hiragana, nothing but letters,
    digits and combining marks (spaces, punctuation, symbols, emoji and their selectors removed).
    「ー」 stays: it is part of words."""
    out = []
    for ch in unicodedata.normalize("NFKC", text or "").lower():
        if "ァ" <= ch <= "ヶ":
            ch = chr(ord(ch) - 0x60)
        category = unicodedata.category(ch)
        if category[0] in "LN" or ch == "ー" or category[0] == "M" and not _is_variation_selector(ord(ch)):
            out.append(ch)
    return "".join(out)


def meaningless(folded: str, min_chars: int) -> bool:
    """Too short, one or two characters over and over, or a run typed to fill the field."""
    if len(folded) < min_chars:
        return True
    for unit in (1, 2):  # 「あああ」, 「あいあいあい」 (「わくわく」 is a word)
        times, rest = divmod(len(folded), unit)
        if times >= 3 and not rest and folded == folded[:unit] * times:
            return True
    return len(folded) >= _RUN_MIN and any(folded in run for run in _RUNS)


def near_same(a: str, b: str, similarity: int) -> bool:
    """Identical, or at least `similarity` % alike: twice the characters in common (in order) over both
    lengths (difflib's ratio; the cheap upper bounds are tried first)."""
    if a == b:
        return True
    if not a or not b:
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    bar = similarity / 100
    return matcher.real_quick_ratio() >= bar and matcher.quick_ratio() >= bar and matcher.ratio() >= bar


def read_policy(session: Session) -> Policy:
    row = session.get(FarmingPolicy, 1)
    if row is None:
        return DEFAULT
    return Policy(row.enabled, row.min_chars, row.similarity, row.lookback_days)


class PolicyError(ValueError):
    """A setting that cannot be kept (the message is Japanese, for the form)."""


def set_policy(session: Session, new: Policy, by: str | None, now: datetime | None = None) -> tuple[Policy, Policy]:
    """Save the setting (it applies to posts from now on); returns (before, after)."""
    names = {"min_chars": "意味のある文字数の下限", "similarity": "類似度のしきい値", "lookback_days": "比較する期間"}
    for field, (low, high) in LIMITS.items():
        value = getattr(new, field)
        if not low <= value <= high:
            raise PolicyError(f"{names[field]}は{low}〜{high}の整数で入力してください。")
    before = read_policy(session)
    row = session.get(FarmingPolicy, 1)
    if row is None:
        row = FarmingPolicy(id=1)
        session.add(row)
    row.enabled, row.min_chars, row.similarity, row.lookback_days = (
        new.enabled, new.min_chars, new.similarity, new.lookback_days)
    row.updated_by, row.updated_at = by and by[:200], now or utcnow()
    session.flush()
    return before, read_policy(session)


@dataclass(frozen=True)
class Verdict:
    reason: str  # DUPLICATE | MEANINGLESS
    content_id: int


def judge(session: Session, actions: Sequence[MemberAction], now: datetime) -> dict[int, Verdict]:
    """Which of `actions` (about to be paid) are farming, by action id. Two queries at most: the texts of
    the actions' contents, and the members' earlier posts."""
    todo = [a for a in actions if a.kind in TEXT_KINDS and a.content_id is not None]
    if not todo:
        return {}
    policy = read_policy(session)
    if not policy.enabled:
        return {}
    bodies = dict(session.execute(select(ContentItem.id, ContentItem.body).where(
        one_of(session, ContentItem.id, sorted({a.content_id for a in todo if a.content_id is not None})),
        ContentItem.redacted_at.is_(None))).all())
    todo = [a for a in todo if bodies.get(a.content_id) not in (None, IMAGE_BODY)]
    if not todo:
        return {}
    earlier = _earlier_posts(session, todo, now - timedelta(days=policy.lookback_days))
    verdicts: dict[int, Verdict] = {}
    for action in sorted(todo, key=lambda a: a.id):
        assert action.content_id is not None
        text = fold(bodies[action.content_id])
        before = [(aid, t) for aid, t in earlier.get(action.member_id, []) if aid < action.id]
        if meaningless(text, policy.min_chars):
            verdicts[action.id] = Verdict(MEANINGLESS, action.content_id)
        elif any(near_same(text, t, policy.similarity) for _, t in before[-RECENT_POSTS:]):
            verdicts[action.id] = Verdict(DUPLICATE, action.content_id)
        # A post of the same batch is an earlier post for the ones after it.
        earlier.setdefault(action.member_id, []).append((action.id, text))
        earlier[action.member_id].sort()
    return verdicts


def _earlier_posts(session: Session, todo: Sequence[MemberAction], since: datetime) -> dict[int, list[tuple[int, str]]]:
    """(action id, folded text) of each member's last posts of the text kinds since `since`, oldest first,
    made before the newest action checked (one query, a window per member)."""
    members = sorted({a.member_id for a in todo})
    newest = max(a.id for a in todo)
    ranked = (select(MemberAction.member_id, MemberAction.id, ContentItem.body,
                     func.row_number().over(partition_by=MemberAction.member_id,
                                            order_by=MemberAction.id.desc()).label("n"))
              .join(ContentItem, ContentItem.id == MemberAction.content_id)
              .where(one_of(session, MemberAction.member_id, members), MemberAction.kind.in_(TEXT_KINDS),
                     MemberAction.occurred_at >= since, MemberAction.id < newest,
                     ContentItem.redacted_at.is_(None), ContentItem.body != IMAGE_BODY)
              .subquery())
    found: dict[int, list[tuple[int, str]]] = {}
    for member_id, action_id, body in session.execute(
            select(ranked.c.member_id, ranked.c.id, ranked.c.body)
            .where(ranked.c.n <= RECENT_POSTS + len(todo)).order_by(ranked.c.member_id, ranked.c.id)):
        found.setdefault(member_id, []).append((action_id, fold(body)))
    return found


def withheld(session: Session, action_ids: Sequence[int]) -> set[int]:
    """Which of the actions stand withheld as farming: their grant in force (not reversed) is 0 points with
    one of the `REASONS` (one query)."""
    if not action_ids:
        return set()
    settled = aliased(PointEntry)
    return set(session.scalars(select(PointEntry.action_id).where(
        one_of(session, PointEntry.action_id, sorted(set(action_ids))), PointEntry.kind == EntryKind.GRANT,
        PointEntry.amount == 0, PointEntry.reason.in_(sorted(REASONS.values())),
        ~exists().where(settled.source_entry_id == PointEntry.id, settled.kind == EntryKind.REVERSAL))))


def cleared(session: Session, action_ids: Sequence[int]) -> set[int]:
    """Which of the actions a moderator cleared of farming (a withheld grant settled as `CLEARED`)."""
    if not action_ids:
        return set()
    return set(session.scalars(select(PointEntry.action_id).where(
        one_of(session, PointEntry.action_id, sorted(set(action_ids))), PointEntry.kind == EntryKind.REVERSAL,
        PointEntry.reason == CLEARED)))
