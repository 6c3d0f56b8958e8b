CREATE TABLE `ledger_partitions` (
	`name` text PRIMARY KEY NOT NULL,
	`first_id` integer NOT NULL,
	`last_id` integer NOT NULL,
	`first_ts` integer NOT NULL,
	`last_ts` integer NOT NULL,
	`created_at` integer NOT NULL
);
