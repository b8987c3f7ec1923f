package io.switchboard.cluster.agent;

import io.switchboard.opamp.json.Storable;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.PackageAvailable;
import io.switchboard.opamp.proto.PackageStatus;
import io.switchboard.opamp.proto.PackageStatusEnum;
import io.switchboard.opamp.proto.PackageStatuses;
import io.switchboard.opamp.proto.PackagesAvailable;
import io.switchboard.persistence.envelopes.EnvelopeState;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The packages operators want an agent to have, kept as the desired config is: offered once per
 * session to an agent with {@code AcceptsPackages} whose reported {@code
 * server_provided_all_packages_hash} differs (so an agent that drifts is offered them again on its
 * next session), and its envelope closed by what the agent reports: APPLIED once every offered
 * package is INSTALLED with the offered hash, FAILED as soon as one is INSTALL_FAILED for the
 * offered hash (or the offer as a whole failed).
 */
final class PackageOffer {

  /** Characters of an agent's error message kept in an envelope's detail. */
  private static final int MAX_ERROR_DETAIL = 1000;

  /** The offer operators want; {@code envelope} is null once the agent has answered it. */
  private record Desired(UUID envelope, PackagesAvailable offer, Instant deadline) {}

  private Desired desired;
  private boolean offered;

  /** A new session: the offer goes out again on it if still due. */
  void newSession() {
    offered = false;
  }

  /** Sets the offer; an earlier one still waiting for the agent's answer is superseded. */
  void desire(
      UUID envelope, PackagesAvailable offer, Instant deadline, AgentOutbox.Tracking tracking) {
    if (desired != null && desired.envelope() != null && !desired.envelope().equals(envelope)) {
      tracking.closed(
          desired.envelope(), EnvelopeState.FAILED, "superseded by envelope " + envelope);
    }
    desired = new Desired(envelope, offer, deadline);
    offered = false;
  }

  /** An offer the agent already installed, found in the database by a new incarnation. */
  void recallApplied(PackagesAvailable offer) {
    desired = new Desired(null, offer, Instant.MAX);
    offered = false;
  }

  boolean hasDesired() {
    return desired != null;
  }

  boolean awaitsConfirmation() {
    return desired != null && desired.envelope() != null;
  }

  /** Nothing waits for the agent's answer. */
  boolean isIdle() {
    return !awaitsConfirmation();
  }

  /** Due once per session to an agent that accepts packages and reports another set. */
  boolean due(AgentState state, Instant now) {
    if (desired == null
        || offered
        || (desired.envelope() != null && !now.isBefore(desired.deadline()))
        || !state.hasCapability(AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE)) {
      return false;
    }
    PackageStatuses reported = state.reportedPackageStatuses();
    return reported == null
        || !reported
            .getServerProvidedAllPackagesHash()
            .equals(desired.offer().getAllPackagesHash());
  }

  /** Takes the offer to send it; its envelope, if still open, is sent. */
  PackagesAvailable take(AgentOutbox.Tracking tracking) {
    offered = true;
    if (desired.envelope() != null) {
      tracking.sent(desired.envelope());
    }
    return desired.offer();
  }

  /**
   * Closes the offer's envelope from what the agent reports; INSTALLING, DOWNLOADING and statuses
   * of other packages or hashes leave it open.
   */
  void confirm(PackageStatuses reported, AgentOutbox.Tracking tracking) {
    if (!awaitsConfirmation() || reported == null) {
      return;
    }
    String failure = failure(reported);
    if (failure != null) {
      tracking.closed(desired.envelope(), EnvelopeState.FAILED, failure);
    } else if (allInstalled(reported)) {
      tracking.closed(desired.envelope(), EnvelopeState.APPLIED, null);
    } else {
      return;
    }
    desired = new Desired(null, desired.offer(), desired.deadline());
  }

  /** Why the agent failed to install the offer, or null while it has not. */
  private String failure(PackageStatuses reported) {
    if (!reported.getErrorMessage().isEmpty()
        && reported
            .getServerProvidedAllPackagesHash()
            .equals(desired.offer().getAllPackagesHash())) {
      return "the agent failed to take the packages: " + detail(reported.getErrorMessage());
    }
    for (Map.Entry<String, PackageAvailable> offered :
        desired.offer().getPackagesMap().entrySet()) {
      PackageStatus status = reported.getPackagesMap().get(offered.getKey());
      if (status != null
          && status.getStatus() == PackageStatusEnum.PackageStatusEnum_InstallFailed
          && status.getServerOfferedHash().equals(offered.getValue().getHash())) {
        return "the agent failed to install package "
            + Storable.text(offered.getKey())
            + ": "
            + detail(status.getErrorMessage());
      }
    }
    return null;
  }

  private boolean allInstalled(PackageStatuses reported) {
    for (Map.Entry<String, PackageAvailable> offered :
        desired.offer().getPackagesMap().entrySet()) {
      PackageStatus status = reported.getPackagesMap().get(offered.getKey());
      if (status == null
          || status.getStatus() != PackageStatusEnum.PackageStatusEnum_Installed
          || !status.getAgentHasHash().equals(offered.getValue().getHash())) {
        return false;
      }
    }
    return true;
  }

  /** Expires an offer whose deadline passed before the agent answered. */
  void expire(Instant now, AgentOutbox.Tracking tracking) {
    if (awaitsConfirmation() && !now.isBefore(desired.deadline())) {
      tracking.closed(
          desired.envelope(),
          EnvelopeState.EXPIRED,
          "the deadline passed before the agent installed the packages");
      desired = null;
    }
  }

  private static String detail(String error) {
    String message = Storable.text(error);
    return message.length() <= MAX_ERROR_DETAIL
        ? message
        : message.substring(0, MAX_ERROR_DETAIL) + "...";
  }
}
