package io.switchboard.fleetsim;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;

/**
 * What the simulated agents see, for a harness in the same JVM that measures them (the bench's
 * dispatch latency). Times are {@link System#nanoTime()} so that they compare with the harness's
 * own. Called from the agents' actors, concurrently: implementations must be thread-safe and quick.
 * {@code instanceUid} is the agent's instance_uid as the operator API writes it (a UUID).
 */
public interface AgentObserver {

  AgentObserver NONE = new AgentObserver() {};

  /** The server answered an agent's connection: the agent holds a session. */
  default void sessionStarted(String instanceUid) {}

  /** A server message carrying a command or a remote config reached an agent. */
  default void commandReceived(String instanceUid, ServerToAgent message, long receivedNanos) {}

  /** An agent finished applying a remote config and is reporting it APPLIED or FAILED. */
  default void remoteConfigReported(
      String instanceUid, ByteString configHash, RemoteConfigStatuses status, long reportedNanos) {}
}
