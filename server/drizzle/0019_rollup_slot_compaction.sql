CREATE INDEX "analytics_daily_unfolded_idx" ON "analytics_daily" USING btree ("day") WHERE "analytics_daily"."slot" <> 0;--> statement-breakpoint
CREATE INDEX "analytics_daily_llm_unfolded_idx" ON "analytics_daily_llm" USING btree ("day") WHERE "analytics_daily_llm"."slot" <> 0;--> statement-breakpoint
CREATE INDEX "analytics_daily_stage_unfolded_idx" ON "analytics_daily_stage" USING btree ("day") WHERE "analytics_daily_stage"."slot" <> 0;--> statement-breakpoint
-- analytics_hist_add as an aggregate: folding a key's slots into one row sums their histograms. The
-- strict wrapper makes the first row's histogram the initial state (no 300-zero INITCOND).
CREATE FUNCTION analytics_hist_add_strict(a integer[], b integer[]) RETURNS integer[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT analytics_hist_add(a, b) $$;
--> statement-breakpoint
CREATE AGGREGATE analytics_hist_sum(integer[]) (SFUNC = analytics_hist_add_strict, STYPE = integer[]);
