"""Playing a scenario: dice, rules, state views, the session, its log, replay, fork."""
