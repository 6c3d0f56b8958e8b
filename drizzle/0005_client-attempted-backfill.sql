-- Custom SQL migration (drizzle-kit generate --custom): roll-up rows folded before
-- usage_daily_client.attempted existed. Every call then counted for the client's daily limit.
UPDATE `usage_daily_client` SET `attempted` = `requests`;
