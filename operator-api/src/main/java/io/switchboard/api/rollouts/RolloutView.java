package io.switchboard.api.rollouts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.dispatch.assignment.SelectorJson;
import io.switchboard.persistence.rollouts.BatchProgress;
import io.switchboard.persistence.rollouts.Rollout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** A rollout as the API shows it; {@code batches} (per-batch progress) only when reading one. */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
record RolloutView(
    @JsonProperty("id") String id,
    @JsonProperty("configuration") String configuration,
    @JsonProperty("version") Integer version,
    @JsonProperty("packages") JsonNode packages,
    @JsonProperty("previous_version") Integer previousVersion,
    @JsonProperty("selector") JsonNode selector,
    @JsonProperty("strategy") JsonNode strategy,
    @JsonProperty("gates") JsonNode gates,
    @JsonProperty("state") String state,
    @JsonProperty("detail") String detail,
    @JsonProperty("current_batch") int currentBatch,
    @JsonProperty("batch_count") int batchCount,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("created_by") String createdBy,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("batches") List<Batch> batches) {

  /** One batch's progress: its agents' envelopes by outcome, and their health now. */
  record Batch(
      @JsonProperty("batch") int batch,
      @JsonProperty("targets") int targets,
      @JsonProperty("not_dispatched") int notDispatched,
      @JsonProperty("open") int open,
      @JsonProperty("applied") int applied,
      @JsonProperty("failed") int failed,
      @JsonProperty("expired") int expired,
      @JsonProperty("disconnected") int disconnected,
      @JsonProperty("unhealthy") int unhealthy) {

    static Batch of(BatchProgress progress) {
      return new Batch(
          progress.batch(),
          progress.targets(),
          progress.notDispatched(),
          progress.open(),
          progress.applied(),
          progress.failed(),
          progress.expired(),
          progress.disconnected(),
          progress.unhealthy());
    }
  }

  static RolloutView summary(Rollout rollout, ObjectMapper json) {
    return of(rollout, null, json);
  }

  static RolloutView of(Rollout rollout, List<BatchProgress> batches, ObjectMapper json) {
    return new RolloutView(
        rollout.id().toString(),
        rollout.configuration(),
        rollout.version(),
        rollout.packagesJson() == null ? null : read(rollout.packagesJson(), json),
        rollout.previousVersion(),
        SelectorJson.render(rollout.selectorJson(), json),
        read(rollout.strategyJson(), json),
        read(rollout.gatesJson(), json),
        rollout.state().name(),
        rollout.detail(),
        rollout.currentBatch(),
        rollout.batchCount(),
        rollout.createdAt().toString(),
        rollout.createdBy(),
        rollout.updatedAt().toString(),
        batches == null ? null : batches.stream().map(Batch::of).toList());
  }

  private static JsonNode read(String text, ObjectMapper json) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("stored rollout settings are JSON", e);
    }
  }
}
