package io.switchboard.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.bench.cluster.OperatorApiClient;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rollout's batch plan written on the command line, {@code all}, {@code fixed:<batch size>},
 * {@code percentage:<percent>} or {@code canary:<first batch>[:<factor>]}, as the rollout API's
 * strategy object. Whether the numbers make sense is the API's to judge.
 */
final class BatchPlan {

  private static final Pattern PLAN =
      Pattern.compile("(all)|(fixed|percentage|canary):(\\d+)|(canary):(\\d+):(\\d+)");

  private BatchPlan() {}

  static ObjectNode strategy(String plan) {
    Matcher matcher = PLAN.matcher(plan.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "batch plan "
              + plan
              + ": expected all, fixed:<batch size>, percentage:<percent> or canary:<first batch>[:<factor>]");
    }
    ObjectNode strategy = OperatorApiClient.object();
    if (matcher.group(1) != null) {
      return strategy.put("type", "all");
    }
    if (matcher.group(4) != null) {
      return strategy
          .put("type", "canary")
          .put("canary", Integer.parseInt(matcher.group(5)))
          .put("factor", Integer.parseInt(matcher.group(6)));
    }
    String type = matcher.group(2);
    String field =
        switch (type) {
          case "fixed" -> "batch_size";
          case "percentage" -> "percent";
          default -> "canary";
        };
    return strategy.put("type", type).put(field, Integer.parseInt(matcher.group(3)));
  }
}
