CREATE TABLE `key_affinity` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`gemini_key_id` text NOT NULL,
	`client_key_id` text NOT NULL,
	`mime_type` text,
	`uri` text,
	`size_bytes` integer,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `usage_calls` ADD `images` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_calls` ADD `audio_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_calls` ADD `speech_characters` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_calls` ADD `files` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_calls` ADD `file_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_daily` ADD `images` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_daily` ADD `audio_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_daily` ADD `speech_characters` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_daily` ADD `files` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_daily` ADD `file_bytes` integer DEFAULT 0 NOT NULL;