package io.switchboard.persistence.packages;

import java.time.Instant;

/**
 * A package as stored: {@code type} is {@code top_level} or {@code addon}; {@code downloadUrl} is
 * null when the content is uploaded here, {@code size} null until an upload completed; {@code
 * contentHash} is the SHA-256 of the content; {@code signature} may be null.
 */
public record Package(
    String name,
    String version,
    String type,
    String downloadUrl,
    byte[] contentHash,
    byte[] signature,
    Long size,
    Instant createdAt,
    String createdBy) {

  /** Agents can fetch it: its content is uploaded, or it lives at an external URL. */
  public boolean downloadable() {
    return downloadUrl != null || size != null;
  }
}
