-- Custom SQL migration (drizzle-kit generate --custom): what drizzle's schema cannot say.
-- 1. The roll-ups are no longer kept by a per-row trigger (about 7 rows written per call) but
--    folded from the ledger in bulk by the cron (src/usage/fold.ts). Every row the trigger has
--    already rolled up is folded: the fold cursor starts at the ledger's newest row, so rows
--    written after this migration (by the previous code, until the new code is live) are
--    folded by the next cron run, none twice.
-- 2. thought_signatures becomes WITHOUT ROWID: its text primary key then is the table itself,
--    one row written per signature instead of two (table row + primary-key index).
DROP TRIGGER IF EXISTS `usage_calls_roll_up`;
--> statement-breakpoint
INSERT INTO `usage_fold` (`id`, `through`, `folded_at`) SELECT 1, coalesce(max(`id`), 0), 0 FROM `usage_calls`;
--> statement-breakpoint
INSERT INTO `config_version` (`id`, `version`, `changed_at`) VALUES (1, 1, 0);
--> statement-breakpoint
CREATE TABLE `thought_signatures_new` (
	`tool_call_id` text PRIMARY KEY NOT NULL,
	`signature` text NOT NULL,
	`expires_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `thought_signatures_new` SELECT `tool_call_id`, `signature`, `expires_at` FROM `thought_signatures`;
--> statement-breakpoint
DROP TABLE `thought_signatures`;
--> statement-breakpoint
ALTER TABLE `thought_signatures_new` RENAME TO `thought_signatures`;
