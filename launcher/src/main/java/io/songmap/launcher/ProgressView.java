package io.songmap.launcher;

import io.songmap.job.JobState;
import io.songmap.job.StageState;
import io.songmap.job.StageStatus;
import io.songmap.job.stage.Stage;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;

/**
 * Progress bars per stage, drawn from the job's state (itself folded from the job's events). On a
 * terminal the bars are redrawn in place; otherwise a line is printed whenever a stage changes.
 */
final class ProgressView {
  private static final int WIDTH = 24;
  private final PrintWriter out;
  private final boolean redraw;
  private final Map<Stage, String> last = new EnumMap<>(Stage.class);
  private boolean drawn;

  ProgressView(PrintStream out, boolean redraw) {
    this(new PrintWriter(out), redraw);
  }

  ProgressView(PrintWriter out, boolean redraw) {
    this.out = out;
    this.redraw = redraw;
  }

  void render(JobState state) {
    if (!state.exists()) {
      return;
    }
    if (redraw) {
      if (drawn) {
        out.print("\033[" + (Stage.values().length + 1) + "F");
      }
      for (Stage stage : Stage.values()) {
        out.print("\033[2K" + fit(line(stage, state.stage(stage))) + "\n");
      }
      out.printf("\033[2K%-12s %5.1f%%%n", "overall", state.progressPercent());
      drawn = true;
    } else {
      for (Stage stage : Stage.values()) {
        String l = line(stage, state.stage(stage));
        String coarse = coarse(state.stage(stage));
        if (!coarse.equals(last.get(stage))) {
          last.put(stage, coarse);
          out.println(l);
        }
      }
    }
    out.flush();
  }

  /** Something else was printed below the bars: the next render draws them afresh underneath. */
  void interrupted() {
    drawn = false;
  }

  void finish(JobState state) {
    render(state);
    out.printf("job %s: %s%n", state.jobId(), state.status().name().toLowerCase());
    out.flush();
  }

  /**
   * Redrawing moves the cursor up one row per line, so a line must not wrap: cut to the terminal's width
   * ({@code COLUMNS} when the shell exports it, else 80).
   */
  private static String fit(String line) {
    int columns = 80;
    try {
      columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").trim());
    } catch (NumberFormatException ignored) {
      // keep 80
    }
    int max = Math.max(20, columns - 1);
    return line.length() <= max ? line : line.substring(0, max - 3) + "...";
  }

  private static String coarse(StageState s) {
    return s.status() + ":" + (int) (fraction(s) * 4);
  }

  private static double fraction(StageState s) {
    return switch (s.status()) {
      case COMPLETED, SKIPPED -> 1.0;
      default -> Math.max(0, Math.min(1, s.fraction()));
    };
  }

  static String line(Stage stage, StageState s) {
    double f = fraction(s);
    int filled = (int) Math.round(f * WIDTH);
    String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    String status = s.status().name().toLowerCase();
    if (s.status() == StageStatus.SKIPPED && s.skipReason() != null) {
      status += " (" + s.skipReason() + ")";
    }
    if (s.attempt() > 1) {
      status += " attempt " + s.attempt();
    }
    return String.format("%-12s [%s] %3d%%  %s", stage.wireName(), bar, Math.round(f * 100), status);
  }
}
