"""Referrals (友だち紹介): members' invite links, newcomers arriving through them, joins attributed once."""
