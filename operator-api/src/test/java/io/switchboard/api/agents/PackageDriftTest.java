package io.switchboard.api.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.persistence.agents.AgentRecord;
import io.switchboard.persistence.status.ConnectionState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PackageDriftTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String OFFER =
      "{\"assignment\": \"prod\", \"all_packages_hash\": \"ab12\","
          + " \"packages\": [{\"name\": \"addon\", \"version\": \"2.0.0\"}]}";

  @Test
  void nothingOfferedIsNoDrift() {
    assertNull(PackageDrift.of(agent(null, status("ab12", "INSTALLED", "2.0.0")), JSON));
  }

  @Test
  void theOfferInstalledIsNoDrift() {
    assertEquals(false, PackageDrift.of(agent(OFFER, status("AB12", "INSTALLED", "2.0.0")), JSON));
  }

  @Test
  void notReportedFailedOrAnotherSetOrVersionIsDrift() {
    assertEquals(true, PackageDrift.of(agent(OFFER, null), JSON));
    assertEquals(true, PackageDrift.of(agent(OFFER, status("ab12", "INSTALL_FAILED", "")), JSON));
    assertEquals(true, PackageDrift.of(agent(OFFER, status("ab12", "DOWNLOADING", "")), JSON));
    assertEquals(true, PackageDrift.of(agent(OFFER, status("ffff", "INSTALLED", "2.0.0")), JSON));
    assertEquals(true, PackageDrift.of(agent(OFFER, status("ab12", "INSTALLED", "1.0.0")), JSON));
  }

  private static String status(String hash, String status, String version) {
    return "{\"server_provided_all_packages_hash\": \""
        + hash
        + "\", \"packages\": {\"addon\": {\"status\": \""
        + status
        + "\", \"agent_has_version\": \""
        + version
        + "\"}}}";
  }

  private static AgentRecord agent(String offer, String statuses) {
    return new AgentRecord(
        "0b6b5b8e-0000-4000-8000-000000000002",
        ConnectionState.CONNECTED,
        Instant.EPOCH,
        1,
        null,
        1,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        "{}",
        Instant.EPOCH,
        Instant.EPOCH,
        null,
        null,
        null,
        statuses,
        null,
        false,
        null,
        offer);
  }
}
