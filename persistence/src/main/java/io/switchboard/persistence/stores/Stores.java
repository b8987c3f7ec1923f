package io.switchboard.persistence.stores;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.assignments.AssignmentResolution;
import io.switchboard.persistence.assignments.AssignmentStore;
import io.switchboard.persistence.audit.AuditLog;
import io.switchboard.persistence.components.ComponentStore;
import io.switchboard.persistence.configurations.ConfigurationStore;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import io.switchboard.persistence.fleet.FleetQueries;
import io.switchboard.persistence.history.HistoryRetention;
import io.switchboard.persistence.operators.OperatorStore;
import io.switchboard.persistence.operators.SessionStore;
import io.switchboard.persistence.operators.TokenStore;
import io.switchboard.persistence.packages.PackageStore;
import io.switchboard.persistence.retention.Retention;
import io.switchboard.persistence.rollouts.RolloutStore;
import io.switchboard.persistence.status.AgentStatusStore;
import io.switchboard.persistence.webhooks.WebhookStore;

/**
 * Every store of a node, each made once on the database's pools and handed to whoever needs it.
 * Writes, and reads that must see them at once (an operator's command checks the agent it names),
 * go to the primary; lists and queries ({@code agentQueries}, {@code audit}, {@code fleet}) go to
 * the read pool, a replica when one is configured.
 */
public record Stores(
    AgentStatusStore statuses,
    AgentRepository agents,
    AgentRepository agentQueries,
    EnvelopeStore envelopes,
    ConfigurationStore configurations,
    RolloutStore rollouts,
    PackageStore packages,
    OperatorStore operators,
    SessionStore sessions,
    TokenStore tokens,
    AuditLog audit,
    FleetQueries fleet,
    HistoryRetention history,
    Retention retention,
    ComponentStore components,
    WebhookStore webhooks,
    AssignmentStore assignments,
    AssignmentResolution assignmentResolution) {

  public static Stores on(Database database) {
    return on(database, null);
  }

  /**
   * With {@code packageDirectory} (null: none), package content is kept there, not in PostgreSQL.
   */
  public static Stores on(Database database, java.nio.file.Path packageDirectory) {
    return new Stores(
        new AgentStatusStore(database.pool()),
        new AgentRepository(database.pool()),
        new AgentRepository(database.readPool()),
        new EnvelopeStore(database.pool()),
        new ConfigurationStore(database.pool()),
        new RolloutStore(database.pool()),
        new PackageStore(database.pool(), packageDirectory),
        new OperatorStore(database.pool()),
        new SessionStore(database.pool()),
        new TokenStore(database.pool()),
        new AuditLog(database.readPool()),
        new FleetQueries(database.readPool()),
        new HistoryRetention(database.pool()),
        new Retention(database.pool()),
        new ComponentStore(database.pool()),
        new WebhookStore(database.pool()),
        new AssignmentStore(database.pool()),
        new AssignmentResolution(database.pool()));
  }
}
