"""Rule-based crisis safety net (works without Rasa)."""
from bot.safety.detector import CATEGORIES, SafetyNet, SafetyResult

__all__ = ["CATEGORIES", "SafetyNet", "SafetyResult"]
