package io.songmap.stages.jobs;

import io.songmap.job.JobEvent;
import java.util.List;
import java.util.UUID;

/**
 * Sends a stage's task as soon as the append that records its StageRequested commits, ahead of the relay, which
 * would otherwise have to be told of the commit, read the event back and only then send it. The relay stays the
 * guarantee: a task whose direct send fails, or whose sender dies before sending, goes out through the relay.
 * {@link JobCommands} prepares the dispatch before each append and settles it afterwards.
 */
public interface TaskDispatch {
  /** A StageRequested about to be appended, with the event id it will be stored under. */
  record Requested(UUID eventId, JobEvent.StageRequested event, String correlationId) {}

  /**
   * Called before the append that records {@code requested} (only tasks due now; never empty): the dispatch
   * announces them, so that a relay in this process that reads them back before they are sent waits for the
   * direct send instead of sending them a second time.
   */
  Pending prepare(String tenant, List<Requested> requested);

  /** The tasks of one append. Exactly one of the two methods is called, once. */
  interface Pending {
    /** The append committed: send the tasks now. */
    void committed();

    /** The append failed (or its outcome is unknown): send nothing; the relay sends whatever was stored. */
    void abandoned();
  }
}
