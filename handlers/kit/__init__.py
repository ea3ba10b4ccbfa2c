"""The Telegram toolkit every journey builds on; it imports no journey."""
