CREATE TABLE `config_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `plan_usage` (
	`utc_day` text NOT NULL,
	`resource` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`limit_hit_at` integer,
	`limit_detail` text,
	PRIMARY KEY(`utc_day`, `resource`)
);
--> statement-breakpoint
CREATE TABLE `quota_resets` (
	`day` text PRIMARY KEY NOT NULL,
	`through` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `usage_fold` (
	`id` integer PRIMARY KEY NOT NULL,
	`through` integer NOT NULL,
	`folded_at` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `thought_signatures_expires_idx`;--> statement-breakpoint
DROP INDEX `usage_calls_ts_idx`;--> statement-breakpoint
DROP INDEX `usage_calls_client_ts_idx`;--> statement-breakpoint
ALTER TABLE `usage_daily_client` ADD `last_ts` integer DEFAULT 0 NOT NULL;