CREATE TABLE `usage_daily_requested` (
	`day` text NOT NULL,
	`requested_model` text NOT NULL,
	`model` text NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `requested_model`, `model`)
);
