package io.switchboard.bench.fleet;

import com.google.protobuf.ByteString;
import io.switchboard.fleetsim.AgentObserver;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each agent first received each remote config (by its hash), and when it first reported it
 * APPLIED or FAILED: a config offered again on a later session is not a new arrival.
 */
public final class ConfigArrivals implements AgentObserver {

  private final Map<ByteString, Map<String, Long>> received = new ConcurrentHashMap<>();
  private final Map<ByteString, Map<String, Long>> applied = new ConcurrentHashMap<>();
  private final Map<ByteString, Map<String, Long>> failed = new ConcurrentHashMap<>();

  @Override
  public void commandReceived(String instanceUid, ServerToAgent message, long receivedNanos) {
    if (message.hasRemoteConfig()) {
      first(received, message.getRemoteConfig().getConfigHash(), instanceUid, receivedNanos);
    }
  }

  @Override
  public void remoteConfigReported(
      String instanceUid, ByteString configHash, RemoteConfigStatuses status, long reportedNanos) {
    first(
        status == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED ? applied : failed,
        configHash,
        instanceUid,
        reportedNanos);
  }

  /** Each agent that received the config with this hash, and when ({@link System#nanoTime()}). */
  public Map<String, Long> received(ByteString configHash) {
    return Map.copyOf(received.getOrDefault(configHash, Map.of()));
  }

  /** Each agent that reported the config with this hash APPLIED, and when. */
  public Map<String, Long> applied(ByteString configHash) {
    return Map.copyOf(applied.getOrDefault(configHash, Map.of()));
  }

  /** Each agent that reported the config with this hash FAILED, and when. */
  public Map<String, Long> failed(ByteString configHash) {
    return Map.copyOf(failed.getOrDefault(configHash, Map.of()));
  }

  private static void first(
      Map<ByteString, Map<String, Long>> events,
      ByteString configHash,
      String instanceUid,
      long nanos) {
    events
        .computeIfAbsent(configHash, hash -> new ConcurrentHashMap<>())
        .putIfAbsent(instanceUid, nanos);
  }
}
