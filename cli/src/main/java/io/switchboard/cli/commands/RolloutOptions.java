package io.switchboard.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/**
 * How a rollout moves (its strategy) and when it stops (its gates): the same flags wherever a
 * rollout starts, whether created directly or by changing an assignment's version.
 */
public final class RolloutOptions {

  @Option(
      names = "--strategy",
      description = "all, fixed (--batch-size), percentage (--percent) or canary.")
  String strategy;

  @Option(names = "--batch-size")
  Integer batchSize;

  @Option(names = "--percent")
  Integer percent;

  @Option(names = "--canary", description = "Agents in the first batch of a canary.")
  Integer canary;

  @Option(names = "--factor", description = "How much each canary batch grows (default 2).")
  Integer factor;

  @Option(names = "--max-failed-ratio")
  Double maxFailed;

  @Option(names = "--max-disconnected-ratio")
  Double maxDisconnected;

  @Option(names = "--max-unhealthy-ratio")
  Double maxUnhealthy;

  /** Adds {@code strategy} (defaulting to all at once) and any {@code gates} to a request body. */
  void addTo(ObjectNode body) {
    ObjectNode strategyNode =
        body.putObject("strategy").put("type", strategy == null ? "all" : strategy);
    putIfSet(strategyNode, "batch_size", batchSize);
    putIfSet(strategyNode, "percent", percent);
    putIfSet(strategyNode, "canary", canary);
    putIfSet(strategyNode, "factor", factor);
    if (maxFailed != null || maxDisconnected != null || maxUnhealthy != null) {
      ObjectNode gates = body.putObject("gates");
      putIfSet(gates, "max_failed_ratio", maxFailed);
      putIfSet(gates, "max_disconnected_ratio", maxDisconnected);
      putIfSet(gates, "max_unhealthy_ratio", maxUnhealthy);
    }
  }

  private static void putIfSet(ObjectNode node, String field, Number value) {
    if (value instanceof Integer integer) {
      node.put(field, integer);
    } else if (value instanceof Double real) {
      node.put(field, real);
    }
  }
}
