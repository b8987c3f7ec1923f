package io.switchboard.persistence.certificates;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.switchboard.persistence.Sql;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** Client certificates issued to agents: recorded when issued, listed, revoked (audited). */
public final class CertificateStore {

  private final Sql db;

  public CertificateStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /** Records a certificate just issued, before it is offered to the agent. */
  public CompletionStage<Void> issued(IssuedCertificate certificate) {
    return db.rowsUpdated(
            """
            INSERT INTO agent_certificates (serial, instance_uid, subject, certificate_pem, issued_at, not_after)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            statement ->
                statement
                    .bind(0, certificate.serial())
                    .bind(1, certificate.instanceUid())
                    .bind(2, certificate.subject())
                    .bind(3, certificate.certificatePem())
                    .bind(4, certificate.issuedAt().atOffset(ZoneOffset.UTC))
                    .bind(5, certificate.notAfter().atOffset(ZoneOffset.UTC)))
        .then()
        .toFuture();
  }

  /** The agent's certificates, newest first (at most {@code limit}). */
  public CompletionStage<List<IssuedCertificate>> forAgent(String instanceUid, int limit) {
    return db.rows(
            """
            SELECT serial, instance_uid, subject, certificate_pem, issued_at, not_after, revoked_at, revoked_by
            FROM agent_certificates WHERE instance_uid = $1 ORDER BY issued_at DESC LIMIT $2
            """,
            statement -> statement.bind(0, instanceUid).bind(1, limit),
            CertificateStore::toCertificate)
        .collectList()
        .toFuture();
  }

  /** The agent's newest certificate that is neither revoked nor expired, as PEM; null when none. */
  public CompletionStage<String> current(String instanceUid) {
    return db.rows(
            """
            SELECT certificate_pem FROM agent_certificates
            WHERE instance_uid = $1 AND revoked_at IS NULL AND not_after > now()
            ORDER BY issued_at DESC LIMIT 1
            """,
            statement -> statement.bind(0, instanceUid),
            row -> row.get(0, String.class))
        .next()
        .toFuture();
  }

  /**
   * Revokes one of the agent's certificates, audited as {@code actor}'s. False when the agent has
   * no certificate of that serial or it was revoked already.
   */
  public CompletionStage<Boolean> revoke(String instanceUid, String serial, String actor) {
    return db.rowsUpdated(
            """
            WITH revoked AS (
              UPDATE agent_certificates SET revoked_at = now(), revoked_by = $3
              WHERE instance_uid = $1 AND serial = $2 AND revoked_at IS NULL
              RETURNING serial, not_after
            )
            INSERT INTO audit_events (actor, action, target, before, after)
            SELECT $3, 'agent.certificate.revoked', 'agent/' || $1,
                   jsonb_build_object('serial', serial, 'not_after', not_after), jsonb_build_object('revoked', true)
            FROM revoked
            """,
            statement -> statement.bind(0, instanceUid).bind(1, serial).bind(2, actor))
        .map(rows -> rows > 0)
        .toFuture();
  }

  /** Serials of every revoked certificate that has not expired yet. */
  public CompletionStage<Set<String>> revokedSerials() {
    return db.rows(
            "SELECT serial FROM agent_certificates WHERE revoked_at IS NOT NULL AND not_after > now()",
            statement -> {},
            row -> row.get(0, String.class))
        .collect(HashSet<String>::new, Set::add)
        .map(Set::copyOf)
        .toFuture();
  }

  private static IssuedCertificate toCertificate(Readable row) {
    return new IssuedCertificate(
        row.get(0, String.class),
        row.get(1, String.class),
        row.get(2, String.class),
        row.get(3, String.class),
        Sql.instant(row, 4),
        Sql.instant(row, 5),
        Sql.instant(row, 6),
        row.get(7, String.class));
  }
}
