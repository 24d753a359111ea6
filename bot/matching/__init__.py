"""Ranks catalog groups for one person's request."""
from bot.matching.engine import Match, Recommendations, rank
from bot.matching.request import MatchRequest, RequestError

__all__ = ["Match", "MatchRequest", "Recommendations", "RequestError", "rank"]
