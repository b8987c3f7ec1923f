package io.switchboard.dispatch.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * How a rollout cuts its targets into batches: {@code all} at once, {@code fixed} batches of {@code
 * batch_size}, {@code percentage} batches of {@code percent} of the targets, or {@code canary}:
 * {@code canary} agents first, then each batch {@code factor} times the one before.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Strategy(
    @JsonProperty("type") String type,
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("percent") Integer percent,
    @JsonProperty("canary") Integer canary,
    @JsonProperty("factor") Integer factor) {

  public static final Strategy ALL_AT_ONCE = new Strategy("all", null, null, null, null);

  /** What is wrong with it, or null when it is fine. */
  public String problem() {
    if (type == null) {
      return "strategy.type must be one of all, fixed, percentage, canary";
    }
    return switch (type) {
      case "all" -> null;
      case "fixed" ->
          batchSize == null || batchSize < 1 ? "strategy.batch_size must be at least 1" : null;
      case "percentage" ->
          percent == null || percent < 1 || percent > 100
              ? "strategy.percent must be 1 to 100"
              : null;
      case "canary" ->
          canary == null || canary < 1
              ? "strategy.canary must be at least 1"
              : factor != null && factor < 2 ? "strategy.factor must be at least 2" : null;
      default -> "strategy.type must be one of all, fixed, percentage, canary";
    };
  }

  /** The size of each batch for {@code targets} agents (a valid strategy, at least one target). */
  public List<Integer> batchSizes(int targets) {
    List<Integer> sizes = new ArrayList<>();
    int size =
        switch (type) {
          case "all" -> targets;
          case "fixed" -> batchSize;
          case "percentage" -> Math.max(1, (int) Math.ceil(targets * percent / 100.0));
          default -> canary;
        };
    int left = targets;
    while (left > 0) {
      int batch = Math.min(size, left);
      sizes.add(batch);
      left -= batch;
      if (type.equals("canary")) {
        size = size * (factor == null ? 2 : factor);
      }
    }
    return sizes;
  }
}
