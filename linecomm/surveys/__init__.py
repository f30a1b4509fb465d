"""Surveys (アンケート): built by marketers in the admin page, answered by members on a LIFF page."""
