"""The `stationbot` subcommands, one module each; `bot.cli` lists them."""
