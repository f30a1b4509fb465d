"""What a form says when a member's text is over its limit (reviews, ideas, Q&A, surveys share it)."""
from __future__ import annotations


def too_long(limit: int, length: int) -> str:
    """「500文字以内でご記入ください（現在612文字）。」"""
    return f"{limit:,}文字以内でご記入ください（現在{length:,}文字）。"
