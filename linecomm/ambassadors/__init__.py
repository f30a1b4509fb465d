"""Ambassadors (公認アンバサダー) and member-moderators (コミュニティモデレーター) appointed from activity:
candidate rules the owner sets, appointments with a title badge and a notice, and the member-moderator's
right to hide reported content pending review from LIFF."""
