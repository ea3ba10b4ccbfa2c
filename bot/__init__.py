"""Composition root and runtime: settings, the application, CLI, offline Telegram, persistence."""
