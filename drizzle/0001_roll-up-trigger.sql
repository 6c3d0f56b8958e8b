-- Custom SQL migration (drizzle-kit generate --custom): drizzle's schema cannot declare triggers.
-- Every ledger row updates the three daily roll-ups and the latency histogram in the same
-- statement, so the Worker sends one INSERT per call and the roll-ups never disagree with the
-- ledger. Columns and keys are those of src/usage/schema.ts.
CREATE TRIGGER `usage_calls_roll_up` AFTER INSERT ON `usage_calls`
BEGIN
  INSERT INTO `usage_daily` (`day`, `gemini_key_id`, `model`, `requests`, `errors`, `served`,
    `prompt_tokens`, `completion_tokens`, `thought_tokens`, `cached_tokens`, `total_tokens`, `latency_ms_sum`)
  VALUES (NEW.`day`, coalesce(NEW.`gemini_key_id`, ''), NEW.`model`, 1, NEW.`outcome` <> 'ok', NEW.`served`,
    NEW.`prompt_tokens`, NEW.`completion_tokens`, NEW.`thought_tokens`, NEW.`cached_tokens`, NEW.`total_tokens`, NEW.`latency_ms`)
  ON CONFLICT (`day`, `gemini_key_id`, `model`) DO UPDATE SET
    `requests` = `requests` + 1,
    `errors` = `errors` + excluded.`errors`,
    `served` = `served` + excluded.`served`,
    `prompt_tokens` = `prompt_tokens` + excluded.`prompt_tokens`,
    `completion_tokens` = `completion_tokens` + excluded.`completion_tokens`,
    `thought_tokens` = `thought_tokens` + excluded.`thought_tokens`,
    `cached_tokens` = `cached_tokens` + excluded.`cached_tokens`,
    `total_tokens` = `total_tokens` + excluded.`total_tokens`,
    `latency_ms_sum` = `latency_ms_sum` + excluded.`latency_ms_sum`;

  INSERT INTO `usage_daily_client` (`day`, `client_key_id`, `model`, `requests`, `errors`,
    `prompt_tokens`, `completion_tokens`, `thought_tokens`, `cached_tokens`, `total_tokens`, `latency_ms_sum`)
  VALUES (NEW.`day`, NEW.`client_key_id`, NEW.`model`, 1, NEW.`outcome` <> 'ok',
    NEW.`prompt_tokens`, NEW.`completion_tokens`, NEW.`thought_tokens`, NEW.`cached_tokens`, NEW.`total_tokens`, NEW.`latency_ms`)
  ON CONFLICT (`day`, `client_key_id`, `model`) DO UPDATE SET
    `requests` = `requests` + 1,
    `errors` = `errors` + excluded.`errors`,
    `prompt_tokens` = `prompt_tokens` + excluded.`prompt_tokens`,
    `completion_tokens` = `completion_tokens` + excluded.`completion_tokens`,
    `thought_tokens` = `thought_tokens` + excluded.`thought_tokens`,
    `cached_tokens` = `cached_tokens` + excluded.`cached_tokens`,
    `total_tokens` = `total_tokens` + excluded.`total_tokens`,
    `latency_ms_sum` = `latency_ms_sum` + excluded.`latency_ms_sum`;

  INSERT INTO `usage_daily_outcome` (`day`, `model`, `outcome`, `requests`,
    `prompt_tokens`, `completion_tokens`, `thought_tokens`, `cached_tokens`, `total_tokens`, `latency_ms_sum`)
  VALUES (NEW.`day`, NEW.`model`, NEW.`outcome`, 1,
    NEW.`prompt_tokens`, NEW.`completion_tokens`, NEW.`thought_tokens`, NEW.`cached_tokens`, NEW.`total_tokens`, NEW.`latency_ms`)
  ON CONFLICT (`day`, `model`, `outcome`) DO UPDATE SET
    `requests` = `requests` + 1,
    `prompt_tokens` = `prompt_tokens` + excluded.`prompt_tokens`,
    `completion_tokens` = `completion_tokens` + excluded.`completion_tokens`,
    `thought_tokens` = `thought_tokens` + excluded.`thought_tokens`,
    `cached_tokens` = `cached_tokens` + excluded.`cached_tokens`,
    `total_tokens` = `total_tokens` + excluded.`total_tokens`,
    `latency_ms_sum` = `latency_ms_sum` + excluded.`latency_ms_sum`;

  INSERT INTO `usage_latency` (`day`, `model`, `metric`, `bucket`, `count`)
  VALUES (NEW.`day`, NEW.`model`, 'total', NEW.`latency_bucket`, 1)
  ON CONFLICT (`day`, `model`, `metric`, `bucket`) DO UPDATE SET `count` = `count` + 1;

  INSERT INTO `usage_latency` (`day`, `model`, `metric`, `bucket`, `count`)
  SELECT NEW.`day`, NEW.`model`, 'ttfb', NEW.`ttfb_bucket`, 1 WHERE NEW.`ttfb_bucket` IS NOT NULL
  ON CONFLICT (`day`, `model`, `metric`, `bucket`) DO UPDATE SET `count` = `count` + 1;
END;
