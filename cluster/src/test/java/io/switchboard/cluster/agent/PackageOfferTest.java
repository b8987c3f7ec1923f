package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.PackageHash;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.DownloadableFile;
import io.switchboard.opamp.proto.PackageAvailable;
import io.switchboard.opamp.proto.PackageStatus;
import io.switchboard.opamp.proto.PackageStatusEnum;
import io.switchboard.opamp.proto.PackageStatuses;
import io.switchboard.opamp.proto.PackagesAvailable;
import io.switchboard.persistence.envelopes.EnvelopeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** When packages are offered to an agent, and how its reports close the offer's envelope. */
class PackageOfferTest {

  private static final long ACCEPTS_PACKAGES = 0x1 | 0x8 | 0x10;
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private final List<String> closed = new ArrayList<>();
  private final AgentOutbox.Tracking tracking =
      new AgentOutbox.Tracking() {
        @Override
        public void sent(UUID envelope) {}

        @Override
        public void closed(UUID envelope, EnvelopeState outcome, String detail) {
          closed.add(outcome + ": " + detail);
        }
      };

  private final PackagesAvailable offer =
      PackageHash.hashed(
          PackagesAvailable.newBuilder()
              .putPackages(
                  "addon",
                  PackageAvailable.newBuilder()
                      .setVersion("1.0")
                      .setFile(
                          DownloadableFile.newBuilder()
                              .setDownloadUrl("http://x/v1/packages/addon/1.0")
                              .setContentHash(ByteString.copyFromUtf8("c")))
                      .build())
              .build());

  @Test
  void offeredOncePerSessionOnlyToAnAgentThatAcceptsPackagesAndRunsAnotherSet() {
    PackageOffer packages = new PackageOffer();
    packages.desire(UUID.randomUUID(), offer, NOW.plusSeconds(60), tracking);

    assertFalse(packages.due(agent(0x1 | 0x2, null), NOW), "no AcceptsPackages, no offer");
    AgentState accepting = agent(ACCEPTS_PACKAGES, null);
    assertTrue(packages.due(accepting, NOW));
    packages.take(tracking);
    assertFalse(packages.due(accepting, NOW), "once per session");
    packages.newSession();
    assertTrue(packages.due(accepting, NOW));
    AgentState current =
        agent(
            ACCEPTS_PACKAGES,
            PackageStatuses.newBuilder()
                .setServerProvidedAllPackagesHash(offer.getAllPackagesHash())
                .build());
    assertFalse(packages.due(current, NOW), "an agent that reports this set is not offered it");
  }

  @Test
  void installedWithTheOfferedHashAppliesAndAFailureFailsWithTheAgentsError() {
    ByteString hash = offer.getPackagesMap().get("addon").getHash();
    PackageOffer installed = new PackageOffer();
    installed.desire(UUID.randomUUID(), offer, NOW.plusSeconds(60), tracking);
    installed.confirm(report(PackageStatusEnum.PackageStatusEnum_Downloading, hash, ""), tracking);
    assertTrue(installed.awaitsConfirmation(), "downloading leaves it open");
    installed.confirm(report(PackageStatusEnum.PackageStatusEnum_Installed, hash, ""), tracking);
    assertEquals(List.of("APPLIED: null"), closed);

    PackageOffer failed = new PackageOffer();
    failed.desire(UUID.randomUUID(), offer, NOW.plusSeconds(60), tracking);
    failed.confirm(
        report(PackageStatusEnum.PackageStatusEnum_InstallFailed, hash, "disk full"), tracking);
    assertEquals("FAILED: the agent failed to install package addon: disk full", closed.get(1));
    assertFalse(failed.awaitsConfirmation());
  }

  private static PackageStatuses report(PackageStatusEnum status, ByteString hash, String error) {
    PackageStatus.Builder pkg =
        PackageStatus.newBuilder()
            .setName("addon")
            .setStatus(status)
            .setServerOfferedHash(hash)
            .setErrorMessage(error);
    if (status == PackageStatusEnum.PackageStatusEnum_Installed) {
      pkg.setAgentHasHash(hash);
    }
    return PackageStatuses.newBuilder().putPackages("addon", pkg.build()).build();
  }

  private static AgentState agent(long capabilities, PackageStatuses statuses) {
    AgentState state = new AgentState();
    AgentToServer.Builder message =
        AgentToServer.newBuilder()
            .setSequenceNum(1)
            .setCapabilities(capabilities)
            .setAgentDescription(AgentDescription.getDefaultInstance());
    if (statuses != null) {
      message.setPackageStatuses(statuses);
    }
    state.apply(message.build(), NOW);
    return state;
  }
}
