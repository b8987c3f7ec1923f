package io.switchboard.dispatch.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.context.Context;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.OperatorCommand;
import io.switchboard.dispatch.RemoteConfigs;
import io.switchboard.opamp.json.ConfigMapJson;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.configurations.ConfigurationVersion;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.packages.Package;
import io.switchboard.persistence.rollouts.Rollout;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Sends a configuration version to a rollout's agents as envelopes, written a few hundred per
 * statement, a few statements at a time, so a batch of thousands neither makes a statement per
 * agent nor holds many pooled connections at once. Each agent's envelope has an idempotency key
 * made of the rollout and the agent, so a driver that restarts half-way through a batch makes no
 * second envelope.
 */
final class RolloutDispatch {

  private final Dispatcher dispatcher;
  private final ObjectMapper json;
  private final Duration deadline;
  private final int envelopesPerWrite;
  private final int writesAtOnce;

  RolloutDispatch(Dispatcher dispatcher, RolloutSettings settings, ObjectMapper json) {
    this.dispatcher = dispatcher;
    this.json = json;
    this.deadline = settings.batchDeadline();
    this.envelopesPerWrite = settings.envelopesPerWrite();
    this.writesAtOnce = settings.writesAtOnce();
  }

  /** Dispatches {@code version} to each agent; completes with each agent's envelope id. */
  CompletionStage<Map<String, UUID>> send(
      Rollout rollout, ConfigurationVersion version, List<String> agents, String purpose) {
    return send(rollout, version, agents, purpose, Context.root());
  }

  /** As above, within the trace of {@code parent} (the batch's span). */
  CompletionStage<Map<String, UUID>> send(
      Rollout rollout,
      ConfigurationVersion version,
      List<String> agents,
      String purpose,
      Context parent) {
    JsonNode configMap = read(version.configMapJson());
    ServerToAgent message = RemoteConfigs.message(ConfigMapJson.fromJson(configMap));
    ObjectNode payload = json.createObjectNode();
    payload.put("rollout", rollout.id().toString());
    if (rollout.assignment() != null) {
      // The agent's desired config then names the assignment it came from.
      payload.put("assignment", rollout.assignment());
    }
    payload.put("configuration", version.name());
    payload.put("version", version.version());
    payload.set("config_map", configMap);
    return send(
        rollout, EnvelopeKind.REMOTE_CONFIG, payload.toString(), message, agents, purpose, parent);
  }

  /** Dispatches the offer of a package set to each agent; completes with each one's envelope id. */
  CompletionStage<Map<String, UUID>> sendPackages(
      Rollout rollout,
      List<Package> packages,
      ServerToAgent message,
      List<String> agents,
      String purpose) {
    ObjectNode payload = json.createObjectNode();
    payload.put("rollout", rollout.id().toString());
    if (rollout.assignment() != null) {
      payload.put("assignment", rollout.assignment());
    }
    ArrayNode set = payload.putArray("packages");
    packages.forEach(pkg -> set.addObject().put("name", pkg.name()).put("version", pkg.version()));
    payload.put(
        "all_packages_hash",
        HexFormat.of()
            .formatHex(message.getPackagesAvailable().getAllPackagesHash().toByteArray()));
    // A package batch has no span of its own yet: its envelopes start their traces at the root.
    return send(
        rollout,
        EnvelopeKind.PACKAGES,
        payload.toString(),
        message,
        agents,
        purpose,
        Context.root());
  }

  private CompletionStage<Map<String, UUID>> send(
      Rollout rollout,
      EnvelopeKind kind,
      String payloadJson,
      ServerToAgent message,
      List<String> agents,
      String purpose,
      Context parent) {
    List<List<OperatorCommand>> writes = new ArrayList<>();
    for (int from = 0; from < agents.size(); from += envelopesPerWrite) {
      writes.add(
          agents.subList(from, Math.min(from + envelopesPerWrite, agents.size())).stream()
              .map(
                  agent ->
                      new OperatorCommand(
                          agent,
                          kind,
                          payloadJson,
                          message,
                          "rollout/" + rollout.id() + "/" + purpose + "/" + agent,
                          deadline,
                          "rollout/" + rollout.id()))
              .toList());
    }
    return FewAtATime.each(writes, writesAtOnce, commands -> dispatcher.send(commands, parent))
        .thenApply(
            written -> {
              Map<String, UUID> envelopes = new HashMap<>();
              written.forEach(
                  batch ->
                      batch.forEach(
                          envelope -> envelopes.put(envelope.instanceUid(), envelope.id())));
              return Map.copyOf(envelopes);
            });
  }

  private JsonNode read(String text) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("a stored config map is JSON", e);
    }
  }
}
