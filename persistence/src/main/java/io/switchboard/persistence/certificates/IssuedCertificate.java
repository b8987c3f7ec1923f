package io.switchboard.persistence.certificates;

import java.time.Instant;

/**
 * A client certificate the server's CA issued to an agent.
 *
 * @param serial the certificate's serial number, lower-case hex
 * @param revokedAt when an operator revoked it, or null
 */
public record IssuedCertificate(
    String serial,
    String instanceUid,
    String subject,
    String certificatePem,
    Instant issuedAt,
    Instant notAfter,
    Instant revokedAt,
    String revokedBy) {}
