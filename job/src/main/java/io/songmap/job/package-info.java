/**
 * The Job aggregate, pure: no I/O, no clock, no framework.
 *
 * <ul>
 * <li>{@link io.songmap.job.JobCommand} and {@link io.songmap.job.JobEvent}: sealed interfaces of
 *     records; switch over {@code command.kind()} / {@code event.type()} to be exhaustive.</li>
 * <li>{@link io.songmap.job.Job#decide} and {@link io.songmap.job.Job#evolve}: the decider;
 *     {@link io.songmap.job.JobState#replay} folds a stream.</li>
 * <li>{@link io.songmap.job.JobState}: status, per-stage status and attempts, outputs, progress,
 *     error; {@link io.songmap.job.JobState#version()} is the stream version to append after.</li>
 * <li>{@link io.songmap.job.JobRejection}: typed refusals with stable codes.</li>
 * <li>{@link io.songmap.job.JobEventType}: stable event type names and the stored schema version.</li>
 * <li>{@link io.songmap.job.stage.StageGraph}: the order of the stages;
 *     {@link io.songmap.job.retry.RetryPolicy}: attempts and backoff.</li>
 * </ul>
 */
package io.songmap.job;
