package io.switchboard.cli.commands;

import static io.switchboard.cli.output.JsonText.at;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout's progress as {@code rollouts watch} prints it: on a terminal, a bar per batch redrawn
 * in place; piped, a plain line each time the progress changes, so a log or CI output reads as a
 * history.
 */
final class RolloutProgress {

  private static final int BAR = 30;

  private final PrintWriter out;
  private final boolean terminal;
  private String lastLine = "";
  private int drawnLines;

  RolloutProgress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  void show(JsonNode rollout) {
    if (terminal) {
      redraw(rollout);
    } else {
      String line = summary(rollout);
      if (!line.equals(lastLine)) {
        out.println(line);
        lastLine = line;
      }
    }
    out.flush();
  }

  /** One line: the rollout's state, its current batch and what that batch's agents did. */
  static String summary(JsonNode rollout) {
    StringBuilder line =
        new StringBuilder("rollout ")
            .append(at(rollout, "/id"))
            .append(' ')
            .append(at(rollout, "/state"))
            .append(": batch ")
            .append(rollout.path("current_batch").asInt() + 1)
            .append('/')
            .append(rollout.path("batch_count").asInt());
    JsonNode batch = current(rollout);
    if (batch != null) {
      line.append(", ").append(counts(batch));
    }
    String detail = at(rollout, "/detail");
    if (!detail.isEmpty()) {
      line.append(" (").append(detail).append(')');
    }
    return line.toString();
  }

  private void redraw(JsonNode rollout) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "rollout "
            + at(rollout, "/id")
            + " of "
            + at(rollout, "/configuration")
            + " version "
            + at(rollout, "/version")
            + ": "
            + at(rollout, "/state")
            + (at(rollout, "/detail").isEmpty() ? "" : " (" + at(rollout, "/detail") + ")"));
    for (JsonNode batch : rollout.path("batches")) {
      int targets = batch.path("targets").asInt();
      int done = batch.path("applied").asInt() + batch.path("failed").asInt();
      int filled = targets == 0 ? BAR : Math.min(BAR, done * BAR / targets);
      lines.add(
          String.format(
              "  batch %-3d [%s%s] %s",
              batch.path("batch").asInt() + 1,
              "#".repeat(filled),
              ".".repeat(BAR - filled),
              counts(batch)));
    }
    // Up over what was drawn before, then each line cleared and written again.
    if (drawnLines > 0) {
      out.print("\033[" + drawnLines + "A");
    }
    for (String line : lines) {
      out.print("\r\033[2K" + line + "\n");
    }
    drawnLines = lines.size();
  }

  private static JsonNode current(JsonNode rollout) {
    int current = rollout.path("current_batch").asInt();
    for (JsonNode batch : rollout.path("batches")) {
      if (batch.path("batch").asInt() == current) {
        return batch;
      }
    }
    return null;
  }

  private static String counts(JsonNode batch) {
    return batch.path("applied").asInt()
        + "/"
        + batch.path("targets").asInt()
        + " applied, "
        + batch.path("failed").asInt()
        + " failed, "
        + batch.path("open").asInt()
        + " open, "
        + batch.path("disconnected").asInt()
        + " disconnected, "
        + batch.path("unhealthy").asInt()
        + " unhealthy";
  }
}
