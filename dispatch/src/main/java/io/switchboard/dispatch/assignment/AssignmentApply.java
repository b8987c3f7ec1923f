package io.switchboard.dispatch.assignment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.assignments.AppliedEnvelope;
import io.switchboard.persistence.assignments.Assignment;
import io.switchboard.persistence.assignments.AssignmentResolution;
import io.switchboard.persistence.assignments.AssignmentStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Takes assignments to agents: an assignment's whole reach in one set-based statement ({@link
 * #apply}), one agent after a relabel or a cleared override ({@link #follow}); the envelopes
 * written are handed to the agents' entities. Used by the operators' {@link Assignments} and by the
 * rollout driver once an assignment's rollout completes.
 */
public final class AssignmentApply {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(AssignmentApply.class);

  private final AssignmentStore store;
  private final AssignmentResolution resolution;
  private final Dispatcher dispatcher;
  private final Duration deadline;
  private final ObjectMapper json;

  public AssignmentApply(
      AssignmentStore store,
      AssignmentResolution resolution,
      Dispatcher dispatcher,
      Duration deadline,
      ObjectMapper json) {
    this.store = store;
    this.resolution = resolution;
    this.dispatcher = dispatcher;
    this.deadline = deadline;
    this.json = json;
  }

  /** Every agent the assignment wins that lacks its config gets it; completes with how many. */
  public CompletionStage<Integer> apply(Assignment assignment, String actor) {
    return resolution
        .apply(
            assignment.name(),
            SelectorJson.read(readTree(assignment.selectorJson())),
            deadline,
            actor)
        .thenApply(
            written -> {
              handOver(written);
              return written.size();
            });
  }

  /** Applies every assignment, the winning ones first. */
  public CompletionStage<Integer> applyAll(String actor) {
    return store
        .list()
        .thenCompose(
            all -> {
              CompletionStage<Integer> total = CompletableFuture.completedFuture(0);
              for (Assignment assignment : all) {
                total = total.thenCompose(sum -> apply(assignment, actor).thenApply(n -> sum + n));
              }
              return total;
            });
  }

  /** The assignment {@code name}, applied, if it still exists. */
  public CompletionStage<Integer> apply(String name, String actor) {
    return store
        .find(name)
        .thenCompose(
            found ->
                found.isEmpty() ? CompletableFuture.completedFuture(0) : apply(found.get(), actor));
  }

  /** Decides one agent's assignment again (after a relabel or a cleared override). */
  public CompletionStage<List<AppliedEnvelope>> follow(String instanceUid) {
    return resolution
        .resolve(instanceUid, deadline)
        .thenApply(
            written -> {
              written.forEach(envelope -> handOver(List.of(envelope)));
              return written;
            });
  }

  /**
   * Decides, from their stored rows, the assignment of agents whose description was just written
   * (the status writer calls this after each batch): how a new or redescribed agent gets its
   * assignment, and an agent that described itself while an assignment was being made is not
   * missed. One statement for the whole batch, however many agents connected at once; a failure is
   * logged (each agent is decided again at its next description or relabel).
   */
  public CompletionStage<Integer> followStored(List<String> instanceUids) {
    return resolution
        .resolveStored(instanceUids, deadline)
        .thenApply(
            groups -> {
              groups.forEach(this::handOver);
              return groups.stream().mapToInt(List::size).sum();
            })
        .exceptionally(
            failure -> {
              log.warn(
                  "Could not decide the assignments of {} described agents; each is decided again"
                      + " at its next description or relabel: {}",
                  instanceUids.size(),
                  failure.toString());
              return 0;
            });
  }

  /**
   * Hands envelopes over in runs of one message: a run starts at each envelope that carries it (the
   * config's, then the package set's).
   */
  private void handOver(List<AppliedEnvelope> written) {
    int from = 0;
    while (from < written.size()) {
      int to = from + 1;
      while (to < written.size() && written.get(to).message() == null) {
        to++;
      }
      handOverRun(written.subList(from, to));
      from = to;
    }
  }

  private void handOverRun(List<AppliedEnvelope> run) {
    ServerToAgent message;
    try {
      message = ServerToAgent.parseFrom(run.get(0).message());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an assignment's message is a ServerToAgent", e);
    }
    dispatcher.handOver(
        run.stream()
            .map(
                envelope ->
                    new Dispatcher.StoredEnvelope(
                        envelope.id(), envelope.instanceUid(), envelope.deadline()))
            .toList(),
        message);
  }

  private com.fasterxml.jackson.databind.JsonNode readTree(String text) {
    try {
      return json.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored selector is JSON", e);
    }
  }
}
