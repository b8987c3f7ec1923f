package io.switchboard.opamp.wire;

/** A WebSocket message that is not a valid OpAMP frame. The reason is a stable metric tag. */
public final class MalformedFrameException extends Exception {

  /**
   * Why a frame was refused; {@link #tag()} is used as the {@code reason} tag of the rejection
   * metric.
   */
  public enum Reason {
    /** The varint header did not end inside the frame. */
    TRUNCATED_HEADER("truncated-header"),
    /**
     * The header decoded to a value other than 0 (reserved by the spec; also what a header-less
     * frame looks like).
     */
    NON_ZERO_HEADER("non-zero-header"),
    /** The payload after the header is not a valid protobuf message. */
    INVALID_PROTOBUF("invalid-protobuf");

    private final String tag;

    Reason(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  private final Reason reason;

  public MalformedFrameException(Reason reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
