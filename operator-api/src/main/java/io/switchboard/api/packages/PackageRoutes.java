package io.switchboard.api.packages;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequestEntity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.Directives.withoutSizeLimit;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.dispatch.packages.PackageUploads;
import io.switchboard.persistence.packages.Package;
import io.switchboard.persistence.packages.PackageStore;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/packages}: create a package (metadata), upload its content ({@code PUT .../content},
 * streamed), list, read and delete. Agents download content from the OpAMP port, not from here.
 */
public final class PackageRoutes {

  private final PackageStore store;
  private final PackageUploads uploads;
  private final int maxPageSize;
  private final ObjectMapper json;

  public PackageRoutes(
      PackageStore store, PackageUploads uploads, int maxPageSize, ObjectMapper json) {
    this.store = store;
    this.uploads = uploads;
    this.maxPageSize = maxPageSize;
    this.json = json;
  }

  public Route route() {
    return pathPrefix(
        "packages",
        () ->
            concat(
                pathEnd(() -> concat(get(this::list), post(this::create))),
                pathPrefix(
                    segment(),
                    name ->
                        pathPrefix(
                            segment(),
                            version ->
                                concat(
                                    pathEnd(
                                        () ->
                                            concat(
                                                get(() -> read(name, version)),
                                                delete(() -> remove(name, version)))),
                                    path("content", () -> put(() -> upload(name, version))))))));
  }

  private Route list() {
    return onSuccess(
        store.list(maxPageSize),
        all ->
            Json.respond(
                json,
                StatusCodes.OK,
                Map.of("packages", all.stream().map(PackageView::of).toList())));
  }

  private Route create() {
    return Operator.named(
        actor ->
            entity(
                Jackson.unmarshaller(json, PackageRequest.class),
                request -> {
                  String problem = request.problem();
                  if (problem != null) {
                    return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
                  }
                  return onSuccess(
                      store
                          .create(request.toPackage(actor))
                          .thenCompose(
                              created ->
                                  store
                                      .find(request.name(), request.version())
                                      .thenApply(
                                          found -> created ? found : Optional.<Package>empty())),
                      created ->
                          created.isEmpty()
                              ? complete(
                                  Problem.response(
                                      StatusCodes.CONFLICT,
                                      "package "
                                          + request.name()
                                          + " "
                                          + request.version()
                                          + " exists; versions never change"))
                              : Json.respond(
                                  json, StatusCodes.CREATED, PackageView.of(created.get())));
                }));
  }

  private Route read(String name, String version) {
    return onSuccess(
        store.find(name, version),
        found ->
            found.isEmpty()
                ? notFound(name, version)
                : Json.respond(json, StatusCodes.OK, PackageView.of(found.get())));
  }

  private Route remove(String name, String version) {
    return Operator.named(
        actor ->
            onSuccess(
                store.delete(name, version, actor),
                deleted -> deleted ? complete(StatusCodes.NO_CONTENT) : notFound(name, version)));
  }

  /** The body streams into the database; Pekko's own entity size limit is replaced by max-size. */
  private Route upload(String name, String version) {
    return Operator.named(
        actor ->
            withoutSizeLimit(
                () ->
                    extractRequestEntity(
                        entity -> {
                          Optional<PackageUploads.Refused> early =
                              entity.getContentLengthOption().isPresent()
                                  ? uploads.declared(entity.getContentLengthOption().getAsLong())
                                  : Optional.empty();
                          if (early.isPresent()) {
                            return extractMaterializer(
                                mat -> {
                                  entity.discardBytes(mat);
                                  return refusal(early.get());
                                });
                          }
                          return extractMaterializer(
                              mat ->
                                  onSuccess(
                                      uploads.upload(
                                          name, version, entity.getDataBytes(), actor, mat),
                                      outcome ->
                                          outcome instanceof PackageUploads.Stored stored
                                              ? Json.respond(
                                                  json,
                                                  StatusCodes.OK,
                                                  PackageView.of(stored.pkg()))
                                              : refusal((PackageUploads.Refused) outcome)));
                        })));
  }

  private static Route refusal(PackageUploads.Refused refused) {
    return complete(Problem.response(StatusCodes.get(refused.status()), refused.detail()));
  }

  private static Route notFound(String name, String version) {
    return complete(Problem.response(StatusCodes.NOT_FOUND, "no package " + name + " " + version));
  }
}
