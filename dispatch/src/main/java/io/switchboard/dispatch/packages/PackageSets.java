package io.switchboard.dispatch.packages;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.packages.Package;
import io.switchboard.persistence.packages.PackageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A package set: the packages (by name and version) operators want agents to have, as a rollout
 * names it (and as a standing assignment can). Resolving it finds each package, and refuses a set
 * with a package missing or without content; its offer is the {@code PackagesAvailable} message.
 */
public final class PackageSets {

  /** Most packages one set names (an agent's report of them is bounded by package-count too). */
  public static final int MAX_MEMBERS = 64;

  /** One package of a set. */
  public record Member(
      @JsonProperty("name") String name, @JsonProperty("version") String version) {}

  /** The packages of a set in its order, or an HTTP-like status and why not. */
  public record Resolved(List<Package> packages, int status, String problem) {}

  private final PackageStore store;
  private final Supplier<String> downloadBase;

  /** {@code downloadBase}: where agents download uploaded content (asked at each offer). */
  public PackageSets(PackageStore store, Supplier<String> downloadBase) {
    this.store = store;
    this.downloadBase = downloadBase;
  }

  /** What is wrong with a set as given, or null. */
  public static String problem(List<Member> members) {
    if (members.isEmpty() || members.size() > MAX_MEMBERS) {
      return "packages must name 1 to " + MAX_MEMBERS + " packages";
    }
    if (members.stream().anyMatch(member -> member.name() == null || member.version() == null)) {
      return "each package needs a name and a version";
    }
    if (members.stream().map(Member::name).distinct().count() < members.size()) {
      return "an agent has one version of a package: each name at most once";
    }
    return null;
  }

  public CompletionStage<Resolved> resolve(List<Member> members) {
    CompletionStage<List<Package>> found = CompletableFuture.completedFuture(new ArrayList<>());
    for (Member member : members) {
      found =
          found.thenCompose(
              soFar ->
                  store
                      .find(member.name(), member.version())
                      .thenApply(
                          pkg -> {
                            pkg.ifPresent(soFar::add);
                            return soFar;
                          }));
    }
    return found.thenApply(
        packages -> {
          if (packages.size() < members.size()) {
            return new Resolved(List.of(), 404, "no package " + missing(members, packages));
          }
          for (Package pkg : packages) {
            if (!pkg.downloadable()) {
              return new Resolved(
                  List.of(),
                  409,
                  "package " + pkg.name() + " " + pkg.version() + " has no content uploaded yet");
            }
          }
          return new Resolved(List.copyOf(packages), 200, null);
        });
  }

  /** The offer of the resolved packages. */
  public ServerToAgent message(List<Package> packages) {
    return PackageOffers.message(packages, downloadBase.get());
  }

  private static String missing(List<Member> members, List<Package> found) {
    for (Member member : members) {
      if (found.stream()
          .noneMatch(
              pkg -> pkg.name().equals(member.name()) && pkg.version().equals(member.version()))) {
        return member.name() + " " + member.version();
      }
    }
    return "";
  }
}
