package io.switchboard.observability.tracing;

import io.opentelemetry.api.common.AttributeKey;

/** The span attributes Switchboard sets, in one place, as docs/tracing.md lists them. */
public final class TraceAttributes {

  private TraceAttributes() {}

  /** The agent's instance_uid, in canonical text form. */
  public static final AttributeKey<String> AGENT =
      AttributeKey.stringKey("switchboard.agent.instance_uid");

  /** The envelope's id. */
  public static final AttributeKey<String> ENVELOPE =
      AttributeKey.stringKey("switchboard.envelope.id");

  /** What kind of command the envelope holds (REMOTE_CONFIG, RESTART, ...). */
  public static final AttributeKey<String> KIND =
      AttributeKey.stringKey("switchboard.envelope.kind");

  /** Where the envelope stands (PENDING, SENT, APPLIED, FAILED, EXPIRED). */
  public static final AttributeKey<String> STATE =
      AttributeKey.stringKey("switchboard.envelope.state");

  /** Why the envelope stands where it does. */
  public static final AttributeKey<String> DETAIL =
      AttributeKey.stringKey("switchboard.envelope.detail");

  /** How the envelope write came out: created, replayed, key-reused, unknown-agent. */
  public static final AttributeKey<String> WRITE =
      AttributeKey.stringKey("switchboard.envelope.write");

  /** The node that did the work (its Pekko address); also a resource attribute. */
  public static final AttributeKey<String> NODE = Tracing.NODE;

  /** The rollout's id. */
  public static final AttributeKey<String> ROLLOUT =
      AttributeKey.stringKey("switchboard.rollout.id");

  /** The rollout batch's number, from 1. */
  public static final AttributeKey<Long> BATCH = AttributeKey.longKey("switchboard.rollout.batch");

  /** How many agents a batch targets. */
  public static final AttributeKey<Long> BATCH_AGENTS =
      AttributeKey.longKey("switchboard.rollout.batch.agents");

  /** The HTTP method of the operator's request. */
  public static final AttributeKey<String> HTTP_METHOD =
      AttributeKey.stringKey("http.request.method");

  /** The route template of the operator's request. */
  public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");

  /** The status code of the answer. */
  public static final AttributeKey<Long> HTTP_STATUS =
      AttributeKey.longKey("http.response.status_code");

  /** The bytes the session put on the agent's socket. */
  public static final AttributeKey<Long> BYTES = AttributeKey.longKey("switchboard.message.bytes");
}
