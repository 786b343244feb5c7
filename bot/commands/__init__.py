"""The bot's application commands, one module per command group (questions, timeline, feeds, watches).

Every group module has a docstring saying what it does and a `register(tree)` that adds its commands to a command
tree; the client (bot.discord_bot.TradewireBot) calls it for every module in bot.discord_bot.GROUPS, in that order.
A new group (timeline, brief, ...) is one more module here and one more entry in GROUPS. What several groups share
(UserError, the private acknowledgement, the apology, the Manage Server guard) is in bot.commands.common.
"""
