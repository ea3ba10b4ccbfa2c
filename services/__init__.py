"""Rules and use cases, free of Telegram: each function is one unit of work on plain values."""
