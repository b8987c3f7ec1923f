package io.switchboard.opamp.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.opamp.proto.PackageStatus;
import io.switchboard.opamp.proto.PackageStatusEnum;
import io.switchboard.opamp.proto.PackageStatuses;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * An agent's {@code PackageStatuses} as stored and shown: {@code {server_provided_all_packages_hash
 * (hex), error_message, packages: {name: {status, agent_has_version, agent_has_hash,
 * server_offered_version, server_offered_hash, error_message, download_percent,
 * download_bytes_per_second}}}}, every text made storable. Status is INSTALLED, INSTALL_PENDING,
 * INSTALLING, INSTALL_FAILED or DOWNLOADING, as the specification names them.
 */
public final class PackageStatusJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private PackageStatusJson() {}

  public static String of(PackageStatuses statuses) {
    ObjectNode json = NODES.objectNode();
    json.put(
        "server_provided_all_packages_hash",
        HexFormat.of().formatHex(statuses.getServerProvidedAllPackagesHash().toByteArray()));
    if (!statuses.getErrorMessage().isEmpty()) {
      json.put("error_message", Storable.text(statuses.getErrorMessage()));
    }
    ObjectNode packages = json.putObject("packages");
    for (Map.Entry<String, PackageStatus> entry :
        new TreeMap<>(statuses.getPackagesMap()).entrySet()) {
      PackageStatus status = entry.getValue();
      ObjectNode pkg = packages.putObject(Storable.text(entry.getKey()));
      pkg.put("status", name(status.getStatus()));
      pkg.put("agent_has_version", Storable.text(status.getAgentHasVersion()));
      pkg.put("agent_has_hash", HexFormat.of().formatHex(status.getAgentHasHash().toByteArray()));
      pkg.put("server_offered_version", Storable.text(status.getServerOfferedVersion()));
      pkg.put(
          "server_offered_hash",
          HexFormat.of().formatHex(status.getServerOfferedHash().toByteArray()));
      if (!status.getErrorMessage().isEmpty()) {
        pkg.put("error_message", Storable.text(status.getErrorMessage()));
      }
      if (status.hasDownloadDetails()) {
        double percent = status.getDownloadDetails().getDownloadPercent();
        double rate = status.getDownloadDetails().getDownloadBytesPerSecond();
        // JSON has no NaN or infinity; an agent's odd number is left out rather than refused.
        if (Double.isFinite(percent)) {
          pkg.put("download_percent", percent);
        }
        if (Double.isFinite(rate)) {
          pkg.put("download_bytes_per_second", rate);
        }
      }
    }
    try {
      return MAPPER.writeValueAsString(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain JSON nodes always serializes", e);
    }
  }

  /** The specification's name of a package status. */
  public static String name(PackageStatusEnum status) {
    return switch (status) {
      case PackageStatusEnum_Installed -> "INSTALLED";
      case PackageStatusEnum_InstallPending -> "INSTALL_PENDING";
      case PackageStatusEnum_Installing -> "INSTALLING";
      case PackageStatusEnum_InstallFailed -> "INSTALL_FAILED";
      case PackageStatusEnum_Downloading -> "DOWNLOADING";
      default -> "UNKNOWN";
    };
  }
}
