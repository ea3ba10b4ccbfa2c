"""What the bot knows, as data files plus pure code. Nothing here touches Telegram or SQL."""
