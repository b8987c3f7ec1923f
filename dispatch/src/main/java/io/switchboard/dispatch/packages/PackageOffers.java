package io.switchboard.dispatch.packages;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.PackageHash;
import io.switchboard.opamp.proto.DownloadableFile;
import io.switchboard.opamp.proto.PackageAvailable;
import io.switchboard.opamp.proto.PackageType;
import io.switchboard.opamp.proto.PackagesAvailable;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.packages.Package;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds the {@code PackagesAvailable} offer of a package set: each package's file points at its
 * external URL, or at the download endpoint every node serves; hashes as {@link PackageHash} says.
 */
public final class PackageOffers {

  private PackageOffers() {}

  /** Where an uploaded package is downloaded, under {@code base}. */
  public static String downloadUrl(String base, String name, String version) {
    return base + "/v1/packages/" + encode(name) + "/" + encode(version);
  }

  public static PackagesAvailable offer(List<Package> packages, String base) {
    PackagesAvailable.Builder offer = PackagesAvailable.newBuilder();
    for (Package pkg : packages) {
      DownloadableFile.Builder file =
          DownloadableFile.newBuilder()
              .setDownloadUrl(
                  pkg.downloadUrl() != null
                      ? pkg.downloadUrl()
                      : downloadUrl(base, pkg.name(), pkg.version()))
              .setContentHash(ByteString.copyFrom(pkg.contentHash()));
      if (pkg.signature() != null) {
        file.setSignature(ByteString.copyFrom(pkg.signature()));
      }
      offer.putPackages(
          pkg.name(),
          PackageAvailable.newBuilder()
              .setType(
                  "addon".equals(pkg.type())
                      ? PackageType.PackageType_Addon
                      : PackageType.PackageType_TopLevel)
              .setVersion(pkg.version())
              .setFile(file)
              .build());
    }
    return PackageHash.hashed(offer.build());
  }

  public static ServerToAgent message(List<Package> packages, String base) {
    return ServerToAgent.newBuilder().setPackagesAvailable(offer(packages, base)).build();
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
