CREATE TABLE `thought_signatures` (
	`tool_call_id` text PRIMARY KEY NOT NULL,
	`signature` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `thought_signatures_expires_idx` ON `thought_signatures` (`expires_at`);--> statement-breakpoint
CREATE TABLE `usage_calls` (
	`id` integer PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`day` text NOT NULL,
	`client_key_id` text NOT NULL,
	`gemini_key_id` text,
	`model` text NOT NULL,
	`category` text NOT NULL,
	`endpoint` text NOT NULL,
	`streamed` integer NOT NULL,
	`status` integer NOT NULL,
	`outcome` text NOT NULL,
	`served` integer NOT NULL,
	`attempts` integer NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`thought_tokens` integer DEFAULT 0 NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`latency_ms` integer NOT NULL,
	`ttfb_ms` integer,
	`latency_bucket` integer NOT NULL,
	`ttfb_bucket` integer,
	`error_code` text
);
--> statement-breakpoint
CREATE INDEX `usage_calls_ts_idx` ON `usage_calls` (`ts`);--> statement-breakpoint
CREATE INDEX `usage_calls_client_ts_idx` ON `usage_calls` (`client_key_id`,`ts`);--> statement-breakpoint
CREATE TABLE `usage_daily` (
	`day` text NOT NULL,
	`gemini_key_id` text NOT NULL,
	`model` text NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`served` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`thought_tokens` integer DEFAULT 0 NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`latency_ms_sum` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `gemini_key_id`, `model`)
);
--> statement-breakpoint
CREATE TABLE `usage_daily_client` (
	`day` text NOT NULL,
	`client_key_id` text NOT NULL,
	`model` text NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`thought_tokens` integer DEFAULT 0 NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`latency_ms_sum` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `client_key_id`, `model`)
);
--> statement-breakpoint
CREATE TABLE `usage_daily_outcome` (
	`day` text NOT NULL,
	`model` text NOT NULL,
	`outcome` text NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`thought_tokens` integer DEFAULT 0 NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`latency_ms_sum` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `model`, `outcome`)
);
--> statement-breakpoint
CREATE TABLE `usage_latency` (
	`day` text NOT NULL,
	`model` text NOT NULL,
	`metric` text NOT NULL,
	`bucket` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `model`, `metric`, `bucket`)
);
